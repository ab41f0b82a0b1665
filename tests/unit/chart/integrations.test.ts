/**
 * The backend integrations in the chart (issue 16): the HTTP API on a port and
 * a ClusterIP Service of its own (never the hub Service or the Ingress), its
 * keys and the webhook signing key from Secrets only, NEXT_CHAT_WEBHOOKS as
 * JSON the hub's own parseConfig accepts, the moderation hook's settings, and
 * the combinations the chart refuses to render. The `integrations` value set
 * (ci/integrations-values.yaml) turns all three on.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { USER_ID_RE, WEBHOOK_EVENT_TYPES } from '../../../packages/core/src/index.js';
import { parseConfig } from '../../../packages/server/src/config.js';
import { CHART, find, podSpec, render, renderNotes, resolveEnv, valueSet, type Container, type K8sObject } from './helm.js';

/** The operator-made Secrets the renders below name. */
const EXISTING: Record<string, string> = {
  'chat-webhooks/signing-key': 'w'.repeat(32),
  'chat-api/keys': `${'a'.repeat(20)},${'b'.repeat(20)}`,
};
const existing = (name: string, key: string) => EXISTING[`${name}/${key}`];

const SET = valueSet('integrations').args;
const KEYS = ['ci-new-key-0123456789abcdef', 'ci-old-key-0123456789abcdef'];
const schema = JSON.parse(fs.readFileSync(path.join(CHART, 'values.schema.json'), 'utf8'));

function hub(objs: K8sObject[]) {
  const d = find(objs, 'Deployment', 'chat-next-chat');
  const c = podSpec(d).containers[0] as Container & { ports: { name: string; containerPort: number }[] };
  return { d, c, env: resolveEnv(objs, c, existing) };
}
const svcSpec = (o: K8sObject) => o.spec as { type: string; selector: Record<string, string>; ports: { name: string; port: number; targetPort: string | number }[] };
const envEntry = (c: Container, name: string) => c.env?.find((e) => e.name === name);

