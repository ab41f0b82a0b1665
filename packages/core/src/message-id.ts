/**
 * Message ids are Redis stream ids, `"<ms>-<seq>"`: unique within a group,
 * strictly increasing in delivery order. The in-process engine mints ids of
 * the same shape, so cursors mean the same thing on every engine.
 */

export interface MessageIdParts {
  ms: number;
  seq: number;
}

export const MESSAGE_ID_RE = /^(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})$/;

/** Largest ms/seq a cursor may carry: keeps them exact as JS numbers. */
const MAX_PART = Number.MAX_SAFE_INTEGER;

export function parseMessageId(id: string): MessageIdParts | null {
  const m = MESSAGE_ID_RE.exec(id);
  if (!m) return null;
  const ms = Number(m[1]);
  const seq = Number(m[2]);
  if (ms > MAX_PART || seq > MAX_PART) return null;
  return { ms, seq };
}

export function isMessageId(id: unknown): id is string {
  return typeof id === 'string' && parseMessageId(id) !== null;
}

export function formatMessageId(parts: MessageIdParts): string {
  return `${parts.ms}-${parts.seq}`;
}

/** Negative when a < b, positive when a > b, 0 when equal. Ids must be valid. */
export function compareMessageIds(a: string, b: string): number {
  const da = a.indexOf('-');
  const db = b.indexOf('-');
  const msa = Number(a.slice(0, da));
  const msb = Number(b.slice(0, db));
  if (msa !== msb) return msa < msb ? -1 : 1;
  const sa = Number(a.slice(da + 1));
  const sb = Number(b.slice(db + 1));
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

export const ZERO_ID = '0-0';

/**
 * An id as a fixed-width string whose byte order is the ids' order (16-digit
 * ms, '-', 20-digit seq): for indexes that sort strings (Redis sorted sets by
 * lex, a MySQL column compared as one value). lua/includes/paddedId.lua
 * writes the same form.
 */
export function sortableId(id: string): string {
  const dash = id.indexOf('-');
  return `${id.slice(0, dash).padStart(16, '0')}-${id.slice(dash + 1).padStart(20, '0')}`;
}

/** The id of a {@link sortableId}. */
export function fromSortableId(s: string): string {
  const dash = s.indexOf('-');
  return `${Number(s.slice(0, dash))}-${Number(s.slice(dash + 1))}`;
}
