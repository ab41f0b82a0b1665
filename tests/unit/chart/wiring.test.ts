/**
 * Wiring: every environment variable a rendered container gets is one its
 * program reads, every one it needs is set, and the values parse with the
 * program's own config parser. The programs' sources are the reference:
 * the hub's CONFIG_KEYS and parseConfig, the suite's parseOptions, the
 * configurator's NEXT_CHAT_* names.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { jwtVerify } from 'jose';
import { CONFIG_KEYS, configOptions, envName, parseConfig, redisTargetOf } from '../../../packages/server/src/config.js';
import { createAuthenticator } from '../../../packages/server/src/gateway/auth.js';
import { parseOptions } from '../../auto/src/options.js';
import { CHART, ROOT, VALUE_SETS, find, podSpec, render, renderNotes, resolveEnv, valueSet, type K8sObject } from './helm.js';

/** Values of the Secrets the value sets name but do not render (operator-made). */
const EXISTING_SECRETS: Record<string, string> = {
  'chat-db/url': 'mysql://chat:pw@db.example.com:3306/chat',
  'chat-jwt/hs256': 'x'.repeat(48),
  'chat-webhooks/signing-key': 'w'.repeat(32),
  'chat-redis/redis-password': 'r'.repeat(24),
  'chat-redis/sentinel-password': 's'.repeat(24),
};
const existing = (name: string, key: string) => EXISTING_SECRETS[`${name}/${key}`];

const HUB_ENV = new Set(CONFIG_KEYS.map((k) => envName(k)));

/** NEXT_CHAT_* names the configurator's source mentions. */
function configuratorEnv(): Set<string> {
  const dir = path.join(ROOT, 'configurator/src');
  const names = new Set<string>();
  for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) {
    if (!f.endsWith('.ts')) continue;
    for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/\bNEXT_CHAT_[A-Z0-9_]+\b/g)) names.add(m[0]);
  }
  return names;
}

/** NEXT_CHAT_AUTO_* names the suite documents in its --help, plus the shared NEXT_CHAT_JWT_SECRET. */
function suiteEnv(): Set<string> {
  const help = parseOptions(['--help'], {});
  if (help.kind !== 'help') throw new Error('next-chat-auto --help gave no help');
  return new Set([...help.text.matchAll(/\bNEXT_CHAT_AUTO_[A-Z0-9_]+\b/g)].map((m) => m[0]).concat('NEXT_CHAT_JWT_SECRET'));
}

function hubContainer(objs: K8sObject[]) {
  return podSpec(find(objs, 'Deployment', 'chat-next-chat')).containers[0];
}

