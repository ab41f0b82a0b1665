/**
 * The test helper startRedisCluster (setup/redis-cluster.ts) gives a real
 * 3 primaries + 3 replicas Redis Cluster: all slots served, writes through a
 * cluster client reach every shard, and a SIGKILLed primary's replica takes
 * over within seconds. The protocol-cluster project relies on it.
 */
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER_SLOTS, startRedisCluster, type RedisClusterHandle } from '../setup/redis-cluster.js';

let cluster: RedisClusterHandle;
let client: Cluster;
let startupMs = 0;

beforeAll(async () => {
  const t0 = Date.now();
  cluster = await startRedisCluster();
  startupMs = Date.now() - t0;
  client = new Cluster(
    cluster.seeds.split(',').map((s) => {
      const [host, port] = s.split(':');
      return { host: host as string, port: Number(port) };
    }),
    { redisOptions: { commandTimeout: 5000 }, clusterRetryStrategy: (n) => Math.min(100 * n, 1000) },
  );
  client.on('error', () => {}); // the failover test kills a node under it
}, 60_000);

afterAll(async () => {
  client?.disconnect();
  await cluster?.dispose();
});

describe('startRedisCluster', () => {
  it('starts 6 nodes whose 3 primaries own all 16384 slots', async () => {
    console.log(`redis cluster ready in ${startupMs} ms`);
    expect(cluster.nodes).toHaveLength(6);
    expect(new Set(cluster.nodes.map((n) => n.port)).size).toBe(6);
    for (const n of cluster.nodes) {
      expect(n.host).toBe('127.0.0.1');
      expect(n.port).not.toBe(6379);
      expect(n.pid).toBeGreaterThan(0);
    }
    const primaries = await cluster.primaries();
    expect(primaries).toHaveLength(3);
    expect(primaries.reduce((sum, p) => sum + p.slots, 0)).toBe(CLUSTER_SLOTS);
    expect(cluster.seeds.split(',').sort()).toEqual(primaries.map((p) => `127.0.0.1:${p.port}`).sort());
    // Every other node is a replica of one of them.
    for (const n of cluster.nodes.filter((x) => !primaries.some((p) => p.port === x.port))) {
      const r = cluster.client(n.port);
      try {
        expect(await r.info('replication')).toMatch(/role:slave[\s\S]*master_link_status:up/);
      } finally {
        r.disconnect();
      }
    }
  });

  it('takes writes through a cluster client to keys of every shard', async () => {
    // Keys with different hash tags, until every primary has one.
    const owners = new Map<number, string>();
    const primaries = await cluster.primaries();
    for (let i = 0; owners.size < primaries.length && i < 1000; i++) {
      const key = `nc-cluster-setup:{${i}}`;
      const slot = Number(await client.call('CLUSTER', 'KEYSLOT', key));
      const shards = (await client.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
      const owner = shards.find(([a, b]) => slot >= a && slot <= b)?.[2][1];
      if (owner !== undefined && !owners.has(owner)) owners.set(owner, key);
    }
    expect(owners.size).toBe(3);
    for (const [port, key] of owners) {
      await client.set(key, `on ${port}`);
      expect(await client.get(key)).toBe(`on ${port}`);
      // Really on that primary.
      const direct = cluster.client(port);
      try {
        expect(await direct.get(key)).toBe(`on ${port}`);
      } finally {
        direct.disconnect();
      }
    }
  });

  it('promotes the replica of a SIGKILLed primary within ~10 s', async () => {
    const before = await cluster.primaries();
    const victim = before[0]!.port;
    const t0 = Date.now();
    await cluster.kill(victim, 'SIGKILL');
    expect(cluster.alive(victim)).toBe(false);
    const promoted = await cluster.waitForFailover(victim, 15_000);
    const after = await cluster.primaries();
    const failoverMs = Date.now() - t0;
    console.log(`failover in ${failoverMs} ms`);
    expect(failoverMs).toBeLessThan(12_000);
    expect(after).toHaveLength(3);
    expect(after.map((p) => p.port)).not.toContain(victim);
    expect(after.map((p) => p.port)).toContain(promoted);
    expect(before.map((p) => p.port)).not.toContain(promoted);
    expect(after.reduce((sum, p) => sum + p.slots, 0)).toBe(CLUSTER_SLOTS);
    // The cluster client follows the new layout.
    await client.set('nc-cluster-setup:after-failover', 'yes');
    expect(await client.get('nc-cluster-setup:after-failover')).toBe('yes');

    // The old primary, restarted with its nodes.conf, rejoins as a replica.
    await cluster.restart(victim);
    expect(cluster.alive(victim)).toBe(true);
    await cluster.waitHealthy(15_000);
    const r = cluster.client(victim);
    try {
      expect(await r.info('replication')).toMatch(/role:slave/);
    } finally {
      r.disconnect();
    }
  }, 45_000);
});
