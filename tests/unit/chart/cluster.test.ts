/**
 * External Redis Cluster in the chart: with externalRedis.cluster.enabled the
 * hub gets NEXT_CHAT_REDIS_CLUSTER_NODES, the user and TLS from the ConfigMap,
 * the password by secretKeyRef only (a chart Secret or an existing one), and
 * no NEXT_CHAT_REDIS_URL; the hub's own parseConfig reads the result. Also WAIT
 * (hub.config.redisWait*) and webhooks with a cluster (rendered only when the
 * hub runs them there), and the combinations the chart refuses to render. The `cluster` value set is ci/cluster-values.yaml.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig, redisTargetOf, type ClusterTarget } from '../../../packages/server/src/config.js';
import { CHART, find, podSpec, render, resolveEnv, valueSet, type Container, type K8sObject } from './helm.js';

/** The operator-made Secrets the renders below name. */
const EXISTING: Record<string, string> = {
  'chat-db/url': 'mysql://chat:pw@db.example.com:3306/chat',
  'chat-redis/redis-password': 'cluster-pw-0123456789',
  'chat-redis/other-key': 'cluster-pw-other-0123',
};
const existing = (name: string, key: string) => EXISTING[`${name}/${key}`];

const SET = valueSet('cluster').args;
/** A cluster with chart-made Secrets: the minimum beside the bundled MySQL. */
const MINIMAL = ['--set', 'redis.enabled=false', '--set', 'externalRedis.cluster.enabled=true', '--set-json', 'externalRedis.cluster.nodes=["c-0.redis:6379","c-1.redis:6379"]'];
const schema = JSON.parse(fs.readFileSync(path.join(CHART, 'values.schema.json'), 'utf8'));
const clusterSchema = schema.properties.externalRedis.properties.cluster.properties;

function hub(objs: K8sObject[]) {
  const c = podSpec(find(objs, 'Deployment', 'chat-next-chat')).containers[0] as Container;
  return { c, env: resolveEnv(objs, c, existing) };
}
const envEntry = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const configMap = (objs: K8sObject[]) => find(objs, 'ConfigMap', 'chat-next-chat').data as Record<string, string>;
const clusterTarget = (env: Record<string, string>) => redisTargetOf(parseConfig(env)) as ClusterTarget;

