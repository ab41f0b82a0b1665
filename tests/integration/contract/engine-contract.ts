/**
 * The port contract suite: the same tests run against every engine (memory,
 * Redis, Redis + MySQL) through a factory, so the adapters agree on what
 * ports/*.ts promise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareMessageIds, type Message } from '@next-chat/core';
import { decodeMessage, messageBody, messageJson, type MembershipEvent, type MessageEvent, type PersonalEvent } from '../../../packages/server/src/events/codec.js';
import type { Engine } from '../../../packages/server/src/ports/engine.js';
import type { RoomSpec } from '../../../packages/server/src/ports/group-store.js';

export interface EngineFactory {
  name: string;
  /** A fresh engine on isolated state. */
  create(): Promise<Engine>;
  /** A second engine on the same state (another hub), when the engine supports it. */
  peer?(): Promise<Engine>;
  /**
   * How to make a real gap (BrokerHandlers.gap): messages of a group gone
   * from the messaging layer before the engine from `create()` read them, as
   * trimming does to a hub that lags by more than the retention window.
   * `provoke` does that to `groupId` while the engine is subscribed to it; an
   * engine whose messaging layer never trims says why instead, and the
   * contract skips that one case with the reason.
   */
  gap: { provoke(groupId: string): Promise<void> } | { impossible: string };
}

let n = 0;
const id = (p: string) => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;
/** A public room of protocol 1.1 with the v1 defaults: no title or topic, room for 100. */
const room = (groupId: string, createdBy: string, atMs: number): RoomSpec => ({ groupId, createdBy, atMs, visibility: 'public', title: '', topic: '', capacity: 100 });

class Collector {
  /** Delivered messages as the broker hands them over (encoded once, events/codec.ts). */
  readonly delivered: MessageEvent[] = [];
  /** The same, decoded. */
  readonly messages: Message[] = [];
  readonly events: MembershipEvent[] = [];
  readonly personal: PersonalEvent[] = [];
  /** Messages and group events in the order they were handed over. */
  readonly sequence: { groupId: string; what: string }[] = [];
  /** Every gap reported, with how many messages of its group had been delivered before it. */
  readonly gaps: { groupId: string; delivered: number }[] = [];
  private waiters: (() => void)[] = [];