describe('HTTP API', () => {
  it('is off by default: no API Service, no `api` container port, no API variables, no keys Secret', () => {
    const objs = render();
    const { c, env } = hub(objs);
    expect(objs.filter((o) => o.metadata.name.includes('-api'))).toEqual([]);
    expect(c.ports.map((p) => p.name)).toEqual(['http', 'metrics']);
    expect(Object.keys(env).filter((k) => /^NEXT_CHAT_(API|WEBHOOK|MODERATION)/.test(k))).toEqual([]);
    expect(parseConfig(env).apiPort).toBeUndefined();
  });

  it('enabled: a ClusterIP Service of its own whose `api` port leads to the hub pods\' `api` container port, NEXT_CHAT_API_PORT', () => {
    const objs = render(SET);
    const { d, c, env } = hub(objs);
    const svc = find(objs, 'Service', 'chat-next-chat-api');
    expect(svcSpec(svc).type).toBe('ClusterIP');
    expect(svcSpec(svc).selector).toEqual((d.spec as any).selector.matchLabels);
    expect(svcSpec(svc).ports).toEqual([{ name: 'api', port: 80, targetPort: 'api', protocol: 'TCP' }]);
    expect(svc.metadata.labels!['app.kubernetes.io/component']).toBe('api');
    const apiPort = c.ports.find((p) => p.name === 'api');
    const config = parseConfig(env);
    expect(apiPort?.containerPort).toBe(8081);
    expect(config.apiPort).toBe(apiPort!.containerPort);
    expect(config.apiPort).not.toBe(config.port);
    expect(config.apiPort).not.toBe(config.metricsPort);
    expect(config.apiSystemUser).toBe('chat-bot');
  });

  it('api.port moves the listener and its container port together; the Service still targets it by name', () => {
    const objs = render([...SET, '--set', 'api.port=9443']);
    const { c, env } = hub(objs);
    expect(c.ports).toContainEqual({ name: 'api', containerPort: 9443, protocol: 'TCP' });
    expect(parseConfig(env).apiPort).toBe(9443);
    expect(svcSpec(find(objs, 'Service', 'chat-next-chat-api')).ports[0].targetPort).toBe('api');
  });

  it('the public hub Service never carries the API port, whatever its type', () => {
    for (const type of ['ClusterIP', 'NodePort', 'LoadBalancer']) {
      const objs = render([...SET, '--set', `hub.service.type=${type}`]);
      const ports = svcSpec(find(objs, 'Service', 'chat-next-chat')).ports;
      expect(ports.map((p) => p.targetPort), type).toEqual(['http']);
      expect(ports.map((p) => p.port)).not.toContain(8081);
      // Nor does the metrics Service.
      expect(svcSpec(find(objs, 'Service', 'chat-next-chat-metrics')).ports.map((p) => p.targetPort)).toEqual(['metrics']);
    }
  });

  it('no Ingress path reaches the API Service or the API port', () => {
    for (const extra of [[], ['--set', 'ingress.path=/next-chat'], ['--set', 'hub.service.type=NodePort']]) {
      const objs = render([...SET, '--set', 'ingress.enabled=true', ...extra]);
      const apiContainerPort = hub(objs).c.ports.find((p) => p.name === 'api')!.containerPort;
      const paths = (find(objs, 'Ingress').spec as any).rules.flatMap((r: any) => r.http.paths);
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) {
        const { name, port } = p.backend.service;
        expect(name).not.toBe('chat-next-chat-api');
        const svcPort = svcSpec(find(objs, 'Service', name)).ports.find((sp) => (port.name !== undefined ? sp.name === port.name : sp.port === port.number));
        expect(svcPort?.targetPort, p.path).toBe('http');
        expect([svcPort!.targetPort, svcPort!.port]).not.toContain(apiContainerPort);
      }
    }
  });

  it('the API Service is selected by nothing that selects the hub or metrics Service (the ServiceMonitor)', () => {
    const objs = render([...valueSet('ha').args, ...SET]);
    const selector: Record<string, string> = (find(objs, 'ServiceMonitor').spec as any).selector.matchLabels;
    const selected = objs.filter((o) => o.kind === 'Service' && Object.entries(selector).every(([k, v]) => o.metadata.labels?.[k] === v));
    expect(selected.map((o) => o.metadata.name)).toEqual(['chat-next-chat-metrics']);
  });

  it('api.keys: into a chart Secret, to the hub by secretKeyRef only; the hub reads both keys (a rotation)', () => {
    const objs = render(SET);
    const { c, env } = hub(objs);
    expect(envEntry(c, 'NEXT_CHAT_API_KEYS')).toEqual({
      name: 'NEXT_CHAT_API_KEYS',
      valueFrom: { secretKeyRef: { name: 'chat-next-chat-api-keys', key: 'api-keys' } },
    });
    const secret = find(objs, 'Secret', 'chat-next-chat-api-keys') as K8sObject & { data: Record<string, string> };
    expect(Buffer.from(secret.data['api-keys'], 'base64').toString()).toBe(KEYS.join(','));
    expect(parseConfig(env).apiKeys).toEqual(KEYS);
    // No key in any object but its Secret: not in the ConfigMap, not as a plain env value, not in an annotation.
    const elsewhere = JSON.stringify(objs.filter((o) => o.kind !== 'Secret'));
    for (const k of KEYS) expect(elsewhere).not.toContain(k);
    expect(find(objs, 'ConfigMap', 'chat-next-chat').data).not.toHaveProperty('NEXT_CHAT_API_KEYS');
  });

  it('api.existingSecret: no chart Secret, the hub reads the given one', () => {
    const objs = render([...SET, '--set', 'api.existingSecret=chat-api', '--set', 'api.existingSecretKey=keys']);
    expect(objs.filter((o) => o.kind === 'Secret' && o.metadata.name === 'chat-next-chat-api-keys')).toEqual([]);
    const { c, env } = hub(objs);
    expect(envEntry(c, 'NEXT_CHAT_API_KEYS')!.valueFrom!.secretKeyRef).toEqual({ name: 'chat-api', key: 'keys' });
    expect(envEntry(c, 'NEXT_CHAT_API_KEYS')!.value).toBeUndefined();
    expect(parseConfig(env).apiKeys).toEqual(['a'.repeat(20), 'b'.repeat(20)]);
  });

  it('changing the keys rolls the hub pods', () => {
    const annotation = (objs: K8sObject[]) => (find(objs, 'Deployment').spec as any).template.metadata.annotations['checksum/integrations'];
    const before = annotation(render(SET));
    expect(before).toMatch(/^[0-9a-f]{64}$/);
    expect(annotation(render([...SET, '--set-json', `api.keys=${JSON.stringify([KEYS[0]])}`]))).not.toBe(before);
  });

  it('refuses to render the API without keys, or on the hub or metrics port', () => {
    expect(() => render(['--set', 'api.enabled=true'])).toThrow(/api.enabled=true needs api.keys or api.existingSecret/);
    expect(() => render([...SET, '--set', 'api.port=5000'])).toThrow(/api.port \(5000\) must differ from hub.containerPort and hub.metrics.port/);
    expect(() => render([...SET, '--set', 'api.port=9090'])).toThrow(/api.port \(9090\) must differ/);
  });

  it('the schema refuses keys the hub would refuse, and its patterns are the hub\'s', () => {
    expect(() => render([...SET, '--set-json', 'api.keys=["too-short"]'])).toThrow(/api\/keys/);
    expect(() => render([...SET, '--set-json', `api.keys=["${'k'.repeat(20)} x"]`])).toThrow(/api\/keys/);
    expect(() => render([...SET, '--set-json', `api.keys=${JSON.stringify([KEYS[0], KEYS[0]])}`])).toThrow(/api\/keys/);
    expect(() => render([...SET, '--set', 'api.systemUser=-bad'])).toThrow(/api\/systemUser/);
    expect(() => render([...SET, '--set', 'api.port=0'])).toThrow(/api\/port/);
    const keyPattern = new RegExp(schema.properties.api.properties.keys.items.pattern);
    // A comma would split one key in two once the chart joins them.
    for (const k of ['k'.repeat(16), 'k'.repeat(256), 'A-z0.9_~+/=ABCDEF', 'k'.repeat(15), 'k'.repeat(257), `${'k'.repeat(16)},${'j'.repeat(16)}`, `${'k'.repeat(8)}#${'k'.repeat(8)}`]) {
      const hubAccepts = (() => {
        try {
          const keys = parseConfig({ NEXT_CHAT_API_KEYS: k }).apiKeys;
          return keys?.length === 1 && keys[0] === k; // read back as this one key
        } catch {
          return false;
        }
      })();
      expect(keyPattern.test(k), k).toBe(hubAccepts);
    }
    expect(schema.properties.api.properties.systemUser.pattern).toBe(USER_ID_RE.source);
  });
});

