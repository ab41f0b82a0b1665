/**
 * Latency histogram in microseconds, fixed size so millions of samples cost
 * nothing and histograms of several processes merge by addition:
 * 10 µs buckets below 1 ms, 100 µs below 100 ms, 10 ms below 10 s.
 */
export const BUCKETS = 2101;

export function bucketOf(us: number): number {
  if (us < 1000) return Math.max(0, Math.floor(us / 10));
  if (us < 100_000) return 100 + Math.floor(us / 100) - 10;
  if (us < 10_000_000) return 1090 + Math.floor(us / 10_000) - 10;
  return BUCKETS - 1;
}

/** Upper bound of a bucket, µs. */
function upperOf(b: number): number {
  if (b < 100) return (b + 1) * 10;
  if (b < 1090) return (b - 100 + 10 + 1) * 100;
  if (b < BUCKETS - 1) return (b - 1090 + 10 + 1) * 10_000;
  return Infinity;
}

export class Histogram {
  counts = new Array<number>(BUCKETS).fill(0);
  n = 0;
  max = 0;
  sum = 0;

  record(us: number): void {
    this.counts[bucketOf(us)]++;
    this.n++;
    this.sum += us;
    if (us > this.max) this.max = us;
  }

  toJSON(): { counts: number[]; n: number; max: number; sum: number } {
    return { counts: this.counts, n: this.n, max: this.max, sum: this.sum };
  }

  static from(parts: { counts: number[]; n: number; max: number; sum: number }[]): Histogram {
    const h = new Histogram();
    for (const p of parts) {
      for (let i = 0; i < BUCKETS; i++) h.counts[i] += p.counts[i];
      h.n += p.n;
      h.sum += p.sum;
      if (p.max > h.max) h.max = p.max;
    }
    return h;
  }

  /** Percentile in ms (bucket upper bound, capped at the max seen). */
  pct(p: number): number {
    if (this.n === 0) return NaN;
    const rank = Math.ceil((p / 100) * this.n);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i];
      if (seen >= rank) return Math.min(upperOf(i), this.max) / 1000;
    }
    return this.max / 1000;
  }

  summary(): { n: number; p50: number; p99: number; max: number; mean: number } {
    return { n: this.n, p50: r3(this.pct(50)), p99: r3(this.pct(99)), max: r3(this.max / 1000), mean: r3(this.n ? this.sum / this.n / 1000 : NaN) };
  }
}

export function r3(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1000) / 1000 : x;
}

/** Fixed-width table for people. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => String(r[i] ?? '').length)));
  const line = (r: (string | number)[]) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(cells[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

export function fmt(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 1000) return Math.round(x).toLocaleString('en-US');
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Median of the finite values (mean of the middle two for an even count); NaN when there are none. */
export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}
