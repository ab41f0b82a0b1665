/**
 * Ban durations as people type them: `90s`, `10m`, `2h`, `1d`, `2w`, and
 * sums such as `1h30m`. A bare number is refused (seconds or minutes?).
 */
import { UsageError } from './errors-to-text.js';

const UNIT_SEC: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
/** The hub's ceiling for `group.ban`'s `durationSec` (docs/protocol.md §9). */
export const MAX_BAN_SEC = 10 * 365 * 86_400;

const USAGE = 'a duration is a number with a unit: s, m, h, d or w, e.g. 10m, 2h, 1d or 1h30m';

/** Seconds of a duration like `10m` or `1h30m`; throws UsageError for anything else. */
export function parseDuration(text: string): number {
  const s = text.trim().toLowerCase();
  if (!/^(\d+[smhdw])+$/.test(s)) throw new UsageError(`'${text}' is not a duration; ${USAGE}`);
  let total = 0;
  for (const [, n, unit] of s.matchAll(/(\d+)([smhdw])/g)) total += Number(n) * UNIT_SEC[unit];
  if (total < 1) throw new UsageError(`'${text}' is no time at all; ${USAGE}`);
  if (total > MAX_BAN_SEC) throw new UsageError(`'${text}' is longer than ten years, the longest ban; leave --for out to ban until unbanned`);
  return total;
}

/** The shortest way to write `sec` in the units above: 600 → `10m`, 5400 → `1h30m`. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec <= 0) return '0s';
  let left = Math.round(sec);
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's']) {
    const n = Math.floor(left / UNIT_SEC[unit]);
    if (n > 0) {
      out += `${n}${unit}`;
      left -= n * UNIT_SEC[unit];
    }
  }
  return out;
}
