import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, configOptions, envName, parseConfig, parseMysqlUrl, redisTargetOf, type ConfigOption } from '../../../packages/server/src/config.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BIN = path.join(ROOT, 'packages/server/bin/next-chat-server.js');

/** The ConfigError parseConfig throws for env, as its message. */
function problem(env: Record<string, string>): string {
  try {
    parseConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`);
}

/** Runs the built bin with only the given NEXT_CHAT_* variables. */
function runBin(args: string[], env: Record<string, string> = {}) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NEXT_CHAT_')));
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...base, ...env }, encoding: 'utf8', timeout: 20_000 });
}

const pem = (kp: { publicKey: { export(o: { type: 'spki'; format: 'pem' }): string | Buffer } }) => String(kp.publicKey.export({ type: 'spki', format: 'pem' }));

describe('parseConfig', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({ port: 5000, host: '0.0.0.0', authMode: 'trust', maxGroupMembers: 10000, rateLimit: 50, maxFrameBytes: 65536 });
    expect(c.redisUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('reads NEXT_CHAT_* and lets flags win', () => {
    expect(parseConfig({ NEXT_CHAT_PORT: '0', NEXT_CHAT_RATE_LIMIT: '0' }).port).toBe(0);
    expect(parseConfig({ NEXT_CHAT_PORT: '1' }, { port: '2' }).port).toBe(2);
    expect(envName('maxGroupMembers')).toBe('NEXT_CHAT_MAX_GROUP_MEMBERS');
  });
  it('lists every problem with the variable name and the value', () => {
    const msg = problem({ NEXT_CHAT_PORT: 'abc', NEXT_CHAT_AUTH_MODE: 'magic', NEXT_CHAT_REDIS_URL: 'http://x' });
    expect(msg).toContain("NEXT_CHAT_PORT must be a port number, got 'abc'");
    expect(msg).toContain('NEXT_CHAT_AUTH_MODE');
    expect(msg).toContain('NEXT_CHAT_REDIS_URL');
  });
  it('says one thing per variable', () => {
    expect(problem({ NEXT_CHAT_PORT: '70000.5' }).match(/NEXT_CHAT_PORT/g)).toHaveLength(1);
  });
  it('rejects bad combinations', () => {
    expect(() => parseConfig({ NEXT_CHAT_AUTH_MODE: 'jwt' })).toThrow(/NEXT_CHAT_JWT_SECRET/);
    expect(() => parseConfig({ NEXT_CHAT_MYSQL_URL: 'mysql://root@localhost/x' })).toThrow(/needs NEXT_CHAT_REDIS_URL/);
  });
  it('takes a Redis Cluster by seed nodes, with the credentials and TLS of the sentinel form, and refuses what it cannot do yet', () => {
    const nodes = { NEXT_CHAT_REDIS_CLUSTER_NODES: 'redis-0:6379, [::1]:7000' };
    expect(redisTargetOf(parseConfig({ ...nodes, NEXT_CHAT_REDIS_USERNAME: 'chat', NEXT_CHAT_REDIS_PASSWORD: 'pw', NEXT_CHAT_REDIS_TLS: 'true' }))).toEqual({
      cluster: [
        { host: 'redis-0', port: 6379 },
        { host: '::1', port: 7000 },
      ],
      username: 'chat',
      password: 'pw',
      tls: true,
    });
    expect(problem({ ...nodes, NEXT_CHAT_REDIS_URL: 'redis://127.0.0.1:6379' })).toMatch(/set only one of NEXT_CHAT_REDIS_URL, NEXT_CHAT_REDIS_CLUSTER_NODES/);
    expect(problem({ ...nodes, NEXT_CHAT_REDIS_SENTINELS: 's:26379' })).toMatch(/set only one of NEXT_CHAT_REDIS_SENTINELS, NEXT_CHAT_REDIS_CLUSTER_NODES/);
    expect(problem({ NEXT_CHAT_REDIS_CLUSTER_NODES: 'redis-0' })).toMatch(/NEXT_CHAT_REDIS_CLUSTER_NODES/);
    expect(problem({ ...nodes, NEXT_CHAT_REDIS_SENTINEL_PASSWORD: 'x' })).toMatch(/NEXT_CHAT_REDIS_SENTINEL_PASSWORD is for NEXT_CHAT_REDIS_SENTINELS/);
    expect(problem({ ...nodes, NEXT_CHAT_REDIS_WAIT_REPLICAS: '1' })).toMatch(/NEXT_CHAT_REDIS_WAIT_REPLICAS is not supported on NEXT_CHAT_REDIS_CLUSTER_NODES/);
    expect(problem({ ...nodes, NEXT_CHAT_WEBHOOKS: '[{"name":"crm","url":"http://hooks.example/x","events":["message.created"]}]', NEXT_CHAT_WEBHOOK_SECRET: 'whsec_c2VjcmV0c2VjcmV0c2VjcmV0' })).toMatch(/NEXT_CHAT_WEBHOOKS is not supported on NEXT_CHAT_REDIS_CLUSTER_NODES/);
    expect(() => parseConfig({ ...nodes, NEXT_CHAT_MYSQL_URL: 'mysql://root@localhost/x' })).not.toThrow();
  });
  it('accepts no NEXT_CHAT_LOG_PRETTY: nothing would read it', () => {
    expect(CONFIG_KEYS).not.toContain('logPretty');
  });
});

describe('what would fail later at start-up is a ConfigError naming the variable', () => {
  const redis = { NEXT_CHAT_REDIS_URL: 'redis://127.0.0.1:6379' };
  it.each([
    ['mysql://host:notaport/db', /NEXT_CHAT_MYSQL_URL has the port 'notaport', which must be a number from 1 to 65535/],
    ['mysql://host:99999/db', /NEXT_CHAT_MYSQL_URL has the port '99999'/],
    ['mysql://host:0/db', /NEXT_CHAT_MYSQL_URL has the port 0/],
    ['mysql://root@host:3306', /NEXT_CHAT_MYSQL_URL must name the database in its path/],
    ['mysql://root@host:3306/', /NEXT_CHAT_MYSQL_URL must name the database in its path/],
    ['mysql://root@host/a.b', /NEXT_CHAT_MYSQL_URL names the database 'a.b', which must be 1-64 characters/],
    ['mysql://root@host/db/more', /NEXT_CHAT_MYSQL_URL names the database 'db\/more'/],
    ['mysql://us%zzer@host/db', /NEXT_CHAT_MYSQL_URL has a malformed %-escape/],
    ['mysql://root@host/db?ssl=true', /NEXT_CHAT_MYSQL_URL takes no \?options/],
    ['postgres://root@host/db', /NEXT_CHAT_MYSQL_URL must start with mysql:\/\//],
    ['not a url', /NEXT_CHAT_MYSQL_URL is not a URL/],
  ])('NEXT_CHAT_MYSQL_URL=%s', (url, error) => {
    expect(problem({ ...redis, NEXT_CHAT_MYSQL_URL: url })).toMatch(error);
  });

  it('reads a good MySQL URL the way the MySQL adapter does', () => {
    expect(parseConfig({ ...redis, NEXT_CHAT_MYSQL_URL: 'mysql://app:p%40ss@db.example:3307/chat' }).mysqlUrl).toBe('mysql://app:p%40ss@db.example:3307/chat');
    expect(parseMysqlUrl('mysql://app:p%40ss@db.example:3307/chat')).toEqual({ host: 'db.example', port: 3307, user: 'app', password: 'p@ss', database: 'chat' });
    expect(parseMysqlUrl('mysql://root@[::1]/nc')).toEqual({ host: '::1', port: 3306, user: 'root', password: '', database: 'nc' });
    expect(() => parseMysqlUrl('mysql://root@host')).toThrow(/^NEXT_CHAT_MYSQL_URL must name the database/);
  });

  it('never echoes a URL password or a secret', () => {
    const msg = problem({ ...redis, NEXT_CHAT_MYSQL_URL: 'mysql://app:hunter2@db:3306/chat?x=1' });
    expect(msg).toContain("got 'mysql://app:***@db:3306/chat?x=1'");
    expect(msg).not.toContain('hunter2');
    expect(problem({ NEXT_CHAT_REDIS_URL: 'redis://:hunter2@h:0' })).not.toContain('hunter2');
  });

  it.each([
    ['redis://h/abc', /NEXT_CHAT_REDIS_URL names the database 'abc', which must be a number/],
    ['redis://h:0', /NEXT_CHAT_REDIS_URL has the port 0/],
    ['redis://h:port', /NEXT_CHAT_REDIS_URL has the port 'port'/],
    ['redis://u:%zz@h', /NEXT_CHAT_REDIS_URL has a malformed %-escape/],
    ['http://h', /NEXT_CHAT_REDIS_URL must start with redis:\/\/ or rediss:\/\//],
  ])('NEXT_CHAT_REDIS_URL=%s', (url, error) => {
    expect(problem({ NEXT_CHAT_REDIS_URL: url })).toMatch(error);
  });

  it('accepts the Redis URLs ioredis reads', () => {
    for (const url of ['redis://127.0.0.1:6379', 'redis://redis:6379/0', 'rediss://user:p%40ss@redis.example:6380/2', 'redis://h/']) {
      expect(parseConfig({ NEXT_CHAT_REDIS_URL: url }).redisUrl).toBe(url);
    }
  });

  it('NEXT_CHAT_HOST is an address or a name, not a URL or host:port', () => {
    for (const host of ['localhost:5000', 'http://localhost', '[::1]', 'a b']) expect(problem({ NEXT_CHAT_HOST: host })).toMatch(/^ {2}NEXT_CHAT_HOST must be an IP address or a host name/m);
    for (const host of ['127.0.0.1', '::', '::1', 'localhost', 'hub-0.hubs.chat.svc.cluster.local', 'my_service']) expect(parseConfig({ NEXT_CHAT_HOST: host }).host).toBe(host);
  });

  it('NEXT_CHAT_JWT_PUBLIC_KEY is an SPKI key jose imports for RS256 or ES256', () => {
    const jwt = (key: string) => ({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_PUBLIC_KEY: key });
    expect(problem(jwt('garbage'))).toMatch(/NEXT_CHAT_JWT_PUBLIC_KEY must be a PEM public key in SPKI form/);
    expect(problem(jwt('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----'))).toMatch(/NEXT_CHAT_JWT_PUBLIC_KEY is not a readable PEM public key/);
    expect(problem(jwt(pem(generateKeyPairSync('rsa', { modulusLength: 1024 }))))).toMatch(/shorter than 2048 bits/);
    expect(problem(jwt(pem(generateKeyPairSync('ec', { namedCurve: 'secp384r1' }))))).toMatch(/ES256 needs P-256/);
    expect(problem(jwt(pem(generateKeyPairSync('ed25519'))))).toMatch(/is an ed25519 key/);
    const rsa = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
    expect(parseConfig(jwt(rsa)).jwtPublicKey).toBe(rsa);
    // One line, as a Secret or an .env file often carries it.
    const ec = pem(generateKeyPairSync('ec', { namedCurve: 'prime256v1' })).replace(/\n/g, '\\n');
    expect(parseConfig(jwt(ec)).jwtPublicKey).toBe(ec);
  });
});

describe('configOptions', () => {
  const options = configOptions();
  const defaults = parseConfig({}) as Record<string, unknown>;

  it('describes every key, with its variable, flag, type and the default parseConfig uses', () => {
    expect(options.map((o) => o.key)).toEqual(CONFIG_KEYS);
    for (const o of options) {
      expect(o.env, o.key).toBe(envName(o.key));
      expect(o.flag, o.key).toMatch(/^--[a-z]+(-[a-z]+)*$/);
      expect(o.description.length, o.key).toBeGreaterThan(10);
      expect(['integer', 'boolean', 'string', 'enum'], o.key).toContain(o.type);
      if (o.key !== 'instanceId') expect(o.default, o.key).toEqual(defaults[o.key]);
      expect(o.defaultText, o.key).toBe(o.key === 'instanceId' ? '<hostname>-<pid>' : o.default === undefined ? 'unset' : String(o.default));
      if (o.type === 'integer') expect(o.minimum! <= o.maximum!, o.key).toBe(true);
      if (o.type === 'enum') expect(o.values, o.key).toContain(o.default);
    }
    expect(options.find((o) => o.key === 'port')).toMatchObject({ flag: '--port', env: 'NEXT_CHAT_PORT', type: 'integer', minimum: 0, maximum: 65535, default: 5000 });
    expect(options.find((o) => o.key === 'authMode')).toMatchObject({ type: 'enum', values: ['trust', 'jwt'], default: 'trust' });
    expect(options.find((o) => o.key === 'jwtSecret')).toMatchObject({ sensitive: true, default: undefined });
  });
});

/**
 * The rows of the markdown table under `heading` (up to the next `## `):
 * the variables named in the first cell and the second cell.
 */
function configRows(file: string, heading: string): { envs: string[]; dflt: string; line: string }[] {
  const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
  const start = text.indexOf(`\n${heading}\n`);
  expect(start, `${file} has a "${heading}" section`).toBeGreaterThan(0);
  const end = text.indexOf('\n## ', start + heading.length + 2);
  const section = text.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `NEXT_CHAT_'))
    .map((line) => {
      const cells = line.split(' | ');
      return { envs: [...cells[0].matchAll(/`(NEXT_CHAT_[A-Z0-9_]+)`/g)].map((m) => m[1]), dflt: cells[1].trim(), line };
    });
}

/** A default cell agrees with an option: its default in backticks first, or `unset…` when it has none. */
function agrees(o: ConfigOption, cell: string): boolean {
  return o.default === undefined && o.defaultText === 'unset' ? cell.startsWith('unset') : cell.startsWith(`\`${o.defaultText}\``);
}

describe('the docs list the options with their defaults', () => {
  const byEnv = new Map(configOptions().map((o) => [o.env, o]));

  it("README.md's configuration table has every option, with its default, and no other", () => {
    const rows = configRows('README.md', '## Configuration');
    const listed = new Set(rows.flatMap((r) => r.envs));
    expect([...byEnv.keys()].filter((e) => !listed.has(e)), 'options missing from the README table').toEqual([]);
    expect([...listed].filter((e) => !byEnv.has(e)), 'README rows of variables the hub does not read').toEqual([]);
    for (const r of rows) for (const e of r.envs) expect(agrees(byEnv.get(e)!, r.dflt), `${r.line}\nshould show ${byEnv.get(e)!.defaultText}`).toBe(true);
  });

  it("docs/protocol.md's table in §7 shows the same defaults for the options it lists", () => {
    const rows = configRows('docs/protocol.md', '## 7. Running a hub');
    expect(rows.length).toBeGreaterThan(5);
    for (const r of rows) {
      for (const e of r.envs) {
        expect(byEnv.has(e), `${e} is a hub option`).toBe(true);
        expect(agrees(byEnv.get(e)!, r.dflt), `${r.line}\nshould show ${byEnv.get(e)!.defaultText}`).toBe(true);
      }
    }
  });
});

// The built bin (npm run build runs before the unit tests).
describe('next-chat-server', () => {
  it('--help gives every option its flag, variable, meaning and default', () => {
    const r = runBin(['--help']);
    expect(r.status, r.stderr).toBe(0);
    for (const o of configOptions()) {
      const at = r.stdout.indexOf(`  ${o.flag} `);
      expect(at, o.flag).toBeGreaterThan(0);
      const next = r.stdout.indexOf('\n  --', at + 1);
      const entry = r.stdout.slice(at, next < 0 ? undefined : next);
      expect(entry, o.flag).toContain(o.description);
      expect(entry, o.flag).toContain(o.env);
      expect(entry, o.flag).toContain(`[default: ${o.defaultText}]`);
    }
  });

  it('exits 2 naming NEXT_CHAT_MYSQL_URL for a bad MySQL URL, before connecting anywhere', () => {
    for (const url of ['mysql://host:notaport/db', 'mysql://root@127.0.0.1:3306']) {
      const r = runBin([], { NEXT_CHAT_PORT: '0', NEXT_CHAT_HOST: '127.0.0.1', NEXT_CHAT_REDIS_URL: 'redis://127.0.0.1:1', NEXT_CHAT_MYSQL_URL: url });
      expect(r.status, `${url}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/^next-chat-server: Invalid configuration:\n {2}NEXT_CHAT_MYSQL_URL /);
      expect(r.stdout).not.toContain('listening');
      expect(r.stdout + r.stderr).not.toMatch(/redis unreachable|engine configured/);
    }
  });

  it('exits 2 for an unknown flag too', () => {
    const r = runBin(['--prot', '5000']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Unknown argument: prot');
  });
});
