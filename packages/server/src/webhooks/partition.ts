/**
 * Which webhook event stream a group's events go to: a stable hash of the
 * group id, so every event of a room lands in one stream and keeps its
 * order there. FNV-1a over the id's UTF-8 bytes: cheap on every send, and
 * the same on every hub and release (changing it would reorder rooms whose
 * events are in flight during an upgrade).
 */
export function partitionOf(groupId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(groupId, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}
