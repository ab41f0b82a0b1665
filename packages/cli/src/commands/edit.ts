import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { formatUpdate } from '../format.js';
import { resolveMessage } from '../message-ref.js';
import { oneShot } from '../one-shot.js';
import { UsageError } from '../errors-to-text.js';

export const command = 'edit <group> <message> [text..]';
export const desc = 'Change the text of one of your messages: last, or the short id history shows';
export interface Args {
  group: string;
  /** `last`, a short id (`4617`), or a full message id. */
  message: string;
  text?: string | string[];
  /** Words after `--`, verbatim. */
  '--'?: (string | number)[];
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the group' })
    .positional('message', { type: 'string', demandOption: true, describe: 'last (your newest message), a short id from history, or a message id' })
    .positional('text', { type: 'string', array: true, describe: 'the new text (the rest of the line)' })
    .example('$0 --user alice edit lobby last hello everyone', 'change your last message in lobby to "hello everyone"')
    .example('$0 --user alice edit lobby 4617 see you at 5', 'change the message history shows as 4617') as Argv<GlobalArgs & Args>;

export function textOf(args: Pick<Args, 'text' | '--'>): string {
  const words = [...(Array.isArray(args.text) ? args.text : args.text === undefined ? [] : [args.text]), ...(args['--'] ?? [])];
  return words.map(String).join(' ');
}

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const text = textOf(args);
  if (text.trim() === '') throw new UsageError(ctx.interactive ? 'nothing to change it to; usage: edit [SHORTID] TEXT' : 'nothing to change it to; usage: edit GROUP MESSAGE TEXT');
  const ref = await resolveMessage(ctx, args.group, args.message, 'edit');
  const message = await ctx.client.editMessage(ref.groupId, ref.messageId, text);
  // In the REPL the hub's message.updated is the confirmation, when this connection has the group.
  const echo = ctx.interactive && ctx.client.joinedGroups.includes(message.groupId);
  return { lines: echo ? [] : [formatUpdate(message, ctx.style, ctx.where?.(message.groupId), ctx.shortIds?.known(message) ?? (args.message === 'last' ? undefined : args.message))], json: { message } };
}

export const handler = oneShot(exec);
