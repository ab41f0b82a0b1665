/**
 * The configurator bin against the shared test MariaDB: fresh database,
 * rerun (idempotent), concurrent runs, and the exit codes of configuration
 * mistakes and an unreachable server.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import mysql from 'mysql2/promise';
import { freePort } from '../setup/services.js';

const BIN = fileURLToPath(new URL('../../../configurator/bin/next-chat-configurator.js', import.meta.url));

function run(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('exit', (code) => resolve({ code, stderr }));
  });
}

const dbName = () => `nc_cfg_${randomBytes(4).toString('hex')}`;

async function tables(db: string): Promise<string[]> {
  const conn = await mysql.createConnection(`${inject('mysqlUrl')}/${db}`);
  try {
    const [rows] = await conn.query('SHOW TABLES');
    return (rows as Record<string, string>[]).map((r) => Object.values(r)[0]).sort();
  } finally {
    await conn.end();
  }
}

describe('next-chat-configurator', () => {
  it('creates the database and schema, then reruns as a no-op', async () => {
    const db = dbName();
    const url = `${inject('mysqlUrl')}/${db}`;
    const first = await run({ NEXT_CHAT_MYSQL_URL: url });
    expect(first.stderr).toContain(`Created database '${db}'`);
    expect(first.code).toBe(0);
    expect(await tables(db)).toEqual(['messages', 'next_chat_migrations', 'next_chat_migrations_lock']);
    const second = await run({ NEXT_CHAT_MYSQL_URL: url });
    expect(second.code).toBe(0);
    expect(second.stderr).toContain('nothing to apply');
  });

  it('adds the change columns (002) to a table of the release before, keeping its rows; a half-done run completes', async () => {
    const db = dbName();
    const url = `${inject('mysqlUrl')}/${db}`;
    expect((await run({ NEXT_CHAT_MYSQL_URL: url })).code).toBe(0);
    const conn = await mysql.createConnection(url);
    try {
      // As if the run before had stopped after the first column of 002, and the hubs wrote meanwhile.
      await conn.query('ALTER TABLE messages DROP COLUMN deleted_at, DROP COLUMN change_cursor');
      await conn.query("DELETE FROM next_chat_migrations WHERE name = '002-message-changes'");
      await conn.query("INSERT INTO messages (group_id, ms, seq, author_id, text, sent_at) VALUES ('g', 1, 0, 'u', 'kept', '2026-01-01 00:00:00.000')");
      expect((await run({ NEXT_CHAT_MYSQL_URL: url })).code).toBe(0);
      const [cols] = await conn.query("SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = 'messages' ORDER BY ordinal_position", [db]);
      expect((cols as { c: string }[]).map((r) => r.c).slice(-3)).toEqual(['edited_at', 'deleted_at', 'change_cursor']);
      const [rows] = await conn.query('SELECT text, edited_at, deleted_at FROM messages');
      expect(rows).toEqual([{ text: 'kept', edited_at: null, deleted_at: null }]);
    } finally {
      await conn.end();
    }
  });

  it('lets concurrent runs on a fresh database all succeed', async () => {
    const url = `${inject('mysqlUrl')}/${dbName()}`;
    const runs = await Promise.all([0, 1, 2, 3, 4].map(() => run({ NEXT_CHAT_MYSQL_URL: url })));
    expect(runs.map((r) => r.code), runs.map((r) => r.stderr).join('\n')).toEqual([0, 0, 0, 0, 0]);
  });

  it('recovers the lock left by a configurator killed mid-run', async () => {
    const db = dbName();
    const url = `${inject('mysqlUrl')}/${db}`;
    expect((await run({ NEXT_CHAT_MYSQL_URL: url })).code).toBe(0);
    const conn = await mysql.createConnection(url);
    try {
      await conn.query('UPDATE next_chat_migrations_lock SET is_locked = 1');
    } finally {
      await conn.end();
    }
    const again = await run({ NEXT_CHAT_MYSQL_URL: url, NEXT_CHAT_CONFIGURATOR_WAIT_MS: '5000' });
    expect(again.code, again.stderr).toBe(0);
  });

  it('takes the URL as a flag too', async () => {
    const r = await run({}, ['--mysql-url', `${inject('mysqlUrl')}/${dbName()}`]);
    expect(r.code).toBe(0);
  });

  it('exits 2 without NEXT_CHAT_MYSQL_URL, with a database-less URL, or with bad credentials', async () => {
    const missing = await run({});
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('NEXT_CHAT_MYSQL_URL is not set');
    const noDb = await run({ NEXT_CHAT_MYSQL_URL: inject('mysqlUrl') });
    expect(noDb.code).toBe(2);
    expect(noDb.stderr).toContain('must name the database');
    const wrongScheme = await run({ NEXT_CHAT_MYSQL_URL: 'postgres://x@127.0.0.1/db' });
    expect(wrongScheme.code).toBe(2);
    const u = new URL(inject('mysqlUrl'));
    const badUser = await run({ NEXT_CHAT_MYSQL_URL: `mysql://nobody:wrong@${u.host}/${dbName()}` });
    expect(badUser.code).toBe(2);
    expect(badUser.stderr).toContain('check the user and password');
  });

  it('waits with bounded backoff for an unreachable server, then exits 3', async () => {
    const port = await freePort();
    const r = await run({ NEXT_CHAT_MYSQL_URL: `mysql://root@127.0.0.1:${port}/x`, NEXT_CHAT_CONFIGURATOR_WAIT_MS: '1200' });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('not reachable yet');
    expect(r.stderr).toContain('was not reachable within 1200 ms');
  });

  it('exits 2 on a bad wait timeout', async () => {
    const r = await run({ NEXT_CHAT_MYSQL_URL: 'mysql://root@127.0.0.1/x' }, ['--wait-timeout-ms', '-5']);
    expect(r.code).toBe(2);
  });
});
