import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';

export const command = 'leave <group>';
export const desc = 'Stop being a member of a group';
export interface Args {
  group: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the group to leave' })
    .example('$0 --url ws://localhost:5000 --user alice leave lobby', 'leave lobby');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const left = await ctx.client.leave(args.group);
  const g = ctx.style.cyan(`#${args.group}`);
  return { lines: [left ? `left ${g}` : `you were not a member of ${g}; nothing to leave`], json: { left } };
}

export const handler = oneShot(exec);
