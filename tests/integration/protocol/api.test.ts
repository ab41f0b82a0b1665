/**
 * The HTTP API (docs/api.md) through a real hub's API port, on both engines
 * (projects integration and protocol-redis): every route allowed, refused
 * without a key and refused for bad input; its effects reach WebSocket
 * clients as the protocol's notifications; the OpenAPI document and the
 * routes agree both ways.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Group, Message } from '@next-chat/core';
import { operations } from '../../../packages/server/src/api/operations.js';
import type { Operator } from '../../../packages/server/src/hub/operator.js';
import { ApiClient } from '../setup/api-client.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, type Frame } from '../setup/ws-client.js';

const KEY = 'test-api-key-0123456789';
const OLD_KEY = 'old-api-key-9876543210';

let hub: HubProcess;
let api: ApiClient;
const clients: TestClient[] = [];

beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_API_PORT: '0', NEXT_CHAT_API_KEYS: `${KEY},${OLD_KEY}`, NEXT_CHAT_GROUP_CREATE_LIMIT: '0' });
  if (!hub.apiUrl) throw new Error('the hub did not report its API port');
  api = new ApiClient(hub.apiUrl, KEY);
});
afterAll(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
});

async function connect(user: string): Promise<TestClient> {
  const c = await TestClient.connect(hub.url, user);
  clients.push(c);
  return c;
}

/** The next notification `method` whose params match; params typed loosely, as the assertions read them. */
const note = async (c: TestClient, method: string, pred: (p: any) => boolean = () => true): Promise<{ params: any }> =>
  (await c.waitFor((f: Frame) => f.method === method && pred(f.params), 10_000)) as { params: any };

async function room(extra: Record<string, unknown> = {}): Promise<string> {
  const g = uid('api');
  await api.ok('POST', '/groups', { groupId: g, owner: uid('owner'), ...extra });
  return g;
}