describe('Redis Cluster', () => {
  it('is off by default: no NEXT_CHAT_REDIS_CLUSTER_NODES', () => {
    const { env } = hub(render());
    expect(env.NEXT_CHAT_REDIS_CLUSTER_NODES).toBeUndefined();
    expect(typeof redisTargetOf(parseConfig(env))).toBe('string');
  });

  it('the cluster value set: the hub parses the nodes, user, TLS and password; no NEXT_CHAT_REDIS_URL or Sentinel variable', () => {
    const objs = render(SET);
    const { c, env } = hub(objs);
    expect(env.NEXT_CHAT_REDIS_URL).toBeUndefined();
    expect(envEntry(c, 'NEXT_CHAT_REDIS_URL')).toBeUndefined();
    expect(Object.keys(env).filter((k) => /SENTINEL/.test(k))).toEqual([]);
    expect(configMap(objs).NEXT_CHAT_REDIS_CLUSTER_NODES).toBe('redis-cluster-0.redis.example.com:6379,redis-cluster-1.redis.example.com:6379,[fd00::21]:6379');
    const config = parseConfig(env);
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisSentinels).toBeUndefined();
    expect(clusterTarget(env)).toEqual({
      cluster: [
        { host: 'redis-cluster-0.redis.example.com', port: 6379 },
        { host: 'redis-cluster-1.redis.example.com', port: 6379 },
        { host: 'fd00::21', port: 6379 },
      ],
      username: 'next-chat',
      password: EXISTING['chat-redis/redis-password'],
      tls: true,
    });
    // No Redis in the release.
    expect(objs.filter((o) => o.metadata.name.includes('redis'))).toEqual([]);
  });

  it('the password reaches the hub only by secretKeyRef, never in the ConfigMap or as a plain env value', () => {
    const pw = 'cluster-pw-given-0123';
    for (const [args, secret, key] of [
      [SET, 'chat-redis', 'redis-password'],
      [[...SET, '--set', 'externalRedis.cluster.existingSecretPasswordKey=other-key'], 'chat-redis', 'other-key'],
      [[...MINIMAL, '--set', `externalRedis.cluster.password=${pw}`], 'chat-next-chat-external', 'redis-password'],
    ] as const) {
      const objs = render([...args]);
      const { c } = hub(objs);
      expect(envEntry(c, 'NEXT_CHAT_REDIS_PASSWORD')).toEqual({ name: 'NEXT_CHAT_REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: secret, key } } });
      expect(c.env!.filter((e) => e.value !== undefined)).toEqual([]);
      const cm = configMap(objs);
      expect(Object.keys(cm).filter((k) => /PASSWORD/.test(k))).toEqual([]);
      for (const o of objs.filter((x) => x.kind !== 'Secret')) {
        const text = JSON.stringify(o);
        for (const p of [pw, ...Object.values(EXISTING)]) expect(text, `${o.kind} ${o.metadata.name}`).not.toContain(p);
      }
    }
    // The chart Secret holds the given password; the hub reads it back.
    const objs = render([...MINIMAL, '--set', `externalRedis.cluster.password=${pw}`]);
    const data = find(objs, 'Secret', 'chat-next-chat-external').data as Record<string, string>;
    expect(Object.keys(data)).toEqual(['redis-password']);
    expect(clusterTarget(hub(objs).env)).toMatchObject({ password: pw, username: undefined, tls: false });
    // With an existing Secret the given password is ignored: no chart Secret for it.
    const both = render([...SET, '--set', `externalRedis.cluster.password=${pw}`]);
    expect(both.filter((o) => o.metadata.name === 'chat-next-chat-external')).toEqual([]);
    expect(clusterTarget(hub(both).env).password).toBe(EXISTING['chat-redis/redis-password']);
  });

  it('without a password: no password variable and no chart Secret; an empty existing-Secret key leaves it out', () => {
    const objs = render(MINIMAL);
    const { c, env } = hub(objs);
    expect(envEntry(c, 'NEXT_CHAT_REDIS_PASSWORD')).toBeUndefined();
    expect(objs.filter((o) => o.metadata.name === 'chat-next-chat-external')).toEqual([]);
    expect(configMap(objs)).not.toHaveProperty('NEXT_CHAT_REDIS_USERNAME');
    expect(clusterTarget(env)).toEqual({ cluster: [{ host: 'c-0.redis', port: 6379 }, { host: 'c-1.redis', port: 6379 }], username: undefined, password: undefined, tls: false });
    const none = hub(render([...SET, '--set', 'externalRedis.cluster.existingSecretPasswordKey=']));
    expect(envEntry(none.c, 'NEXT_CHAT_REDIS_PASSWORD')).toBeUndefined();
    expect(clusterTarget(none.env)).toMatchObject({ username: 'next-chat', password: undefined, tls: true });
  });

  it('the chart Secret carries the cluster password beside an external MySQL URL', () => {
    const objs = render([...MINIMAL, '--set', 'externalRedis.cluster.password=cluster-pw-given-0123', '--set', 'mysql.enabled=false', '--set', 'externalMysql.url=mysql://u:p@db:3306/chat']);
    const data = find(objs, 'Secret', 'chat-next-chat-external').data as Record<string, string>;
    expect(Object.keys(data).sort()).toEqual(['mysql-url', 'redis-password']);
    const config = parseConfig(hub(objs).env);
    expect(config.mysqlUrl).toBe('mysql://u:p@db:3306/chat');
    expect(config.redisPassword).toBe('cluster-pw-given-0123');
  });

  it('rolls the hub pods when the given password (or where it is) changes', () => {
    const checksum = (o: K8sObject[]) => (find(o, 'Deployment').spec as any).template.metadata.annotations['checksum/redis'];
    const a = render([...MINIMAL, '--set', 'externalRedis.cluster.password=first-password-0123']);
    const b = render([...MINIMAL, '--set', 'externalRedis.cluster.password=second-password-0123']);
    expect(checksum(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(checksum(a)).not.toBe(checksum(b));
    expect(checksum(render(SET))).not.toBe(checksum(render([...SET, '--set', 'externalRedis.cluster.existingSecret=chat-redis-2'])));
    expect(checksum(render())).toBeUndefined();
  });

  it('refuses the contradictions, with a clear message each', () => {
    expect(() => render(['--set', 'externalRedis.cluster.enabled=true', '--set-json', 'externalRedis.cluster.nodes=["c-0:6379"]'])).toThrow(
      /externalRedis.cluster.enabled=true needs redis.enabled=false: the bundled Redis is a single node, not a Redis Cluster/,
    );
    expect(() => render([...MINIMAL, '--set', 'externalRedis.url=redis://r:6379'])).toThrow(/set only one of externalRedis.url \/ externalRedis.existingSecret and externalRedis.cluster.enabled=true/);
    expect(() => render([...MINIMAL, '--set', 'externalRedis.existingSecret=chat-redis-url'])).toThrow(/set only one of externalRedis.url \/ externalRedis.existingSecret and externalRedis.cluster.enabled=true/);
    expect(() => render([...MINIMAL, '--set', 'externalRedis.sentinel.enabled=true', '--set-json', 'externalRedis.sentinel.nodes=["s-0:26379"]'])).toThrow(
      /set only one of externalRedis.sentinel.enabled=true and externalRedis.cluster.enabled=true: the hub takes sentinels or cluster nodes, not both/,
    );
    expect(() => render(['--set', 'redis.enabled=false', '--set', 'externalRedis.cluster.enabled=true'])).toThrow(/externalRedis.cluster.enabled=true needs externalRedis.cluster.nodes/);
    expect(() => render(['--set', 'redis.enabled=false'])).toThrow(/redis.enabled=false needs externalRedis.url, externalRedis.existingSecret, externalRedis.sentinel.enabled=true or externalRedis.cluster.enabled=true/);
    // All at once: every problem is named, not just the first.
    expect(() => render(['--set', 'externalRedis.cluster.enabled=true', '--set', 'externalRedis.url=redis://r:6379'])).toThrow(
      /(?=[\s\S]*needs redis.enabled=false)(?=[\s\S]*set only one of externalRedis.url)(?=[\s\S]*needs externalRedis.cluster.nodes)/,
    );
    // Nodes left unset while the cluster is off are fine (the defaults).
    expect(() => render(['--set-json', 'externalRedis.cluster.nodes=["c-0:6379"]'])).not.toThrow();
    // The chart sets these itself; the password is a Secret, never the ConfigMap that hub.config.extra fills.
    for (const k of ['redisClusterNodes', 'redisPassword', 'redisUsername', 'redisTls', 'redisWaitReplicas']) {
      expect(() => render([...MINIMAL, '--set', `hub.config.extra.${k}=x`]), k).toThrow(new RegExp(k));
    }
  });

  it('refuses malformed and repeated nodes: by the schema, and at render time without it', () => {
    expect(() => render([...MINIMAL, '--set-json', 'externalRedis.cluster.nodes=["c-0.redis"]'])).toThrow(/cluster\/nodes/);
    expect(() => render([...MINIMAL, '--set-json', 'externalRedis.cluster.nodes=["c-0:6379","c-0:6379"]'])).toThrow(/cluster\/nodes/);
    expect(() => render([...MINIMAL, '--set-json', 'externalRedis.cluster.nodes=["redis://c-0:6379"]'])).toThrow(/cluster\/nodes/);
    // helm --skip-schema-validation: the template names each bad node.
    const skip = ['--skip-schema-validation', ...MINIMAL];
    expect(() => render([...skip, '--set-json', 'externalRedis.cluster.nodes=["c-0:6379","c-1","[::1]:6379","c-2:65536"]'])).toThrow(
      /(?=[\s\S]*externalRedis.cluster.nodes: "c-1" is not host:port)(?=[\s\S]*externalRedis.cluster.nodes: "c-2:65536" is not host:port)/,
    );
    expect(() => render([...skip, '--set-json', 'externalRedis.cluster.nodes=["c-0:6379","c-0:6379"]'])).toThrow(/externalRedis.cluster.nodes: "c-0:6379" is listed twice/);
    expect(() => render([...skip, '--set-json', 'externalRedis.cluster.nodes=["c-0:6379","[fd00::1]:6380"]'])).not.toThrow();
  });

  it('the schema\'s node pattern is the hub\'s, and the template checks with the same pattern', () => {
    expect(clusterSchema.nodes.items.pattern).toBe(schema.properties.externalRedis.properties.sentinel.properties.nodes.items.pattern);
    const helpers = fs.readFileSync(path.join(CHART, 'templates/_helpers.tpl'), 'utf8');
    const tpl = /define "next-chat.redis.hostPortPattern" -}}\n\{\{- `([^`]+)` -}}/.exec(helpers)?.[1];
    expect(tpl, 'next-chat.redis.hostPortPattern in _helpers.tpl').toBe(clusterSchema.nodes.items.pattern);
    const nodePattern = new RegExp(clusterSchema.nodes.items.pattern);
    const base = { NEXT_CHAT_JWT_SECRET: 'x'.repeat(48) };
    for (const n of ['c:6379', 'redis-cluster-0.redis.svc.cluster.local:6379', 'clustercfg.chat.abc123.use1.cache.amazonaws.com:6379', '10.0.0.7:1', '[::1]:6379', '[fd00::21]:65535', 'c:0', 'c:65536', 'c', 'redis://c:6379', 'c:6379,d:6379', ':6379', 'c :6379', '-c:6379', 'a..b:6379', 'a-.b:6379', `${'l'.repeat(63)}.x:1`, `${'l'.repeat(64)}.x:1`, 'redis.:6379']) {
      const hubAccepts = (() => {
        try {
          return parseConfig({ ...base, NEXT_CHAT_REDIS_CLUSTER_NODES: n }).redisClusterNodes?.length === 1;
        } catch {
          return false;
        }
      })();
      expect(nodePattern.test(n), n).toBe(hubAccepts);
    }
  });
});

describe('Redis WAIT and webhooks with a cluster', () => {
  /** Whether the hub runs on a cluster with these settings too (its own parseConfig decides). */
  const hubAccepts = (extra: Record<string, string>) => {
    try {
      parseConfig({ NEXT_CHAT_JWT_SECRET: 'x'.repeat(48), NEXT_CHAT_REDIS_CLUSTER_NODES: 'c-0:6379', ...extra });
      return true;
    } catch {
      return false;
    }
  };

  it('WAIT: the chart renders it beside the cluster nodes exactly when the hub accepts it there, else refuses it by name', () => {
    const args = [...MINIMAL, '--set', 'hub.config.redisWaitReplicas=1', '--set', 'hub.config.redisWaitTimeoutMs=250'];
    if (hubAccepts({ NEXT_CHAT_REDIS_WAIT_REPLICAS: '1' })) {
      const { env } = hub(render(args));
      expect(env).toMatchObject({ NEXT_CHAT_REDIS_WAIT_REPLICAS: '1', NEXT_CHAT_REDIS_WAIT_TIMEOUT_MS: '250' });
      expect(parseConfig(env)).toMatchObject({ redisWaitReplicas: 1, redisWaitTimeoutMs: 250 });
      expect(clusterTarget(env).cluster).toHaveLength(2);
    } else {
      expect(() => render(args)).toThrow(/hub.config.redisWaitReplicas=1 is not supported with externalRedis.cluster.enabled=true yet: the hub refuses NEXT_CHAT_REDIS_WAIT_REPLICAS on NEXT_CHAT_REDIS_CLUSTER_NODES/);
      expect(() => render([...SET, '--set', 'hub.config.redisWaitReplicas=2'])).toThrow(/hub.config.redisWaitReplicas=2 is not supported with externalRedis.cluster.enabled=true yet/);
    }
  });

  it('webhooks: the same agreement with the hub', () => {
    const args = [...MINIMAL, '--set-json', 'webhooks.endpoints=[{"name":"crm","url":"https://crm.example.com/hook"}]', '--set', 'webhooks.secret=signing-key-0123456789'];
    if (hubAccepts({ NEXT_CHAT_WEBHOOKS: '[{"name":"crm","url":"https://crm.example.com/hook"}]', NEXT_CHAT_WEBHOOK_SECRET: 'signing-key-0123456789' })) {
      expect(parseConfig(hub(render(args)).env).webhooks).toHaveLength(1);
    } else {
      expect(() => render(args)).toThrow(/webhooks.endpoints is not supported with externalRedis.cluster.enabled=true yet: the hub refuses NEXT_CHAT_WEBHOOKS on NEXT_CHAT_REDIS_CLUSTER_NODES/);
    }
  });

  it('WAIT is left out at 0 (the default): the hub\'s own default applies', () => {
    const { env } = hub(render(SET));
    expect(env.NEXT_CHAT_REDIS_WAIT_REPLICAS).toBeUndefined();
    expect(env.NEXT_CHAT_REDIS_WAIT_TIMEOUT_MS).toBeUndefined();
    expect(parseConfig(env).redisWaitReplicas).toBe(0);
  });
});

describe('helm/next-chat/README.md', () => {
  it('its Redis Cluster example renders, and the hub parses what it gets', () => {
    const readme = fs.readFileSync(path.join(CHART, 'README.md'), 'utf8');
    const at = readme.indexOf('## External Redis Cluster');
    expect(at, 'a "## External Redis Cluster" section').toBeGreaterThan(readme.indexOf('## External Redis through Sentinel'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at))?.[1];
    expect(yaml, 'a yaml example in the Cluster section').toBeDefined();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'next-chat-cluster-')), 'cluster.yaml');
    fs.writeFileSync(file, yaml!);
    const objs = render(['-f', file]);
    const c = podSpec(find(objs, 'Deployment', 'chat-next-chat')).containers[0] as Container;
    expect(envEntry(c, 'NEXT_CHAT_REDIS_PASSWORD')!.valueFrom!.secretKeyRef).toEqual({ name: 'chat-elasticache', key: 'password' });
    const env = resolveEnv(objs, c, (name, key) => (name === 'chat-elasticache' && key === 'password' ? 'pw-of-the-acl-user-0123' : undefined));
    expect(env.NEXT_CHAT_REDIS_URL).toBeUndefined();
    expect(clusterTarget(env)).toEqual({
      cluster: [{ host: 'clustercfg.chat-redis.abc123.use1.cache.amazonaws.com', port: 6379 }],
      username: 'next-chat',
      password: 'pw-of-the-acl-user-0123',
      tls: true,
    });
    expect(parseConfig(env).redisWaitReplicas).toBe(0);
  });
});
