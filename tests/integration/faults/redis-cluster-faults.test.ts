/**
 * Redis Cluster faults under hubs: each test starts a cluster of its own
 * (3 primaries + 3 replicas, setup/redis-cluster.ts), three hubs on it
 * (NEXT_CHAT_REDIS_CLUSTER_NODES) and a database of its own on the shared
 * MariaDB, and rooms whose groups hash to different shards, each with a
 * sender on one hub (clientMessageId, every failed send retried with the same
 * one until answered) and a subscriber on another.
 *
 * - kill -9 of a primary under traffic (no WAIT: asynchronous replication
 *   may lose the newest acknowledged writes, so those are not asserted):
 *   sends fail with 4503 during the failover only; afterwards every room's
 *   history has each clientMessageId at most once, in order, every message
 *   acknowledged after the failover is in it, a subscriber either saw exactly
 *   the history or was told to resync (1001), and history reaches MySQL.
 * - A slot migration under traffic (the slots of two rooms with traffic,
 *   moved key batch by key batch as `redis-cli --cluster reshard` does): no
 *   acknowledged message lost, none twice, order kept, every subscriber got
 *   every message once with no resync, and the groups' keys are on the
 *   destination afterwards.
 */
import { afterEach, expect, inject, it } from 'vitest';
import calculateSlot from 'cluster-key-slot';
import mysql from 'mysql2/promise';
import { compareMessageIds, type Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, type Frame } from '../setup/ws-client.js';
import { createTestDatabase, randomPrefix } from '../setup/engine-env.js';
import { startRedisCluster, type RedisClusterHandle } from '../setup/redis-cluster.js';

let cluster: RedisClusterHandle | undefined;
const hubs: HubProcess[] = [];
const clients: TestClient[] = [];

