import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, upgradeRefusal } from '../setup/ws-client.js';

let hub: HubProcess;
let c: TestClient;
let group: string;

beforeAll(async () => {
  hub = await startHub();
  c = await TestClient.connect(hub.url, 'framer');
  group = uid('frames');
  await c.call('group.create', { groupId: group });
  await c.call('group.join', { groupId: group });
});
afterAll(async () => {
  c?.close();
  await hub?.stop();
});

/** Sends a raw frame and returns the next error frame with id null. */
async function rawError(data: string | Buffer, binary = false) {
  const from = c.frames.length;
  c.sendRaw(data, binary);
  const f = await c.waitFor((x) => x.error !== undefined && x.id === null, 5000, from);
  return f.error!;
}

describe('framing and JSON-RPC errors', () => {
  it('non-JSON gets -32700 parse_error with id null', async () => {
    expect(await rawError('{not json')).toMatchObject({ code: -32700, data: { reason: 'parse_error' } });
  });

  it('invalid UTF-8 gets -32700, and the connection stays open', async () => {
    expect(await rawError(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).toMatchObject({ code: -32700 });
  });

  it('batches get -32600', async () => {
    expect(await rawError(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'group.list' }]))).toMatchObject({ code: -32600, data: { reason: 'invalid_request' } });
  });

  it('non-objects, a wrong jsonrpc, a missing method and binary frames get -32600', async () => {
    expect(await rawError('42')).toMatchObject({ code: -32600 });
    expect(await rawError('null')).toMatchObject({ code: -32600 });
    expect(await rawError(JSON.stringify({ jsonrpc: '1.0', id: null, method: 'group.list' }))).toMatchObject({ code: -32600 });
    expect(await rawError(JSON.stringify({ jsonrpc: '2.0', id: { x: 1 }, method: 'group.list' }))).toMatchObject({ code: -32600 });
    expect(await rawError(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'group.list' })), true)).toMatchObject({ code: -32600 });
    const f = await c.sendFrame({ jsonrpc: '2.0', id: 'no-method' }, 'no-method');
    expect(f.error).toMatchObject({ code: -32600 });
  });

  it('unknown methods get -32601 with the request id', async () => {
    const f = await c.request('group.explode', {});
    expect(f.error).toMatchObject({ code: -32601, data: { reason: 'method_not_found' } });
    expect(typeof f.id).toBe('number');
  });

  it('string ids are echoed', async () => {
    const f = await c.sendFrame({ jsonrpc: '2.0', id: 'abc', method: 'group.list', params: {} }, 'abc');
    expect(f.result).toBeDefined();
  });

  it('a notification (no id) is carried out and not answered', async () => {
    c.sendRaw(JSON.stringify({ jsonrpc: '2.0', method: 'message.send', params: { groupId: group, text: 'fire and forget' } }));
    const m = await c.waitFor((f) => f.method === 'message' && (f.params as { text: string }).text === 'fire and forget');
    expect(m.id).toBeUndefined();
    const probe = await c.request('group.list', { limit: 1 });
    expect(probe.result).toBeDefined();
    expect(c.frames.filter((f) => f.id === undefined && f.method === undefined)).toHaveLength(0);
  });

  it.each([
    ['group.create', {}, 'groupId'],
    ['group.create', { groupId: 42 }, 'groupId'],
    ['group.create', { groupId: '-starts-with-dash' }, 'groupId'],
    ['group.create', { groupId: 'x'.repeat(65) }, 'groupId'],
    ['group.list', { limit: 0 }, 'limit'],
    ['group.list', { limit: 201 }, 'limit'],
    ['group.list', { limit: '5' }, 'limit'],
    ['group.list', { limit: 1.5 }, 'limit'],
    ['group.join', { groupId: 'g', limit: 201 }, 'limit'],
    ['group.join', { groupId: 'g', since: 'yesterday' }, 'since'],
    ['message.history', { groupId: 'g', before: '12' }, 'before'],
    ['message.send', { groupId: 'g' }, 'text'],
    ['message.send', { groupId: 'g', text: '' }, 'text'],
    ['message.send', { groupId: 'g', text: ' \n\t ' }, 'text'],
    ['message.send', { groupId: 'g', text: 'x'.repeat(4001) }, 'text'],
    ['message.send', { groupId: 'g', text: '\ud800' }, 'text'],
    ['message.send', { groupId: 'g', text: 'ok', clientMessageId: '' }, 'clientMessageId'],
    ['message.send', { groupId: 'g', text: 'ok', clientMessageId: 'x'.repeat(65) }, 'clientMessageId'],
    ['message.send', { groupId: 'g', text: 'ok', clientMessageId: '\ud800' }, 'clientMessageId'],
    ['message.send', { groupId: 'g', text: 'ok', clientMessageId: 'a\udc00b' }, 'clientMessageId'],
    // Text nobody could see: zero-width and default-ignorable characters, fillers, bidi and
    // other format controls, lone combining marks, variation selectors, the blank Braille pattern.
    ...['\u200b', '\u200c', '\u200d', '\u2060', '\u00ad', '\u3164', '\u2800', '\u0301', '\ufe0f', '\u202e', '\u200b \u200d\u3000', '\u{e0020}'].map(
      (text) => ['message.send', { groupId: 'g', text }, 'text'] as [string, object, string],
    ),
    ['group.members', { groupId: 'g', limit: 0 }, 'limit'],
  ])('%s %j gets -32602 naming %s', async (method, params, field) => {
    const f = await c.request(method, params);
    expect(f.error).toMatchObject({ code: -32602, data: { reason: 'invalid_params', field } });
    expect(f.error!.message.length).toBeGreaterThan(10);
  });

  it('params that are not an object get an error, never a crash', async () => {
    // Params by position: a valid JSON-RPC request with params this hub cannot take (-32602);
    // params that are not structured at all make it no request (-32600).
    const f = await c.request('group.list', [1, 2]);
    expect(f.error).toMatchObject({ code: -32602, data: { reason: 'invalid_params', field: 'params' } });
    const g = await c.sendFrame({ jsonrpc: '2.0', id: 99, method: 'group.list', params: 'x' }, 99);
    expect(g.error?.code).toBe(-32600);
  });

  it('text of exactly 4000 code points (astral ones count once) is accepted', async () => {
    const text = '😀'.repeat(4000);
    const r = await c.call('message.send', { groupId: group, text });
    expect(r.message.text).toBe(text);
  });

  it('the connection survives every bad frame above', async () => {
    expect(c.closeInfo).toBeUndefined();
    expect((await c.call('group.list', { limit: 1 })).groups).toBeDefined();
  });

  it('a frame over 64 KiB closes the connection with 1009', async () => {
    const big = await TestClient.connect(hub.url, 'big');
    big.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'group.list', params: { pad: 'x'.repeat(70 * 1024) } }));
    expect((await big.closed).code).toBe(1009);
  });

  it('a frame just under the limit is fine', async () => {
    const f = await c.request('group.list', { pad: 'x'.repeat(60 * 1024) });
    expect(f.result).toBeDefined();
  });
});

