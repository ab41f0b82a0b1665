// cluster-key-slot (the CRC16 slot function ioredis itself uses) ships no types.
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot of a key (its `{tag}` when it has one). */
  function calculateSlot(key: string | Buffer): number;
  export default calculateSlot;
}
