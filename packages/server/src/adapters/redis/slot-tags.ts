/**
 * A hash tag for every Redis Cluster slot: `tagOfSlot(s)` is a short string
 * whose CRC16 is slot s, so `<prefix>:{<tag>}:history` lives in the slot of
 * every group that hashes there. A group's script can then append to its
 * slot's history stream in the same step as to the group's own stream,
 * without a key every message touches (docs/architecture.md, "Redis
 * Cluster"). The table is the same on every hub and release: it is found by
 * counting up from 0, the first string of each slot wins.
 */
import calculateSlot from 'cluster-key-slot';

export const SLOTS = 16384;

let table: string[] | undefined;

function build(): string[] {
  const tags: (string | undefined)[] = new Array<string | undefined>(SLOTS);
  let left = SLOTS;
  for (let i = 0; left > 0; i++) {
    const tag = i.toString(36);
    const slot = calculateSlot(tag);
    if (tags[slot] === undefined) {
      tags[slot] = tag;
      left--;
    }
  }
  return tags as string[];
}

export function slotOf(key: string): number {
  return calculateSlot(key);
}

export function tagOfSlot(slot: number): string {
  table ??= build();
  return table[slot] as string;
}

/** Items grouped by a key of theirs (on a cluster: by slot, for commands whose keys must share one). */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = keyOf(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
