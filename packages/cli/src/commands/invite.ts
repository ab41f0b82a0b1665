import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';

export const command = 'invite <group> <who>';
export const desc = 'Invite someone to a room (private rooms: owner and admins; public: members)';
export interface Args {
  group: string;
  who: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
    .positional('who', { type: 'string', demandOption: true, describe: 'the user to invite' })
    .example('$0 --user alice invite design bob', 'let bob into the private room design');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const invitation = await ctx.client.invite(args.group, args.who);
  const g = ctx.style.cyan(`#${args.group}`);
  const line = invitation ? `invited ${args.who} to ${g}; they can join with: join ${args.group}` : `${args.who} is already a member of ${g}`;
  return { lines: [line], json: { invitation } };
}

export const handler = oneShot(exec);
