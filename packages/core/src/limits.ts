/** Protocol limits of docs/protocol.md §3-§4, shared by server and SDK. */
export const GROUP_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const USER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const GROUP_PREFIX_RE = /^[A-Za-z0-9._-]{0,64}$/;
export const MAX_TEXT_CODE_POINTS = 4000;
export const MAX_CLIENT_MESSAGE_ID = 64;
export const PAGE_LIMIT_MAX = 200;
export const PAGE_LIMIT_DEFAULT = 50;
/** How long a clientMessageId is remembered for retries. */
export const DEDUPE_WINDOW_MS = 10 * 60 * 1000;
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;
export const PING_INTERVAL_MS = 25_000;
export const PROTOCOL_PATH = '/next-chat';
export const DEFAULT_PORT = 5000;

export function isUserId(v: unknown): v is string {
  return typeof v === 'string' && USER_ID_RE.test(v);
}
export function isGroupId(v: unknown): v is string {
  return typeof v === 'string' && GROUP_ID_RE.test(v);
}

/** Why a message text is not acceptable, or null when it is. */
export function textProblem(text: string): string | null {
  if (text.length === 0) return 'must not be empty';
  if (!text.isWellFormed()) return 'must be valid Unicode (no lone surrogates)';
  // Counting code points without materialising an array: a 4000-code-point
  // text is at most 8000 UTF-16 units, so longer strings fail fast.
  if (text.length > MAX_TEXT_CODE_POINTS * 2) return `must be at most ${MAX_TEXT_CODE_POINTS} characters`;
  let n = 0;
  for (const _ of text) n++;
  if (n > MAX_TEXT_CODE_POINTS) return `must be at most ${MAX_TEXT_CODE_POINTS} characters, got ${n}`;
  if (!VISIBLE.test(text)) return 'must contain at least one visible character (not only white space, invisible or combining characters)';
  return null;
}

/**
 * A character that shows: anything but white space, default-ignorable code
 * points (zero-width characters, U+00AD, variation selectors, Hangul
 * fillers), format characters (bidi controls), controls and combining marks
 * (which show only on a base character). U+2800, the blank Braille pattern,
 * is a symbol by its category yet renders as a space, so it is the one code
 * point named here.
 */
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\p{Cc}\p{Cf}\p{M}\u2800]/u;

/** Why a clientMessageId is not acceptable, or null when it is. */
export function clientMessageIdProblem(id: string): string | null {
  if (id.length < 1 || id.length > MAX_CLIENT_MESSAGE_ID) return `must be 1 to ${MAX_CLIENT_MESSAGE_ID} characters`;
  // Stored as UTF-8: a lone surrogate would come back as U+FFFD, another id than the sender holds.
  if (!id.isWellFormed()) return 'must be valid Unicode (no lone surrogates)';
  return null;
}