describe.each(VALUE_SETS.map((s) => [s.name, s.args] as const))('wiring with %s', (name, args) => {
  const objs = render(args);

  it('the hub gets only variables it reads, and they parse into a production config', () => {
    const env = resolveEnv(objs, hubContainer(objs), existing);
    expect(Object.keys(env).filter((k) => !HUB_ENV.has(k))).toEqual([]);
    const config = parseConfig(env);
    // Production: shared engine and durable history, never the in-process ones.
    const redis = redisTargetOf(config);
    if (typeof redis === 'string') expect(redis).toMatch(/^rediss?:\/\//);
    else if (redis && 'cluster' in redis) expect(redis.cluster.length, 'NEXT_CHAT_REDIS_CLUSTER_NODES').toBeGreaterThan(0);
    else expect(redis?.sentinels.length, 'NEXT_CHAT_REDIS_URL, NEXT_CHAT_REDIS_SENTINELS or NEXT_CHAT_REDIS_CLUSTER_NODES').toBeGreaterThan(0);
    expect(config.mysqlUrl).toMatch(/^mysql:\/\//);
    expect(config.port).toBe(5000);
    // /metrics on its own listener, the hub pods' `metrics` container port, never the hub port.
    expect(config.metricsPort).toBe(9090);
    expect((hubContainer(objs).ports as { name: string; containerPort: number }[]).find((p) => p.name === 'metrics')?.containerPort).toBe(config.metricsPort);
    expect(config.instanceId).toBe('field:metadata.name'); // the pod name: unique, and readable in Redis
    const mode = name === 'trust' ? 'trust' : 'jwt';
    expect(config.authMode).toBe(mode);
    if (mode === 'jwt') expect(config.jwtSecret!.length).toBeGreaterThanOrEqual(48);
    else expect(env.NEXT_CHAT_JWT_SECRET).toBeUndefined();
  });

  it('the configurator gets only variables it reads, and the hub\'s MySQL URL', () => {
    const job = objs.find((o) => o.kind === 'Job');
    if (!job) return;
    const env = resolveEnv(objs, podSpec(job).containers[0], existing);
    const known = configuratorEnv();
    expect(known.has('NEXT_CHAT_MYSQL_URL')).toBe(true);
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    expect(env.NEXT_CHAT_MYSQL_URL).toBe(resolveEnv(objs, hubContainer(objs), existing).NEXT_CHAT_MYSQL_URL);
  });

  it('the test pod gets only variables the suite reads; they find the hub pods and mint tokens with the hub\'s secret', () => {
    const pod = objs.find((o) => o.kind === 'Pod');
    if (!pod) return;
    const c = podSpec(pod).containers[0];
    const env = resolveEnv(objs, c, existing);
    const known = suiteEnv();
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const parsed = parseOptions(c.args ?? [], env);
    if (parsed.kind !== 'run') throw new Error('the test pod would print help');
    const o = parsed.options;
    expect(o.k8s).toBe(true);
    expect(o.namespace).toBe('chat-ns');
    expect(o.port).toBe(5000);
    expect(o.path).toBe('/next-chat');
    // The selector matches exactly the hub Deployment's pods.
    const selector = Object.fromEntries(o.selector.split(',').map((kv) => kv.split('=') as [string, string]));
    expect(selector).toEqual((find(objs, 'Deployment').spec as any).selector.matchLabels);
    const hubEnv = resolveEnv(objs, hubContainer(objs), existing);
    expect(o.jwtSecret).toBe(hubEnv.NEXT_CHAT_JWT_SECRET);
    // The limits the suite probes are the hubs' own.
    const hub = parseConfig(hubEnv);
    expect(o.maxFrameBytes).toBe(hub.maxFrameBytes);
    if (hub.rateLimit > 0) expect(o.loadPerConnectionRate).toBe(hub.rateLimit / 2);
  });
});

describe('hub.config', () => {
  it('extra settings become NEXT_CHAT_<UPPER_SNAKE> variables the hub parses', () => {
    const objs = render(valueSet('ha').args);
    const env = resolveEnv(objs, hubContainer(objs));
    expect(env).toMatchObject({ NEXT_CHAT_PING_INTERVAL_MS: '20000', NEXT_CHAT_MAX_CONNECTIONS_PER_USER: '20', NEXT_CHAT_MAX_FRAME_BYTES: '131072' });
    expect(parseConfig(env)).toMatchObject({ pingIntervalMs: 20000, maxConnectionsPerUser: 20, maxFrameBytes: 131072, rateLimit: 20 });
  });

  it('the schema allows in hub.config.extra exactly the hub settings the chart does not set itself', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'helm/next-chat/values.schema.json'), 'utf8'));
    const hubConfig = schema.properties.hub.properties.config;
    const allowed: string[] = hubConfig.properties.extra.propertyNames.enum;
    const chartSet = ['port', 'metricsPort', 'host', 'redisUrl', 'mysqlUrl', 'authMode', 'jwtSecret', 'jwtPreviousSecret', 'instanceId', ...Object.keys(hubConfig.properties).filter((k) => k !== 'extra')];
    // From api.*, webhooks.* and moderation.* (tests/unit/chart/integrations.test.ts): keys and signing secret in Secrets, not the ConfigMap.
    chartSet.push('apiPort', 'apiKeys', 'apiSystemUser', 'webhooks', 'webhookSecret', 'webhookRetrySeconds', 'webhookTimeoutMs', 'webhookPartitions');
    chartSet.push('moderationUrl', 'moderationTimeoutMs', 'moderationFailure');
    // From externalRedis.sentinel.* (tests/unit/chart/sentinel.test.ts): the passwords in Secrets, not the ConfigMap.
    chartSet.push('redisSentinels', 'redisSentinelName', 'redisUsername', 'redisPassword', 'redisSentinelPassword', 'redisTls');
    // From externalRedis.cluster.* (tests/unit/chart/cluster.test.ts): the seed nodes; user, password and TLS as above.
    chartSet.push('redisClusterNodes');
    const notSupported = ['jwtPublicKey', 'jwksUrl']; // the chart's jwt mode is the HS256 shared secret
    expect(
      [...allowed, ...chartSet, ...notSupported].sort(),
      'hub.config.extra.propertyNames in values.schema.json lists every hub config key the chart does not set itself: run node scripts/chart-schema.mjs',
    ).toEqual([...CONFIG_KEYS].sort());
  });

  it('offers no secret of the hub in hub.config.extra (it fills a ConfigMap)', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'helm/next-chat/values.schema.json'), 'utf8'));
    const allowed: string[] = schema.properties.hub.properties.config.properties.extra.propertyNames.enum;
    const sensitive = configOptions().filter((o) => o.sensitive).map((o) => o.key);
    expect(sensitive).toEqual(expect.arrayContaining(['jwtSecret', 'apiKeys', 'webhookSecret', 'redisPassword', 'redisSentinelPassword']));
    expect(allowed.filter((k) => sensitive.includes(k as never))).toEqual([]);
  });

  it('refuses an extra setting the chart sets itself', () => {
    expect(() => render(['--set', 'hub.config.extra.authMode=trust'])).toThrow();
    expect(() => render(['--set', 'hub.config.extra.metricsPort=9100'])).toThrow(/metricsPort/);
    // Secrets never go through the ConfigMap that hub.config.extra fills.
    expect(() => render(['--set', 'hub.config.extra.apiKeys=abcdefghijklmnopqrstuvwxyz'])).toThrow(/apiKeys/);
    expect(() => render(['--set', 'hub.config.extra.webhookSecret=abcdefghijklmnopqrstuvwxyz'])).toThrow(/webhookSecret/);
    expect(() => render(['--set', 'hub.config.extra.redisPassword=abcdefghijklmnopqrstuvwxyz'])).toThrow(/redisPassword/);
    expect(() => render(['--set', 'hub.config.extra.redisSentinelPassword=abcdefghijklmnopqrstuvwxyz'])).toThrow(/redisSentinelPassword/);
  });

  it('offers the hub\'s JWT lifetime and per-user limits, which parse', () => {
    const objs = render(['--set', 'hub.config.extra.jwtRequireExp=false', '--set', 'hub.config.extra.jwtMaxTtlSeconds=3600', '--set', 'hub.config.extra.userRateLimit=40']);
    expect(parseConfig(resolveEnv(objs, hubContainer(objs)))).toMatchObject({ jwtRequireExp: false, jwtMaxTtlSeconds: 3600, userRateLimit: 40 });
  });
});

