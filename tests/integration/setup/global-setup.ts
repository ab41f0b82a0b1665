/**
 * Global setup of the integration project: one shared redis-server and one
 * mariadbd for the whole run (unless NEXT_CHAT_TEST_REDIS_URL /
 * NEXT_CHAT_TEST_MYSQL_URL point at existing ones), handed to tests with
 * `inject('redisUrl')` / `inject('mysqlUrl')`. Test files isolate themselves
 * with a random Redis key prefix and their own database (see ./env.ts);
 * fault tests start their own servers so they never disturb the others.
 * A project that provides `engine: 'redis-cluster'` (protocol-cluster) also
 * gets one Redis Cluster of 3 primaries + 3 replicas for its run (unless
 * NEXT_CHAT_TEST_REDIS_CLUSTER_NODES names an existing one), handed out as
 * `inject('redisClusterNodes')`; other projects never start it.
 */
import type { TestProject } from 'vitest/node';
import { startRedisCluster, type RedisClusterHandle } from './redis-cluster.js';
import { startMariaDb, startRedis, type ServiceHandle } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:P` of the shared test Redis. */
    redisUrl: string;
    /** `mysql://root@127.0.0.1:P` of the shared test MySQL/MariaDB, without a database. */
    mysqlUrl: string;
    /** `127.0.0.1:P,...` of the Redis Cluster's primaries (NEXT_CHAT_REDIS_CLUSTER_NODES); only in projects with `engine: 'redis-cluster'`. */
    redisClusterNodes?: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: (ServiceHandle | RedisClusterHandle)[] = [];
  const engine = project.getProvidedContext().engine ?? project.config.provide?.engine;
  const [redisUrl, mysqlUrl, clusterNodes] = await Promise.all([
    process.env.NEXT_CHAT_TEST_REDIS_URL ??
      startRedis().then((h) => {
        started.push(h);
        return h.url;
      }),
    process.env.NEXT_CHAT_TEST_MYSQL_URL ??
      startMariaDb().then((h) => {
        started.push(h);
        return h.url;
      }),
    engine !== 'redis-cluster'
      ? undefined
      : (process.env.NEXT_CHAT_TEST_REDIS_CLUSTER_NODES ??
        startRedisCluster().then((h) => {
          started.push(h);
          return h.seeds;
        })),
  ]);
  project.provide('redisUrl', redisUrl);
  project.provide('mysqlUrl', mysqlUrl);
  if (clusterNodes !== undefined) project.provide('redisClusterNodes', clusterNodes);
  return async () => {
    await Promise.all(started.map((h) => h.dispose()));
  };
}
