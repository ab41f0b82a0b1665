import { afterAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, upgradeRefusal } from '../setup/ws-client.js';

const hubs: HubProcess[] = [];
afterAll(async () => {
  await Promise.all(hubs.map((h) => h.stop()));
});
async function hub(env: Record<string, string> = {}) {
  const h = await startHub(env);
  hubs.push(h);
  return h;
}

describe('capacity', () => {
  it('many concurrent joins respect the capacity exactly; re-joins of members still work', async () => {
    const h = await hub({ NEXT_CHAT_MAX_GROUP_MEMBERS: '7', NEXT_CHAT_RATE_LIMIT: '0' });
    const owner = await TestClient.connect(h.url, 'cap-owner');
    const id = uid('cap');
    await owner.call('group.create', { groupId: id });
    const clients = await Promise.all(Array.from({ length: 30 }, (_, i) => TestClient.connect(h.url, `cap${i}`)));
    const results = await Promise.all(clients.map((c) => c.request('group.join', { groupId: id })));
    const ok = results.filter((r) => r.result);
    const full = results.filter((r) => r.error);
    expect(ok).toHaveLength(7);
    expect(full).toHaveLength(23);
    for (const f of full) expect(f.error).toMatchObject({ code: 4010, data: { reason: 'group_full' } });
    const winner = clients[results.indexOf(ok[0]!)]!;
    expect((await winner.request('group.join', { groupId: id })).result).toBeDefined();
    const members = await winner.call('group.members', { groupId: id });
    expect(members.members).toHaveLength(7);
    for (const c of clients) c.close();
    owner.close();
  });
});

describe('rate limit', () => {
  it('refuses with 4029 and retryAfterMs when over the limit; works again after waiting', async () => {
    const h = await hub({ NEXT_CHAT_RATE_LIMIT: '5' });
    const c = await TestClient.connect(h.url, 'spammer');
    const results = await Promise.all(Array.from({ length: 30 }, () => c.request('group.list', { limit: 1 })));
    const limited = results.filter((r) => r.error);
    expect(results.filter((r) => r.result).length).toBeGreaterThanOrEqual(10);
    expect(limited.length).toBeGreaterThan(0);
    const e = limited[0]!.error!;
    expect(e).toMatchObject({ code: 4029, data: { reason: 'rate_limited', limit: 'rate', retryAfterMs: expect.any(Number) } });
    expect(e.data!.retryAfterMs!).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, e.data!.retryAfterMs!));
    expect((await c.request('group.list', { limit: 1 })).result).toBeDefined();
    // Another connection has its own budget.
    const other = await TestClient.connect(h.url, 'spammer');
    expect((await other.request('group.list', { limit: 1 })).result).toBeDefined();
    c.close();
    other.close();
  });
});