describe('HTTP endpoints and refused upgrades', () => {
  it('/healthz, /readyz, /metrics', async () => {
    expect((await fetch(`${hub.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${hub.httpUrl}/readyz`)).status).toBe(200);
    const m = await fetch(`${hub.httpUrl}/metrics`);
    expect(m.status).toBe(200);
    const text = await m.text();
    expect(text).toContain('nextchat_connections');
    expect(text).toContain('nextchat_messages_in_total');
  });

  it('401 with a JSON body without identity or with a bad user id', async () => {
    const r = await upgradeRefusal(hub.url);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
    expect((await upgradeRefusal(hub.url, { Authorization: 'not a valid id!' })).status).toBe(401);
    expect((await upgradeRefusal(`${hub.url}?access_token=`)).status).toBe(401);
  });

  it('404 for another path', async () => {
    expect((await upgradeRefusal(hub.url.replace('/next-chat', '/other'), { Authorization: 'x' })).status).toBe(404);
  });

  it('identity from the access_token query parameter, with Bearer stripped', async () => {
    const q = await TestClient.connect(hub.url, 'Bearer query-user', { query: true });
    const id = uid('q');
    const r = await q.call('group.create', { groupId: id });
    expect(r.group.createdBy).toBe('query-user');
    q.close();
  });
});