/** Bumped after each test: the loops of a test that failed stop instead of reconnecting to killed hubs. */
let generation = 0;
afterEach(async () => {
  generation++;
  for (const c of clients.splice(0)) c.close();
  await Promise.all(hubs.splice(0).map((h) => h.kill9()));
  await cluster?.dispose();
  cluster = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startHubs(c: RedisClusterHandle, n: number, mysqlUrl: string): Promise<{ prefix: string; hubs: HubProcess[] }> {
  const prefix = randomPrefix();
  const started: HubProcess[] = [];
  for (let i = 0; i < n; i++) {
    const h = await startHub(
      {
        NEXT_CHAT_REDIS_CLUSTER_NODES: c.seeds,
        NEXT_CHAT_REDIS_PREFIX: prefix,
        NEXT_CHAT_MYSQL_URL: mysqlUrl,
        NEXT_CHAT_INSTANCE_ID: `${prefix}-hub${i}`,
        NEXT_CHAT_RATE_LIMIT: '0',
        NEXT_CHAT_HISTORY_FLUSH_MS: '50',
      },
      30_000,
    );
    hubs.push(h);
    started.push(h);
  }
  return { prefix, hubs: started };
}

async function connect(url: string, user: string): Promise<TestClient> {
  const c = await TestClient.connect(url, user);
  clients.push(c);
  return c;
}

/** A request that gives up after `ms` (a request on a socket that closed would wait forever). */
function bounded(c: TestClient, method: string, params: unknown, ms = 10_000): Promise<Frame> {
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

interface Stats {
  unavailable: number;
  senderReconnects: number;
  /** Anything but a 4503 or a resync close: what the hub should not answer. */
  other: string[];
  rooms: Room[];
}

/** A member's connection: what its join returned, then what it received live. */
interface Conn {
  c: TestClient;
  joined: Message[];
}

interface Room {
  tag: string;
  g: string;
  slot: number;
  owner: number;
  senderUser: string;
  senderHub: HubProcess;
  sender: TestClient;
  subUser: string;
  subHub: HubProcess;
  subConns: Conn[];
  subCloses: { code: number; reason: string }[];
  /** clientMessageId -> the id it was acknowledged with, and when. */
  acked: Map<string, { id: string; at: number }>;
  /** The send being retried, and its last refusal (for the failure message). */
  pending?: { cmid: string; attempts: number; since: number; last?: string };
}

const seqOf = (room: Room, conn: Conn) => [...conn.joined, ...conn.c.messages(room.g)];

/** A join (or any request) retried through 4503s until answered; throws on anything else. */
async function until(c: TestClient, method: string, params: unknown, stats: Stats): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    const f = await bounded(c, method, params);
    if (f.result) return f.result;
    if (f.error?.code !== 4503) {
      stats.other.push(`${method} ${JSON.stringify(params)}: ${JSON.stringify(f.error)}`);
      if (f.error?.code === -1) throw new Error(`${method}: socket closed`);
    } else stats.unavailable++;
    if (attempt > 300) throw new Error(`${method} never answered: ${JSON.stringify(f.error)}`);
    await sleep(100);
  }
}

/** Rooms whose groups' meta keys hash to distinct slots served by the primaries wanted (one per room, in that order). */
async function pickRooms(c: RedisClusterHandle, prefix: string, owners: number[]): Promise<{ g: string; slot: number; owner: number }[]> {
  const out: ({ g: string; slot: number; owner: number } | undefined)[] = owners.map(() => undefined);
  const ownerOf = new Map<number, number>();
  for (let i = 0; out.includes(undefined) && i < 10_000; i++) {
    const g = uid(`rc${i}`);
    const slot = calculateSlot(`${prefix}:{${g}}:meta`);
    if (out.some((r) => r?.slot === slot)) continue;
    const owner = ownerOf.get(slot) ?? (await c.slotOwner(slot));
    ownerOf.set(slot, owner);
    const k = owners.findIndex((o, j) => o === owner && out[j] === undefined);
    if (k >= 0) out[k] = { g, slot, owner };
  }
  if (out.includes(undefined)) throw new Error(`no group found for every one of ${owners.join(',')}`);
  return out as { g: string; slot: number; owner: number }[];
}

async function setUpRooms(c: RedisClusterHandle, prefix: string, hs: HubProcess[], owners: number[], stats: Stats): Promise<Room[]> {
  const picked = await pickRooms(c, prefix, owners);
  const rooms: Room[] = [];
  for (const [i, p] of picked.entries()) {
    const senderUser = uid(`s${i}`);
    const subUser = uid(`m${i}`);
    const senderHub = hs[i % hs.length]!;
    const subHub = hs[(i + 1) % hs.length]!;
    const sender = await connect(senderHub.url, senderUser);
    await until(sender, 'group.create', { groupId: p.g }, stats);
    await until(sender, 'group.join', { groupId: p.g }, stats);
    const sub = await connect(subHub.url, subUser);
    const j = (await until(sub, 'group.join', { groupId: p.g }, stats)) as { history: Message[] };
    rooms.push({
      tag: `r${i}`,
      ...p,
      senderUser,
      senderHub,
      sender,
      subUser,
      subHub,
      subConns: [{ c: sub, joined: j.history }],
      subCloses: [],
      acked: new Map(),
    });
    stats.rooms.push(rooms.at(-1)!);
  }
  return rooms;
}

/** Sends `<tag>-<i>` with clientMessageId the same, each retried with it until answered, until `stop()`. */
async function sender(room: Room, stats: Stats, stop: () => boolean): Promise<void> {
  const gen = generation;
  for (let i = 0; !stop() && gen === generation; i++) {
    const cmid = `${room.tag}-${i}`;
    room.pending = { cmid, attempts: 0, since: Date.now() };
    for (let attempt = 0; gen === generation; attempt++) {
      room.pending.attempts = attempt + 1;
      const f = await bounded(room.sender, 'message.send', { groupId: room.g, text: cmid, clientMessageId: cmid });
      room.pending.last = JSON.stringify(f.error ?? 'ok');
      if (f.result) {
        room.acked.set(cmid, { id: (f.result as { message: Message }).message.id, at: Date.now() });
        break;
      }
      if (f.error?.code === 4503) stats.unavailable++;
      else if (f.error?.code === -1) {
        // Sent to resync (its hub saw the log go back): reconnect and re-join, then retry the same send.
        stats.senderReconnects++;
        if (room.sender.closeInfo?.code !== 1001) stats.other.push(`sender of ${room.g} closed ${JSON.stringify(room.sender.closeInfo)}`);
        try {
          room.sender = await connect(room.senderHub.url, room.senderUser);
          await until(room.sender, 'group.join', { groupId: room.g, limit: 0 }, stats);
        } catch (err) {
          if (gen !== generation) return;
          stats.other.push(`sender of ${room.g}: reconnect failed: ${String(err)}`);
        }
      } else stats.other.push(`message.send ${cmid} in ${room.g}: ${JSON.stringify(f.error)}`);
      if (stop() && attempt > 300) {
        stats.other.push(`message.send ${cmid} in ${room.g} never answered`);
        return;
      }
      await sleep(100);
    }
    await sleep(30);
  }
}

/** Keeps the room's subscriber joined: on a close, records it and re-joins with since = the newest message it saw. */
async function subscriber(room: Room, stats: Stats, done: Promise<void>): Promise<void> {
  const gen = generation;
  while (gen === generation) {
    const conn = room.subConns.at(-1)!;
    const closed = await Promise.race([conn.c.closed, done.then(() => undefined)]);
    if (closed === undefined || gen !== generation) return;
    room.subCloses.push(closed);
    const last = room.subConns.flatMap((x) => seqOf(room, x)).at(-1)?.id;
    try {
      const c = await connect(room.subHub.url, room.subUser);
      const j = (await until(c, 'group.join', { groupId: room.g, limit: 200, ...(last ? { since: last } : {}) }, stats)) as { history: Message[] };
      room.subConns.push({ c, joined: j.history });
    } catch (err) {
      if (gen !== generation) return;
      stats.other.push(`subscriber of ${room.g}: re-join failed: ${String(err)}`);
      return;
    }
  }
}

/** The problems of one room's history: ids not ascending, a clientMessageId twice, a sender's messages out of order. */
function historyProblems(room: Room, history: Message[]): string[] {
  const problems: string[] = [];
  for (let i = 1; i < history.length; i++) {
    if (compareMessageIds(history[i - 1]!.id, history[i]!.id) >= 0) problems.push(`ids not ascending at ${i}: ${history[i - 1]!.id} ${history[i]!.id}`);
  }
  const counts = new Map<string, number>();
  for (const m of history) counts.set(m.text, (counts.get(m.text) ?? 0) + 1);
  for (const [t, n] of counts) if (n > 1) problems.push(`${t} ${n} times`);
  const idx = history.map((m) => Number(m.text.split('-').pop()));
  for (let i = 1; i < idx.length; i++) if (idx[i]! <= idx[i - 1]!) problems.push(`out of order: ${history[i - 1]!.text} before ${history[i]!.text}`);
  // A message present with an id other than the one acknowledged would be a second copy made by a retry.
  for (const m of history) {
    const a = room.acked.get(m.text);
    if (a && a.id !== m.id) problems.push(`${m.text} acknowledged as ${a.id}, in the history as ${m.id}`);
  }
  return problems;
}

async function mysqlIds(conn: mysql.Connection, groupId: string): Promise<string[]> {
  const [rows] = await conn.query('SELECT ms, seq FROM messages WHERE group_id = ? ORDER BY ms, seq', [groupId]);
  return (rows as { ms: number; seq: number }[]).map((r) => `${r.ms}-${r.seq}`);
}

/** Polls until every room has `n` messages acknowledged after `t`; throws with each room's state if not within 60 s. */
async function resumed(rooms: Room[], t: number, n: number, hs: HubProcess[]): Promise<void> {
  const after = (r: Room) => [...r.acked.values()].filter((a) => a.at > t).length;
  const deadline = Date.now() + 60_000;
  while (Math.min(...rooms.map(after)) < n) {
    if (Date.now() > deadline) {
      const state = rooms.map((r) => `${r.tag} ${r.g} slot ${r.slot}: ${after(r)} acked after, ${r.acked.size} in all; pending ${JSON.stringify(r.pending)}; sender on ${r.senderHub.port}`);
      throw new Error(`sends did not resume in every room within 60 s:\n  ${state.join('\n  ')}\n${hubTrouble(hs, 40)}`);
    }
    await sleep(200);
  }
}

/** Polls `check` until true or `ms` passed; the last answer. */
async function within(ms: number, check: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(200);
  }
  return true;
}

