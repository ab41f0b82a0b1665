/**
 * Redis Sentinel failover under hubs (issue 17): kill -9 of the primary, a
 * replica promoted, the hubs follow it.
 *
 * - With NEXT_CHAT_REDIS_WAIT_REPLICAS=1, under traffic from clients on two
 *   hubs: sends fail with 4503 during the switch and are retried with the
 *   same clientMessageId; afterwards every acknowledged message is in the
 *   history exactly once, and reached the other hub's member.
 * - Without WAIT, a loss made on purpose (the replica cut off while the
 *   primary acknowledges three more messages): both hubs detect that the log
 *   went back behind what they delivered and send their subscribers to
 *   resync (close 1001); a client that resumes gets an answer, and later
 *   messages are delivered again.
 * - With WAIT 1 and the same cut (both replicas): the sends are refused with
 *   4503, not acknowledged; the hubs, which had delivered them, resync their
 *   subscribers; the retries after the failover land once each.
 */
import { afterEach, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, type Frame } from '../setup/ws-client.js';
import { randomPrefix } from '../setup/engine-env.js';
import { startSentinels, type SentinelDeployment } from '../setup/sentinel.js';

let deployment: SentinelDeployment | undefined;
const hubs: HubProcess[] = [];
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(hubs.splice(0).map((h) => h.kill9()));
  await deployment?.stop();
  deployment = undefined;
});

async function startHubs(d: SentinelDeployment, n: number, extra: Record<string, string> = {}): Promise<HubProcess[]> {
  const prefix = randomPrefix();
  const started: HubProcess[] = [];
  for (let i = 0; i < n; i++) {
    const h = await startHub({
      NEXT_CHAT_REDIS_SENTINELS: d.sentinelsEnv,
      NEXT_CHAT_REDIS_PREFIX: prefix,
      NEXT_CHAT_INSTANCE_ID: `${prefix}-hub${i}`,
      NEXT_CHAT_RATE_LIMIT: '0',
      ...extra,
    });
    hubs.push(h);
    started.push(h);
  }
  return started;
}

async function connect(url: string, user: string): Promise<TestClient> {
  const c = await TestClient.connect(url, user);
  clients.push(c);
  return c;
}

/** A request that gives up after `ms` (a request on a socket that closed would wait forever). */
function bounded(c: TestClient, method: string, params: unknown, ms = 8000): Promise<Frame> {
  return Promise.race([
    c.request(method, params),
    c.closed.then((): Frame => ({ jsonrpc: '2.0', error: { code: -1, message: 'closed' } })),
    new Promise<Frame>((r) => setTimeout(() => r({ jsonrpc: '2.0', error: { code: -2, message: 'timeout' } }), ms)),
  ]);
}

