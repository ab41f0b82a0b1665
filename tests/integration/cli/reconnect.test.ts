/**
 * The console client across a hub restart, on the Redis engine so the group
 * and its messages outlive the process: the loss is said plainly, the client
 * reconnects with backoff, re-joins, prints what was missed, nothing twice.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NextChatClient } from '../../../packages/client/src/index.js';
import { hubEnv, randomPrefix } from '../setup/engine-env.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { freePort } from '../client/helpers.js';
import { CliSession } from './cli-process.js';

let env: Record<string, string>;
let other: HubProcess;
beforeAll(async () => {
  env = hubEnv({ redisUrl: inject('redisUrl'), prefix: randomPrefix() });
  other = await startHub({ ...env, NEXT_CHAT_INSTANCE_ID: 'cli-other' });
});
afterAll(async () => {
  await other?.stop();
});

describe('next-chat across a hub restart', () => {
  it('reconnects, re-joins and prints every missed message exactly once', async () => {
    const port = await freePort();
    let hub = await startHub({ ...env, NEXT_CHAT_PORT: String(port), NEXT_CHAT_INSTANCE_ID: 'cli-a' });
    const bob = new NextChatClient({ url: other.url, token: 'bob', reconnect: false });
    const s = CliSession.start(['--url', `127.0.0.1:${port}`, '--user', 'kim', '--max-reconnect-delay', '0.5']);
    try {
      await bob.connect();
      const g = `restart-${process.pid}`;
      await bob.createGroup(g);
      await bob.join(g);
      await s.expect('* connected to');
      s.line(`join ${g}`);
      await s.expect(`joined #${g}`);
      await bob.send(g, 'before the restart');
      await s.expect('bob: before the restart');

      await hub.stop();
      await s.expect('! lost the connection to the hub (the hub is shutting down); reconnecting…');
      for (let i = 1; i <= 3; i++) await bob.send(g, `missed ${i}`);
      await s.expect('* still no connection, next attempt in '); // refused, or 503 while the old process drains

      hub = await startHub({ ...env, NEXT_CHAT_PORT: String(port), NEXT_CHAT_INSTANCE_ID: 'cli-a' });
      await s.expect('* reconnected; re-joining 1 group and fetching what was missed');
      await s.expect('bob: missed 1');
      await s.expect('bob: missed 2');
      await s.expect('bob: missed 3');
      await s.expect(`* #${g}: 3 missed messages shown above`);
      await bob.send(g, 'after the restart');
      await s.expect('bob: after the restart');
      s.line('bye');
      expect(await s.exited).toBe(0);

      for (const t of ['before the restart', 'missed 1', 'missed 2', 'missed 3', 'after the restart']) {
        expect(s.text.split(`bob: ${t}`).length - 1, t).toBe(1);
      }
    } finally {
      s.kill();
      await bob.close();
      await hub.stop();
    }
  });
});