describe('webhooks', () => {
  it('webhooks.endpoints render as NEXT_CHAT_WEBHOOKS JSON that the hub parses, events left out meaning all', () => {
    const objs = render(SET);
    const { env } = hub(objs);
    expect(JSON.parse(env.NEXT_CHAT_WEBHOOKS)).toEqual([
      { name: 'crm', url: 'https://crm.example.com/hooks/next-chat', events: ['message.created', 'member.joined', 'member.left'] },
      { name: 'audit', url: 'http://audit.audit-ns.svc.cluster.local:8080/events' },
    ]);
    const config = parseConfig(env);
    expect(config.webhooks).toEqual([
      { name: 'crm', url: 'https://crm.example.com/hooks/next-chat', events: ['message.created', 'member.joined', 'member.left'] },
      { name: 'audit', url: 'http://audit.audit-ns.svc.cluster.local:8080/events', events: WEBHOOK_EVENT_TYPES },
    ]);
    expect(config).toMatchObject({ webhookSecret: 'w'.repeat(32), webhookRetrySeconds: 3600, webhookTimeoutMs: 3000, webhookPartitions: 8 });
  });

  it('the signing key: from webhooks.existingSecret, or webhooks.secret in a chart Secret; by secretKeyRef only', () => {
    const ext = render(SET);
    expect(envEntry(hub(ext).c, 'NEXT_CHAT_WEBHOOK_SECRET')).toEqual({
      name: 'NEXT_CHAT_WEBHOOK_SECRET',
      valueFrom: { secretKeyRef: { name: 'chat-webhooks', key: 'signing-key' } },
    });
    expect(ext.filter((o) => o.kind === 'Secret' && o.metadata.name === 'chat-next-chat-webhooks')).toEqual([]);
    const secret = 's'.repeat(40);
    const own = render([...SET, '--set', 'webhooks.existingSecret=', '--set', `webhooks.secret=${secret}`]);
    const { c, env } = hub(own);
    expect(envEntry(c, 'NEXT_CHAT_WEBHOOK_SECRET')!.valueFrom!.secretKeyRef).toEqual({ name: 'chat-next-chat-webhooks', key: 'webhook-secret' });
    expect(parseConfig(env).webhookSecret).toBe(secret);
    expect(JSON.stringify(own.filter((o) => o.kind !== 'Secret'))).not.toContain(secret);
  });

  it('off without endpoints: no webhook variables and no Secret, even with a secret given', () => {
    const objs = render(['--set', `webhooks.secret=${'s'.repeat(40)}`]);
    expect(Object.keys(hub(objs).env).filter((k) => k.startsWith('NEXT_CHAT_WEBHOOK'))).toEqual([]);
    expect(objs.filter((o) => o.metadata.name === 'chat-next-chat-webhooks')).toEqual([]);
  });

  it('refuses endpoints without a signing key, and a name used twice', () => {
    const one = JSON.stringify([{ name: 'crm', url: 'https://crm.example.com/h' }]);
    expect(() => render(['--set-json', `webhooks.endpoints=${one}`])).toThrow(/webhooks.endpoints needs webhooks.secret or webhooks.existingSecret/);
    const twice = JSON.stringify([
      { name: 'crm', url: 'https://a.example.com/h' },
      { name: 'crm', url: 'https://b.example.com/h' },
    ]);
    expect(() => render([...SET, '--set-json', `webhooks.endpoints=${twice}`])).toThrow(/the name "crm" is used twice/);
  });

  it('the schema refuses endpoints the hub would refuse', () => {
    const bad = [
      [{ url: 'https://a.example.com/h' }], // no name
      [{ name: 'crm' }], // no url
      [{ name: 'crm', url: 'ftp://a.example.com/h' }],
      [{ name: 'c r m', url: 'https://a.example.com/h' }],
      [{ name: 'crm', url: 'https://a.example.com/h', events: ['message.deleted'] }],
      [{ name: 'crm', url: 'https://a.example.com/h', events: [] }],
    ];
    for (const endpoints of bad) {
      expect(() => render([...SET, '--set-json', `webhooks.endpoints=${JSON.stringify(endpoints)}`]), JSON.stringify(endpoints)).toThrow(/webhooks\/endpoints/);
      expect(() => parseConfig({ NEXT_CHAT_WEBHOOKS: JSON.stringify(endpoints), NEXT_CHAT_WEBHOOK_SECRET: 'w'.repeat(32) }), JSON.stringify(endpoints)).toThrow(/NEXT_CHAT_WEBHOOKS/);
    }
    // A field the hub would silently ignore (a typo of `events`, a per-endpoint secret it has not) is refused too.
    const typo = JSON.stringify([{ name: 'crm', url: 'https://a.example.com/h', event: ['message.created'] }]);
    expect(() => render([...SET, '--set-json', `webhooks.endpoints=${typo}`])).toThrow(/webhooks\/endpoints/);
    expect(schema.properties.webhooks.properties.endpoints.items.properties.events.items.enum).toEqual([...WEBHOOK_EVENT_TYPES]);
    expect(() => render([...SET, '--set', 'webhooks.existingSecret=', '--set', 'webhooks.secret=short'])).toThrow(/webhooks\/secret/);
    expect(() => render([...SET, '--set', 'webhooks.partitions=0'])).toThrow(/webhooks\/partitions/);
  });
});

