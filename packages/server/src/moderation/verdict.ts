/**
 * Reading the moderation hook's answer (docs/api.md, "Moderation hook").
 * Strict on purpose: an answer that is not exactly one of the three shapes
 * is a broken hook, and treating it as a failure (open or closed, as the
 * operator chose) shows the bug instead of guessing what the hook meant;
 * `{"action":"allow","text":"..."}` would otherwise store the unvetted text
 * while the hook believes it replaced it.
 */
import { textProblem } from '@next-chat/core';
import type { ModerationVerdict } from '../ports/moderation.js';

/** The longest `reason` a hook may give; it is shown to the sender as a sentence, not a page. */
export const MAX_REASON_CHARS = 500;

export type ReadVerdict = { verdict: ModerationVerdict } | { problem: string };

const KEYS: Record<ModerationVerdict['action'], readonly string[]> = {
  allow: ['action'],
  reject: ['action', 'reason'],
  replace: ['action', 'text'],
};

function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The verdict of a hook's response body, or what is wrong with it. */
export function readVerdict(body: string): ReadVerdict {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return { problem: 'the answer is not JSON' };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { problem: 'the answer is not a JSON object' };
  const o = v as Record<string, unknown>;
  const action = o.action;
  if (action !== 'allow' && action !== 'reject' && action !== 'replace') return { problem: `unknown action ${JSON.stringify(action) ?? 'undefined'}` };
  const extra = Object.keys(o).filter((k) => !KEYS[action].includes(k));
  if (extra.length > 0) return { problem: `unexpected key(s) for action '${action}': ${extra.join(', ')}` };
  switch (action) {
    case 'allow':
      return { verdict: { action } };
    case 'reject': {
      const reason = o.reason;
      if (typeof reason !== 'string' || reason.trim().length === 0) return { problem: 'reject needs a non-empty reason' };
      if (!reason.isWellFormed()) return { problem: 'the reason is not valid Unicode' };
      if (codePoints(reason) > MAX_REASON_CHARS) return { problem: `the reason is over ${MAX_REASON_CHARS} characters` };
      return { verdict: { action, reason } };
    }
    case 'replace': {
      const text = o.text;
      if (typeof text !== 'string') return { problem: 'replace needs a text' };
      // The replacement is stored like any message, so it must pass the same check a sender's text does.
      const p = textProblem(text);
      if (p !== null) return { problem: `the replacement text ${p}` };
      return { verdict: { action, text } };
    }
  }
}
