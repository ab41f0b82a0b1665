/**
 * Redis stopped with SIGSTOP (sockets open, no answers) and continued: no hub
 * crashes, requests meanwhile fail with 4503 or succeed late, /readyz follows,
 * and everything works afterwards (a retry with the same clientMessageId
 * never duplicates).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, type Frame } from '../setup/ws-client.js';
import { startRedis, type ServiceHandle } from '../setup/services.js';
import { eventually, hubEnv, randomPrefix } from '../setup/engine-env.js';

let redisSvc: ServiceHandle;
const hubs: HubProcess[] = [];
const clients: TestClient[] = [];

async function readyz(h: HubProcess): Promise<number> {
  const r = await fetch(`${h.httpUrl}/readyz`, { signal: AbortSignal.timeout(5000) });
  return r.status;
}

beforeAll(async () => {
  redisSvc = await startRedis();
  const prefix = randomPrefix();
  for (let i = 0; i < 3; i++) hubs.push(await startHub(hubEnv({ redisUrl: redisSvc.url, prefix, instanceId: `${prefix}-hub${i}` })));
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.close();
  redisSvc?.resume();
  await Promise.all(hubs.map((h) => h.kill9()));
  await redisSvc?.dispose();
});

it('survives a paused Redis: 4503 or late success, then everything works', async () => {
  const g = uid('pause');
  const a = await TestClient.connect(hubs[0].url, uid('a'));
  const b = await TestClient.connect(hubs[1].url, uid('b'));
  clients.push(a, b);
  await a.call('group.create', { groupId: g });
  await a.call('group.join', { groupId: g });
  await b.call('group.join', { groupId: g });
  await a.call('message.send', { groupId: g, text: 'before', clientMessageId: 'before' });
  await b.waitForMessages(g, 1);
  for (const h of hubs) expect(await readyz(h)).toBe(200);

  redisSvc.pause();
  try {
    const during: Promise<Frame>[] = [];
    for (let i = 0; i < 6; i++) during.push(a.request('message.send', { groupId: g, text: `during ${i}`, clientMessageId: `d${i}` }));
    during.push(b.request('group.members', { groupId: g }));
    const replies = await Promise.all(during);
    for (const f of replies) {
      if (f.error) {
        expect(f.error.code, JSON.stringify(f.error) + hubs.map((h) => h.logs.slice(-15).join("\n")).join("\n")).toBe(4503);
        expect(f.error.data?.reason).toBe('unavailable');
        expect(typeof f.error.data?.retryAfterMs).toBe('number');
      }
    }
    await eventually(async () => (await readyz(hubs[2])) === 503, 15_000, '/readyz 503 while Redis is paused');
    const c = await TestClient.connect(hubs[2].url, uid('c'));
    clients.push(c);
    const joinWhilePaused = await c.request('group.join', { groupId: g });
    expect(joinWhilePaused.error?.code ?? 0).toBe(4503);
  } finally {
    redisSvc.resume();
  }

  for (const h of hubs) {
    await eventually(async () => (await readyz(h)) === 200, 20_000, '/readyz 200 after Redis continued');
    expect(h.proc.exitCode).toBeNull();
  }
  // Retries with the same clientMessageId: each text ends up exactly once.
  for (let i = 0; i < 6; i++) {
    const r = await a.call<{ message: Message }>('message.send', { groupId: g, text: `during ${i}`, clientMessageId: `d${i}` });
    expect(r.message.text).toBe(`during ${i}`);
  }
  await a.call('message.send', { groupId: g, text: 'after', clientMessageId: 'after' });
  const seen = await b.waitForMessages(g, 8, 20_000);
  expect(seen.map((m) => m.text)).toEqual(['before', ...Array.from({ length: 6 }, (_, i) => `during ${i}`), 'after']);
  // A fresh subscriber on the third hub gets live messages too.
  const d = await TestClient.connect(hubs[2].url, uid('d'));
  clients.push(d);
  const j = await d.call<{ history: Message[] }>('group.join', { groupId: g });
  expect(j.history.map((m) => m.text)).toEqual(seen.map((m) => m.text));
  await a.call('message.send', { groupId: g, text: 'last' });
  expect((await d.waitForMessages(g, 1)).map((m) => m.text)).toEqual(['last']);
}, 90_000);

it('reconnects after Redis is restarted under running hubs', async () => {
  const g = uid('redis-restart');
  const a = await TestClient.connect(hubs[0].url, uid('a'));
  const b = await TestClient.connect(hubs[2].url, uid('b'));
  clients.push(a, b);
  await a.call('group.create', { groupId: g });
  await a.call('group.join', { groupId: g });
  await b.call('group.join', { groupId: g });
  await a.call('message.send', { groupId: g, text: 'one' });
  await b.waitForMessages(g, 1);
  await redisSvc.stop();
  await eventually(async () => (await readyz(hubs[0])) === 503, 15_000, '/readyz 503 while Redis is down');
  const refused = await a.request('message.send', { groupId: g, text: 'lost?' });
  expect(refused.error?.code).toBe(4503);
  await redisSvc.restart();
  for (const h of hubs) await eventually(async () => (await readyz(h)) === 200, 20_000, '/readyz 200 after the restart');
  // Groups, members and the stream came back from the append-only file; live delivery resumes.
  await a.call('message.send', { groupId: g, text: 'two' });
  const seen = await b.waitForMessages(g, 2, 20_000);
  expect(seen.map((m) => m.text)).toEqual(['one', 'two']);
  for (const h of hubs) expect(h.proc.exitCode).toBeNull();
  // The outage is in the log: one error line when Redis went, one when it came back.
  const records = hubs[0]!.logs.filter((l) => l.includes('"backend":"redis"')).map((l) => JSON.parse(l) as { level: string; msg: string });
  expect(records.some((r) => r.level === 'error' && /redis unreachable/.test(r.msg))).toBe(true);
  expect(records.some((r) => r.level === 'warn' && /redis reachable again/.test(r.msg))).toBe(true);
}, 90_000);
