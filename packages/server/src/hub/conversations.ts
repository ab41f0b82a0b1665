/**
 * me.conversations (docs/protocol.md §11): every group the caller is a
 * member of, latest activity first (the newest message, else the join).
 *
 * Pages must neither skip nor repeat a conversation while messages keep
 * arriving, though each new message moves its conversation to the top. So
 * the first page fixes a snapshot, the newest id it saw (`t` of the cursor),
 * and every page orders by activity as of that snapshot: a conversation
 * with messages after it is placed by its newest message at or before it
 * (one lookup each, for those only). The past of a log does not change
 * (a deleted message keeps its place), so every page sees the same order.
 * Each entry's unread count and last message are O(1) reads.
 */
import { compareMessageIds, errors, isMessageId, type Params, type Result } from '@next-chat/core';
import type { GroupStore, MembershipRecord } from '../ports/group-store.js';

interface Cursor {
  /** The snapshot: activity is as of this id. */
  t: string;
  /** The last entry of the page before: its activity and group. */
  a: string;
  g: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c), 'utf8').toString('base64url');
}

function decodeCursor(s: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (isMessageId(v.t) && isMessageId(v.a) && typeof v.g === 'string') return { t: v.t, a: v.a, g: v.g };
  } catch {
    // Falls through to the error below.
  }
  throw errors.invalidParams('after', 'is not a cursor of this list');
}

/** Latest first; equal activity by group id. */
function before(x: { activity: string; groupId: string }, y: { activity: string; groupId: string }): number {
  const c = compareMessageIds(y.activity, x.activity);
  if (c !== 0) return c;
  return x.groupId < y.groupId ? -1 : x.groupId > y.groupId ? 1 : 0;
}

const joinActivity = (m: MembershipRecord): string => `${Math.max(0, m.joinedAtMs)}-0`;

export async function listConversations(groups: GroupStore, userId: string, p: Params<'me.conversations'>): Promise<Result<'me.conversations'>> {
  const after = p.after !== undefined ? decodeCursor(p.after) : null;
  const all = await groups.memberships(userId);
  let snapshot = after?.t;
  if (snapshot === undefined) {
    snapshot = '0-0';
    for (const m of all) {
      const a = m.last ?? joinActivity(m);
      if (compareMessageIds(a, snapshot) > 0) snapshot = a;
    }
  }
  const t = snapshot;
  const placed = await Promise.all(
    all.map(async (m) => {
      let last = m.last;
      if (last !== null && compareMessageIds(last, t) > 0) last = await groups.lastAtOrBefore(m.groupId, t);
      return { groupId: m.groupId, activity: last ?? joinActivity(m) };
    }),
  );
  placed.sort(before);
  let start = 0;
  if (after) {
    const mark = { activity: after.a, groupId: after.g };
    while (start < placed.length && before(placed[start]!, mark) <= 0) start++;
  }
  // Conversations left since the memberships were read drop out; the page is filled from the next ones.
  const out: Result<'me.conversations'>['conversations'] = [];
  let i = start;
  while (out.length < p.limit && i < placed.length) {
    const slice = placed.slice(i, i + (p.limit - out.length));
    for (const c of await groups.conversations(userId, slice.map((x) => x.groupId))) if (c) out.push(c);
    i += slice.length;
  }
  const end = placed[i - 1];
  return { conversations: out, next: i < placed.length && end ? encodeCursor({ t, a: end.activity, g: end.groupId }) : null };
}