describe('moderation hook', () => {
  it('moderation.url sets the hook, its timeout and failure mode, which the hub parses', () => {
    const objs = render(SET);
    const { env } = hub(objs);
    expect(env).toMatchObject({
      NEXT_CHAT_MODERATION_URL: 'http://moderation.chat-ns.svc.cluster.local/check',
      NEXT_CHAT_MODERATION_TIMEOUT_MS: '300',
      NEXT_CHAT_MODERATION_FAILURE: 'closed',
    });
    expect(parseConfig(env)).toMatchObject({ moderationUrl: 'http://moderation.chat-ns.svc.cluster.local/check', moderationTimeoutMs: 300, moderationFailure: 'closed' });
  });

  it('no url, no hook variables; the schema refuses a bad url and failure mode', () => {
    expect(Object.keys(hub(render(['--set', 'moderation.failure=closed'])).env).filter((k) => k.startsWith('NEXT_CHAT_MODERATION'))).toEqual([]);
    expect(() => render(['--set', 'moderation.failure=maybe'])).toThrow(/moderation\/failure/);
    expect(() => render(['--set', 'moderation.url=moderation.local/check'])).toThrow(/moderation\/url/);
    expect(() => render(['--set', 'moderation.timeoutMs=5'])).toThrow(/moderation\/timeoutMs/);
  });
});

describe('NOTES.txt', () => {
  it('names the API Service, its port and the keys Secret when the API is on, and nothing of it otherwise', () => {
    const notes = renderNotes(SET);
    expect(notes).toContain('kubectl -n chat-ns port-forward service/chat-next-chat-api 8081:80');
    expect(notes).toContain("kubectl -n chat-ns get secret chat-next-chat-api-keys -o jsonpath='{.data.api-keys}'");
    expect(notes).toMatch(/never the hub Service or the Ingress/);
    expect(notes).toContain('Webhooks: 2 endpoint(s) (crm, audit)');
    expect(renderNotes()).not.toMatch(/chat-next-chat-api|HTTP API|Webhooks:|Moderation hook/);
  });
});

describe('helm/next-chat/README.md', () => {
  it('its API example makes a key the chart and the hub accept', () => {
    const readme = fs.readFileSync(path.join(CHART, 'README.md'), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith("KEY=$(node -e '"));
    expect(line, 'a KEY=$(node -e ...) line').toBeDefined();
    const key = execFileSync('sh', ['-c', `${line!}; printf %s "$KEY"`], { encoding: 'utf8' });
    expect(readme).toContain('--set api.enabled=true --set "api.keys={$KEY}"');
    const objs = render(['--set', 'api.enabled=true', '--set', `api.keys={${key}}`]);
    expect(parseConfig(hub(objs).env)).toMatchObject({ apiPort: 8081, apiKeys: [key] });
    expect(readme).toContain('kubectl -n chat port-forward service/chat-next-chat-api 8081:8081');
  });
});
