/**
 * ReplicaWait (NEXT_CHAT_REDIS_WAIT_REPLICAS) against a real primary and
 * replica: confirmed writes are on the replica, concurrent writes share WAITs
 * (group commit), too few replicas is RpcError 4503, a write that found
 * its effect made elsewhere still waits for it to be replicated, and a
 * reconnect between a write and its WAIT confirms nothing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { RpcError } from '@next-chat/core';
import { ReplicaWait } from '../../../packages/server/src/adapters/redis/replica-wait.js';
import { startSentinels, type SentinelDeployment } from '../setup/sentinel.js';

let d: SentinelDeployment;
let conn: Redis;
let other: Redis;

beforeAll(async () => {
  d = await startSentinels({ replicas: 1 });
  conn = new Redis({ port: d.nodes[0]!.port, host: '127.0.0.1' });
  other = new Redis({ port: d.nodes[0]!.port, host: '127.0.0.1' });
}, 40_000);

afterAll(async () => {
  d?.nodes[1]?.resume();
  conn?.disconnect();
  other?.disconnect();
  await d?.stop();
});

function waiter(timeoutMs = 500, waits: { writes: number; ok: boolean }[] = []): ReplicaWait {
  return new ReplicaWait({ redis: conn, replicas: 1, timeoutMs, markChannel: 'test:durable-mark', onWait: (w) => waits.push(w) });
}

it('a confirmed write is on the replica', async () => {
  const w = waiter();
  const replica = d.nodes[1]!.client();
  for (let i = 0; i < 20; i++) {
    await conn.set(`k${i}`, String(i));
    await w.confirm();
    expect(await replica.get(`k${i}`)).toBe(String(i));
  }
});

it('concurrent writes share WAITs, at most one in flight', async () => {
  const waits: { writes: number; ok: boolean }[] = [];
  const w = waiter(500, waits);
  const n = 200;
  await Promise.all(Array.from({ length: n }, (_, i) => conn.incr('counter').then(() => w.confirm().then(() => i))));
  expect(waits.reduce((s, x) => s + x.writes, 0)).toBe(n);
  expect(waits.every((x) => x.ok)).toBe(true);
  // The first write goes alone; those completing while a WAIT is out share the next.
  expect(waits.length).toBeLessThan(n / 2);
  expect(await d.nodes[1]!.client().get('counter')).toBe(String(n));
});

it('too few replicas within the timeout: RpcError 4503, then it works again', async () => {
  const w = waiter(300);
  d.nodes[1]!.pause();
  try {
    await conn.set('while-paused', '1');
    const t0 = Date.now();
    const err = await w.confirm().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe(4503);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  } finally {
    d.nodes[1]!.resume();
  }
  await conn.set('after', '1');
  await w.confirm();
  expect(await d.nodes[1]!.client().get('while-paused')).toBe('1');
});

it('an unwritten confirm covers writes made on other connections', async () => {
  const w = waiter(300);
  d.nodes[1]!.pause();
  try {
    await other.set('elsewhere', '1');
    // Nothing written on `conn` since the last WAIT: a plain WAIT answers at once.
    await w.confirm();
    // unwritten: the mark makes WAIT cover what the primary has, the write of `other` too.
    const err = await w.confirm({ unwritten: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((err as RpcError | undefined)?.code).toBe(4503);
  } finally {
    d.nodes[1]!.resume();
  }
  await w.confirm({ unwritten: true });
  expect(await d.nodes[1]!.client().get('elsewhere')).toBe('1');
});

it('a reconnect between the write and its WAIT fails the confirmation (WAIT counts its own connection only)', async () => {
  const w = waiter(300);
  const epoch = w.epoch;
  await conn.set('before-reconnect', '1');
  const closed = new Promise((r) => conn.once('close', r));
  conn.disconnect(true);
  await closed;
  const err = await w.confirm({ epoch }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect((err as RpcError | undefined)?.code).toBe(4503);
  // Writes made on the new connection are confirmed as usual.
  const next = w.epoch;
  await conn.set('after-reconnect', '1');
  await w.confirm({ epoch: next });
});