/** Each room's subscriber connections: the problems (a message twice, out of order, seen but not in the history without a resync). */
function connProblems(room: Room, ids: string[]): string[] {
  const problems: string[] = [];
  for (const [i, conn] of room.subConns.entries()) {
    const seq = seqOf(room, conn);
    if (new Set(seq.map((m) => m.id)).size !== seq.length) problems.push(`${room.tag} subscriber conn ${i}: a message twice`);
    for (let k = 1; k < seq.length; k++) if (compareMessageIds(seq[k - 1]!.id, seq[k]!.id) >= 0) problems.push(`${room.tag} subscriber conn ${i}: ${seq[k - 1]!.text} before ${seq[k]!.text}`);
    const diverged = seq.filter((m) => !ids.includes(m.id));
    if (diverged.length > 0 && room.subCloses[i] === undefined) problems.push(`${room.tag} subscriber conn ${i} saw ${diverged.map((m) => m.text).join(',')} (not in the history) and was not told to resync`);
  }
  return problems;
}

function hubTrouble(hs: HubProcess[], max = 8): string {
  return hs
    .map((h, i) => {
      const bad = h.logs.filter((l) => /"level":("(warn|error|fatal)"|[456]0)/.test(l) && !l.includes('the web app is not built'));
      // Long lines (a failed script's whole source) cut to what names the failure.
      const cut = (l: string) => (l.length > 700 ? `${l.slice(0, 450)} … ${l.slice(-250)}` : l);
      return `hub${i}: ${bad.length} warn/error lines${bad.length ? `\n  ${bad.slice(-max).map(cut).join('\n  ')}` : ''}`;
    })
    .join('\n');
}