describe('HTTP API: rooms', () => {
  it('creates a room with its owner and initial members, who hear conversation.added', async () => {
    const [owner, bob, carol] = [uid('owner'), uid('bob'), uid('carol')];
    const b = await connect(bob);
    const g = uid('proj');
    const r = await api.request('POST', '/groups', { groupId: g, owner, visibility: 'private', title: 'Project X', members: [{ userId: bob }, { userId: carol, role: 'admin' }] });
    expect(r.status).toBe(201);
    expect(r.body.group).toMatchObject({ id: g, kind: 'room', visibility: 'private', title: 'Project X', ownerId: owner, createdBy: owner, memberCount: 3 });
    expect(r.body.members.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual([
      [owner, 'owner'],
      [bob, 'member'],
      [carol, 'admin'],
    ]);
    const added = await note(b, 'conversation.added', (p) => p.group.id === g);
    expect(added.params).toMatchObject({ by: 'system' });
    // A private room the API added bob to: he joins without an invitation.
    expect((await b.call<{ group: Group }>('group.join', { groupId: g })).group.id).toBe(g);
    expect((await api.request('POST', '/groups', { groupId: g, owner })).status).toBe(409);
  });

  it('reads, updates and deletes a room; subscribers see group.updated and conversation.removed', async () => {
    const member = uid('m');
    const g = await room({ members: [{ userId: member }] });
    const c = await connect(member);
    await c.call('group.join', { groupId: g });
    expect((await api.ok('GET', `/groups/${g}`)).group.id).toBe(g);
    const u = await api.ok('PATCH', `/groups/${g}`, { title: 'Renamed', topic: 'new topic', capacity: 50 });
    expect(u.group).toMatchObject({ title: 'Renamed', topic: 'new topic', capacity: 50 });
    expect((await note(c, 'group.updated')).params).toMatchObject({ group: { title: 'Renamed' } });
    expect(await api.ok('DELETE', `/groups/${g}`)).toEqual({ deleted: true });
    expect((await note(c, 'conversation.removed', (p) => p.groupId === g)).params).toMatchObject({ reason: 'deleted', by: 'system' });
    expect((await api.get(`/groups/${g}`)).status).toBe(404);
    expect((await api.delete(`/groups/${g}`)).body).toMatchObject({ error: 'group_not_found' });
  });
});

describe('HTTP API: members', () => {
  it('adds, promotes, lists (with presence) and removes members', async () => {
    const [online, offline] = [uid('on'), uid('off')];
    const g = await room();
    const c = await connect(online);
    const put = await api.ok('PUT', `/groups/${g}/members/${online}`, {});
    expect(put.member).toMatchObject({ userId: online, role: 'member', online: true });
    await api.ok('PUT', `/groups/${g}/members/${offline}`, { role: 'admin' });
    await c.call('group.join', { groupId: g });
    const promoted = await api.ok('PUT', `/groups/${g}/members/${online}`, { role: 'admin' });
    expect(promoted.member.role).toBe('admin');
    expect((await note(c, 'member.role', (p) => p.userId === online)).params).toMatchObject({ role: 'admin', by: 'system' });
    const list = await api.ok('GET', `/groups/${g}/members?limit=200`);
    const byId = new Map<string, unknown>(list.members.map((m: { userId: string }) => [m.userId, m]));
    expect(byId.get(online)).toMatchObject({ online: true, role: 'admin' });
    expect(byId.get(offline)).toMatchObject({ online: false, role: 'admin' });
    const paged = await api.ok('GET', `/groups/${g}/members?limit=1`);
    expect(paged.members).toHaveLength(1);
    expect(paged.next).not.toBeNull();
    expect(await api.ok('DELETE', `/groups/${g}/members/${online}`)).toEqual({ removed: true });
    expect((await note(c, 'conversation.removed', (p) => p.groupId === g)).params).toMatchObject({ reason: 'kicked', by: 'system' });
    expect(await api.ok('DELETE', `/groups/${g}/members/${online}`)).toEqual({ removed: false });
  });

  it('invites, bans and unbans', async () => {
    const [invitee, banned] = [uid('inv'), uid('ban')];
    const g = await room({ visibility: 'private' });
    const i = await connect(invitee);
    const inv = await api.ok('POST', `/groups/${g}/invitations`, { userId: invitee, invitedBy: 'hr-bot' });
    expect(inv.invitation).toMatchObject({ groupId: g, userId: invitee, invitedBy: 'hr-bot' });
    expect((await note(i, 'invited', (p) => p.group.id === g)).params.invitation.invitedBy).toBe('hr-bot');
    await api.ok('PUT', `/groups/${g}/members/${banned}`, {});
    const b = await connect(banned);
    const ban = await api.ok('PUT', `/groups/${g}/bans/${banned}`, { durationSec: 3600, reason: 'left the company' });
    expect(ban.ban).toMatchObject({ userId: banned, by: 'system', reason: 'left the company' });
    expect(ban.ban.until).not.toBeNull();
    expect((await b.request('group.join', { groupId: g })).error?.code).toBe(4031);
    expect((await api.put(`/groups/${g}/members/${banned}`, {})).body).toMatchObject({ error: 'banned' });
    expect((await api.ok('GET', `/groups/${g}/bans`)).bans.map((x: { userId: string }) => x.userId)).toEqual([banned]);
    expect(await api.ok('DELETE', `/groups/${g}/bans/${banned}`)).toEqual({ unbanned: true });
    expect((await api.ok('GET', `/groups/${g}/bans`)).bans).toEqual([]);
    await api.ok('PUT', `/groups/${g}/members/${banned}`, {});
  });

  it('refuses what a direct conversation refuses its peers', async () => {
    const [a, b] = [uid('a'), uid('b')];
    const ca = await connect(a);
    const { group } = await ca.call<{ group: Group }>('direct.open', { userId: b });
    const r = await api.put(`/groups/${group.id}/members/${uid('third')}`, {});
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('forbidden');
    expect((await api.delete(`/groups/${group.id}`)).status).toBe(403);
    // Its history is readable: an audit covers direct conversations too.
    await ca.call('message.send', { groupId: group.id, text: 'hi b' });
    expect((await api.ok('GET', `/groups/${group.id}/messages`)).messages.map((m: Message) => m.text)).toEqual(['hi b']);
  });
});

describe('HTTP API: messages', () => {
  it('posts as the system user (idempotent by clientMessageId) and as a member; subscribers receive them', async () => {
    const member = uid('m');
    const g = await room({ members: [{ userId: member }] });
    const c = await connect(member);
    await c.call('group.join', { groupId: g });
    const first = await api.request('POST', `/groups/${g}/messages`, { text: 'Deploy at 5 pm', clientMessageId: 'deploy-1' });
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ groupId: g, authorId: 'system', text: 'Deploy at 5 pm', clientMessageId: 'deploy-1' });
    const again = await api.request('POST', `/groups/${g}/messages`, { text: 'Deploy at 5 pm', clientMessageId: 'deploy-1' });
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(first.body.message.id);
    const asMember = await api.ok('POST', `/groups/${g}/messages`, { authorId: member, text: 'from my CRM' });
    expect(asMember.message.authorId).toBe(member);
    const got = await c.waitForMessages(g, 2);
    expect(got.map((m) => [m.authorId, m.text])).toEqual([
      ['system', 'Deploy at 5 pm'],
      [member, 'from my CRM'],
    ]);
    const outsider = await api.request('POST', `/groups/${g}/messages`, { authorId: uid('nobody'), text: 'x' });
    expect(outsider.status).toBe(409);
    expect(outsider.body.error).toBe('not_a_member');
  });

  it('edits and deletes any message; subscribers see message.updated', async () => {
    const member = uid('m');
    const g = await room({ members: [{ userId: member }] });
    const c = await connect(member);
    await c.call('group.join', { groupId: g });
    const { message } = await c.call<{ message: Message }>('message.send', { groupId: g, text: 'oops, a secret' });
    const edited = await api.ok('PATCH', `/groups/${g}/messages/${message.id}`, { text: '[redacted]' });
    expect(edited.message).toMatchObject({ id: message.id, text: '[redacted]', authorId: member });
    expect(edited.message.editedAt).toBeDefined();
    expect(((await note(c, 'message.updated', (p) => p.message.text === '[redacted]')).params as { message: Message }).message.id).toBe(message.id);
    const deleted = await api.ok('DELETE', `/groups/${g}/messages/${message.id}`);
    expect(deleted.message).toMatchObject({ id: message.id, text: '' });
    expect(deleted.message.deletedAt).toBeDefined();
    expect((await api.patch(`/groups/${g}/messages/${message.id}`, { text: 'again' })).status).toBe(403);
    expect((await api.delete(`/groups/${g}/messages/9999999999999-0`)).body.error).toBe('message_not_found');
  });

  it('pages history with the same cursors as message.history', async () => {
    const g = await room();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await api.ok('POST', `/groups/${g}/messages`, { text: `m${i}` })).message.id);
    const p1 = await api.ok('GET', `/groups/${g}/messages?limit=3`);
    expect(p1.messages.map((m: Message) => m.id)).toEqual(ids.slice(4));
    const p2 = await api.ok('GET', `/groups/${g}/messages?limit=3&before=${p1.next}`);
    expect(p2.messages.map((m: Message) => m.id)).toEqual(ids.slice(1, 4));
    const p3 = await api.ok('GET', `/groups/${g}/messages?limit=3&before=${p2.next}`);
    expect(p3.messages.map((m: Message) => m.id)).toEqual(ids.slice(0, 1));
    expect(p3.next).toBeNull();
    expect((await api.get(`/groups/${uid('none')}/messages`)).status).toBe(404);
  });
});

