/**
 * What the configurator does, as a function (tests call it directly): wait
 * for MySQL with bounded backoff, create the database if it is missing, apply
 * the migrations. Idempotent. Failures are ConfiguratorErrors carrying the
 * exit code the bin uses (README.md lists them).
 */
import knexFactory, { type Knex } from 'knex';
import mysql from 'mysql2/promise';
import { migrationSource } from './migrations/index.js';

export const ExitCode = {
  Ok: 0,
  Unexpected: 1,
  BadConfig: 2,
  Unreachable: 3,
  MigrationFailed: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class ConfiguratorError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'ConfiguratorError';
  }
}

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

const DATABASE_RE = /^[A-Za-z0-9_$-]{1,64}$/;

/** Parses `mysql://user:pass@host:port/db`; throws ConfiguratorError(BadConfig). */
export function parseMysqlUrl(raw: string | undefined): MysqlTarget {
  if (!raw) {
    throw new ConfiguratorError(
      ExitCode.BadConfig,
      'NEXT_CHAT_MYSQL_URL is not set; set it to mysql://USER:PASSWORD@HOST:PORT/DATABASE (or pass --mysql-url).',
    );
  }
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfiguratorError(ExitCode.BadConfig, 'NEXT_CHAT_MYSQL_URL is not a URL; expected mysql://USER:PASSWORD@HOST:PORT/DATABASE.');
  }
  if (u.protocol !== 'mysql:') {
    throw new ConfiguratorError(ExitCode.BadConfig, `NEXT_CHAT_MYSQL_URL must start with mysql://, got '${u.protocol}//'.`);
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!DATABASE_RE.test(database)) {
    throw new ConfiguratorError(
      ExitCode.BadConfig,
      `NEXT_CHAT_MYSQL_URL must name the database in its path (mysql://HOST:PORT/DATABASE), 1-64 characters of A-Z a-z 0-9 _ $ -; got '${database}'.`,
    );
  }
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username || 'root'),
    password: decodeURIComponent(u.password),
    database,
  };
}

export interface ConfigureOptions {
  mysqlUrl: string | undefined;
  /** Longest time to wait for MySQL to accept connections. @default 60000 */
  waitTimeoutMs?: number;
  /** Progress lines for the operator. */
  log?: (line: string) => void;
}

export interface ConfigureResult {
  databaseCreated: boolean;
  /** Names of the migrations applied by this run (empty: already up to date). */
  applied: string[];
}

/** Errors that mean "not up yet, try again" rather than "wrong settings". */
const TRANSIENT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_NORMAL_SHUTDOWN',
]);

function errCode(err: unknown): string {
  const e = err as { code?: unknown; errno?: unknown };
  return typeof e?.code === 'string' ? e.code : '';
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e?.code ? `${e.code}: ${e.message ?? ''}`.trim() : String(e?.message ?? err);
}

async function waitForServer(t: MysqlTarget, waitTimeoutMs: number, log: (l: string) => void): Promise<mysql.Connection> {
  const deadline = Date.now() + waitTimeoutMs;
  let delay = 250;
  let last = '';
  for (let attempt = 1; attempt <= 10_000; attempt++) {
    const remaining = deadline - Date.now();
    try {
      return await mysql.createConnection({
        host: t.host,
        port: t.port,
        user: t.user,
        password: t.password,
        connectTimeout: Math.max(500, Math.min(5000, remaining)),
      });
    } catch (err) {
      const code = errCode(err);
      if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
        throw new ConfiguratorError(
          ExitCode.BadConfig,
          `MySQL at ${t.host}:${t.port} refused user '${t.user}' (${describe(err)}); check the user and password in NEXT_CHAT_MYSQL_URL.`,
        );
      }
      if (code !== '' && !TRANSIENT.has(code)) {
        throw new ConfiguratorError(ExitCode.Unreachable, `Cannot connect to MySQL at ${t.host}:${t.port}: ${describe(err)}.`);
      }
      last = describe(err);
      if (Date.now() + delay > deadline) break;
      log(`MySQL at ${t.host}:${t.port} not reachable yet (${last}); retrying in ${delay} ms (attempt ${attempt}).`);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5000);
    }
  }
  throw new ConfiguratorError(
    ExitCode.Unreachable,
    `MySQL at ${t.host}:${t.port} was not reachable within ${waitTimeoutMs} ms (last error: ${last}); check the host and port in NEXT_CHAT_MYSQL_URL and that MySQL is running.`,
  );
}

