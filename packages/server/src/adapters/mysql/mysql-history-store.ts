/**
 * The history database (MySQL 8 / MariaDB 10.6+) through knex + mysql2: the
 * `messages` table made by the configurator (the hub never migrates). It
 * stores the protocol's Message (decoded by events/codec.ts from the history
 * stream) as columns, the one mapping between the two being here. Writes
 * are idempotent on (group_id, ms, seq); reads page by keyset, never OFFSET.
 */
import knexFactory, { type Knex } from 'knex';
import { errors, parseMessageId, sortableId, type Message } from '@next-chat/core';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import { parseMysqlUrl } from '../../config.js';

// One reading of NEXT_CHAT_MYSQL_URL, the one parseConfig validates with.
export { parseMysqlUrl, type MysqlTarget } from '../../config.js';

const MAX_STATEMENT_BYTES = 4 * 1024 * 1024;
const MAX_STATEMENT_ROWS = 1000;
/** A history page read from a stalled MySQL fails with 4503 after this long. */
const READ_TIMEOUT_MS = 5000;
const WRITE_TIMEOUT_MS = 30_000;

interface DbRow {
  ms: number | string;
  seq: number | string;
  author_id: string;
  text: string;
  sent_at: string;
  client_message_id: string | null;
  edited_at?: string | null;
  deleted_at?: string | null;
}

/** A change to apply: the message as it is now, at its cursor. */
export interface ChangeRow {
  message: Message;
  cursor: string;
}

/** Columns of 002-message-changes; a hub may run before the configurator added them (rolling upgrade). */
const CHANGE_COLUMNS = ['edited_at', 'deleted_at', 'change_cursor'] as const;
const COLUMN_RECHECK_MS = 10_000;

/** '2026-11-22T10:00:00.123Z' → '2026-11-22 10:00:00.123' (DATETIME(3), UTC). */
function toDatetime(iso: string): string {
  const d = new Date(iso);
  const v = Number.isNaN(d.getTime()) ? new Date(0) : d;
  return v.toISOString().replace('T', ' ').replace('Z', '');
}

function fromDatetime(s: string): string {
  return new Date(`${s.replace(' ', 'T')}Z`).toISOString();
}

export class MysqlHistoryStore {
  readonly knex: Knex;
  private changeColumns: { present: boolean; checkedAt: number } = { present: false, checkedAt: 0 };

  constructor(
    url: string,
    private readonly deps: { logger: Logger; metrics: Metrics },
    opts: { poolMax?: number; acquireTimeoutMs?: number } = {},
  ) {
    const t = parseMysqlUrl(url);
    this.knex = knexFactory({
      client: 'mysql2',
      connection: {
        host: t.host,
        port: t.port,
        user: t.user,
        password: t.password,
        database: t.database,
        charset: 'utf8mb4',
        // Dates travel as strings in UTC: no driver time-zone conversion.
        dateStrings: true,
        timezone: 'Z',
        connectTimeout: 3000,
      },
      pool: { min: 0, max: opts.poolMax ?? 4, idleTimeoutMillis: 30_000 },
      acquireConnectionTimeout: opts.acquireTimeoutMs ?? 3000,
      // knex writes to the console by default; its lines belong in the hub's log.
      log: {
        warn: (m: unknown) => deps.logger.warn({ knex: String(m) }, 'mysql warning'),
        error: (m: unknown) => deps.logger.warn({ knex: String(m) }, 'mysql error'),
        debug: () => {},
        deprecate: () => {},
      },
    });
  }