describe('HTTP API: users and status', () => {
  it("lists a user's conversations, latest activity first, with unread counts", async () => {
    const user = uid('u');
    const g1 = await room({ members: [{ userId: user }] });
    const g2 = await room({ members: [{ userId: user }] });
    await api.ok('POST', `/groups/${g1}/messages`, { text: 'one' });
    await api.ok('POST', `/groups/${g2}/messages`, { text: 'two' });
    await api.ok('POST', `/groups/${g2}/messages`, { text: 'three' });
    const r = await api.ok('GET', `/users/${user}/conversations`);
    expect(r.conversations.map((c: { group: Group; unread: number }) => [c.group.id, c.unread])).toEqual([
      [g2, 2],
      [g1, 1],
    ]);
    const page = await api.ok('GET', `/users/${user}/conversations?limit=1`);
    expect(page.conversations).toHaveLength(1);
    const rest = await api.ok('GET', `/users/${user}/conversations?limit=1&after=${encodeURIComponent(page.next)}`);
    expect(rest.conversations[0].group.id).toBe(g1);
  });

  it('disconnects every connection of a user with 1008', async () => {
    const user = uid('leaver');
    const [c1, c2] = [await connect(user), await connect(user)];
    const other = await connect(uid('stays'));
    expect(await api.ok('POST', `/users/${user}/disconnect`, { reason: 'account closed' })).toEqual({ disconnected: true });
    for (const c of [c1, c2]) expect(await c.closed).toEqual({ code: 1008, reason: 'account closed' });
    expect((await other.request('group.list', {})).result).toBeDefined();
  });

  it('shows this hub, the live hubs and the backends', async () => {
    const s = await api.ok('GET', '/status');
    expect(s.instance.connections).toBeGreaterThanOrEqual(0);
    expect(s.instances.map((i: { id: string }) => i.id)).toContain(s.instance.id);
    if (s.instance.engine === 'memory') expect(s.backends).toEqual([]);
    else expect(s.backends.map((b: { name: string; reachable: boolean }) => [b.name, b.reachable])).toEqual([
      ['redis', true],
      ['mysql', true],
    ]);
  });
});

