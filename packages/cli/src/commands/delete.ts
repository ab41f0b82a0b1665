import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { UsageError } from '../errors-to-text.js';
import { formatUpdate } from '../format.js';
import { resolveMessage } from '../message-ref.js';
import { oneShot } from '../one-shot.js';

export const command = 'delete <group> [message]';
export const desc = 'Delete a message (last, or the short id history shows); without one, the room for everyone (owner; needs --yes)';
export interface Args {
  group: string;
  /** A message of the group: `last`, a short id, or a full id. Without it the room itself is deleted. */
  message?: string;
  yes?: boolean;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room (or the group of the message)' })
    .positional('message', { type: 'string', describe: 'last (your newest message), a short id from history, or a message id' })
    .option('yes', { type: 'boolean', describe: 'yes, delete the room (required: this cannot be undone)' })
    .example('$0 --user alice delete lobby last', 'delete your last message in lobby')
    .example('$0 --user alice delete lobby 4617', 'delete the message history shows as 4617 (yours, or any as owner or admin)')
    .example('$0 --user alice delete old-room --yes', 'remove old-room, its members, bans and history') as Argv<GlobalArgs & Args>;

function notConfirmed(group: string): UsageError {
  return new UsageError(`deleting #${group} removes it for everyone, with its members, invitations, bans and every message; if you mean it: delete ${group} --yes`);
}

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  if (args.message !== undefined) return deleteMessage(ctx, args.group, args.message);
  if (!args.yes) {
    if (!ctx.confirm) throw notConfirmed(args.group);
    const ok = await ctx.confirm(`delete #${args.group} for everyone, with all its messages? This cannot be undone.`);
    if (!ok) return { lines: [`kept #${args.group}; nothing was deleted`], json: { deleted: false } };
  }
  const deleted = await ctx.client.deleteGroup(args.group);
  return { lines: [`deleted ${ctx.style.cyan(`#${args.group}`)}`], json: { deleted } };
}

async function deleteMessage(ctx: CommandContext, group: string, word: string): Promise<Outcome> {
  const ref = await resolveMessage(ctx, group, word, 'delete');
  const message = await ctx.client.deleteMessage(ref.groupId, ref.messageId);
  // In the REPL the hub's message.updated is the confirmation, when this connection has the group.
  const echo = ctx.interactive && ctx.client.joinedGroups.includes(message.groupId);
  return { lines: echo ? [] : [formatUpdate(message, ctx.style, ctx.where?.(message.groupId), ctx.shortIds?.known(message) ?? (word === 'last' ? undefined : word))], json: { message } };
}

const run = oneShot(exec);
/** Refuses before connecting when a room would be deleted without --yes: a script never reaches the hub by mistake. */
export async function handler(argv: ArgumentsCamelCase<GlobalArgs & Args>): Promise<void> {
  if (argv.message === undefined && !argv.yes) throw notConfirmed(argv.group);
  await run(argv);
}
