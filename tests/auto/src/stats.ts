/** Pure helpers: latency statistics, pairing, URL derivation. */

export interface LatencyStats {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
  min: number;
}

/** Nearest-rank percentile of an ascending-sorted array (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  if (p <= 0) return sorted[0];
  if (p >= 100) return sorted[sorted.length - 1];
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function latencyStats(samples: readonly number[]): LatencyStats {
  if (samples.length === 0) return { count: 0, mean: NaN, p50: NaN, p99: NaN, max: NaN, min: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1],
    min: sorted[0],
  };
}

/** Every ordered pair (a, b) with a !== b of indexes 0..n-1. */
export function orderedPairs(n: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) if (a !== b) out.push([a, b]);
  return out;
}

/** `ws://h:p/next-chat` -> `http://h:p/<path>` (wss -> https). */
export function httpUrl(wsUrl: string, path: string): string {
  const u = new URL(wsUrl);
  if (u.protocol === 'ws:') u.protocol = 'http:';
  else if (u.protocol === 'wss:') u.protocol = 'https:';
  u.pathname = path;
  u.search = '';
  u.hash = '';
  return u.toString();
}

/** The same hub URL with another path (for the 404 check). */
export function withPath(wsUrl: string, path: string): string {
  const u = new URL(wsUrl);
  u.pathname = path;
  return u.toString();
}

/**
 * Splits `total` msg/s over connections that each stay at or under
 * `perConnection` msg/s: returns the per-connection rates (sum = total).
 */
export function splitRate(total: number, perConnection: number): number[] {
  if (total <= 0) return [];
  const n = Math.max(1, Math.ceil(total / perConnection));
  const base = total / n;
  return Array.from({ length: n }, () => base);
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
