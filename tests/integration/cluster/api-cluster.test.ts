/**
 * The HTTP API of one hub acting on a deployment of three (Redis + MySQL):
 * what it posts reaches members on every hub in order, what it changes is
 * told everywhere, a disconnect closes the user's connections on every hub,
 * and the status lists every live hub.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { ApiClient } from '../setup/api-client.js';
import { createTestDatabase, eventually, hubEnv, randomPrefix } from '../setup/engine-env.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';

const KEY = 'cluster-api-key-0123456789';
let hubs: HubProcess[] = [];
let api: ApiClient;
const clients: TestClient[] = [];

beforeAll(async () => {
  const mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
  const prefix = randomPrefix();
  hubs = await Promise.all(
    [0, 1, 2].map((i) =>
      startHub(hubEnv({ redisUrl: inject('redisUrl'), mysqlUrl, prefix, instanceId: `${prefix}-hub${i}`, extra: { NEXT_CHAT_API_PORT: '0', NEXT_CHAT_API_KEYS: KEY, NEXT_CHAT_PRESENCE_TTL_MS: '3000' } })),
    ),
  );
  api = new ApiClient(hubs[0]!.apiUrl!, KEY);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all(hubs.map((h) => h.stop()));
});

async function connect(hub: HubProcess, user: string): Promise<TestClient> {
  const c = await TestClient.connect(hub.url, user);
  clients.push(c);
  return c;
}

describe('the HTTP API across three hubs', () => {
  it('delivers API posts to members on every hub, in the same order as their own messages', async () => {
    const users = hubs.map(() => uid('m'));
    const g = uid('ops');
    await api.ok('POST', '/groups', { groupId: g, owner: users[0], members: users.slice(1).map((userId) => ({ userId })) });
    const cs = await Promise.all(hubs.map((h, i) => connect(h, users[i]!)));
    for (const c of cs) await c.call('group.join', { groupId: g });
    const posted: string[] = [];
    await Promise.all([
      (async () => {
        for (let k = 0; k < 20; k++) posted.push((await api.ok('POST', `/groups/${g}/messages`, { text: `bot ${k}` })).message.id);
      })(),
      (async () => {
        for (let k = 0; k < 20; k++) await cs[1]!.call('message.send', { groupId: g, text: `user ${k}` });
      })(),
    ]);
    const seen = await Promise.all(cs.map((c) => c.waitForMessages(g, 40)));
    const order = seen[0]!.map((m) => m.id);
    for (const s of seen) expect(s.map((m) => m.id)).toEqual(order);
    expect(seen[2]!.filter((m: Message) => m.authorId === 'system').map((m) => m.id)).toEqual(posted);
    // And the history of any hub has them, from Redis or MySQL.
    const hist = await new ApiClient(hubs[2]!.apiUrl!, KEY).ok('GET', `/groups/${g}/messages?limit=200`);
    expect(hist.messages.map((m: Message) => m.id)).toEqual(order);
  });

  it('tells a member added by the API on another hub, and removes a kicked one there', async () => {
    const [owner, added] = [uid('o'), uid('added')];
    const g = uid('team');
    await api.ok('POST', '/groups', { groupId: g, owner });
    const c = await connect(hubs[2]!, added);
    await api.ok('PUT', `/groups/${g}/members/${added}`, { role: 'member' });
    await c.waitFor((f) => f.method === 'conversation.added' && (f.params as { group: { id: string } }).group.id === g);
    await c.call('group.join', { groupId: g });
    await api.ok('DELETE', `/groups/${g}/members/${added}`);
    const removed = await c.waitFor((f) => f.method === 'conversation.removed' && (f.params as { groupId: string }).groupId === g);
    expect(removed.params).toMatchObject({ reason: 'kicked', by: 'system' });
    await api.ok('POST', `/groups/${g}/messages`, { text: 'after the kick' });
    await new Promise((r) => setTimeout(r, 300));
    expect(c.messages(g)).toEqual([]);
  });

  it("closes every connection of a user on every hub with 1008", async () => {
    const user = uid('gone');
    const cs = await Promise.all([connect(hubs[1]!, user), connect(hubs[2]!, user), connect(hubs[2]!, user)]);
    const bystander = await connect(hubs[1]!, uid('stays'));
    await api.ok('POST', `/users/${user}/disconnect`, { reason: 'left the company' });
    for (const c of cs) expect(await c.closed).toEqual({ code: 1008, reason: 'left the company' });
    expect((await bystander.request('group.list', {})).result).toBeDefined();
  });

  it('lists the three live hubs and their connections; a stopped one drops out', async () => {
    await eventually(async () => (await api.ok('GET', '/status')).instances.length === 3, 10_000, 'three instances');
    const s = await api.ok('GET', '/status');
    expect(s.instances.map((i: { id: string }) => i.id).sort()).toEqual(hubs.map((_, i) => expect.stringMatching(new RegExp(`-hub${i}$`))));
    expect(s.backends).toEqual([expect.objectContaining({ name: 'redis', reachable: true }), expect.objectContaining({ name: 'mysql', reachable: true })]);
    await hubs[2]!.kill9();
    await eventually(async () => (await api.ok('GET', '/status')).instances.length === 2, 10_000, 'the killed hub gone from the status');
  });
});
