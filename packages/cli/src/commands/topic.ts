import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { describeSettings } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'topic <group> [text..]';
export const desc = "Set a room's topic (owner, admin); without text it is cleared";
export interface Args {
  group: string;
  text?: string | string[];
  /** Words after `--`, verbatim. */
  '--'?: (string | number)[];
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
    .positional('text', { type: 'string', array: true, describe: 'the new topic (the rest of the line)' })
    .example('$0 --user alice topic design Topic of the design room', 'set the topic of design') as Argv<GlobalArgs & Args>;

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const words = [...(Array.isArray(args.text) ? args.text : args.text === undefined ? [] : [args.text]), ...(args['--'] ?? [])];
  const group = await ctx.client.updateGroup(args.group, { topic: words.map(String).join(' ') });
  return { lines: [`updated ${ctx.style.cyan(`#${group.id}`)}: ${describeSettings(group)}`], json: { group } };
}

export const handler = oneShot(exec);