describe('connection limits', () => {
  it('drops a connection that stops answering pings', async () => {
    const h = await hub({ NEXT_CHAT_PING_INTERVAL_MS: '150' });
    const WebSocket = (await import('ws')).default;
    const ws = new WebSocket(h.url, { headers: { Authorization: 'mute' }, autoPong: false });
    const code = await new Promise<number>((resolve) => ws.once('close', (c) => resolve(c)));
    expect(code).toBe(1006);
  });

  it('keeps a connection that answers pings', async () => {
    const h = await hub({ NEXT_CHAT_PING_INTERVAL_MS: '100' });
    const c = await TestClient.connect(h.url, 'chatty');
    await new Promise((r) => setTimeout(r, 600));
    expect(c.closeInfo).toBeUndefined();
    c.close();
  });

  it('drops an upgrade that does not finish within the handshake timeout, and counts it', async () => {
    const h = await hub({ NEXT_CHAT_HANDSHAKE_TIMEOUT_MS: '300' });
    const net = await import('node:net');
    const socket = net.connect(h.port, '127.0.0.1', () => socket.write('GET /next-chat HTTP/1.1\r\nHost: x\r\n'));
    socket.on('error', () => undefined);
    const started = Date.now();
    await new Promise((resolve) => socket.once('close', resolve));
    // The timeout is the behaviour under test: Node's default would hold the socket for 30 s or more.
    expect(Date.now() - started).toBeLessThan(5000);
    const metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/nextchat_limited_total\{limit="handshake_timeout"\} 1/);
  });

  it('refuses connections over the per-user limit with HTTP 429', async () => {
    const h = await hub({ NEXT_CHAT_MAX_CONNECTIONS_PER_USER: '2' });
    const a = await TestClient.connect(h.url, 'limited');
    const b = await TestClient.connect(h.url, 'limited');
    await expect(TestClient.connect(h.url, 'limited')).rejects.toThrow('HTTP 429');
    a.close();
    await a.closed;
    const c = await TestClient.connect(h.url, 'limited');
    b.close();
    c.close();
  });

  it('does not mistake a burst for a slow consumer: a reading client gets every message', async () => {
    const h = await hub({ NEXT_CHAT_MAX_BUFFERED_BYTES: '16384', NEXT_CHAT_RATE_LIMIT: '0' });
    const sender = await TestClient.connect(h.url, 'burster');
    const id = uid('burst');
    await sender.call('group.create', { groupId: id });
    await sender.call('group.join', { groupId: id });
    const reader = await TestClient.connect(h.url, 'reader');
    await reader.call('group.join', { groupId: id });
    const text = 'y'.repeat(3900);
    // 100 pipelined sends: many land in one turn, far over 16 KiB together.
    await Promise.all(Array.from({ length: 100 }, () => sender.call('message.send', { groupId: id, text })));
    expect(await reader.waitForMessages(id, 100)).toHaveLength(100);
    expect(reader.closeInfo).toBeUndefined();
    sender.close();
    reader.close();
  });
  // A consumer that stops reading is closed: abuse.test.ts, "reading only as fast as the hub answers".
});

describe('groups per connection', () => {
  it('refuses joins past the limit with 4029 naming the limit; re-joins and other connections still work', async () => {
    const h = await hub({ NEXT_CHAT_MAX_GROUPS_PER_CONNECTION: '3', NEXT_CHAT_RATE_LIMIT: '0' });
    const c = await TestClient.connect(h.url, 'collector');
    const ids = [uid('a'), uid('b'), uid('c'), uid('d')];
    for (const id of ids) await c.call('group.create', { groupId: id });
    for (const id of ids.slice(0, 3)) await c.call('group.join', { groupId: id });
    const refused = await c.request('group.join', { groupId: ids[3] });
    expect(refused.error).toMatchObject({ code: 4029, data: { reason: 'rate_limited', limit: 'groups_per_connection', retryAfterMs: expect.any(Number) } });
    expect((await c.request('group.join', { groupId: ids[0] })).result).toBeDefined();
    await c.call('group.leave', { groupId: ids[0] });
    expect((await c.request('group.join', { groupId: ids[3] })).result).toBeDefined();
    c.close();
  });
});

describe('SIGTERM drain', () => {
  it('closes connections with 1001 and exits 0', async () => {
    const h = await startHub();
    const c = await TestClient.connect(h.url, 'leaving');
    const [close, code] = await Promise.all([c.closed, h.stop('SIGTERM')]);
    expect(close.code).toBe(1001);
    expect(code).toBe(0);
  });
});

describe('while draining', () => {
  it('answers new upgrades and /readyz with 503 until it is gone', async () => {
    const h = await startHub();
    // A client that never answers the close handshake keeps the drain open (up to the grace period).
    const stuck = await TestClient.connect(h.url, 'stuck');
    (stuck.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const exited = h.stop('SIGTERM');
    let ready = 200;
    for (let i = 0; i < 200 && ready === 200; i++) {
      ready = (await fetch(`${h.httpUrl}/readyz`)).status;
      if (ready === 200) await new Promise((r) => setTimeout(r, 5));
    }
    expect(ready).toBe(503);
    const refused = await upgradeRefusal(h.url, { Authorization: 'late' });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'draining' });
    expect(await exited).toBe(0);
  });
});

describe('configuration errors', () => {
  it('a bad variable stops the hub with a sentence naming it', async () => {
    await expect(startHub({ NEXT_CHAT_PORT: 'abc' }, 5000)).rejects.toThrow(/NEXT_CHAT_PORT must be a port number.*got 'abc'/);
    await expect(startHub({ NEXT_CHAT_AUTH_MODE: 'jwt' }, 5000)).rejects.toThrow(/NEXT_CHAT_JWT_SECRET/);
  });
});