it('kill -9 of a primary under traffic: no duplicate, no silent divergence, recovery', async () => {
  const t0 = Date.now();
  const mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
  const c = (cluster = await startRedisCluster());
  const { prefix, hubs: hs } = await startHubs(c, 3, mysqlUrl);
  const primaries = (await c.primaries()).map((p) => p.port);
  const victim = primaries[0]!;
  const stats: Stats = { unavailable: 0, senderReconnects: 0, other: [], rooms: [] };
  // Two rooms on the shard that is killed, one on each other.
  const rooms = await setUpRooms(c, prefix, hs, [victim, victim, primaries[1]!, primaries[2]!], stats);
  expect(stats.other).toEqual([]);

  let stop = false;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const senders = rooms.map((r) => sender(r, stats, () => stop));
  const subs = rooms.map((r) => subscriber(r, stats, done));
  await expect.poll(() => Math.min(...rooms.map((r) => r.acked.size)), { timeout: 20_000 }).toBeGreaterThan(10);
  const beforeKill = rooms.map((r) => r.acked.size);

  const killedAt = Date.now();
  await c.kill(victim, 'SIGKILL');
  const promoted = await c.waitForFailover(victim, 30_000);
  const failedOverAt = Date.now();
  // Sends work again in every room.
  await resumed(rooms, failedOverAt, 15, hs);
  stop = true;
  await Promise.all(senders);

  const reader = await connect(hs[2]!.url, uid('reader'));
  const problems: string[] = [];
  const report: string[] = [];
  const histories = new Map<Room, string[]>();
  for (const room of rooms) {
    await until(reader, 'group.join', { groupId: room.g, limit: 0 }, stats);
    const history = await allHistory(reader, room.g);
    const ids = history.map((m) => m.id);
    histories.set(room, ids);
    problems.push(...historyProblems(room, history).map((p) => `${room.tag}: ${p}`));
    const inHistory = new Map(history.map((m) => [m.text, m.id]));
    // What was acknowledged once the failover was over is there, with its id.
    for (const [cmid, a] of room.acked) if (a.at > failedOverAt && inHistory.get(cmid) !== a.id) problems.push(`${room.tag}: ${cmid}, acknowledged after the failover as ${a.id}, is ${inHistory.get(cmid) ?? 'missing'} in the history`);
    const lost = [...room.acked.keys()].filter((k) => !inHistory.has(k));
    // The subscriber saw exactly the history, or was told to resync: then, after its re-join, exactly the history from there.
    const matches = await within(15_000, () => {
      const seq = seqOf(room, room.subConns.at(-1)!).map((m) => m.id);
      if (room.subConns.length === 1) return seq.join(' ') === ids.join(' ');
      const from = seq.length ? ids.indexOf(seq[0]!) : ids.length;
      return from >= 0 && seq.join(' ') === ids.slice(from).join(' ');
    });
    const got = room.subConns.map((x) => seqOf(room, x).length).join('+');
    if (!matches) problems.push(`${room.tag}: subscriber (${room.subCloses.length} resyncs) has ${got} messages, not the history's ${ids.length}; last seen ${seqOf(room, room.subConns.at(-1)!).at(-1)?.text}`);
    problems.push(...connProblems(room, ids));
    for (const cl of room.subCloses) if (cl.code !== 1001 || cl.reason !== 'missed messages: reconnect and re-join with since') problems.push(`${room.tag}: subscriber closed ${JSON.stringify(cl)}`);
    report.push(
      `${room.tag} slot ${room.slot} on ${room.owner}${room.owner === victim ? ' (killed)' : ''}: ${room.acked.size} acked, ${history.length} in history, ${lost.length} acked lost${lost.length ? ` (${lost.join(',')})` : ''}, subscriber got ${got}, resyncs ${room.subCloses.length}`,
    );
  }
  finish();
  await Promise.all(subs);

  // History reached MySQL: the same ids.
  const db = await mysql.createConnection(mysqlUrl);
  try {
    for (const room of rooms) {
      const ids = histories.get(room)!;
      let inMysql: string[] = [];
      const deadline = Date.now() + 30_000;
      while ((inMysql = await mysqlIds(db, room.g)).join(' ') !== ids.join(' ') && Date.now() < deadline) await sleep(500);
      if (inMysql.join(' ') !== ids.join(' ')) problems.push(`${room.tag}: MySQL has ${inMysql.length} messages (${inMysql.filter((x) => !ids.includes(x)).length} not in the history), the history ${ids.length}`);
    }
  } finally {
    await db.end();
  }
  problems.push(...stats.other.map((o) => `not a 4503: ${o}`));
  console.log(
    `[redis-cluster-faults] kill -9 of ${victim}, ${promoted} promoted after ${failedOverAt - killedAt} ms; acked before the kill ${beforeKill.join('/')}; ${stats.unavailable} 4503 retried, ${stats.senderReconnects} sender reconnects; total ${Date.now() - t0} ms\n  ${report.join('\n  ')}\n${problems.length} problems${problems.length ? `:\n  ${problems.slice(0, 30).join('\n  ')}` : ''}\n${hubTrouble(hs)}`,
  );
  expect(problems).toEqual([]);
}, 180_000);

