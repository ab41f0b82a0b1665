/**
 * Reconnect and resume against the real hub: a dropped connection re-joins
 * its groups with `since` and delivers every message exactly once, in order,
 * also when more were missed than one join returns (paging); a hub restart on
 * the same port is survived; 1001 reconnects at once; 1008-style refusals stop.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConnectError, ResumeError, type Message } from '../../../packages/client/src/index.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { hubEnv, randomPrefix } from '../setup/engine-env.js';
import { closeAll, freePort, gid, makeClient, nextEvent } from './helpers.js';

afterEach(closeAll);

describe('resume after a dropped connection', () => {
  let hub: HubProcess;
  beforeAll(async () => {
    hub = await startHub({ NEXT_CHAT_RATE_LIMIT: '0' });
  });
  afterAll(async () => {
    await hub?.stop();
  });

  it('delivers every message exactly once, in id order, paging what the join did not return', async () => {
    const g = gid('resume');
    // The token function runs before every connect: holding it back keeps
    // alice offline for as long as the test wants, without sleeping.
    let gate: Promise<void> = Promise.resolve();
    const alice = makeClient(hub.url, 'alice', {
      token: async () => {
        await gate;
        return 'alice';
      },
      resumePageLimit: 50, // 320 missed messages → join returns 50, history pages the rest
    });
    const bob = makeClient(hub.url, 'bob');
    await Promise.all([alice.connect(), bob.connect()]);
    await bob.createGroup(g);
    await Promise.all([alice.join(g), bob.join(g)]);

    const received: Message[] = [];
    alice.on('message', (m) => {
      if (m.groupId === g) received.push(m);
    });
    const sent: Message[] = [];
    const sendN = async (n: number, tag: string) => {
      for (let i = 0; i < n; i++) sent.push(await bob.send(g, `${tag}-${i}`));
    };

    await sendN(30, 'before');
    // Wait until alice saw them live, then drop her connection.
    while (received.length < 30) await nextEvent(alice, 'message');

    let release!: () => void;
    gate = new Promise<void>((r) => (release = r));
    const closed = nextEvent(alice, 'close');
    alice.reconnect();
    expect(await closed).toMatchObject({ willReconnect: true });

    await sendN(320, 'offline');
    const resumed = nextEvent(alice, 'resumed', (e) => e.groupId === g);
    release();
    // Keep sending while alice re-joins and pages: these arrive live, mid-resume.
    const during = sendN(40, 'during');
    const res = await resumed;
    expect(res).toMatchObject({ groupId: g, complete: true });
    expect(res.missed).toBeGreaterThanOrEqual(320);
    await during;
    while (received.length < sent.length) {
      await nextEvent(alice, 'message').catch((e: Error) => {
        const missing = sent.find((m) => !received.some((r) => r.id === m.id));
        throw new Error(`${e.message}: got ${received.length} of ${sent.length}, first missing '${missing?.text}'`);
      });
    }

    expect(received.map((m) => m.id)).toEqual(sent.map((m) => m.id));
    expect(new Set(received.map((m) => m.id)).size).toBe(received.length);
    expect(alice.lastSeenId(g)).toBe(sent[sent.length - 1].id);
  });

  it('a 1001 close (hub draining) reconnects at once', async () => {
    const port = await freePort();
    const own = await startHub({ NEXT_CHAT_PORT: String(port) });
    const c = makeClient(own.url, 'alice', { reconnect: { initialDelayMs: 5000, maxDelayMs: 5000 } });
    await c.connect();
    const closed = nextEvent(c, 'close');
    const reconnecting = nextEvent(c, 'reconnecting');
    await own.stop('SIGTERM');
    expect(await closed).toMatchObject({ code: 1001, willReconnect: true });
    // Despite a 5 s backoff, the first attempt after 1001 goes out right away.
    expect(await reconnecting).toMatchObject({ attempt: 1, delayMs: 0 });
  });
});

describe('hub restart on the same port', () => {
  it('reconnects with backoff and works again; groups lost with the in-process engine are reported', async () => {
    const port = await freePort();
    let hub = await startHub({ NEXT_CHAT_PORT: String(port) });
    try {
      const alice = makeClient(hub.url, 'alice');
      await alice.connect();
      const g = gid('restart');
      await alice.createGroup(g);
      await alice.join(g);

      const events: string[] = [];
      alice.on('close', (e) => events.push(`close ${e.code} ${e.willReconnect}`));
      // While the hub is down, attempts fail with connection refused and back
      // off (the very first may meet the draining hub's 503 instead).
      const refused = nextEvent(alice, 'reconnecting', (e) => e.error instanceof ConnectError && e.error.errno === 'ECONNREFUSED');
      await hub.stop();
      expect((await refused).error?.message).toMatch(/Cannot reach the hub/);

      const reopened = nextEvent(alice, 'open');
      // The restarted in-process hub has no groups: the re-join fails by name.
      const lost = nextEvent(alice, 'error');
      hub = await startHub({ NEXT_CHAT_PORT: String(port) });
      expect(await reopened).toEqual({ reconnected: true });
      const lostErr = await lost;
      expect(lostErr).toBeInstanceOf(ResumeError);
      expect(lostErr).toMatchObject({ groupId: g, cause: { code: 4004 } });
      expect(alice.joinedGroups).not.toContain(g);
      expect(events[0]).toBe('close 1001 true');

      // Usable again.
      await alice.createGroup(g);
      expect((await alice.join(g)).group.memberCount).toBe(1);
      expect((await alice.send(g, 'back')).text).toBe('back');
    } finally {
      await closeAll();
      await hub.stop();
    }
  });
});

describe('hub restart on the Redis engine', () => {
  it('receives every message exactly once, in order, across the restart', async () => {
    const env = hubEnv({ redisUrl: inject('redisUrl'), prefix: randomPrefix() });
    const port = await freePort();
    const other = await startHub({ ...env, NEXT_CHAT_INSTANCE_ID: 'sdk-other' });
    let hub = await startHub({ ...env, NEXT_CHAT_PORT: String(port), NEXT_CHAT_INSTANCE_ID: 'sdk-a' });
    try {
      const alice = makeClient(hub.url, 'alice', { resumePageLimit: 20 });
      const bob = makeClient(other.url, 'bob');
      await Promise.all([alice.connect(), bob.connect()]);
      const g = gid('redis-restart');
      await bob.createGroup(g);
      await Promise.all([alice.join(g), bob.join(g)]);
      const received: Message[] = [];
      alice.on('message', (m) => received.push(m));
      const sent: Message[] = [];
      const sendN = async (n: number, tag: string) => {
        for (let i = 0; i < n; i++) sent.push(await bob.send(g, `${tag}-${i}`));
      };

      await sendN(10, 'before');
      const lost = nextEvent(alice, 'close');
      await hub.stop();
      expect(await lost).toMatchObject({ code: 1001, willReconnect: true });
      await sendN(75, 'while-down'); // more than one resume page
      const resumed = nextEvent(alice, 'resumed');
      hub = await startHub({ ...env, NEXT_CHAT_PORT: String(port), NEXT_CHAT_INSTANCE_ID: 'sdk-a' });
      expect(await resumed).toMatchObject({ groupId: g, complete: true });
      await sendN(10, 'after');
      while (received.length < sent.length) await nextEvent(alice, 'message');
      expect(received.map((m) => m.text)).toEqual(sent.map((m) => m.text));
    } finally {
      await closeAll();
      await Promise.all([hub.stop(), other.stop()]);
    }
  });
});

describe('no reconnect', () => {
  it('when disabled, a lost connection stays closed', async () => {
    const hub = await startHub();
    try {
      const c = makeClient(hub.url, 'alice', { reconnect: false });
      await c.connect();
      const closed = nextEvent(c, 'close');
      await hub.stop();
      expect(await closed).toMatchObject({ code: 1001, willReconnect: false });
      expect(c.state).toBe('closed');
      await expect(c.listGroups()).rejects.toMatchObject({ name: 'NotConnectedError' });
    } finally {
      await hub.stop();
    }
  });
});
