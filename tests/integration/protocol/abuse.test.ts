/**
 * A hostile client's probes (docs/security.md): floods of garbage frames in
 * one write and steady, many connections of one user, non-reading clients,
 * creation floods, pipelined joins, oversized headers. Each runs through a
 * real hub process, on the embedded engine (project integration) and on
 * Redis + MariaDB (project protocol-redis). No latency is asserted here
 * (`npm run bench` prints those): what is checked is who gets answered, who
 * gets refused or closed, and that nothing is lost for anyone else.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { maskedTextFrame, rawConnect } from '../setup/raw-socket.js';
import { TestClient, uid } from '../setup/ws-client.js';

const hubs: HubProcess[] = [];
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
});
async function hub(env: Record<string, string> = {}) {
  const h = await startHub(env);
  hubs.push(h);
  return h;
}

async function metrics(h: HubProcess): Promise<string> {
  return (await fetch(`${h.httpUrl}/metrics`)).text();
}

function metric(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `n` sequential requests of a bystander; every one must be answered. */
async function bystanderRounds(c: TestClient, n: number): Promise<void> {
  for (let i = 0; i < n; i++) expect((await c.call('group.list', { limit: 1 })).groups).toBeDefined();
}

function garbage(frames: number): Buffer {
  const one = maskedTextFrame('x');
  return Buffer.concat(Array.from({ length: frames }, () => one));
}

