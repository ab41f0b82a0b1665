/**
 * What the composer checks before a text goes out, with the hub's own rule
 * (core's textProblem): 1 to 4,000 code points (an emoji counts once), not
 * only white space or invisible characters.
 */
import { MAX_TEXT_CODE_POINTS, textProblem } from '@next-chat/core';

export { MAX_TEXT_CODE_POINTS };

/** Code points, as the hub counts them (not UTF-16 units). */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export interface TextCheck {
  /** Code points in the text. */
  count: number;
  /** How many more fit (negative: too many). */
  left: number;
  /** True when the text may be sent. */
  ok: boolean;
  /** Why it may not, as a sentence; undefined when it may, or when it is merely empty. */
  problem: string | undefined;
  /** Show the count: near or over the limit. */
  showCount: boolean;
}

export function checkText(text: string): TextCheck {
  const count = codePoints(text);
  const left = MAX_TEXT_CODE_POINTS - count;
  const showCount = left <= 500;
  if (text.trim() === '') return { count, left, ok: false, problem: undefined, showCount };
  if (left < 0) {
    return { count, left, ok: false, problem: `This message is ${-left} characters over the limit of ${MAX_TEXT_CODE_POINTS.toLocaleString('en')}; shorten it to send it.`, showCount };
  }
  const p = textProblem(text);
  if (p !== null) return { count, left, ok: false, problem: /visible/.test(p) ? 'A message needs at least one visible character.' : `This message cannot be sent: it ${p}.`, showCount };
  return { count, left, ok: true, problem: undefined, showCount };
}
