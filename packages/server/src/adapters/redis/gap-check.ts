/**
 * Detects entries trimmed from a group stream before this hub read them.
 *
 * The publish script numbers each group's messages (field `n`: 1, 2, 3...,
 * from a counter in the group's meta hash). A reader remembers the number
 * of the last entry it delivered per group; the next entry must carry the
 * next number, or entries between them are gone (trimmed while this hub
 * lagged by more than the retention window). One integer compare per entry,
 * no extra round trip: the offsets-are-contiguous test of Centrifuge's
 * stream recovery.
 */

/** The `n` field of a stream entry, or undefined (entries written before numbering). */
export function sequenceOf(fields: string[]): number | undefined {
  for (let i = fields.length - 2; i >= 0; i -= 2) {
    if (fields[i] === 'n') {
      const n = Number(fields[i + 1]);
      return Number.isSafeInteger(n) ? n : undefined;
    }
  }
  return undefined;
}

export class GapDetector {
  private readonly last = new Map<string, number>();

  /** A group joins the read set; `top` is the fields of its newest entry, if any. */
  start(groupId: string, top: string[] | undefined): void {
    const n = top ? sequenceOf(top) : undefined;
    if (n === undefined) this.last.delete(groupId);
    else this.last.set(groupId, n);
  }

  forget(groupId: string): void {
    this.last.delete(groupId);
  }

  /** True when an entry numbered `n` is the very next one after the last delivered. */
  follows(groupId: string, n: number): boolean {
    const prev = this.last.get(groupId);
    return prev !== undefined && n === prev + 1;
  }

  /** Records the entry; true when entries between it and the previous one are missing. */
  skipped(groupId: string, fields: string[]): boolean {
    const n = sequenceOf(fields);
    const prev = this.last.get(groupId);
    if (n === undefined) {
      this.last.delete(groupId);
      return false;
    }
    this.last.set(groupId, n);
    return prev !== undefined && n > prev + 1;
  }
}