it('a slot migration under traffic loses nothing, duplicates nothing, and moves the groups', async () => {
  const t0 = Date.now();
  const mysqlUrl = await createTestDatabase(inject('mysqlUrl'));
  const c = (cluster = await startRedisCluster());
  const { prefix, hubs: hs } = await startHubs(c, 3, mysqlUrl);
  const primaries = (await c.primaries()).map((p) => p.port);
  const [src, dst, third] = primaries as [number, number, number];
  const stats: Stats = { unavailable: 0, senderReconnects: 0, other: [], rooms: [] };
  // Two rooms on the source (their slots are moved), one on the destination, one on the third shard.
  const rooms = await setUpRooms(c, prefix, hs, [src, src, dst, third], stats);
  expect(stats.other).toEqual([]);
  const moving = rooms.slice(0, 2);
  for (const r of moving) expect(r.owner).toBe(src);

  let stop = false;
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  const senders = rooms.map((r) => sender(r, stats, () => stop));
  const subs = rooms.map((r) => subscriber(r, stats, done));
  await expect.poll(() => Math.min(...rooms.map((r) => r.acked.size)), { timeout: 20_000 }).toBeGreaterThan(20);

  const migStart = Date.now();
  const moved: number[] = [];
  const unavailableBefore = stats.unavailable;
  for (const room of moving) moved.push(await c.migrateSlot(room.slot, dst, { batch: 5, pauseMs: 100 }));
  const migratedAt = Date.now();
  await resumed(rooms, migratedAt, 15, hs);
  stop = true;
  await Promise.all(senders);

  const reader = await connect(hs[1]!.url, uid('reader'));
  const problems: string[] = [];
  const report: string[] = [];
  const histories = new Map<Room, string[]>();
  for (const room of rooms) {
    await until(reader, 'group.join', { groupId: room.g, limit: 0 }, stats);
    const history = await allHistory(reader, room.g);
    const ids = history.map((m) => m.id);
    histories.set(room, ids);
    problems.push(...historyProblems(room, history).map((p) => `${room.tag}: ${p}`));
    const inHistory = new Map(history.map((m) => [m.text, m.id]));
    // Every acknowledged message, with the id it was acknowledged with; nothing else.
    for (const [cmid, a] of room.acked) if (inHistory.get(cmid) !== a.id) problems.push(`${room.tag}: ${cmid}, acknowledged as ${a.id}, is ${inHistory.get(cmid) ?? 'missing'} in the history`);
    if (history.length !== room.acked.size) problems.push(`${room.tag}: ${history.length} in the history, ${room.acked.size} acknowledged`);
    // The subscriber got every message once, live, with no resync.
    const matches = await within(15_000, () => seqOf(room, room.subConns[0]!).map((m) => m.id).join(' ') === ids.join(' '));
    const seq = seqOf(room, room.subConns[0]!);
    if (!matches) {
      const missing = history.filter((m) => !seq.some((x) => x.id === m.id));
      problems.push(`${room.tag}${moving.includes(room) ? ' (moved)' : ''}: subscriber on ${room.subHub.port} got ${seq.length} of ${ids.length}; missing ${missing.length}: ${missing[0]?.text}..${missing.at(-1)?.text}; last received ${seq.at(-1)?.text}`);
    }
    problems.push(...connProblems(room, ids));
    if (room.subCloses.length) problems.push(`${room.tag}: subscriber closed ${JSON.stringify(room.subCloses)}`);
    report.push(`${room.tag} slot ${room.slot} on ${room.owner}${moving.includes(room) ? ` -> ${dst}` : ''}: ${room.acked.size} acked, ${history.length} in history, subscriber got ${seq.length}`);
  }
  finish();
  await Promise.all(subs);

  // The moved groups' keys live on the destination now, none on the source.
  for (const room of moving) {
    const owner = await c.slotOwner(room.slot);
    const d = c.client(dst);
    const s = c.client(src);
    try {
      const onDst = await d.exists(`${prefix}:{${room.g}}:meta`, `${prefix}:{${room.g}}:stream`, `${prefix}:{${room.g}}:members`);
      const inSlotDst = Number(await d.call('CLUSTER', 'COUNTKEYSINSLOT', room.slot));
      const inSlotSrc = Number(await s.call('CLUSTER', 'COUNTKEYSINSLOT', room.slot));
      if (owner !== dst || onDst !== 3 || inSlotDst <= 3 || inSlotSrc !== 0) problems.push(`${room.tag}: slot ${room.slot} owner ${owner}, group keys on the destination ${onDst}/3, keys in the slot ${inSlotDst} there and ${inSlotSrc} on the source`);
    } finally {
      d.disconnect();
      s.disconnect();
    }
  }

  const db = await mysql.createConnection(mysqlUrl);
  try {
    for (const room of rooms) {
      const ids = histories.get(room)!;
      let inMysql: string[] = [];
      const deadline = Date.now() + 30_000;
      while ((inMysql = await mysqlIds(db, room.g)).join(' ') !== ids.join(' ') && Date.now() < deadline) await sleep(500);
      if (inMysql.join(' ') !== ids.join(' ')) problems.push(`${room.tag}: MySQL has ${inMysql.length} messages (${inMysql.filter((x) => !ids.includes(x)).length} not in the history), the history ${ids.length}`);
    }
  } finally {
    await db.end();
  }
  problems.push(...stats.other.map((o) => `not a 4503: ${o}`));
  console.log(
    `[redis-cluster-faults] migrated slots ${moving.map((r) => r.slot).join(',')} (${moved.join('+')} keys) ${src} -> ${dst} in ${migratedAt - migStart} ms; ${stats.unavailable - unavailableBefore} 4503 during it (${stats.unavailable} in all), ${stats.senderReconnects} sender reconnects; total ${Date.now() - t0} ms\n  ${report.join('\n  ')}\n${problems.length} problems${problems.length ? `:\n  ${problems.slice(0, 30).join('\n  ')}` : ''}\n${hubTrouble(hs)}`,
  );
  expect(problems).toEqual([]);
}, 180_000);