describe('auth', () => {
  it('defaults to jwt with a generated 64-character secret that the hub and the test pod share', () => {
    const objs = render();
    const hubEnv = resolveEnv(objs, hubContainer(objs));
    expect(hubEnv.NEXT_CHAT_AUTH_MODE).toBe('jwt');
    expect(hubEnv.NEXT_CHAT_JWT_SECRET).toMatch(/^[A-Za-z0-9]{64}$/);
    const testEnv = resolveEnv(objs, podSpec(find(objs, 'Pod')).containers[0]);
    expect(testEnv.NEXT_CHAT_JWT_SECRET).toBe(hubEnv.NEXT_CHAT_JWT_SECRET);
  });

  it('auth.existingSecret: no chart Secret, both pods read the given one', () => {
    const objs = render(valueSet('jwt-existing-secret').args);
    expect(objs.filter((o) => o.kind === 'Secret' && o.metadata.name.endsWith('-auth'))).toEqual([]);
    for (const c of [hubContainer(objs), podSpec(find(objs, 'Pod')).containers[0]]) {
      expect(c.env!.find((e) => e.name === 'NEXT_CHAT_JWT_SECRET')!.valueFrom!.secretKeyRef).toEqual({ name: 'chat-jwt', key: 'hs256' });
    }
  });

  it('rotation: the hub accepts the new and the retired secret, the test pod mints with the new one, the pods roll', () => {
    const [next, prev] = ['n'.repeat(48), 'p'.repeat(48)];
    const before = render();
    const objs = render(['--set', `auth.jwtSecret=${next}`, '--set', `auth.previousJwtSecret=${prev}`]);
    const hubEnv = resolveEnv(objs, hubContainer(objs));
    expect(parseConfig(hubEnv)).toMatchObject({ jwtSecret: next, jwtPreviousSecret: prev });
    expect(resolveEnv(objs, podSpec(find(objs, 'Pod')).containers[0]).NEXT_CHAT_JWT_SECRET).toBe(next);
    expect(resolveEnv(before, hubContainer(before)).NEXT_CHAT_JWT_PREVIOUS_SECRET).toBeUndefined();
    const checksum = (o: K8sObject[]) => (find(o, 'Deployment').spec as any).template.metadata.annotations['checksum/auth'];
    expect(checksum(objs)).not.toBe(checksum(before));
    expect(() => render(['--set', `auth.previousJwtSecret=${prev}`])).toThrow(/set the new secret in auth.jwtSecret too/);
  });

  it('rotation with auth.existingSecret: the retired secret comes from its optional key', () => {
    const objs = render(valueSet('jwt-existing-secret').args);
    const ref = hubContainer(objs).env!.find((e) => e.name === 'NEXT_CHAT_JWT_PREVIOUS_SECRET')!.valueFrom!.secretKeyRef;
    expect(ref).toEqual({ name: 'chat-jwt', key: 'jwt-previous-secret', optional: true });
  });

  it('refuses a short given secret', () => {
    expect(() => render(['--set', 'auth.jwtSecret=short'])).toThrow(/at least 32 characters/);
  });
});

