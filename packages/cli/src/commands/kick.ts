import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';

export const command = 'kick <group> <who>';
export const desc = 'Remove a member from a room; they may join again (owner, admin)';
export interface Args {
  group: string;
  who: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
    .positional('who', { type: 'string', demandOption: true, describe: 'the member to remove' })
    .example('$0 --user alice kick lobby carol', 'put carol out of lobby (use ban to keep her out)');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const kicked = await ctx.client.kick(args.group, args.who);
  const g = ctx.style.cyan(`#${args.group}`);
  return { lines: [kicked ? `kicked ${args.who} from ${g}` : `${args.who} is not a member of ${g}; nothing to do`], json: { kicked } };
}

export const handler = oneShot(exec);
