/** A sorted array of unique strings with binary search: ordered pages by cursor. */
export class SortedIds {
  private readonly ids: string[] = [];

  get size(): number {
    return this.ids.length;
  }

  /** Index of the first id > `after` (or >= `from` when inclusive). */
  private lowerBound(key: string, inclusive: boolean): number {
    let lo = 0;
    let hi = this.ids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid] as string;
      if (v < key || (!inclusive && v === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  has(id: string): boolean {
    return this.ids[this.lowerBound(id, true)] === id;
  }

  add(id: string): boolean {
    const i = this.lowerBound(id, true);
    if (this.ids[i] === id) return false;
    this.ids.splice(i, 0, id);
    return true;
  }

  delete(id: string): boolean {
    const i = this.lowerBound(id, true);
    if (this.ids[i] !== id) return false;
    this.ids.splice(i, 1);
    return true;
  }

  /**
   * Up to `limit` ids greater than `after` that start with `prefix`, plus
   * `next` (the last id returned) when more matching ids follow.
   */
  page(opts: { after?: string; prefix?: string; limit: number }): { items: string[]; next: string | null } {
    const prefix = opts.prefix ?? '';
    let start = this.lowerBound(prefix, true);
    if (opts.after !== undefined && opts.after >= prefix) start = Math.max(start, this.lowerBound(opts.after, false));
    const items: string[] = [];
    let i = start;
    for (; i < this.ids.length && items.length < opts.limit; i++) {
      const id = this.ids[i] as string;
      if (!id.startsWith(prefix)) return { items, next: null };
      items.push(id);
    }
    const more = i < this.ids.length && (this.ids[i] as string).startsWith(prefix);
    return { items, next: more ? (items[items.length - 1] ?? null) : null };
  }
}