/** Builds a knex instance for a target database (shared with tests). */
export function knexFor(t: MysqlTarget): Knex {
  return knexFactory({
    client: 'mysql2',
    connection: { host: t.host, port: t.port, user: t.user, password: t.password, database: t.database, charset: 'utf8mb4' },
    pool: { min: 0, max: 2 },
  });
}

export const MIGRATIONS_TABLE = 'next_chat_migrations';

export async function configure(opts: ConfigureOptions): Promise<ConfigureResult> {
  const log = opts.log ?? (() => {});
  const target = parseMysqlUrl(opts.mysqlUrl);
  const waitTimeoutMs = opts.waitTimeoutMs ?? 60_000;
  log(`Waiting for MySQL at ${target.host}:${target.port} (up to ${waitTimeoutMs} ms).`);
  const conn = await waitForServer(target, waitTimeoutMs, log);
  try {
    const databaseCreated = await ensureDatabase(conn, target, log);
    // Configurators run concurrently (several hook jobs, tests) meet here. A
    // named lock serializes them on the server and dies with its connection,
    // so a configurator killed mid-run never leaves the next one stuck; knex's
    // own lock table alone can deadlock with concurrent DDL on MariaDB.
    const lockName = `next-chat-configurator:${target.database}`;
    const [rows] = await conn.query('SELECT GET_LOCK(?, ?) AS got', [lockName, Math.max(1, Math.ceil(waitTimeoutMs / 1000))]);
    if ((rows as { got: number | null }[])[0]?.got !== 1) {
      throw new ConfiguratorError(
        ExitCode.MigrationFailed,
        `Another configurator kept the migration lock of '${target.database}' for ${waitTimeoutMs} ms; wait for it to finish and run again.`,
      );
    }
    try {
      return { databaseCreated, applied: await migrate(target, log) };
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => {});
    }
  } finally {
    await conn.end().catch(() => {});
  }
}

async function ensureDatabase(conn: mysql.Connection, target: MysqlTarget, log: (l: string) => void): Promise<boolean> {
  try {
    const [rows] = await conn.query('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [target.database]);
    if ((rows as unknown[]).length > 0) {
      log(`Database '${target.database}' exists.`);
      return false;
    }
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${target.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    log(`Created database '${target.database}'.`);
    return true;
  } catch (err) {
    throw new ConfiguratorError(
      ExitCode.MigrationFailed,
      `Could not create database '${target.database}': ${describe(err)}; create it by hand or grant CREATE to '${target.user}'.`,
    );
  }
}

/** Applies pending migrations; the caller holds the named lock. */
async function migrate(target: MysqlTarget, log: (l: string) => void): Promise<string[]> {
  const knex = knexFor(target);
  try {
    // Holding the named lock, a set knex lock can only be left over from a
    // configurator that was killed mid-run.
    if (await knex.schema.hasTable(`${MIGRATIONS_TABLE}_lock`)) {
      await knex.migrate.forceFreeMigrationsLock({ migrationSource, tableName: MIGRATIONS_TABLE });
    }
    const [, applied] = (await knex.migrate.latest({ migrationSource, tableName: MIGRATIONS_TABLE })) as [number, string[]];
    log(applied.length > 0 ? `Applied migrations: ${applied.join(', ')}.` : 'Schema is up to date; nothing to apply.');
    return applied;
  } catch (err) {
    throw new ConfiguratorError(ExitCode.MigrationFailed, `Migration failed: ${describe(err)}. The schema was left as the last successful migration made it.`);
  } finally {
    await knex.destroy();
  }
}
