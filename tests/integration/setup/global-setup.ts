/**
 * Global setup of the integration project: one shared redis-server and one
 * mariadbd for the whole run (unless NEXT_CHAT_TEST_REDIS_URL /
 * NEXT_CHAT_TEST_MYSQL_URL point at existing ones), handed to tests with
 * `inject('redisUrl')` / `inject('mysqlUrl')`. Test files isolate themselves
 * with a random Redis key prefix and their own database (see ./env.ts);
 * fault tests start their own servers so they never disturb the others.
 */
import type { TestProject } from 'vitest/node';
import { startMariaDb, startRedis, type ServiceHandle } from './services.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `redis://127.0.0.1:P` of the shared test Redis. */
    redisUrl: string;
    /** `mysql://root@127.0.0.1:P` of the shared test MySQL/MariaDB, without a database. */
    mysqlUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: ServiceHandle[] = [];
  const [redisUrl, mysqlUrl] = await Promise.all([
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
  ]);
  project.provide('redisUrl', redisUrl);
  project.provide('mysqlUrl', mysqlUrl);
  return async () => {
    await Promise.all(started.map((h) => h.dispose()));
  };
}