describe('HTTP API: webhooks without endpoints', () => {
  it('lists no endpoints and no dead letters, and has nothing to replay', async () => {
    expect(await api.ok('GET', '/webhooks')).toEqual({ endpoints: [] });
    expect(await api.ok('GET', '/webhooks/dead-letters?limit=10')).toEqual({ deadLetters: [], next: null });
    const r = await api.post('/webhooks/dead-letters/no-such-letter/replay');
    expect(r).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});

describe('HTTP API: refusals', () => {
  it('refuses every route without a key, with a wrong key and with a malformed header (401)', async () => {
    const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const concrete = path.replace(/\{[^}]+\}/g, 'x1');
        for (const key of [null, 'wrong-key-0123456789abc']) {
          const r = await api.request(method.toUpperCase(), concrete, undefined, { key });
          expect(r.status, `${method} ${path} with key ${key}`).toBe(401);
          expect(r.body.error).toBe('unauthorized');
          expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
        }
        const basic = await api.request(method.toUpperCase(), concrete, undefined, { key: null, headers: { authorization: `Basic ${Buffer.from(KEY).toString('base64')}` } });
        expect(basic.status).toBe(401);
      }
    }
  });

  it('refuses bad input on every route that takes any (400 invalid_params naming the field)', async () => {
    const doc = (await api.get('/openapi.json')).body as {
      paths: Record<string, Record<string, { parameters: { name: string; in: string }[]; requestBody?: unknown }>>;
    };
    const g = await room();
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const inPath = op.parameters.filter((p) => p.in === 'path').map((p) => p.name);
        const inQuery = op.parameters.filter((p) => p.in === 'query').map((p) => p.name);
        // Valid values for every path parameter but one made bad: each bad one must be named.
        const valid: Record<string, string> = { groupId: g, userId: 'u1', messageId: '1700000000000-0', id: 'some-letter' };
        const bad: Record<string, string> = { groupId: '-bad-', userId: 'bad%20user', messageId: 'not-an-id', id: 'x'.repeat(201) };
        const concrete = (b?: string) => path.replace(/\{([^}]+)\}/g, (_m, n: string) => (n === b ? bad[n]! : valid[n]!));
        const body = method === 'get' || method === 'delete' ? undefined : {};
        for (const name of inPath) {
          const r = await api.request(method.toUpperCase(), concrete(name), body);
          expect(r.status, `${method} ${path} with a bad ${name}`).toBe(400);
          expect(r.body).toMatchObject({ error: 'invalid_params', field: name });
          checked++;
        }
        if (inQuery.includes('limit')) {
          const r = await api.request(method.toUpperCase(), `${concrete()}?limit=201`, body);
          expect(r.body, `${method} ${path}?limit=201`).toMatchObject({ error: 'invalid_params', field: 'limit' });
          checked++;
        }
        if (op.requestBody) {
          const r = await api.request(method.toUpperCase(), concrete(), undefined, { raw: '"a string"', headers: { 'content-type': 'application/json' } });
          expect(r.body, `${method} ${path} with a string body`).toMatchObject({ error: 'invalid_params', field: 'body' });
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(25);
  });

  it('takes either of two keys while one is rotated out', async () => {
    expect((await api.request('GET', '/status', undefined, { key: OLD_KEY })).status).toBe(200);
    expect((await api.request('GET', '/status', undefined, { key: KEY })).status).toBe(200);
  });

  it('refuses bad input with the field and the same reasons as the protocol', async () => {
    const g = await room();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/groups', { groupId: 'dm-reserved', owner: 'a' }, 'groupId'],
      ['POST', '/groups', { groupId: uid('g') }, 'owner'],
      ['POST', '/groups', { groupId: uid('g'), owner: 'a', members: [{ userId: 'b', role: 'king' }] }, 'members.0.role'],
      ['POST', '/groups', { groupId: uid('g'), owner: 'a', capacity: 1 }, 'capacity'],
      ['POST', '/groups', { groupId: uid('g'), owner: 'a', capacity: 2, members: [{ userId: 'b' }, { userId: 'c' }] }, 'members'],
      ['PATCH', `/groups/${g}`, { title: 'x'.repeat(101) }, 'title'],
      ['GET', '/groups/-bad', undefined, 'groupId'],
      ['PUT', `/groups/${g}/members/bad%20user`, {}, 'userId'],
      ['PUT', `/groups/${g}/bans/u1`, { durationSec: 0 }, 'durationSec'],
      ['POST', `/groups/${g}/messages`, { text: '' }, 'text'],
      ['POST', `/groups/${g}/messages`, {}, 'text'],
      ['PATCH', `/groups/${g}/messages/not-an-id`, { text: 'x' }, 'messageId'],
      ['GET', `/groups/${g}/messages?limit=0`, undefined, 'limit'],
      ['GET', `/groups/${g}/messages?limit=ten`, undefined, 'limit'],
      ['GET', `/groups/${g}/messages?before=yesterday`, undefined, 'before'],
      ['GET', `/groups/${g}/members?limit=1&limit=2`, undefined, 'limit'],
      ['POST', '/users/u1/disconnect', { reason: 'x'.repeat(200) }, 'reason'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await api.request(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body, `${method} ${path}`).toMatchObject({ error: 'invalid_params', field });
      expect(typeof r.body.message).toBe('string');
    }
    // Refused before anything was made: no half-filled room.
    const tooMany = uid('g');
    expect((await api.post('/groups', { groupId: tooMany, owner: 'a', capacity: 2, members: [{ userId: 'b' }, { userId: 'c' }] })).status).toBe(400);
    expect((await api.get(`/groups/${tooMany}`)).status).toBe(404);
    const notJson = await api.request('POST', '/groups', undefined, { raw: '{"groupId":', headers: { 'content-type': 'application/json' } });
    expect(notJson).toMatchObject({ status: 400, body: { error: 'parse_error' } });
    const notObject = await api.request('POST', '/groups', undefined, { raw: '[1,2]', headers: { 'content-type': 'application/json' } });
    expect(notObject).toMatchObject({ status: 400, body: { error: 'invalid_params', field: 'body' } });
    const wrongType = await api.request('POST', '/groups', undefined, { raw: 'groupId=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(wrongType).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    const big = await api.request('POST', `/groups/${g}/messages`, undefined, { raw: JSON.stringify({ text: 'x'.repeat(1024 * 1024 + 10) }), headers: { 'content-type': 'application/json' } });
    expect(big).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    expect(await api.get('/nowhere')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    const wrongMethod = await api.request('PUT', `/groups/${g}`);
    expect(wrongMethod).toMatchObject({ status: 405, body: { error: 'method_not_allowed' } });
    expect(wrongMethod.headers.get('allow')).toBe('GET, PATCH, DELETE');
    // The hub is fine after all of it.
    expect((await api.get('/status')).status).toBe(200);
  });
});

describe('HTTP API: the OpenAPI document', () => {
  it('is OpenAPI 3.1 with request schemas generated from the validating schemas', async () => {
    const r = await api.request('GET', '/openapi.json', undefined, { key: null });
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    const create = r.body.paths['/groups'].post;
    const schema = create.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['groupId', 'owner']));
    expect(schema.properties.groupId.pattern).toBe('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$');
    expect(schema.properties.visibility.enum).toEqual(['public', 'private']);
    const history = r.body.paths['/groups/{groupId}/messages'].get;
    expect(history.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:groupId', 'query:before', 'query:limit']);
    expect(history.parameters.find((p: { name: string }) => p.name === 'limit').schema).toMatchObject({ type: 'integer', minimum: 1, maximum: 200, default: 50 });
  });

  it('has every route the server has, and every route in it exists on the server', async () => {
    const doc = (await api.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    const table = operations({} as Operator).map((r) => `${r.method} ${r.path}`);
    expect(new Set(documented)).toEqual(new Set(table));
    // Each documented route answers on the real port: not 404 for the route nor 405.
    for (const entry of documented) {
      const [method, path] = entry.split(' ') as [string, string];
      const r = await api.request(method, path.replace(/\{[^}]+\}/g, 'zz9'), method === 'GET' || method === 'DELETE' ? undefined : {});
      const noRoute = r.body.error === 'method_not_allowed' || (r.body.error === 'not_found' && String(r.body.message).startsWith('No route'));
      expect(noRoute, `${entry}: ${r.status} ${JSON.stringify(r.body)}`).toBe(false);
    }
  });
});
