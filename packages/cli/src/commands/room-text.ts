/**
 * `title` and `topic`: one setting of a room from the rest of the line
 * (group.update), the same command for either.
 */
import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { describeSettings } from '../format.js';
import { oneShot } from '../one-shot.js';

export interface Args {
  group: string;
  text?: string | string[];
  /** Words after `--`, verbatim. */
  '--'?: (string | number)[];
}

export function roomTextCommand(kind: 'title' | 'topic', example: string) {
  const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
    y
      .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
      .positional('text', { type: 'string', array: true, describe: `the new ${kind} (the rest of the line)` })
      .example(`$0 --user alice ${kind} design ${example}`, `set the ${kind} of design`) as Argv<GlobalArgs & Args>;

  async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
    const words = [...(Array.isArray(args.text) ? args.text : args.text === undefined ? [] : [args.text]), ...(args['--'] ?? [])];
    const group = await ctx.client.updateGroup(args.group, { [kind]: words.map(String).join(' ') });
    return { lines: [`updated ${ctx.style.cyan(`#${group.id}`)}: ${describeSettings(group)}`], json: { group } };
  }

  return {
    command: `${kind} <group> [text..]`,
    desc: `Set a room's ${kind} (owner, admin); without text it is cleared`,
    builder,
    exec,
    handler: oneShot(exec),
  };
}
