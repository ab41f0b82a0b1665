import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { formatMessage } from '../format.js';
import { oneShot } from '../one-shot.js';
import { UsageError } from '../errors-to-text.js';

export const command = 'say <group> [text..]';
export const desc = 'Send a message to a group you are a member of';
export interface Args {
  group: string;
  text?: string | string[];
  /** Words after `--`, verbatim. */
  '--'?: (string | number)[];
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the group' })
    .positional('text', { type: 'string', array: true, describe: 'the message (the rest of the line)' })
    .example('$0 --url ws://localhost:5000 --user alice say lobby hello everyone', 'send "hello everyone" to lobby')
    .example('$0 --user alice say lobby -- -1 is a number', 'use -- before text that starts with a dash');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const words = [...(Array.isArray(args.text) ? args.text : args.text === undefined ? [] : [args.text]), ...(args['--'] ?? [])];
  const text = words.map(String).join(' ');
  if (text === '') throw new UsageError('nothing to say; usage: say GROUP TEXT');
  const message = await ctx.client.send(args.group, text);
  // In the REPL the hub's echo of the message is the confirmation.
  return { lines: ctx.interactive ? [] : [formatMessage(message, ctx.style, ctx.where?.(message.groupId))], json: { message } };
}

export const handler = oneShot(exec);