/**
 * Runs the `TOKEN=$(node -e '...')` line of a text with a secret and checks the
 * token against the hub's JWT rules (exp and iat set, lifetime at most
 * jwtMaxTtlSeconds) and the hub's own authenticator, configured as the chart
 * configures it. Returns the lifetime in seconds.
 */
async function checkMintCommand(text: string, hubEnv: Record<string, string>): Promise<number> {
  const line = text.split('\n').find((l) => l.trim().startsWith('TOKEN=$(node -e '));
  expect(line, 'a TOKEN=$(node -e ...) line').toBeDefined();
  const cmd = line!.trim().replace(/^TOKEN=\$\(/, '').replace(/\)$/, '');
  const secret = 'k'.repeat(64);
  const token = execFileSync('sh', ['-c', cmd], { env: { ...process.env, NEXT_CHAT_JWT_SECRET: secret }, encoding: 'utf8' }).trim();
  const config = parseConfig({ ...hubEnv, NEXT_CHAT_JWT_SECRET: secret });
  const maxTtl = config.jwtMaxTtlSeconds > 0 ? config.jwtMaxTtlSeconds : Infinity;
  const { payload, protectedHeader } = await jwtVerify(token, new TextEncoder().encode(secret), {
    algorithms: ['HS256'],
    requiredClaims: ['sub', 'iat', 'exp'],
    maxTokenAge: config.jwtMaxTtlSeconds > 0 ? config.jwtMaxTtlSeconds : undefined,
  });
  expect(protectedHeader.alg).toBe('HS256');
  expect(payload.sub).toBe('alice');
  const now = Date.now() / 1000;
  expect(Math.abs(payload.iat! - now)).toBeLessThan(60);
  const ttl = payload.exp! - payload.iat!;
  expect(ttl).toBeGreaterThan(0);
  expect(ttl, 'exp - iat within NEXT_CHAT_JWT_MAX_TTL_SECONDS').toBeLessThanOrEqual(maxTtl);
  expect(payload.exp! - now).toBeLessThanOrEqual(maxTtl);
  // The hub's own check, as configured by the chart.
  const auth = await createAuthenticator(config);
  expect((await auth(token)).userId).toBe('alice');
  return ttl;
}

describe('NOTES.txt', () => {
  it('jwt: the one-line mint command makes a token the hub accepts (iat, exp, 12 h), and says how to connect', async () => {
    const notes = renderNotes();
    expect(notes).toContain("kubectl -n chat-ns get secret chat-next-chat-auth -o jsonpath='{.data.jwt-secret}' | base64 -d");
    expect(notes).toContain('next-chat --url "$NEXT_CHAT_URL" --token "$TOKEN"');
    expect(notes).toContain('kubectl -n chat-ns port-forward service/chat-next-chat 5000:5000');
    expect(notes).toContain('helm test chat -n chat-ns --logs');
    const objs = render();
    expect(await checkMintCommand(notes, resolveEnv(objs, hubContainer(objs)))).toBe(12 * 3600);
    expect(notes).toContain('valid for 12 hours');
  });

  it('jwt: the mint command stays within a shorter jwtMaxTtlSeconds', async () => {
    const args = ['--set', 'hub.config.extra.jwtMaxTtlSeconds=900'];
    const notes = renderNotes(args);
    const objs = render(args);
    expect(await checkMintCommand(notes, resolveEnv(objs, hubContainer(objs)))).toBe(900);
    expect(notes).toContain('valid for 900 seconds');
  });

  it('says /metrics is on the metrics port only, with its Service, not the hub port', () => {
    const notes = renderNotes();
    expect(notes).toMatch(/\/healthz, \/readyz on port 5000\./);
    expect(notes).toMatch(/\/metrics on\s+the metrics port 9090 only/);
    expect(notes).toContain('kubectl -n chat-ns port-forward service/chat-next-chat-metrics 9090:9090');
    expect(notes).not.toMatch(/\/metrics[^\n]*port 5000/);
  });

  it('trust: the token is the user id; with an Ingress the URL is the Ingress host', () => {
    const notes = renderNotes([...valueSet('trust').args, '--set', 'ingress.enabled=true', '--set', 'ingress.tls=true']);
    expect(notes).toContain('TOKEN=alice');
    expect(notes).toContain('export NEXT_CHAT_URL=wss://chat.local/next-chat');
    expect(notes).not.toContain('helm test');
  });
});

describe('helm/next-chat/README.md', () => {
  it('its mint command makes a token the hub accepts with the chart\'s defaults (iat, exp, 12 h)', async () => {
    const readme = fs.readFileSync(path.join(CHART, 'README.md'), 'utf8');
    const objs = render();
    expect(await checkMintCommand(readme, resolveEnv(objs, hubContainer(objs)))).toBe(12 * 3600);
  });
});