  attach(engine: Engine): void {
    engine.broker.setHandlers({
      event: (e) => {
        if (e.kind === 'message') {
          this.delivered.push(e);
          this.messages.push(decodeMessage(e.json));
          this.sequence.push({ groupId: e.groupId, what: `message ${e.id}` });
        } else if (e.kind === 'member.joined' || e.kind === 'member.left') {
          this.events.push(e);
          this.sequence.push({ groupId: e.event.groupId, what: e.kind });
        } else if (e.kind === 'personal') {
          this.personal.push(e);
        }
        this.wake();
      },
      gap: (groupId) => {
        this.gaps.push({ groupId, delivered: this.of(groupId).length });
        this.wake();
      },
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  of(groupId: string): Message[] {
    return this.messages.filter((m) => m.groupId === groupId);
  }

  async until(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('timed out waiting for broker deliveries');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

export function engineContract(factory: EngineFactory): void {
  describe(`engine contract: ${factory.name}`, () => {
    let engine: Engine;
    const got = new Collector();
    /** Groups the gap case trimmed on purpose; a gap of any other group is a bug. */
    const provoked = new Set<string>();
    const T0 = Date.parse('2026-11-22T10:00:00.000Z');

    beforeAll(async () => {
      engine = await factory.create();
      got.attach(engine);
    });
    afterAll(async () => {
      await engine?.close();
    });

    async function groupWith(...members: string[]): Promise<string> {
      const g = id('g');
      // Created by someone who never joins: the owner may not leave while others remain (1.1), and these tests leave freely.
      await engine.groups.create(room(g, id('owner'), T0));
      for (const m of members) await engine.groups.join(g, m, 100, T0);
      return g;
    }

    describe('GroupStore', () => {
      it('creates a group once; the id is then taken', async () => {
        const g = id('g');
        const created = await engine.groups.create(room(g, 'ann', T0));
        const group = {
          id: g,
          kind: 'room',
          visibility: 'public',
          title: '',
          topic: '',
          createdBy: 'ann',
          createdAt: '2026-11-22T10:00:00.000Z',
          ownerId: 'ann',
          memberCount: 0,
          capacity: 100,
        };
        expect(created).toEqual({ status: 'created', group });
        expect(await engine.groups.create(room(g, 'bob', T0 + 1))).toEqual({ status: 'exists' });
        expect(await engine.groups.get(g)).toEqual(group);
        expect(await engine.groups.get(id('missing'))).toBeNull();
      });

      it('counts creations against the creator quota atomically: per window and in all', async () => {
        const creator = id('quota');
        const windowed = { perWindow: 3, windowMs: 60_000, total: 0 };
        const results = await Promise.all(Array.from({ length: 6 }, () => engine.groups.create(room(id('q'), creator, T0), windowed)));
        expect(results.filter((r) => r.status === 'created')).toHaveLength(3);
        const refused = results.filter((r) => r.status === 'quota');
        expect(refused).toHaveLength(3);
        for (const r of refused) {
          expect(r).toMatchObject({ quota: 'window' });
          if (r.status === 'quota') expect(r.retryAfterMs).toBeGreaterThan(0);
          if (r.status === 'quota') expect(r.retryAfterMs).toBeLessThanOrEqual(60_000);
        }
        // A taken id is answered as such, without using the quota.
        const taken = id('q');
        await engine.groups.create(room(taken, 'someone-else', T0));
        expect(await engine.groups.create(room(taken, creator, T0), windowed)).toEqual({ status: 'exists' });
        // The total counts every group the user created, whatever the window.
        const total = { perWindow: 0, windowMs: 60_000, total: 4 };
        expect(await engine.groups.create(room(id('q'), creator, T0), total)).toMatchObject({ status: 'created' });
        expect(await engine.groups.create(room(id('q'), creator, T0), total)).toMatchObject({ status: 'quota', quota: 'total' });
        // Another user has a quota of their own.
        expect(await engine.groups.create(room(id('q'), id('other'), T0), windowed)).toMatchObject({ status: 'created' });
      });

      it('a quota window ends: creations are allowed again', async () => {
        const creator = id('quota');
        const q = { perWindow: 1, windowMs: 300, total: 0 };
        expect(await engine.groups.create(room(id('q'), creator, T0), q)).toMatchObject({ status: 'created' });
        const refused = await engine.groups.create(room(id('q'), creator, T0), q);
        expect(refused).toMatchObject({ status: 'quota', quota: 'window' });
        await new Promise((r) => setTimeout(r, (refused.status === 'quota' ? refused.retryAfterMs : 0) + 50));
        expect(await engine.groups.create(room(id('q'), creator, T0), q)).toMatchObject({ status: 'created' });
      });

      it('joins with capacity, idempotently, and counts members', async () => {
        const g = id('g');
        await engine.groups.create(room(g, 'ann', T0));
        const a = await engine.groups.join(g, 'ann', 2, T0 + 5);
        expect(a).toMatchObject({ status: 'joined', joinedAt: '2026-11-22T10:00:00.005Z', role: 'owner', group: { id: g, memberCount: 1 } });
        const again = await engine.groups.join(g, 'ann', 2, T0 + 9);
        expect(again).toMatchObject({ status: 'already', joinedAt: '2026-11-22T10:00:00.005Z', role: 'owner', group: { memberCount: 1 } });
        expect(await engine.groups.join(g, 'bob', 2, T0)).toMatchObject({ status: 'joined', role: 'member', group: { memberCount: 2 } });
        expect(await engine.groups.join(g, 'cat', 2, T0)).toEqual({ status: 'full', capacity: 2 });
        expect(await engine.groups.join(id('missing'), 'cat', 2, T0)).toEqual({ status: 'group_not_found' });
        expect((await engine.groups.get(g))?.memberCount).toBe(2);
      });

      it('keeps capacity under concurrent joins', async () => {
        const g = id('g');
        await engine.groups.create(room(g, 'ann', T0));
        const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => engine.groups.join(g, `u${i}`, 7, T0)));
        expect(rs.filter((r) => r.status === 'joined').length).toBe(7);
        expect(rs.filter((r) => r.status === 'full').length).toBe(13);
      });

      it('leaves and reports membership', async () => {
        const g = await groupWith('ann', 'bob');
        expect(await engine.groups.membership(g, 'ann')).toBe('member');
        expect(await engine.groups.leave(g, 'ann')).toEqual({ status: 'left' });
        expect(await engine.groups.leave(g, 'ann')).toEqual({ status: 'not_member' });
        expect(await engine.groups.membership(g, 'ann')).toBe('not_member');
        expect(await engine.groups.membership(id('missing'), 'ann')).toBe('group_not_found');
        expect(await engine.groups.leave(id('missing'), 'ann')).toEqual({ status: 'group_not_found' });
        expect((await engine.groups.get(g))?.memberCount).toBe(1);
      });

      it('pages members sorted by user id', async () => {
        const g = await groupWith('dan', 'ann', 'cat', 'bob', 'eve');
        const p1 = await engine.groups.members(g, { limit: 2 });
        expect(p1?.items.map((m) => m.userId)).toEqual(['ann', 'bob']);
        expect(p1?.next).toBe('bob');
        const p2 = await engine.groups.members(g, { after: 'bob', limit: 3 });
        expect(p2?.items.map((m) => m.userId)).toEqual(['cat', 'dan', 'eve']);
        expect(p2?.next).toBeNull();
        expect(p2?.items[0].joinedAt).toBe('2026-11-22T10:00:00.000Z');
        expect(await engine.groups.members(id('missing'), { limit: 2 })).toBeNull();
      });

      it('lists groups sorted by id, by prefix and after a cursor', async () => {
        const p = id('list');
        for (const s of ['c', 'a', 'b', 'd']) await engine.groups.create(room(`${p}.${s}`, 'ann', T0));
        await engine.groups.create(room(`${p}x`, 'ann', T0));
        const page = await engine.groups.list({ userId: 'ann', prefix: `${p}.`, limit: 3 });
        expect(page.items.map((g) => g.id)).toEqual([`${p}.a`, `${p}.b`, `${p}.c`]);
        expect(page.next).toBe(`${p}.c`);
        const rest = await engine.groups.list({ userId: 'ann', prefix: `${p}.`, after: page.next!, limit: 3 });
        expect(rest.items.map((g) => g.id)).toEqual([`${p}.d`]);
        expect(rest.next).toBeNull();
        const all = await engine.groups.list({ userId: 'ann', after: `${p}.b`, limit: 200 });
        expect(all.items.map((g) => g.id).slice(0, 3)).toEqual([`${p}.c`, `${p}.d`, `${p}x`]);
      });
    });

    describe('read markers', () => {
      it('move forward only, count unread by number, and a send moves the sender\'s', async () => {
        const g = await groupWith('ann', 'bob');
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          const r = await engine.broker.publish({ groupId: g, authorId: 'bob', text: `m${i}`, sentAtMs: T0 + i });
          if (!('message' in r)) throw new Error(r.status);
          ids.push(r.message.id);
        }
        expect(await engine.groups.read(g, 'ann', ids[1] as string)).toEqual({ status: 'read', moved: true, readUpTo: ids[1], unread: 3 });
        expect(await engine.groups.read(g, 'ann', ids[0] as string)).toEqual({ status: 'read', moved: false, readUpTo: ids[1], unread: 3 });
        expect(await engine.groups.read(g, 'ann', '99999999999999-0')).toEqual({ status: 'too_new' });
        expect(await engine.groups.read(g, 'eve', ids[0] as string)).toEqual({ status: 'not_member' });
        expect(await engine.groups.read(id('nope'), 'ann', ids[0] as string)).toEqual({ status: 'group_not_found' });
        // Bob sent every message: his marker is on the last one.
        const { items } = (await engine.groups.members(g, { limit: 10 })) ?? { items: [] };
        expect(items.find((m) => m.userId === 'bob')?.readUpTo).toBe(ids[4]);
        expect(await engine.groups.read(g, 'bob', ids[2] as string)).toEqual({ status: 'read', moved: false, readUpTo: ids[4], unread: 0 });
      });
    });

    describe('Broker', () => {
      it('refuses sends to missing groups and from non-members', async () => {
        const g = await groupWith('ann');
        expect(await engine.broker.publish({ groupId: id('missing'), authorId: 'ann', text: 'x', sentAtMs: T0 })).toEqual({ status: 'group_not_found' });
        expect(await engine.broker.publish({ groupId: g, authorId: 'bob', text: 'x', sentAtMs: T0 })).toEqual({ status: 'not_member' });
      });

      it('appends with increasing ids and delivers everything after the subscribe top, in order, once', async () => {
        const g = await groupWith('ann');
        const before = await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'before', sentAtMs: T0 });
        expect(before.status).toBe('published');
        const top = await engine.broker.subscribe(g);
        expect(before.status === 'published' && top).toBe(before.status === 'published' ? before.message.id : '');
        const ids: string[] = [];
        for (let i = 0; i < 25; i++) {
          const r = await engine.broker.publish({ groupId: g, authorId: 'ann', text: `t${i}`, sentAtMs: T0 + i });
          if (r.status !== 'published') throw new Error(r.status);
          expect(r.message).toMatchObject({ kind: 'message', groupId: g });
          expect(decodeMessage(r.message.json)).toEqual({ id: r.message.id, groupId: g, authorId: 'ann', text: `t${i}`, sentAt: new Date(T0 + i).toISOString() });
          ids.push(r.message.id);
        }
        for (let i = 1; i < ids.length; i++) expect(compareMessageIds(ids[i - 1], ids[i])).toBeLessThan(0);
        await got.until(() => got.of(g).length >= 25);
        expect(got.of(g).map((m) => m.id)).toEqual(ids);
        expect(got.of(g)[3]).toEqual({ id: ids[3], groupId: g, authorId: 'ann', text: 't3', sentAt: new Date(T0 + 3).toISOString() });
        // One encoding everywhere: what is delivered is byte for byte what events/codec.ts makes of the message.
        const body = messageBody({ groupId: g, authorId: 'ann', text: 't3', sentAt: new Date(T0 + 3).toISOString() });
        expect(got.delivered.find((e) => e.id === ids[3])).toMatchObject({ kind: 'message', groupId: g, id: ids[3], json: messageJson(ids[3], body) });
        engine.broker.unsubscribe(g);
      });

      it('subscribes to an empty group with 0-0 and delivers its first message', async () => {
        const g = await groupWith('ann');
        expect(await engine.broker.subscribe(g)).toBe('0-0');
        const r = await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'first', sentAtMs: T0 });
        await got.until(() => got.of(g).length === 1);
        expect(r.status === 'published' && got.of(g)[0].id).toBe(r.status === 'published' ? r.message.id : '');
        engine.broker.unsubscribe(g);
      });

      it('returns the original for a repeated clientMessageId and delivers nothing again', async () => {
        const g = await groupWith('ann', 'bob');
        await engine.broker.subscribe(g);
        const first = await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'once', clientMessageId: 'c-1', sentAtMs: T0 });
        const again = await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'twice?', clientMessageId: 'c-1', sentAtMs: T0 + 50 });
        const other = await engine.broker.publish({ groupId: g, authorId: 'bob', text: 'bob', clientMessageId: 'c-1', sentAtMs: T0 });
        expect(first.status).toBe('published');
        expect(again.status).toBe('duplicate');
        expect(other.status).toBe('published');
        if (first.status !== 'published' || again.status !== 'duplicate') return;
        expect(again.message.id).toBe(first.message.id);
        expect(decodeMessage(again.message.json)).toEqual(decodeMessage(first.message.json));
        expect(decodeMessage(first.message.json).clientMessageId).toBe('c-1');
        const body = messageBody({ groupId: g, authorId: 'ann', text: 'once', sentAt: new Date(T0).toISOString(), clientMessageId: 'c-1' });
        expect(first.message.json).toBe(messageJson(first.message.id, body));
        await got.until(() => got.of(g).length >= 2);
        expect(got.of(g).map((m) => m.text)).toEqual(['once', 'bob']);
        engine.broker.unsubscribe(g);
      });

      it('stops delivering after unsubscribe and resumes from the new top', async () => {
        const g = await groupWith('ann');
        await engine.broker.subscribe(g);
        await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'a', sentAtMs: T0 });
        await got.until(() => got.of(g).length === 1);
        engine.broker.unsubscribe(g);
        await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'b', sentAtMs: T0 });
        const top = await engine.broker.subscribe(g);
        const c = await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'c', sentAtMs: T0 });
        await got.until(() => got.of(g).some((m) => m.text === 'c'));
        expect(got.of(g).map((m) => m.text)).toEqual(['a', 'c']);
        expect(c.status === 'published' && compareMessageIds(c.message.id, top)).toBeGreaterThan(0);
        engine.broker.unsubscribe(g);
      });

      it("delivers a group's events to the instances reading it, in order with its messages", async () => {
        const g = await groupWith('ann');
        await engine.broker.subscribe(g);
        const event = { groupId: g, userId: 'ann', at: '2026-11-22T10:00:00.000Z' };
        const before = await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'before', sentAtMs: T0 });
        await engine.broker.announce({ kind: 'member.joined', event });
        const after = await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'after', sentAtMs: T0 });
        await got.until(() => got.messages.filter((m) => m.groupId === g).length >= 2 && got.events.some((e) => e.event.groupId === g));
        expect(got.events.filter((e) => e.event.groupId === g)).toEqual([{ kind: 'member.joined', event }]);
        // The event sits between the two messages in what the hub was handed.
        const order = got.sequence.filter((x) => x.groupId === g).map((x) => x.what);
        expect(order).toEqual([`message ${'message' in before ? before.message.id : ''}`, 'member.joined', `message ${'message' in after ? after.message.id : ''}`]);
        engine.broker.unsubscribe(g);
      });

      it('delivers events of a user to the instances where the user is connected, whatever they read', async () => {
        const user = id('u');
        const elsewhere = id('u');
        engine.broker.userConnected(user);
        // The subscription is made in the background: announce until it is heard (bounded).
        for (let i = 0; i < 50 && !got.personal.some((e) => e.userIds.includes(user)); i++) {
          await engine.broker.announce({ kind: 'personal', userIds: [user], method: 'invited', params: { x: i } });
          await got.until(() => got.personal.some((e) => e.userIds.includes(user)), 100).catch(() => undefined);
        }
        expect(got.personal.filter((e) => e.userIds.includes(user))[0]).toMatchObject({ kind: 'personal', userIds: [user], method: 'invited' });
        // Nobody connected here as `elsewhere`: on Redis this instance does not even hear it.
        await engine.broker.announce({ kind: 'personal', userIds: [elsewhere], method: 'invited', params: {} });
        engine.broker.userDisconnected(user);
      });

      it('is ready', () => {
        expect(typeof engine.broker.isReady()).toBe('boolean');
      });

      it('reports a gap exactly for the group whose messages were trimmed unread, then delivers on', async (ctx) => {
        const gap = factory.gap;
        if ('impossible' in gap) {
          ctx.skip(`no gap can happen: ${gap.impossible}`);
          return;
        }
        const g = await groupWith('ann');
        const bystander = await groupWith('ann');
        await engine.broker.subscribe(g);
        await engine.broker.subscribe(bystander);
        // A delivered message gives the reader its baseline: the gap is after it.
        await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'seen', sentAtMs: T0 });
        await engine.broker.publish({ groupId: bystander, authorId: 'ann', text: 'b1', sentAtMs: T0 });
        await got.until(() => got.of(g).length === 1 && got.of(bystander).length === 1);
        expect(got.gaps.filter((x) => x.groupId === g || x.groupId === bystander)).toEqual([]);

        provoked.add(g);
        await gap.provoke(g);
        const after: string[] = [];
        for (const text of ['after 1', 'after 2', 'after 3']) {
          const r = await engine.broker.publish({ groupId: g, authorId: 'ann', text, sentAtMs: T0 });
          if (r.status !== 'published') throw new Error(r.status);
          after.push(r.message.id);
          await engine.broker.publish({ groupId: bystander, authorId: 'ann', text: `b ${text}`, sentAtMs: T0 });
        }
        await got.until(() => got.of(g).length === 4 && got.of(bystander).length === 4);
        // Once, for that group only, before anything past the hole was delivered.
        expect(got.gaps.filter((x) => x.groupId === g || x.groupId === bystander)).toEqual([{ groupId: g, delivered: 1 }]);
        // Delivery goes on after the gap, in order, once; the trimmed messages are simply not there.
        expect(got.of(g).map((m) => m.text)).toEqual(['seen', 'after 1', 'after 2', 'after 3']);
        expect(got.of(g).slice(1).map((m) => m.id)).toEqual(after);
        expect(got.of(bystander).map((m) => m.text)).toEqual(['b1', 'b after 1', 'b after 2', 'b after 3']);
        engine.broker.unsubscribe(g);
        engine.broker.unsubscribe(bystander);
      });

      it('reports no gap during normal delivery (this test’s, and every earlier test’s)', async () => {
        const groups = [await groupWith('ann', 'bob'), await groupWith('ann'), await groupWith('bob')];
        const [busy, quiet, later] = groups;
        await engine.broker.subscribe(busy);
        await engine.broker.subscribe(quiet);
        await engine.broker.publish({ groupId: later, authorId: 'bob', text: 'before subscribe', sentAtMs: T0 });
        // Concurrent sends, interleaved across groups; a subscribe and an unsubscribe/resubscribe in between.
        const sends: Promise<unknown>[] = [];
        for (let i = 0; i < 40; i++) {
          sends.push(engine.broker.publish({ groupId: busy, authorId: i % 2 ? 'ann' : 'bob', text: `busy ${i}`, sentAtMs: T0 + i }));
          if (i % 10 === 0) sends.push(engine.broker.publish({ groupId: quiet, authorId: 'ann', text: `quiet ${i}`, sentAtMs: T0 + i }));
          if (i === 20) sends.push(engine.broker.subscribe(later));
        }
        await Promise.all(sends);
        await got.until(() => got.of(busy).length === 40 && got.of(quiet).length === 4);
        engine.broker.unsubscribe(quiet);
        await engine.broker.publish({ groupId: quiet, authorId: 'ann', text: 'while away', sentAtMs: T0 });
        await engine.broker.subscribe(quiet);
        await engine.broker.publish({ groupId: quiet, authorId: 'ann', text: 'back', sentAtMs: T0 });
        await engine.broker.publish({ groupId: later, authorId: 'bob', text: 'after subscribe', sentAtMs: T0 });
        await got.until(() => got.of(quiet).some((m) => m.text === 'back') && got.of(later).some((m) => m.text === 'after subscribe'));
        for (const g of groups) engine.broker.unsubscribe(g);
        expect(got.gaps.filter((x) => !provoked.has(x.groupId))).toEqual([]);
      });
    });

    describe('HistoryReader', () => {
      it('returns the newest messages before a cursor, oldest first', async () => {
        const g = await groupWith('ann');
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) {
          const r = await engine.broker.publish({ groupId: g, authorId: 'ann', text: `h${i}`, sentAtMs: T0 + i });
          if (r.status === 'published') ids.push(r.message.id);
        }
        expect((await engine.history.latest(g, undefined, 5)).map((m) => m.id)).toEqual(ids.slice(7));
        expect((await engine.history.latest(g, ids[7], 5)).map((m) => m.id)).toEqual(ids.slice(2, 7));
        expect((await engine.history.latest(g, ids[2], 5)).map((m) => m.id)).toEqual(ids.slice(0, 2));
        expect(await engine.history.latest(g, ids[0], 5)).toEqual([]);
        expect((await engine.history.latest(g, undefined, 200)).map((m) => m.text)).toEqual(ids.map((_, i) => `h${i}`));
        expect(await engine.history.latest(id('empty'), undefined, 5)).toEqual([]);
      });
    });

    describe('Presence', () => {
      it('counts connections per user', async () => {
        const u = id('user');
        engine.presence.connected(u);
        engine.presence.connected(u);
        expect(await engine.presence.online([u, 'nobody-here'])).toEqual(new Set([u]));
        engine.presence.disconnected(u);
        expect(await engine.presence.online([u])).toEqual(new Set([u]));
        engine.presence.disconnected(u);
        expect(await engine.presence.online([u])).toEqual(new Set());
      });
    });

    if (factory.peer) {
      describe('two instances on one state', () => {
        it('deliver each other’s messages and see each other’s presence', async () => {
          const other = await factory.peer!();
          const theirs = new Collector();
          theirs.attach(other);
          try {
            const g = await groupWith('ann', 'bob');
            await other.broker.subscribe(g);
            const r = await engine.broker.publish({ groupId: g, authorId: 'ann', text: 'hi', sentAtMs: T0 });
            await theirs.until(() => theirs.of(g).length === 1);
            expect(r.status === 'published' && theirs.of(g)[0].id).toBe(r.status === 'published' ? r.message.id : '');
            const u = id('user');
            other.presence.connected(u);
            await other.presence.online([u]);
            expect(await engine.presence.online([u])).toEqual(new Set([u]));
            const ev = { groupId: g, userId: 'bob', at: '2026-11-22T10:00:00.000Z' };
            await engine.broker.announce({ kind: 'member.left', event: ev });
            await theirs.until(() => theirs.events.some((e) => e.event.groupId === g));
            expect(theirs.gaps).toEqual([]);
          } finally {
            await other.close();
          }
        });
      });
    }
  });
}
