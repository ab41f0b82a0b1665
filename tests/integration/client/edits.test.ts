/**
 * Protocol 1.1 §11 through the SDK against the real hub: editMessage,
 * deleteMessage and conversations; message.updated as a typed event in order
 * with the messages; and the automatic resume: the cursor is the greatest
 * message id or change cursor seen, the re-join's `updates` are delivered as
 * `message.updated` (resumed) exactly once, also across a second reconnect
 * with nothing new, and more changes than one join holds are paged.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareMessageIds } from '@next-chat/core';
import { RpcError, type ClientEvents, type Message, type NextChatClient } from '../../../packages/client/src/index.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { closeAll, gid, makeClient, nextEvent } from './helpers.js';

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_RATE_LIMIT: '0' });
});
afterAll(async () => {
  await hub?.stop();
});
afterEach(closeAll);

/** A client whose reconnects wait until `release()`: it stays offline for as long as the test wants. */
function gated(user: string, opts: Parameters<typeof makeClient>[2] = {}) {
  let gate: Promise<void> = Promise.resolve();
  let open!: () => void;
  const client = makeClient(hub.url, user, {
    token: async () => {
      await gate;
      return user;
    },
    ...opts,
  });
  return {
    client,
    /** Drops the connection; the next connect waits for `release()`. */
    async drop(): Promise<void> {
      gate = new Promise<void>((r) => (open = r));
      const closed = nextEvent(client, 'close');
      client.reconnect();
      await closed;
    },
    release: () => open(),
  };
}

/** Everything `c` hands over for `g`, in order: `m:<text>` for a message, `u:<text>[r]` for a change (`(deleted)` for a tombstone). */
function record(c: NextChatClient, g: string): { log: string[]; updates: ClientEvents['message.updated'][] } {
  const log: string[] = [];
  const updates: ClientEvents['message.updated'][] = [];
  c.on('message', (m) => m.groupId === g && log.push(`m:${m.text}`));
  c.on('message.updated', (u) => {
    if (u.message.groupId !== g) return;
    updates.push(u);
    log.push(`u:${u.message.deletedAt ? '(deleted)' : u.message.text}${u.resumed ? 'r' : ''}`);
  });
  return { log, updates };
}

async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('edits, deletes and conversations through the SDK', () => {
  it('edit and delete resolve with the message as it is now; subscribers get message.updated in order with messages', async () => {
    const g = gid('edits');
    const alice = makeClient(hub.url, 'alice');
    const bob = makeClient(hub.url, 'bob');
    await Promise.all([alice.connect(), bob.connect()]);
    await alice.createGroup(g);
    await Promise.all([alice.join(g), bob.join(g)]);
    const seen = record(bob, g);

    const m1 = await alice.send(g, 'helo');
    const edited = await alice.editMessage(g, m1.id, 'hello');
    expect(edited).toMatchObject({ id: m1.id, text: 'hello', editedAt: expect.any(String) });
    const m2 = await alice.send(g, 'second');
    const tomb = await alice.deleteMessage(g, m1.id);
    expect(tomb).toMatchObject({ id: m1.id, text: '', deletedAt: expect.any(String) });
    expect(await alice.deleteMessage(g, m1.id)).toEqual(tomb); // again: the same tombstone

    await until(() => seen.log.length === 4, "bob's four events");
    expect(seen.log).toEqual(['m:helo', 'u:hello', 'm:second', 'u:(deleted)']);
    // Each change's cursor is after everything before it: the cursor is the last one.
    expect(compareMessageIds(seen.updates[0].cursor, m1.id)).toBeGreaterThan(0);
    expect(compareMessageIds(m2.id, seen.updates[0].cursor)).toBeGreaterThan(0);
    expect(bob.lastSeenId(g)).toBe(seen.updates[1].cursor);
    expect(seen.updates.every((u) => u.resumed === undefined)).toBe(true);

    // History shows messages as they are now.
    const h = await bob.history(g);
    expect(h.messages.map((m) => [m.text, m.deletedAt !== undefined])).toEqual([
      ['', true],
      ['second', false],
    ]);
  });

  it('refusals are typed RpcErrors: not the author (4033), deleted (4033), unknown id (4044), not a member (4003)', async () => {
    const g = gid('edit-refused');
    const alice = makeClient(hub.url, 'alice');
    const bob = makeClient(hub.url, 'bob');
    const carol = makeClient(hub.url, 'carol');
    await Promise.all([alice.connect(), bob.connect(), carol.connect()]);
    await alice.createGroup(g);
    await Promise.all([alice.join(g), bob.join(g)]);
    const m = await alice.send(g, 'mine');
    const err = (p: Promise<unknown>) => p.then(() => expect.unreachable('resolved'), (e: unknown) => e as RpcError);
    expect(await err(bob.editMessage(g, m.id, 'yours?'))).toMatchObject({ code: 4033 });
    expect(await err(bob.deleteMessage(g, m.id))).toMatchObject({ code: 4033, data: { required: 'admin' } });
    expect(await err(alice.editMessage(g, '1-0', 'x'))).toMatchObject({ code: 4044, reason: 'message_not_found' });
    expect(await err(carol.editMessage(g, m.id, 'x'))).toMatchObject({ code: 4003 });
    await alice.deleteMessage(g, m.id);
    expect(await err(alice.editMessage(g, m.id, 'back?'))).toBeInstanceOf(RpcError);
  });

  it('conversations pages through every conversation with unread counts; markRead moves them', async () => {
    const alice = makeClient(hub.url, `alice-${process.pid}-${Date.now()}`);
    const bob = makeClient(hub.url, 'bob');
    await Promise.all([alice.connect(), bob.connect()]);
    const groups = [gid('conv'), gid('conv'), gid('conv')];
    for (const g of groups) {
      await bob.createGroup(g);
      await bob.join(g);
      await alice.join(g);
    }
    const last = await bob.send(groups[1], 'one');
    await bob.send(groups[1], 'two');
    const all: { id: string; unread: number }[] = [];
    let after: string | undefined;
    do {
      const page = await alice.conversations({ limit: 2, ...(after ? { after } : {}) });
      all.push(...page.conversations.map((c) => ({ id: c.group.id, unread: c.unread })));
      after = page.next ?? undefined;
    } while (after);
    // Latest activity first: the group with the new messages leads.
    expect(all.map((c) => c.id)[0]).toBe(groups[1]);
    expect(all.map((c) => c.id).sort()).toEqual([...groups].sort());
    expect(all.find((c) => c.id === groups[1])?.unread).toBe(2);
    const read = nextEvent(alice, 'read', (e) => e.groupId === groups[1]);
    expect(await alice.markRead(groups[1], last.id)).toEqual({ readUpTo: last.id, unread: 1 });
    expect(await read).toMatchObject({ groupId: groups[1], readUpTo: last.id, unread: 1 });
  });
});

