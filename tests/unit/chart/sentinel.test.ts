/**
 * External Redis through Redis Sentinel in the chart (issue 17): with
 * externalRedis.sentinel.enabled the hub gets NEXT_CHAT_REDIS_SENTINELS, the
 * master name, user and TLS from the ConfigMap, the passwords by secretKeyRef
 * only (a chart Secret or an existing one), and no NEXT_CHAT_REDIS_URL; the
 * hub's own parseConfig reads the result. Also WAIT (hub.config.redisWait*),
 * and the combinations the chart refuses to render. The `sentinel` value set
 * is ci/sentinel-values.yaml.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, redisTargetOf, type SentinelTarget } from '../../../packages/server/src/config.js';
import { CHART, find, podSpec, render, resolveEnv, valueSet, type Container, type K8sObject } from './helm.js';

/** The operator-made Secrets the renders below name. */
const EXISTING: Record<string, string> = {
  'chat-db/url': 'mysql://chat:pw@db.example.com:3306/chat',
  'chat-redis/redis-password': 'redis-pw-0123456789',
  'chat-redis/sentinel-password': 'sentinel-pw-0123456789',
};
const existing = (name: string, key: string) => EXISTING[`${name}/${key}`];

const SET = valueSet('sentinel').args;
/** Sentinel with chart-made Secrets: the minimum beside the bundled MySQL. */
const MINIMAL = ['--set', 'redis.enabled=false', '--set', 'externalRedis.sentinel.enabled=true', '--set-json', 'externalRedis.sentinel.nodes=["s-0.redis:26379","s-1.redis:26379"]'];
const schema = JSON.parse(fs.readFileSync(path.join(CHART, 'values.schema.json'), 'utf8'));
const sentinelSchema = schema.properties.externalRedis.properties.sentinel.properties;

function hub(objs: K8sObject[]) {
  const c = podSpec(find(objs, 'Deployment', 'chat-next-chat')).containers[0] as Container;
  return { c, env: resolveEnv(objs, c, existing) };
}
const envEntry = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const configMap = (objs: K8sObject[]) => find(objs, 'ConfigMap', 'chat-next-chat').data as Record<string, string>;
const sentinelTarget = (env: Record<string, string>) => redisTargetOf(parseConfig(env)) as SentinelTarget;