describe('floods of frames', () => {
  it('300,000 one-byte non-JSON frames in one write: the flooder is limited, then closed with 1008; a bystander is answered throughout', async () => {
    const h = await hub({ NEXT_CHAT_RATE_LIMIT: '50' });
    const bystander = await TestClient.connect(h.url, 'bystander');
    const flooder = await rawConnect(h.port, 'flooder');
    flooder.socket.write(garbage(300_000));
    await bystanderRounds(bystander, 20);
    expect(await flooder.closed).toBe(1008);
    const answers = flooder.texts.map((t) => JSON.parse(t) as { error: { code: number } });
    // The burst is answered with -32700; the refusals after it with 4029 until the meter overflows
    // (10 s of the rate: 500 refusals). Not 300,000 answers.
    expect(answers.length).toBeLessThan(1000);
    const parseErrors = answers.filter((a) => a.error.code === -32700).length;
    expect(parseErrors).toBeGreaterThan(50);
    expect(parseErrors).toBeLessThanOrEqual(150);
    expect(answers.filter((a) => a.error.code === 4029).length).toBeGreaterThan(300);
    const m = await metrics(h);
    expect(metric(m, 'nextchat_limited_total', 'limit="flood"')).toBe(1);
    expect(metric(m, 'nextchat_connection_closes_total', 'code="1008",reason="flood"')).toBe(1);
    expect(m).toMatch(/nextchat_limited_total\{limit="rate"\} \d+/);
    // Logged, once.
    const lines = h.logs.filter((l) => l.includes('"kind":"closed:flood"'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', user: 'flooder' });
    await bystanderRounds(bystander, 5);
    expect(bystander.closeInfo).toBeUndefined();
    bystander.close();
  });

  it('with the rate limit off, a connection that packs 100,000 frames into one write is served a few frames per turn: a bystander is answered before the flood is worked through, and every frame is answered', async () => {
    const h = await hub({ NEXT_CHAT_RATE_LIMIT: '0' });
    const bystander = await TestClient.connect(h.url, 'bystander');
    const flooder = await rawConnect(h.port, 'flooder');
    const frames = 100_000;
    flooder.socket.write(garbage(frames));
    await sleep(20);
    await bystanderRounds(bystander, 3);
    // Answered while the flooder still waits for most of its answers: the
    // hub did not work through the whole write before looking at anyone else.
    expect(flooder.texts.length).toBeLessThan(frames / 2);
    for (let i = 0; i < 600 && flooder.texts.length < frames; i++) await sleep(50);
    expect(flooder.texts.length).toBe(frames);
    expect(flooder.closeCode).toBeUndefined();
    flooder.socket.destroy();
    bystander.close();
  });

  it('four connections of one user sending garbage steadily are refused and closed; the user budget is shared', async () => {
    const h = await hub();
    const bystander = await TestClient.connect(h.url, 'bystander');
    const sockets = await Promise.all(Array.from({ length: 4 }, () => rawConnect(h.port, 'noisy')));
    const deadline = Date.now() + 10_000;
    while (sockets.some((s) => s.closeCode === undefined) && Date.now() < deadline) {
      for (const s of sockets) if (s.closeCode === undefined && s.socket.writableLength < 1 << 20) s.socket.write(garbage(2000));
      await sleep(10);
    }
    expect(sockets.map((s) => s.closeCode)).toEqual([1008, 1008, 1008, 1008]);
    const answers = sockets.flatMap((s) => s.texts.map((t) => JSON.parse(t) as { error: { code: number; data: { limit?: string } } }));
    // 4 x 100 from the connection buckets, but the user's bucket holds 200: the rest is refused as user_rate.
    expect(answers.filter((a) => a.error.code === -32700).length).toBeLessThanOrEqual(250);
    expect(answers.some((a) => a.error.code === 4029 && a.error.data.limit === 'user_rate')).toBe(true);
    await bystanderRounds(bystander, 5);
    bystander.close();
  });

  it('binary frames count like any other', async () => {
    const h = await hub({ NEXT_CHAT_RATE_LIMIT: '5' });
    const c = await TestClient.connect(h.url, 'binary');
    for (let i = 0; i < 30; i++) c.sendRaw(Buffer.from([1, 2, 3]), true);
    const f = await c.waitFor((fr) => fr.error?.code === 4029);
    expect(f.error).toMatchObject({ data: { limit: 'rate' } });
    c.close();
  });
});

describe('many connections of one user', () => {
  it('six connections each pipelining 100 sends of 4,000 emoji: the user is limited as a whole, and a reading member stays connected and gets every accepted message', async () => {
    const h = await hub();
    const owner = await TestClient.connect(h.url, 'burst-owner');
    const g = uid('burst');
    await owner.call('group.create', { groupId: g });
    await owner.call('group.join', { groupId: g });
    const reader = await TestClient.connect(h.url, 'burst-reader');
    await reader.call('group.join', { groupId: g });
    const senders = await Promise.all(Array.from({ length: 6 }, () => TestClient.connect(h.url, 'burst-sender')));
    for (const s of senders) await s.call('group.join', { groupId: g });
    const text = '😀'.repeat(4000);
    const results = (await Promise.all(senders.flatMap((s) => Array.from({ length: 100 }, () => s.request('message.send', { groupId: g, text })))));
    const accepted = results.filter((r) => r.result).length;
    const refused = results.filter((r) => r.error);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.error).toMatchObject({ code: 4029, data: { limit: expect.stringMatching(/^(rate|user_rate)$/) } });
    // The user's bucket holds twice the per-user rate (200), plus what refills meanwhile.
    expect(accepted).toBeLessThan(400);
    expect(await reader.waitForMessages(g, accepted, 30_000)).toHaveLength(accepted);
    expect(reader.closeInfo).toBeUndefined();
    expect(owner.closeInfo).toBeUndefined();
    for (const s of senders) expect(s.closeInfo).toBeUndefined();
    for (const c of [owner, reader, ...senders]) c.close();
  });

  it('the per-user rate is shared by the connections of a user; another user has their own', async () => {
    const h = await hub({ NEXT_CHAT_RATE_LIMIT: '50', NEXT_CHAT_USER_RATE_LIMIT: '5' });
    const a = await TestClient.connect(h.url, 'shared');
    const b = await TestClient.connect(h.url, 'shared');
    const results = await Promise.all([a, b].flatMap((c) => Array.from({ length: 10 }, () => c.request('group.list', { limit: 1 }))));
    expect(results.filter((r) => r.result)).toHaveLength(10);
    const refused = results.filter((r) => r.error);
    expect(refused).toHaveLength(10);
    for (const r of refused) expect(r.error).toMatchObject({ code: 4029, data: { limit: 'user_rate', retryAfterMs: expect.any(Number) } });
    const other = await TestClient.connect(h.url, 'someone-else');
    expect((await other.request('group.list', { limit: 1 })).result).toBeDefined();
    for (const c of [a, b, other]) c.close();
  });
});

describe('reading only as fast as the hub answers', () => {
  it('a client that pipelines requests and stops reading is not read from; nothing is lost once it reads again', async () => {
    const h = await hub({ NEXT_CHAT_RATE_LIMIT: '0', NEXT_CHAT_MAX_BUFFERED_BYTES: '65536', NEXT_CHAT_SLOW_CONSUMER_MS: '60000' });
    const c = await TestClient.connect(h.url, 'hoarder');
    const g = uid('hoard');
    await c.call('group.create', { groupId: g });
    await c.call('group.join', { groupId: g });
    const text = 'h'.repeat(1000);
    for (let i = 0; i < 50; i++) await c.call('message.send', { groupId: g, text });
    // Every answer is ~50 KB: 2,000 of them would be 100 MB in the hub's memory.
    const socket = (c.ws as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    const n = 2000;
    const pending = Array.from({ length: n }, () => c.request('message.history', { groupId: g, limit: 50 }));
    await sleep(1500);
    const handled = metric(await metrics(h), 'nextchat_requests_total', 'method="message.history",outcome="ok"');
    // What the kernel's socket buffers hold, and no more.
    expect(handled).toBeLessThan(n / 2);
    socket.resume();
    const answers = await Promise.all(pending);
    expect(answers.filter((f) => f.result)).toHaveLength(n);
    expect(c.closeInfo).toBeUndefined();
    c.close();
  });

  it('a consumer that stops reading is closed with 1008 once its buffer has not drained for NEXT_CHAT_SLOW_CONSUMER_MS, and logged', async () => {
    const h = await hub({ NEXT_CHAT_RATE_LIMIT: '0', NEXT_CHAT_MAX_BUFFERED_BYTES: '65536', NEXT_CHAT_SLOW_CONSUMER_MS: '800' });
    const sender = await TestClient.connect(h.url, 'steady');
    const g = uid('stuck');
    await sender.call('group.create', { groupId: g });
    await sender.call('group.join', { groupId: g });
    const stuck = new WebSocket(h.url, { headers: { Authorization: 'stuck' } });
    await new Promise((r) => stuck.once('open', r));
    stuck.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'group.join', params: { groupId: g } }));
    await new Promise((r) => stuck.once('message', r));
    (stuck as unknown as { _socket: net.Socket })._socket.pause();
    const text = 's'.repeat(3900);
    const closed = /nextchat_connection_closes_total\{code="1008",reason="slow_consumer"\} 1/;
    let m = '';
    // Kernel socket buffers absorb a few MB before the hub's own buffer stays full; bounded in time.
    const deadline = Date.now() + 20_000;
    for (let i = 0; !closed.test(m) && Date.now() < deadline; i++) {
      await sender.call('message.send', { groupId: g, text });
      if (i % 100 === 99) m = await metrics(h);
    }
    expect(m).toMatch(closed);
    expect(h.logs.some((l) => l.includes('"kind":"closed:slow_consumer"') && l.includes('"level":"warn"'))).toBe(true);
    expect(sender.closeInfo).toBeUndefined();
    stuck.terminate();
    sender.close();
  });
});