describe('resume with edits and deletes', () => {
  it('re-joins from the greatest id or cursor seen and hands over what changed while away exactly once', async () => {
    const g = gid('resume-edits');
    const a = gated('alice');
    const bob = makeClient(hub.url, 'bob');
    await Promise.all([a.client.connect(), bob.connect()]);
    await bob.createGroup(g);
    await Promise.all([a.client.join(g), bob.join(g)]);
    const seen = record(a.client, g);

    const old: Message[] = [];
    for (const t of ['one', 'two', 'three']) old.push(await bob.send(g, t));
    await bob.editMessage(g, old[0].id, 'one (edited live)');
    await until(() => seen.log.length === 4, 'the live events');
    // The cursor is the edit's, after every message id.
    const cursor = a.client.lastSeenId(g)!;
    expect(compareMessageIds(cursor, old[2].id)).toBeGreaterThan(0);

    await a.drop();
    await bob.editMessage(g, old[1].id, 'two (edited away)');
    await bob.deleteMessage(g, old[2].id);
    await bob.send(g, 'four');
    const resumed = nextEvent(a.client, 'resumed', (e) => e.groupId === g);
    a.release();
    expect(await resumed).toEqual({ groupId: g, missed: 1, complete: true, updated: 2 });
    expect(seen.log).toEqual(['m:one', 'm:two', 'm:three', 'u:one (edited live)', 'u:two (edited away)r', 'u:(deleted)r', 'm:four']);
    // A resumed change has the since of its re-join as cursor.
    expect(seen.updates.slice(-2).map((u) => u.cursor)).toEqual([cursor, cursor]);

    // Dropped again with nothing new: the hub reports the same changes (no cursor came with them), the SDK does not.
    await a.drop();
    const again = nextEvent(a.client, 'resumed', (e) => e.groupId === g);
    a.release();
    expect(await again).toEqual({ groupId: g, missed: 0, complete: true });
    // Live changes go on after the resume.
    await bob.editMessage(g, old[1].id, 'two (edited again)');
    await until(() => seen.log.length === 8, 'the next live change');
    expect(seen.log.slice(7)).toEqual(['u:two (edited again)']);
  });

  it('more changes than one join holds are paged from message.history and all handed over', async () => {
    const g = gid('resume-many-edits');
    const a = gated('alice', { resumePageLimit: 3 });
    const bob = makeClient(hub.url, 'bob');
    await Promise.all([a.client.connect(), bob.connect()]);
    await bob.createGroup(g);
    await Promise.all([a.client.join(g), bob.join(g)]);
    const seen = record(a.client, g);
    const sent: Message[] = [];
    for (let i = 0; i < 10; i++) sent.push(await bob.send(g, `m${i}`));
    await until(() => seen.log.length === 10, 'the live messages');

    await a.drop();
    // Seven of the ten change while alice is away: a join with limit 3 holds three of them.
    const changed = [0, 1, 3, 4, 6, 8, 9];
    for (const i of changed) {
      if (i % 3 === 0) await bob.deleteMessage(g, sent[i].id);
      else await bob.editMessage(g, sent[i].id, `m${i} (edited)`);
    }
    const resumed = nextEvent(a.client, 'resumed', (e) => e.groupId === g);
    a.release();
    const r = await resumed;
    expect(r).toMatchObject({ groupId: g, missed: 0, complete: true, updated: 7 });
    const got = seen.updates.filter((u) => u.resumed);
    expect(got.map((u) => u.message.id)).toEqual(changed.map((i) => sent[i].id));
    expect(got.map((u) => (u.message.deletedAt ? '(deleted)' : u.message.text))).toEqual(changed.map((i) => (i % 3 === 0 ? '(deleted)' : `m${i} (edited)`)));
  });
});
