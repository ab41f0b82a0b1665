/**
 * The rows of the message view: day separators, the "new messages" line at
 * the first unread message, the messages (a run by the same author within
 * five minutes is shown as one block), then the sends still under way.
 */
import type { Message } from '@next-chat/core';
import { isAfter } from './messages.js';
import { dayKey, dayLabel } from './time.js';

export interface PendingSend {
  /** Sent again with the same id on a retry: the hub keeps one message for it. */
  clientMessageId: string;
  text: string;
  state: 'sending' | 'failed';
  /** Why the last try failed, as a sentence. */
  error?: string;
}

export type TimelineRow =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'unread'; key: string }
  | { kind: 'message'; key: string; message: Message; mine: boolean; continued: boolean }
  | { kind: 'pending'; key: string; pending: PendingSend };

const RUN_MS = 5 * 60_000;

export function timeline(
  messages: readonly Message[],
  pending: readonly PendingSend[],
  o: {
    me: string;
    unreadAfter: string | null | undefined;
    /** The first message is the conversation's first: nothing before it to load. */
    atStart?: boolean;
    now?: Date;
    timeZone?: string;
  },
): TimelineRow[] {
  const rows: TimelineRow[] = [];
  let day = '';
  let prev: Message | undefined;
  /** A message at or before the read marker is loaded. */
  let sawRead = false;
  let unreadShown = o.unreadAfter === undefined;
  for (const m of messages) {
    const d = dayKey(m.sentAt, o.timeZone);
    if (d !== day) {
      rows.push({ kind: 'day', key: `day-${d}`, label: dayLabel(d, o.now, undefined, o.timeZone) });
      day = d;
      prev = undefined;
    }
    // Only where the last read message is in view too (or the history starts): the line
    // must not claim a first unread that lies further back, not loaded yet.
    const boundary = sawRead || o.atStart === true || o.unreadAfter === null;
    if (!unreadShown && m.authorId !== o.me && isAfter(m.id, o.unreadAfter) && boundary) {
      rows.push({ kind: 'unread', key: 'unread' });
      unreadShown = true;
      prev = undefined;
    }
    const continued = prev !== undefined && prev.authorId === m.authorId && prev.deletedAt === undefined && Date.parse(m.sentAt) - Date.parse(prev.sentAt) < RUN_MS;
    rows.push({ kind: 'message', key: m.id, message: m, mine: m.authorId === o.me, continued });
    prev = m;
    if (!isAfter(m.id, o.unreadAfter)) sawRead = true;
  }
  for (const p of pending) rows.push({ kind: 'pending', key: `pending-${p.clientMessageId}`, pending: p });
  return rows;
}
