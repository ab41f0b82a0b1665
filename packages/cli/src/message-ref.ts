/**
 * Which message `edit` and `delete` mean: `last` (your newest message in the
 * group), a short id (see short-ids.ts), or a full message id.
 */
import type { Message, NextChatClient } from '@next-chat/client';
import { isMessageId } from '@next-chat/core';
import type { CommandContext } from './context.js';
import { UsageError } from './errors-to-text.js';
import { looksLikeMessageRef, matchesShortId, type MessageRef } from './short-ids.js';

/** Most of a group's newest messages looked through for `last` or a short id. */
export const REF_SCAN_MAX = 1000;
const PAGE = 200;

/** The group's messages newest first, page by page, at most REF_SCAN_MAX; stops when `found` says so. */
async function scanNewest(client: NextChatClient, groupId: string, found: (m: Message) => boolean): Promise<Message | null> {
  let before: string | undefined;
  for (let seen = 0; seen < REF_SCAN_MAX; ) {
    const r = await client.history(groupId, { limit: Math.min(PAGE, REF_SCAN_MAX - seen), ...(before ? { before } : {}) });
    for (let i = r.messages.length - 1; i >= 0; i--) if (found(r.messages[i])) return r.messages[i];
    seen += r.messages.length;
    if (r.next === null || r.messages.length === 0) break;
    before = r.next;
  }
  return null;
}

/**
 * Your newest message in the group (a tombstone too: `last` never reaches
 * further back, so a second `delete` does not take the one before), or null
 * (none among its newest REF_SCAN_MAX).
 */
export function findLastOwn(client: NextChatClient, groupId: string, me: string): Promise<Message | null> {
  return scanNewest(client, groupId, (m) => m.authorId === me);
}

/**
 * The message `word` names in `groupId`: `last`, a short id of the session
 * (`ctx.shortIds`), or a full id or the end of one (the newest message
 * whose id ends with it). Throws a UsageError that says what to do when
 * there is none.
 */
export async function resolveMessage(ctx: CommandContext, groupId: string, word: string, verb: 'edit' | 'delete'): Promise<MessageRef> {
  const name = ctx.where?.(groupId) ?? `#${groupId}`;
  const historyHint = `see them with: history ${groupId.startsWith('dm-') && name.startsWith('@') ? name : groupId}`;
  if (word === 'last') {
    if (ctx.me === undefined) {
      throw new UsageError(
        `to find your last message the client must know your user id (you connected with a token alone): give --user too, or name the message by the short id that history shows`,
      );
    }
    const m = await findLastOwn(ctx.client, groupId, ctx.me);
    if (!m) throw new UsageError(`you have no message in ${name} to ${verb} (none among its last ${REF_SCAN_MAX})`);
    if (m.deletedAt !== undefined) {
      throw new UsageError(`your last message in ${name} is deleted already; to ${verb} an earlier one, name it by its short id (${historyHint})`);
    }
    return { groupId, messageId: m.id };
  }
  const known = ctx.shortIds?.lookup(word, groupId);
  if (known) return known;
  if (!looksLikeMessageRef(word)) {
    throw new UsageError(`'${word}' is not a message: give the short id that history shows (such as 4617), a full message id, or last; ${historyHint}`);
  }
  const m = await scanNewest(ctx.client, groupId, (x) => matchesShortId(word, x.id));
  if (m) return { groupId, messageId: m.id };
  // A full id older than the scan: the hub says whether it exists (4044).
  if (word.includes('-') && isMessageId(word)) return { groupId, messageId: word };
  throw new UsageError(`no message in ${name} has the short id '${word}' (among its last ${REF_SCAN_MAX}); ${historyHint}`);
}
