import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';

export const command = 'unban <group> <who>';
export const desc = 'Lift a ban, so the user may join the room again (owner, admin)';
export interface Args {
  group: string;
  who: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
    .positional('who', { type: 'string', demandOption: true, describe: 'the banned user' })
    .example('$0 --user alice unban lobby carol', 'let carol back into lobby');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const unbanned = await ctx.client.unban(args.group, args.who);
  const g = ctx.style.cyan(`#${args.group}`);
  return { lines: [unbanned ? `unbanned ${args.who} in ${g}; they may join again` : `${args.who} is not banned from ${g}; see the bans with: bans ${args.group}`], json: { unbanned } };
}

export const handler = oneShot(exec);