describe('creation quota', () => {
  it('group.create is limited per user per window (4029, data.limit group_create); others are not affected', async () => {
    const h = await hub({ NEXT_CHAT_GROUP_CREATE_LIMIT: '5', NEXT_CHAT_GROUP_CREATE_WINDOW_SECONDS: '3600', NEXT_CHAT_RATE_LIMIT: '0' });
    const creator = uid('creator');
    const c = await TestClient.connect(h.url, creator);
    const results = await Promise.all(Array.from({ length: 8 }, () => c.request('group.create', { groupId: uid('q') })));
    expect(results.filter((r) => r.result)).toHaveLength(5);
    const refused = results.filter((r) => r.error);
    expect(refused).toHaveLength(3);
    for (const r of refused) {
      expect(r.error).toMatchObject({ code: 4029, data: { reason: 'rate_limited', limit: 'group_create', quota: 'window', max: 5 } });
      expect(r.error!.data!.retryAfterMs!).toBeGreaterThan(3_000_000);
    }
    // Still refused on a new connection: the quota is the user's.
    const again = await TestClient.connect(h.url, creator);
    expect((await again.request('group.create', { groupId: uid('q') })).error).toMatchObject({ code: 4029, data: { limit: 'group_create' } });
    again.close();
    const other = await TestClient.connect(h.url, uid('other'));
    expect((await other.request('group.create', { groupId: uid('q') })).result).toBeDefined();
    const m = await metrics(h);
    expect(metric(m, 'nextchat_limited_total', 'limit="group_create"')).toBe(4);
    c.close();
    other.close();
  });

  it('the quota is per user across connections, and NEXT_CHAT_MAX_GROUPS_PER_USER caps the total', async () => {
    const h = await hub({ NEXT_CHAT_MAX_GROUPS_PER_USER: '3', NEXT_CHAT_RATE_LIMIT: '0' });
    const user = uid('owner');
    const a = await TestClient.connect(h.url, user);
    await a.call('group.create', { groupId: uid('t') });
    await a.call('group.create', { groupId: uid('t') });
    a.close();
    const b = await TestClient.connect(h.url, user);
    await b.call('group.create', { groupId: uid('t') });
    const refused = await b.request('group.create', { groupId: uid('t') });
    expect(refused.error).toMatchObject({ code: 4029, data: { limit: 'group_create', quota: 'total', max: 3 } });
    expect(refused.error!.message).toMatch(/operator/);
    b.close();
  });
});

