/**
 * The black-box suite (tests/auto), built, run as a child process against
 * real hub processes: one self-contained hub (trust and jwt auth), and a
 * three-hub cluster on real Redis + MariaDB (cross-instance checks for every
 * pair of hubs).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase, hubEnv, randomPrefix } from '../setup/engine-env.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { freePort } from '../setup/services.js';
import { startFakeK8s } from './fake-k8s.js';
import { failures, LENIENT, runSuite } from './run-suite.js';

/** The read-state, me.conversations and edit/delete checks (PROTOCOL.md §11-§12). */
const READ_EDIT_CHECKS = ['read-state', 'read-direct', 'conversations', 'paged-conversations', 'message-edit', 'message-delete', 'updated-order', 'edit-resume'];

describe('black-box suite against one embedded hub', () => {
  let hub: HubProcess;
  beforeAll(async () => {
    hub = await startHub();
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('passes every check (cross-instance skipped with one URL)', { timeout: 240_000 }, async () => {
    const run = await runSuite(['--url', hub.url, ...LENIENT]);
    expect(failures(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.lastLine).toMatch(/^\d+ passed, 0 failed$/);
    const byName = new Map(run.outcomes.map((o) => [o.check, o]));
    for (const name of ['healthz', 'readyz', 'send-receive', 'other-user', 'many-in-order', 'history-after-join', 'since-recovery', 'dedupe', 'parse-error', 'invalid-request', 'invalid-params', 'private-room', 'invitations', 'roles', 'kick', 'ban', 'room-delete', 'direct-open', 'direct-block', 'typing', ...READ_EDIT_CHECKS, 'load']) {
      expect(byName.get(name)?.status, name).toBe('pass');
    }
    expect(byName.get('cross-pairs')?.status).toBe('skip');
    for (const name of ['cross-read', 'cross-edit']) expect(byName.get(name)?.status, name).toBe('skip');
    const load = byName.get('load')!;
    expect(load.metrics?.lost).toBe(0);
    expect(load.metrics?.sent).toBeGreaterThan(0);
  });

  it('fails with exit 1 and says why when a threshold is not met', { timeout: 120_000 }, async () => {
    const run = await runSuite(['--url', hub.url, '--only', 'load', '--load-rate', '20', '--load-seconds', '1', '--max-mean-latency-ms', '0']);
    expect(run.code).toBe(1);
    expect(run.lastLine).toBe('0 passed, 1 failed');
    expect(failures(run)[0]).toMatch(/mean latency .* is over the limit of 0 ms/);
  });

  it('exits 2 on bad usage, still ending with the summary line', { timeout: 60_000 }, async () => {
    const run = await runSuite(['--url', hub.url, '--only', 'no-such-check']);
    expect(run.code).toBe(2);
    expect(run.lastLine).toBe('0 passed, 0 failed');
    expect(run.stderr).toMatch(/unknown check or group 'no-such-check'/);
  });

  it('fails, not hangs, when nothing listens', { timeout: 60_000 }, async () => {
    const run = await runSuite(['--url', 'ws://127.0.0.1:1/next-chat', '--only', 'healthz,send-receive', '--timeout-ms', '2000']);
    expect(run.code).toBe(1);
    expect(run.lastLine).toBe('0 passed, 2 failed');
  });
});

describe('black-box suite against a jwt hub', () => {
  const secret = 'auto-suite-secret-0123456789abcdef0123456789';
  let hub: HubProcess;
  beforeAll(async () => {
    hub = await startHub({ NEXT_CHAT_AUTH_MODE: 'jwt', NEXT_CHAT_JWT_SECRET: secret });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('passes with tokens minted from the secret (taken from NEXT_CHAT_JWT_SECRET like the test pod)', { timeout: 180_000 }, async () => {
    const run = await runSuite(['--url', hub.url, '--skip', 'load,many-in-order', '--timeout-ms', '20000'], { NEXT_CHAT_JWT_SECRET: secret });
    expect(failures(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outcomes.find((o) => o.check === 'auth-bad')?.detail).toMatch(/forged, expired and malformed/);
  });

  it('fails when its tokens are signed with another secret', { timeout: 60_000 }, async () => {
    const run = await runSuite(['--url', hub.url, '--only', 'send-receive', '--timeout-ms', '5000', '--jwt-secret', 'not-the-hub-secret']);
    expect(run.code).toBe(1);
    expect(failures(run)[0]).toMatch(/401/);
  });
});

describe('black-box suite against a three-hub cluster on Redis + MariaDB', () => {
  // Three "pods": hubs on 127.0.0.1, .2 and .3, all on the same port, like pod IPs behind one containerPort.
  const IPS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
  const hubs: HubProcess[] = [];
  let port = 0;
  const urls = () => IPS.map((ip) => `ws://${ip}:${port}/next-chat`);

  beforeAll(async () => {
    const mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
    const prefix = randomPrefix();
    for (let attempt = 0; attempt < 3 && hubs.length < IPS.length; attempt++) {
      await Promise.all(hubs.splice(0).map((h) => h.stop()));
      port = await freePort();
      try {
        for (let i = 0; i < IPS.length; i++) {
          // The hub's default per-connection rate limit (50/s), as deployed: the suite must live with it.
          const env = hubEnv({ redisUrl: inject('redisUrl'), mysqlUrl, prefix, instanceId: `auto-${i}`, extra: { NEXT_CHAT_RATE_LIMIT: '50' } });
          hubs.push(await startHub({ ...env, NEXT_CHAT_HOST: IPS[i], NEXT_CHAT_PORT: String(port) }));
        }
      } catch (e) {
        if (attempt === 2) throw e; // the port was taken on one of the addresses: try another
      }
    }
  }, 180_000);
  afterAll(async () => {
    await Promise.all(hubs.map((h) => h.stop()));
  });

  it('passes every check, delivery proven for all 6 ordered pairs of hubs', { timeout: 300_000 }, async () => {
    const run = await runSuite([...urls().flatMap((u) => ['--url', u]), ...LENIENT]);
    expect(failures(run)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.lastLine).toMatch(/^\d+ passed, 0 failed$/);
    const byName = new Map(run.outcomes.map((o) => [o.check, o]));
    expect(byName.get('cross-pairs')?.status).toBe('pass');
    expect(byName.get('cross-pairs')?.detail).toMatch(/^6 ordered pairs over 3 instances/);
    expect(byName.get('cross-order')?.status).toBe('pass');
    for (const name of ['cross-kick', 'cross-invite', 'cross-typing', 'cross-read', 'cross-edit']) expect(byName.get(name)?.detail, name).toMatch(/^6 ordered pairs over 3 instances/);
    // Read state and edits with the users' connections spread over the three hubs.
    for (const name of READ_EDIT_CHECKS) expect(byName.get(name)?.status, name).toBe('pass');
    expect(byName.get('load')?.metrics?.lost).toBe(0);
    expect(run.outcomes.filter((o) => o.status === 'skip')).toEqual([]);
  });

  it('--k8s: finds the hub pods through the Kubernetes API and checks every pair directly', { timeout: 240_000 }, async () => {
    const selector = 'app.kubernetes.io/instance=auto,app.kubernetes.io/name=next-chat,app.kubernetes.io/component=hub';
    const k8s = await startFakeK8s('chat', selector, IPS.map((ip, i) => ({ name: `auto-next-chat-hub-${i}`, ip })));
    try {
      const run = await runSuite(['--only', 'health,cross,send-receive', '--timeout-ms', '20000'], {
        KUBECONFIG: k8s.kubeconfig,
        NEXT_CHAT_AUTO_K8S: 'true',
        NEXT_CHAT_AUTO_NAMESPACE: 'chat',
        NEXT_CHAT_AUTO_SELECTOR: selector,
        NEXT_CHAT_AUTO_PORT: String(port),
        NEXT_CHAT_AUTO_PATH: '/next-chat',
      });
      expect(failures(run)).toEqual([]);
      expect(run.code).toBe(0);
      const byName = new Map(run.outcomes.map((o) => [o.check, o]));
      expect(byName.get('k8s-discovery')?.detail).toMatch(/^3 hub pod\(s\) in chat/);
      expect(byName.get('cross-pairs')?.detail).toMatch(/^6 ordered pairs over 3 instances/);
      expect(k8s.requests.every((r) => r.startsWith('GET /api/v1/namespaces/chat/pods?'))).toBe(true);
    } finally {
      await k8s.close();
    }
  });

  it('--k8s: fails when a hub pod is not ready, or none matches', { timeout: 120_000 }, async () => {
    const selector = 'app.kubernetes.io/name=next-chat,app.kubernetes.io/component=hub';
    const k8s = await startFakeK8s('chat', selector, [
      { name: 'hub-0', ip: IPS[0] },
      { name: 'hub-1', ip: IPS[1], ready: false },
    ]);
    try {
      const env = { KUBECONFIG: k8s.kubeconfig, NEXT_CHAT_AUTO_PORT: String(port) };
      const run = await runSuite(['--k8s', '--namespace', 'chat', '--only', 'healthz'], env);
      expect(run.code).toBe(1);
      expect(failures(run)).toEqual([expect.stringMatching(/^k8s\/k8s-discovery: pod hub-1 .* not Ready/)]);
      const none = await runSuite(['--k8s', '--namespace', 'chat', '--selector', 'app=nothing', '--only', 'healthz'], env);
      expect(none.code).toBe(1);
      expect(none.lastLine).toBe('0 passed, 1 failed');
      expect(failures(none)[0]).toMatch(/k8s-discovery: listing pods .*403|no running hub pod/);
    } finally {
      await k8s.close();
    }
  });
});
