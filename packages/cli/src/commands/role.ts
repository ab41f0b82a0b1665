import { ErrorCode, RpcError, type Role } from '@next-chat/client';
import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { UsageError } from '../errors-to-text.js';
import { roleNoun } from '../format.js';
import { oneShot } from '../one-shot.js';

export const ROLES: readonly Role[] = ['owner', 'admin', 'member'];

export const command = 'role <group> <who> <role>';
export const desc = "Give a member a role: admin, member, or owner to hand the room over (owner only)";
export interface Args {
  group: string;
  who: string;
  role: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
    .positional('who', { type: 'string', demandOption: true, describe: 'the member' })
    .positional('role', { type: 'string', demandOption: true, choices: ROLES, describe: 'the new role' })
    .example('$0 --user alice role design bob admin', 'make bob an admin of design')
    .example('$0 --user alice role design bob owner', 'hand design over to bob (alice becomes an admin)');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const role = String(args.role).toLowerCase() as Role;
  if (!ROLES.includes(role)) throw new UsageError(`'${args.role}' is not a role; give owner, admin or member`);
  let member;
  try {
    member = await ctx.client.setRole(args.group, args.who, role);
  } catch (err) {
    // The one refused for not being a member is `who`, not the caller (the owner need not have
    // joined); the hub says so with data.userId, made sure of here.
    if (err instanceof RpcError && err.code === ErrorCode.NotAMember && typeof err.data.userId !== 'string') {
      throw new RpcError(err.code, err.message, { ...err.data, groupId: args.group, userId: args.who });
    }
    throw err;
  }
  const g = ctx.style.cyan(`#${args.group}`);
  const line =
    role === 'owner'
      ? `handed ${g} over: ${member.userId} is the owner now (you stay as an admin if you are a member)`
      : `${member.userId} is now ${roleNoun(member.role)} of ${g}`;
  return { lines: [line], json: { member } };
}

export const handler = oneShot(exec);