describe('groups per connection', () => {
  it('pipelined joins count while in flight: exactly the limit succeed', async () => {
    const h = await hub({ NEXT_CHAT_MAX_GROUPS_PER_CONNECTION: '5', NEXT_CHAT_RATE_LIMIT: '0', NEXT_CHAT_GROUP_CREATE_LIMIT: '0' });
    const c = await TestClient.connect(h.url, 'joiner');
    const ids = Array.from({ length: 12 }, () => uid('pj'));
    for (const id of ids) await c.call('group.create', { groupId: id });
    const results = await Promise.all(ids.map((groupId) => c.request('group.join', { groupId })));
    expect(results.filter((r) => r.result)).toHaveLength(5);
    for (const r of results.filter((x) => x.error)) expect(r.error).toMatchObject({ code: 4029, data: { limit: 'groups_per_connection' } });
    // A pipelined re-join of a joined group is not a new group.
    const joined = ids.filter((_, i) => results[i]!.result);
    const again = await Promise.all(joined.map((groupId) => c.request('group.join', { groupId })));
    expect(again.every((r) => r.result)).toBe(true);
    c.close();
  });
});

describe('HTTP edges', () => {
  it('a 100 KB token gets 431 with a JSON body, not a reset', async () => {
    const h = await hub();
    const reply = await new Promise<string>((resolve, reject) => {
      const s = net.connect(h.port, '127.0.0.1', () => {
        s.write(`GET /next-chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${Buffer.alloc(16).toString('base64')}\r\nAuthorization: ${'t'.repeat(100_000)}\r\n\r\n`);
      });
      let got = '';
      s.setEncoding('utf8');
      s.on('data', (d: string) => (got += d));
      s.on('end', () => resolve(got));
      s.on('error', (e) => reject(e));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { error: string; message: string };
    expect(body).toMatchObject({ error: 'headers_too_large' });
  });

  it('HEAD /healthz and /readyz answer like GET', async () => {
    const h = await hub();
    expect((await fetch(`${h.httpUrl}/healthz`, { method: 'HEAD' })).status).toBe(200);
    // On Redis the hub turns ready once its reader is subscribed, moments after it listens.
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = (await fetch(`${h.httpUrl}/readyz`, { method: 'HEAD' })).status;
      if (ready !== 200) await sleep(50);
    }
    expect(ready).toBe(200);
    expect((await fetch(`${h.httpUrl}/nowhere`, { method: 'HEAD' })).status).toBe(404);
  });

  it('NEXT_CHAT_METRICS_PORT serves /metrics there and no longer on the public port', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const h = await hub({ NEXT_CHAT_METRICS_PORT: String(port) });
    expect((await fetch(`${h.httpUrl}/metrics`)).status).toBe(404);
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/nextchat_connections /);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
  });
});