/** The group's whole history, oldest first (message.history pages of 200). */
async function allHistory(c: TestClient, groupId: string): Promise<Message[]> {
  const out: Message[] = [];
  let before: string | undefined;
  for (let i = 0; i < 100; i++) {
    const r = await c.call<{ messages: Message[]; next: string | null }>('message.history', { groupId, limit: 200, ...(before ? { before } : {}) });
    out.unshift(...r.messages);
    if (r.next === null) break;
    before = r.next;
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('with WAIT 1: kill -9 of the primary under traffic loses no acknowledged message', async () => {
  const d = (deployment = await startSentinels({ replicas: 2 }));
  const [h0, h1] = await startHubs(d, 2, { NEXT_CHAT_REDIS_WAIT_REPLICAS: '1', NEXT_CHAT_REDIS_WAIT_TIMEOUT_MS: '500' });
  const g = uid('wait-failover');
  const userA = uid('a');
  const userB = uid('b');
  const a = await connect(h0!.url, userA);
  const b = await connect(h1!.url, userB);
  await a.call('group.create', { groupId: g });
  await a.call('group.join', { groupId: g });
  await b.call('group.join', { groupId: g });

  const acked = new Map<string, string>(); // clientMessageId -> message id
  const refused = { unavailable: 0, resyncs: 0, other: [] as string[] };
  let stop = false;
  /** One member on one hub: what it received live, and through a re-join after a resync. */
  const side = (c: TestClient, user: string, hub: HubProcess) => ({ c, user, hub, received: new Set<string>(), earlier: [] as TestClient[] });
  const sides = { a: side(a, userA, h0!), b: side(b, userB, h1!) };
  const seen = (s: ReturnType<typeof side>) => new Set([...s.received, ...[...s.earlier, s.c].flatMap((c) => c.messages(g).map((m) => m.text))]);
  const sender = async (s: ReturnType<typeof side>, who: string) => {
    for (let i = 0; !stop; i++) {
      const cmid = `${who}-${i}`;
      // The same clientMessageId until acknowledged: a retry never duplicates.
      for (let attempt = 0; ; attempt++) {
        const f = await bounded(s.c, 'message.send', { groupId: g, text: cmid, clientMessageId: cmid });
        if (f.result) {
          acked.set(cmid, (f.result as { message: Message }).message.id);
          break;
        }
        if (f.error?.code === 4503) refused.unavailable++;
        else if (f.error?.code === -1) {
          // Sent to resync (a delivered but unconfirmed message was lost): reconnect and re-join with since.
          refused.resyncs++;
          const last = s.c.messages(g).at(-1)?.id;
          s.earlier.push(s.c);
          s.c = await connect(s.hub.url, s.user);
          const j = await s.c.call<{ history: Message[] }>('group.join', { groupId: g, limit: 200, ...(last ? { since: last } : {}) });
          for (const m of j.history) s.received.add(m.text);
        } else refused.other.push(JSON.stringify(f.error));
        if (attempt > 200) return;
        await sleep(100);
      }
      await sleep(20);
    }
  };
  const senders = [sender(sides.a, 'a'), sender(sides.b, 'b')];
  await sleep(1500);
  const before = acked.size;
  const oldPrimary = await d.primaryPort();
  const killedAt = Date.now();
  await d.node(oldPrimary).kill9();
  const newPrimary = await d.waitForPromotion(oldPrimary, 20_000);
  const promotedMs = Date.now() - killedAt;
  // Sends resume on the new primary (it has a replica: the other one, reconfigured by the sentinels).
  const resumedFrom = acked.size;
  for (let i = 0; i < 300 && acked.size < resumedFrom + 20; i++) await sleep(100);
  stop = true;
  await Promise.all(senders);
  expect(refused.other, 'only 4503 refusals').toEqual([]);
  expect(acked.size).toBeGreaterThan(resumedFrom + 10);
  console.log(`[sentinel-failover] WAIT 1: ${acked.size} acknowledged (${before} before the kill), ${refused.unavailable} refused with 4503 and retried, ${refused.resyncs} resyncs, promoted ${newPrimary} after ${promotedMs} ms`);

  // The WAITs are on /metrics: how long they took, and how many writes each confirmed.
  const metrics = await fetch(`${h0!.httpUrl}/metrics`).then((r) => r.text());
  expect(Number(/^nextchat_redis_wait_seconds_count\{outcome="ok"\} (\d+)/m.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);
  expect(Number(/^nextchat_redis_wait_writes_sum (\d+)/m.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);

  // Every acknowledged message is in the history, once, with the id it was acknowledged with.
  const reader = await connect(h1!.url, uid('reader'));
  await reader.call('group.join', { groupId: g, limit: 0 });
  const history = await allHistory(reader, g);
  const byCmid = new Map<string, string[]>();
  for (const m of history) byCmid.set(m.text, [...(byCmid.get(m.text) ?? []), m.id]);
  for (const [cmid, id] of acked) expect(byCmid.get(cmid), cmid).toEqual([id]);
  for (const [cmid, ids] of byCmid) expect(ids.length, `${cmid} once`).toBe(1);
  // The other hub's member got each acknowledged message (live, or by its re-join after a resync).
  for (const [s2, other] of [
    [sides.b, 'a-'],
    [sides.a, 'b-'],
  ] as const) {
    const want = [...acked.keys()].filter((k) => k.startsWith(other));
    await expect.poll(() => want.filter((k) => !seen(s2).has(k)), { timeout: 10_000 }).toEqual([]);
  }
}, 60_000);

it('without WAIT: a failover that lost acknowledged messages is detected and subscribers resync', async () => {
  const d = (deployment = await startSentinels({ replicas: 1 }));
  const [h0, h1] = await startHubs(d, 2);
  const g = uid('lost');
  const userA = uid('a');
  const userB = uid('b');
  const a = await connect(h0!.url, userA);
  const b = await connect(h1!.url, userB);
  await a.call('group.create', { groupId: g });
  await a.call('group.join', { groupId: g });
  await b.call('group.join', { groupId: g });
  for (let i = 1; i <= 3; i++) await a.call('message.send', { groupId: g, text: `kept ${i}`, clientMessageId: `k${i}` });
  await b.waitForMessages(g, 3);
  const primary = d.nodes[0]!;
  const replica = d.nodes[1]!;
  // The replica's link is up (a loaded machine may take a while to show it).
  await expect.poll(async () => /slave0:.*state=online/.test(await primary.client().info('replication')), { timeout: 15_000 }).toBe(true);

  // The replica stops reading and its link is cut: the primary goes on
  // acknowledging what the replica will never get.
  replica.pause();
  let lost: Message[];
  try {
    await primary.client().client('KILL', 'TYPE', 'replica');
    for (let i = 1; i <= 3; i++) await a.call('message.send', { groupId: g, text: `lost ${i}`, clientMessageId: `l${i}` });
    lost = (await b.waitForMessages(g, 6)).slice(3);
    await primary.kill9();
  } finally {
    replica.resume();
  }
  const t0 = Date.now();
  await d.waitForPromotion(primary.port, 25_000);
  const promotedMs = Date.now() - t0;

  // Both hubs see the log behind what they delivered: their subscribers are sent to resync.
  const closes = await Promise.all([a.closed, b.closed].map((p) => Promise.race([p, sleep(15_000).then(() => undefined)])));
  expect(closes.map((c) => c?.code)).toEqual([1001, 1001]);
  expect(closes.map((c) => c?.reason)).toEqual(['missed messages: reconnect and re-join with since', 'missed messages: reconnect and re-join with since']);
  for (const h of [h0!, h1!]) await expect.poll(() => h.logs.some((l) => l.includes('"reason":"rolled_back"')), { timeout: 5000 }).toBe(true);

  // A client resuming from the newest id it saw (one the log no longer has) gets an answer, not a hang or an error.
  const b2 = await connect(h1!.url, userB);
  const resumed = await bounded(b2, 'group.join', { groupId: g, since: lost[2]!.id });
  expect(resumed.error).toBeUndefined();
  const r = resumed.result as { history: Message[]; complete: boolean };
  console.log(`[sentinel-failover] without WAIT: promoted after ${promotedMs} ms; resume with since = a lost id: ${r.history.length} messages, complete ${r.complete}`);
  // A place the log no longer has: the newest messages it does have, and complete false, so the client starts afresh.
  expect(r.complete).toBe(false);
  expect(r.history.map((m) => m.text)).toEqual(['kept 1', 'kept 2', 'kept 3']);
  // The log as it is now: the kept messages, and what is sent from here on is delivered live.
  const a2 = await connect(h0!.url, userA);
  const fresh = await a2.call<{ history: Message[] }>('group.join', { groupId: g });
  expect(fresh.history.map((m) => m.text)).toEqual(['kept 1', 'kept 2', 'kept 3']);
  await a2.call('message.send', { groupId: g, text: 'after', clientMessageId: 'after' });
  expect((await b2.waitForMessages(g, 1)).map((m) => m.text)).toEqual(['after']);
  // Even a retry of a lost message is taken again (its dedupe record was lost with it) and delivered.
  await a2.call('message.send', { groupId: g, text: 'lost 1', clientMessageId: 'l1' });
  expect((await b2.waitForMessages(g, 2)).map((m) => m.text)).toEqual(['after', 'lost 1']);
}, 60_000);

it('with WAIT 1: the same cut-off replicas refuse the sends instead of losing them; retries land once', async () => {
  const d = (deployment = await startSentinels({ replicas: 2 }));
  const [h0, h1] = await startHubs(d, 2, { NEXT_CHAT_REDIS_WAIT_REPLICAS: '1', NEXT_CHAT_REDIS_WAIT_TIMEOUT_MS: '300' });
  const g = uid('refused');
  const a = await connect(h0!.url, uid('a'));
  const b = await connect(h1!.url, uid('b'));
  await a.call('group.create', { groupId: g });
  await a.call('group.join', { groupId: g });
  await b.call('group.join', { groupId: g });
  for (let i = 1; i <= 3; i++) await a.call('message.send', { groupId: g, text: `kept ${i}`, clientMessageId: `k${i}` });
  const primary = d.nodes[0]!;
  for (const r of d.nodes.slice(1)) r.pause();
  const replies: Frame[] = [];
  try {
    await primary.client().client('KILL', 'TYPE', 'replica');
    // The primary has them, no replica does: not acknowledged.
    for (let i = 1; i <= 3; i++) replies.push(await bounded(a, 'message.send', { groupId: g, text: `retried ${i}`, clientMessageId: `r${i}` }));
    await primary.kill9();
  } finally {
    for (const r of d.nodes.slice(1)) r.resume();
  }
  expect(replies.map((f) => f.error?.code)).toEqual([4503, 4503, 4503]);
  await d.waitForPromotion(primary.port, 25_000);
  // The hubs had delivered the refused messages (the stream reader saw them
  // on the primary before WAIT gave up), and the new primary lacks them: the
  // subscribers are sent to resync, as without WAIT.
  const closes = await Promise.all([a.closed, b.closed].map((p) => Promise.race([p, sleep(15_000).then(() => undefined)])));
  expect(closes.map((c) => c?.code)).toEqual([1001, 1001]);
  // Retries with the same clientMessageIds succeed once the other replica follows the new primary.
  const a2 = await connect(h0!.url, uid('a2'));
  await a2.call('group.join', { groupId: g });
  for (let i = 1; i <= 3; i++) {
    for (let attempt = 0; ; attempt++) {
      const f = await bounded(a2, 'message.send', { groupId: g, text: `retried ${i}`, clientMessageId: `r${i}` });
      if (f.result) break;
      expect(f.error?.code).toBe(4503);
      expect(attempt).toBeLessThan(100);
      await sleep(200);
    }
  }
  const history = await allHistory(a2, g);
  expect(history.map((m) => m.text)).toEqual(['kept 1', 'kept 2', 'kept 3', 'retried 1', 'retried 2', 'retried 3']);
}, 60_000);
