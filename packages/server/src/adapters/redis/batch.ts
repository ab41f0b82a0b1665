/**
 * Several commands in one round trip whatever keys they name. On one Redis
 * a pipeline; on a cluster, where a pipeline must stay within the slots of
 * one node, each command goes on its own (written at once, not
 * waiting for the one before), so each follows its own slot's redirections. Replies in
 * order; the first failed command rejects, as `unwrap` does for a pipeline.
 */
import type { ChainableCommander } from 'ioredis';
import { isCluster, type RedisClient } from './connection.js';

type Call = [name: string, args: unknown[]];

export async function batch(r: RedisClient, build: (p: ChainableCommander) => void): Promise<unknown[]> {
  if (!isCluster(r)) {
    const p = r.pipeline();
    build(p);
    const replies = await p.exec();
    if (!replies) throw new Error('pipeline was not executed (connection closed)');
    return replies.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
  }
  const calls: Call[] = [];
  const recorder: ChainableCommander = new Proxy({} as ChainableCommander, {
    get: (_target, name) => (...args: unknown[]) => {
      calls.push([String(name), args]);
      return recorder;
    },
  });
  build(recorder);
  const client = r as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  return Promise.all(calls.map(([name, args]) => (client[name] as (...a: unknown[]) => Promise<unknown>).apply(r, args)));
}