describe('Redis through Sentinel', () => {
  it('is off by default: the hub gets NEXT_CHAT_REDIS_URL of the bundled Redis and no Sentinel or WAIT variable', () => {
    const objs = render();
    const { c, env } = hub(objs);
    expect(envEntry(c, 'NEXT_CHAT_REDIS_URL')!.valueFrom!.secretKeyRef).toEqual({ name: 'chat-next-chat-redis', key: 'redis-url' });
    expect(Object.keys(env).filter((k) => /^NEXT_CHAT_REDIS_(?!URL$)/.test(k))).toEqual([]);
    expect(objs.filter((o) => o.kind === 'StatefulSet').map((o) => o.metadata.name)).toContain('chat-next-chat-redis');
  });

  it('the sentinel value set: the hub parses the sentinels, master name, user, TLS and passwords; no NEXT_CHAT_REDIS_URL', () => {
    const objs = render(SET);
    const { c, env } = hub(objs);
    expect(env.NEXT_CHAT_REDIS_URL).toBeUndefined();
    expect(envEntry(c, 'NEXT_CHAT_REDIS_URL')).toBeUndefined();
    expect(configMap(objs).NEXT_CHAT_REDIS_URL).toBeUndefined();
    const config = parseConfig(env);
    expect(config.redisUrl).toBeUndefined();
    expect(sentinelTarget(env)).toEqual({
      sentinels: [
        { host: 'redis-sentinel-0.redis.example.com', port: 26379 },
        { host: 'redis-sentinel-1.redis.example.com', port: 26379 },
        { host: 'fd00::12', port: 26379 },
      ],
      name: 'chat-primary',
      username: 'next-chat',
      password: EXISTING['chat-redis/redis-password'],
      sentinelPassword: EXISTING['chat-redis/sentinel-password'],
      tls: true,
    });
    // No Redis in the release.
    expect(objs.filter((o) => o.metadata.name.includes('redis'))).toEqual([]);
  });

  it('passwords reach the hub only by secretKeyRef, never in the ConfigMap or as plain env values', () => {
    const pw = ['redis-pw-given-0123', 'sentinel-pw-given-0123'];
    for (const [args, secret, keys] of [
      [SET, 'chat-redis', ['redis-password', 'sentinel-password']],
      [[...MINIMAL, '--set', `externalRedis.sentinel.password=${pw[0]}`, '--set', `externalRedis.sentinel.sentinelPassword=${pw[1]}`], 'chat-next-chat-external', ['redis-password', 'redis-sentinel-password']],
    ] as const) {
      const objs = render([...args]);
      const { c } = hub(objs);
      expect(envEntry(c, 'NEXT_CHAT_REDIS_PASSWORD')).toEqual({ name: 'NEXT_CHAT_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: keys[0] } } });
      expect(envEntry(c, 'NEXT_CHAT_REDIS_SENTINEL_PASSWORD')).toEqual({ name: 'NEXT_CHAT_REDIS_SENTINEL_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key: keys[1] } } });
      expect(c.env!.filter((e) => e.value !== undefined)).toEqual([]);
      const cm = configMap(objs);
      expect(Object.keys(cm).filter((k) => /PASSWORD/.test(k))).toEqual([]);
      for (const o of objs.filter((x) => x.kind !== 'Secret')) {
        const text = JSON.stringify(o);
        for (const p of [...pw, ...Object.values(EXISTING)]) expect(text, `${o.kind} ${o.metadata.name}`).not.toContain(p);
      }
    }
    // The chart Secret holds the given passwords; the hub reads them back.
    const objs = render([...MINIMAL, '--set', `externalRedis.sentinel.password=${pw[0]}`, '--set', `externalRedis.sentinel.sentinelPassword=${pw[1]}`]);
    const data = find(objs, 'Secret', 'chat-next-chat-external').data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(['redis-password', 'redis-sentinel-password']);
    expect(sentinelTarget(hub(objs).env)).toMatchObject({ password: pw[0], sentinelPassword: pw[1], name: 'mymaster', tls: false });
  });

  it('without passwords: no password variables and no chart Secret; an empty existing-Secret key leaves that password out', () => {
    const objs = render(MINIMAL);
    const { c, env } = hub(objs);
    expect(envEntry(c, 'NEXT_CHAT_REDIS_PASSWORD')).toBeUndefined();
    expect(envEntry(c, 'NEXT_CHAT_REDIS_SENTINEL_PASSWORD')).toBeUndefined();
    expect(objs.filter((o) => o.metadata.name === 'chat-next-chat-external')).toEqual([]);
    expect(sentinelTarget(env)).toEqual({ sentinels: [{ host: 's-0.redis', port: 26379 }, { host: 's-1.redis', port: 26379 }], name: 'mymaster', username: undefined, password: undefined, sentinelPassword: undefined, tls: false });
    const only = hub(render([...SET, '--set', 'externalRedis.sentinel.existingSecretSentinelPasswordKey=']));
    expect(envEntry(only.c, 'NEXT_CHAT_REDIS_SENTINEL_PASSWORD')).toBeUndefined();
    expect(sentinelTarget(only.env)).toMatchObject({ password: EXISTING['chat-redis/redis-password'], sentinelPassword: undefined });
  });

  it('rolls the hub pods when a given password changes', () => {
    const checksum = (o: K8sObject[]) => (find(o, 'Deployment').spec as any).template.metadata.annotations['checksum/redis'];
    const a = render([...MINIMAL, '--set', 'externalRedis.sentinel.password=first-password-0123']);
    const b = render([...MINIMAL, '--set', 'externalRedis.sentinel.password=second-password-0123']);
    expect(checksum(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(a)).not.toBe(checksum(b));
  });

  it('refuses the contradictions, with a clear message each', () => {
    expect(() => render(['--set', 'externalRedis.sentinel.enabled=true', '--set-json', 'externalRedis.sentinel.nodes=["s-0:26379"]'])).toThrow(
      /externalRedis.sentinel.enabled=true needs redis.enabled=false: the bundled Redis is a single node without sentinels/,
    );
    expect(() => render([...MINIMAL, '--set', 'externalRedis.url=redis://r:6379'])).toThrow(/set only one of externalRedis.url \/ externalRedis.existingSecret and externalRedis.sentinel.enabled=true/);
    expect(() => render([...MINIMAL, '--set', 'externalRedis.existingSecret=chat-redis-url'])).toThrow(/set only one of externalRedis.url/);
    expect(() => render(['--set', 'redis.enabled=false', '--set', 'externalRedis.sentinel.enabled=true'])).toThrow(/externalRedis.sentinel.enabled=true needs externalRedis.sentinel.nodes/);
    expect(() => render(['--set', 'redis.enabled=false'])).toThrow(/redis.enabled=false needs externalRedis.url, externalRedis.existingSecret, externalRedis.sentinel.enabled=true or externalRedis.cluster.enabled=true/);
    // Secrets never go through the ConfigMap that hub.config.extra fills, nor do the values the chart sets.
    for (const k of ['redisPassword', 'redisSentinelPassword', 'redisSentinels', 'redisSentinelName', 'redisUsername', 'redisTls', 'redisWaitReplicas']) {
      expect(() => render([...MINIMAL, '--set', `hub.config.extra.${k}=x`]), k).toThrow(new RegExp(k));
    }
  });

  it('the schema refuses nodes and master names the hub would refuse, and its master name pattern is the hub\'s', () => {
    expect(() => render([...MINIMAL, '--set-json', 'externalRedis.sentinel.nodes=["s-0.redis"]'])).toThrow(/sentinel\/nodes/);
    expect(() => render([...MINIMAL, '--set-json', 'externalRedis.sentinel.nodes=["s-0:26379","s-0:26379"]'])).toThrow(/sentinel\/nodes/);
    expect(() => render([...MINIMAL, '--set', 'externalRedis.sentinel.masterName=my master'])).toThrow(/sentinel\/masterName/);
    const nodePattern = new RegExp(sentinelSchema.nodes.items.pattern);
    const base = { NEXT_CHAT_JWT_SECRET: 'x'.repeat(48) };
    for (const n of ['s:26379', 'sentinel-0.redis.svc.cluster.local:26379', '10.0.0.7:1', '[::1]:26379', '[fd00::12]:65535', 's:0', 's:65536', 's', 'http://s:26379', 's:26379,t:26379', ':26379', 's :26379', '-s:26379', 'a..b:26379', 'a-.b:26379', `${'l'.repeat(63)}.x:1`, `${'l'.repeat(64)}.x:1`, 'redis.:26379']) {
      const hubAccepts = (() => {
        try {
          return parseConfig({ ...base, NEXT_CHAT_REDIS_SENTINELS: n }).redisSentinels?.length === 1;
        } catch {
          return false;
        }
      })();
      expect(nodePattern.test(n), n).toBe(hubAccepts);
    }
    const namePattern = new RegExp(sentinelSchema.masterName.pattern);
    for (const name of ['mymaster', 'a', 'a.b_c:d-e', 'x'.repeat(128), 'x'.repeat(129), 'my master', '', 'ü']) {
      const hubAccepts = (() => {
        try {
          return parseConfig({ ...base, NEXT_CHAT_REDIS_SENTINELS: 's:26379', NEXT_CHAT_REDIS_SENTINEL_NAME: name }).redisSentinelName === name;
        } catch {
          return false;
        }
      })();
      expect(namePattern.test(name), name).toBe(hubAccepts);
    }
  });
});

describe('Redis WAIT (hub.config.redisWaitReplicas)', () => {
  it('renders NEXT_CHAT_REDIS_WAIT_REPLICAS and _TIMEOUT_MS when set, which the hub parses', () => {
    const { env } = hub(render(SET));
    expect(env).toMatchObject({ NEXT_CHAT_REDIS_WAIT_REPLICAS: '1', NEXT_CHAT_REDIS_WAIT_TIMEOUT_MS: '250' });
    expect(parseConfig(env)).toMatchObject({ redisWaitReplicas: 1, redisWaitTimeoutMs: 250 });
    // Also with an external Redis by URL (a primary with replicas).
    const byUrl = hub(render([...valueSet('external').args, '--set', 'hub.config.redisWaitReplicas=2']));
    expect(parseConfig(byUrl.env, {})).toMatchObject({ redisWaitReplicas: 2, redisWaitTimeoutMs: 500 });
  });

  it('is left out at 0 (the default): the hub\'s own default applies', () => {
    const { env } = hub(render(MINIMAL));
    expect(env.NEXT_CHAT_REDIS_WAIT_REPLICAS).toBeUndefined();
    expect(env.NEXT_CHAT_REDIS_WAIT_TIMEOUT_MS).toBeUndefined();
    expect(parseConfig(env).redisWaitReplicas).toBe(0);
  });

  it('refuses WAIT with the bundled single Redis, which has no replicas', () => {
    expect(() => render(['--set', 'hub.config.redisWaitReplicas=1'])).toThrow(
      /hub.config.redisWaitReplicas=1 needs an external Redis with replicas: the bundled Redis \(redis.enabled=true\) has none/,
    );
  });

  it('the schema holds the hub\'s bounds', () => {
    expect(() => render([...MINIMAL, '--set', 'hub.config.redisWaitReplicas=17'])).toThrow(/redisWaitReplicas/);
    expect(() => render([...MINIMAL, '--set', 'hub.config.redisWaitReplicas=-1'])).toThrow(/redisWaitReplicas/);
    expect(() => render([...MINIMAL, '--set', 'hub.config.redisWaitTimeoutMs=5'])).toThrow(/redisWaitTimeoutMs/);
    expect(schema.properties.hub.properties.config.properties.redisWaitReplicas).toMatchObject({ minimum: 0, maximum: 16 });
  });
});

describe('helm/next-chat/README.md', () => {
  it('its Sentinel example renders, and the hub parses what it gets', () => {
    const readme = fs.readFileSync(path.join(CHART, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## External Redis through Sentinel'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml, 'a yaml example in the Sentinel section').toBeDefined();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'next-chat-sentinel-')), 'sentinel.yaml');
    fs.writeFileSync(file, yaml!);
    const objs = render(['-f', file]);
    const c = podSpec(find(objs, 'Deployment', 'chat-next-chat')).containers[0] as Container;
    const env = resolveEnv(objs, c, (name, key) => (name === 'redis' && key === 'redis-password' ? 'pw-from-the-redis-chart' : undefined));
    expect(env.NEXT_CHAT_REDIS_URL).toBeUndefined();
    expect(sentinelTarget(env)).toMatchObject({ name: 'mymaster', password: 'pw-from-the-redis-chart', sentinelPassword: 'pw-from-the-redis-chart', tls: false });
    expect(sentinelTarget(env).sentinels).toHaveLength(3);
    expect(parseConfig(env).redisWaitReplicas).toBe(1);
  });
});
