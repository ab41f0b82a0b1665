/**
 * SIGTERM flushes what the hub owes to history: messages its writer has
 * claimed but not yet inserted (here, held by a long flush interval) are in
 * MySQL when the process has exited 0.
 */
import { expect, inject, it } from 'vitest';
import mysql from 'mysql2/promise';
import { startHub } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';
import { createTestDatabase, hubEnv, randomPrefix } from '../setup/engine-env.js';

it('writes everything it holds to MySQL before it exits on SIGTERM', async () => {
  const mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
  const hub = await startHub(
    hubEnv({
      redisUrl: inject('redisUrl'),
      mysqlUrl,
      prefix: randomPrefix(),
      // A batch is written only when full or after a minute: only the drain can write these.
      extra: { NEXT_CHAT_HISTORY_FLUSH_MS: '60000', NEXT_CHAT_HISTORY_BATCH_SIZE: '10000' },
    }),
  );
  const c = await TestClient.connect(hub.url, 'writer');
  const group = uid('drain');
  await c.call('group.create', { groupId: group });
  await c.call('group.join', { groupId: group });
  for (let i = 0; i < 25; i++) await c.call('message.send', { groupId: group, text: `owed ${i}` });
  const conn = await mysql.createConnection(mysqlUrl);
  try {
    const count = async () => ((await conn.query('SELECT COUNT(*) AS n FROM messages WHERE group_id = ?', [group]))[0] as { n: number }[])[0]!.n;
    expect(await count()).toBe(0);
    expect(await hub.stop('SIGTERM')).toBe(0);
    expect(await count()).toBe(25);
  } finally {
    await conn.end();
  }
});