  /**
   * Inserts rows; rows already present are ignored, so a batch may be written
   * twice after a crash or a claim. Big batches go as several statements of at
   * most ~4 MB (max_allowed_packet is 16 MB on MariaDB by default, and 500
   * messages of 4000 emoji are 8 MB); the caller acknowledges after all.
   */
  async insert(rows: readonly Message[]): Promise<void> {
    let chunk: Message[] = [];
    let bytes = 0;
    for (const r of rows) {
      const size = Buffer.byteLength(r.text) + 256;
      if (chunk.length > 0 && (bytes + size > MAX_STATEMENT_BYTES || chunk.length >= MAX_STATEMENT_ROWS)) {
        await this.insertChunk(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(r);
      bytes += size;
    }
    if (chunk.length > 0) await this.insertChunk(chunk);
  }

  private async insertChunk(rows: readonly Message[]): Promise<void> {
    const values: (string | number | null)[] = [];
    const tuples: string[] = [];
    for (const r of rows) {
      const p = parseMessageId(r.id);
      if (!p) continue;
      tuples.push('(?, ?, ?, ?, ?, ?, ?)');
      values.push(r.groupId, p.ms, p.seq, r.authorId, r.text, toDatetime(r.sentAt), r.clientMessageId ? r.clientMessageId.toWellFormed() : null);
    }
    if (tuples.length === 0) return;
    // INSERT IGNORE would also swallow data errors; a no-op update only skips duplicates.
    const sql = `INSERT INTO messages (group_id, ms, seq, author_id, text, sent_at, client_message_id) VALUES ${tuples.join(', ')} ON DUPLICATE KEY UPDATE ms = ms`;
    // A stalled server must not hold the writer forever; the batch is retried.
    await this.knex.raw(sql, values).timeout(WRITE_TIMEOUT_MS);
  }

  /**
   * True once the change columns exist (migration 002). Until then messages
   * are still written and read; changes wait in the history stream.
   */
  async hasChangeColumns(): Promise<boolean> {
    const c = this.changeColumns;
    if (c.present || Date.now() - c.checkedAt < COLUMN_RECHECK_MS) return c.present;
    const rows = (await this.knex.raw(
      'SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ? AND column_name IN (?, ?, ?)',
      ['messages', ...CHANGE_COLUMNS],
    ).timeout(READ_TIMEOUT_MS)) as [{ n: number | string }[]];
    this.changeColumns = { present: Number(rows[0]?.[0]?.n ?? 0) === CHANGE_COLUMNS.length, checkedAt: Date.now() };
    return this.changeColumns.present;
  }

  /**
   * Applies edits and deletes, each exactly once in effect: a row is
   * replaced only by a change with a greater cursor, and a change that
   * arrives before its message was written inserts the row as it is now
   * (the message's own insert then leaves it alone). Rejects while the
   * columns are missing, so the writer keeps the changes and retries.
   */
  async applyChanges(changes: readonly ChangeRow[]): Promise<void> {
    if (changes.length === 0) return;
    if (!(await this.hasChangeColumns())) throw new Error('history table has no change columns yet (configurator migration 002 pending)');
    for (let i = 0; i < changes.length; i += MAX_STATEMENT_ROWS) {
      const chunk = changes.slice(i, i + MAX_STATEMENT_ROWS);
      const values: (string | number | null)[] = [];
      const tuples: string[] = [];
      for (const { message: m, cursor } of chunk) {
        const p = parseMessageId(m.id);
        if (!p) continue;
        tuples.push('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
        values.push(
          m.groupId, p.ms, p.seq, m.authorId, m.text, toDatetime(m.sentAt), m.clientMessageId ? m.clientMessageId.toWellFormed() : null,
          m.editedAt ? toDatetime(m.editedAt) : null, m.deletedAt ? toDatetime(m.deletedAt) : null, sortableId(cursor),
        );
      }
      if (tuples.length === 0) continue;
      // change_cursor holds sortableId(cursor): compared as one value, since MySQL
      // assigns columns left to right and a two-column test would see half-updated values.
      const newer = '(change_cursor IS NULL OR VALUES(change_cursor) > change_cursor)';
      // change_cursor last: the conditions before it compare with the old value.
      const sql = `INSERT INTO messages (group_id, ms, seq, author_id, text, sent_at, client_message_id, edited_at, deleted_at, change_cursor) VALUES ${tuples.join(', ')}
        ON DUPLICATE KEY UPDATE
          text = IF(${newer}, VALUES(text), text),
          edited_at = IF(${newer}, VALUES(edited_at), edited_at),
          deleted_at = IF(${newer}, VALUES(deleted_at), deleted_at),
          change_cursor = IF(${newer}, VALUES(change_cursor), change_cursor)`;
      await this.knex.raw(sql, values).timeout(WRITE_TIMEOUT_MS);
    }
  }

  /** One message as the database has it, or null. */
  async find(groupId: string, messageId: string): Promise<Message | null> {
    const p = parseMessageId(messageId);
    if (!p) return null;
    const rows = await this.select(groupId, (q) => q.andWhere('ms', p.ms).andWhere('seq', p.seq).limit(1));
    return rows[0] ?? null;
  }

  /**
   * The newest `limit` messages of the group with id < `before` (or newest
   * overall), oldest first. Rejects with RpcError 4503 when MySQL is unreachable.
   */
  async latest(groupId: string, before: string | undefined, limit: number): Promise<Message[]> {
    if (limit <= 0) return [];
    const b = before !== undefined ? parseMessageId(before) : null;
    const rows = await this.select(groupId, (q) => {
      if (b) q = q.andWhere((w) => w.where('ms', '<', b.ms).orWhere((w2) => w2.where('ms', '=', b.ms).andWhere('seq', '<', b.seq)));
      return q.orderBy([{ column: 'ms', order: 'desc' }, { column: 'seq', order: 'desc' }]).limit(limit);
    });
    return rows.reverse();
  }

  private async select(groupId: string, shape: (q: Knex.QueryBuilder<DbRow>) => Knex.QueryBuilder<DbRow>): Promise<Message[]> {
    let rows: DbRow[];
    try {
      const columns = ['ms', 'seq', 'author_id', 'text', 'sent_at', 'client_message_id'];
      if (await this.hasChangeColumns()) columns.push('edited_at', 'deleted_at');
      rows = (await shape(this.knex<DbRow>('messages').select(columns).where('group_id', groupId)).timeout(READ_TIMEOUT_MS)) as DbRow[];
    } catch (err) {
      this.deps.metrics.backendErrors.inc({ backend: 'mysql' });
      this.deps.logger.warn({ err: (err as Error).message }, 'history read from MySQL failed');
      throw errors.unavailable('history database');
    }
    return rows.map((r) => {
      const m: Message = { id: `${r.ms}-${r.seq}`, groupId, authorId: r.author_id, text: r.text, sentAt: fromDatetime(r.sent_at) };
      if (r.client_message_id !== null) m.clientMessageId = r.client_message_id;
      if (r.edited_at) m.editedAt = fromDatetime(r.edited_at);
      if (r.deleted_at) m.deletedAt = fromDatetime(r.deleted_at);
      return m;
    });
  }

  /**
   * Removes up to `batch` messages of a deleted group written before its
   * deletion (`ms <= atMs`); resolves with how many went. Small batches keep
   * each statement short on a big table (the primary key leads with group_id).
   */
  async deleteUpTo(groupId: string, atMs: number, batch = 1000): Promise<number> {
    const r = (await this.knex.raw('DELETE FROM messages WHERE group_id = ? AND ms <= ? LIMIT ?', [groupId, atMs, batch]).timeout(WRITE_TIMEOUT_MS)) as [{ affectedRows?: number }];
    return Number(r[0]?.affectedRows ?? 0);
  }

  /** Number of messages stored for a group (tests, operators). */
  async count(groupId: string): Promise<number> {
    const r = (await this.knex('messages').where('group_id', groupId).count({ n: '*' })) as { n: number | string }[];
    return Number(r[0]?.n ?? 0);
  }

  async close(): Promise<void> {
    await this.knex.destroy();
  }
}
