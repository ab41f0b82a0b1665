/**
 * The REPL with the SDK on a scripted WebSocket (tests/unit/client/fake-socket.ts):
 * lines typed for the protocol 1.1 commands go out as the right requests,
 * `dm` puts the conversation in use, notifications are printed above the
 * prompt, and `delete` asks on a terminal (needs --yes without one);
 * typing: sent while a plain line for the group in use is typed on a
 * terminal (throttled by the SDK), shown as "bob is typing…".
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Repl } from '../../../packages/cli/src/repl.js';
import { FakeSocket, type SentRequest } from '../client/fake-socket.js';

const at = '2026-11-22T10:00:00.000Z';
const room = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: 'room',
  visibility: 'public',
  title: '',
  topic: '',
  createdBy: 'alice',
  createdAt: at,
  ownerId: 'alice',
  memberCount: 1,
  capacity: 50,
  ...extra,
});
const DM = room('dm-ab', { kind: 'direct', visibility: 'private', ownerId: null, memberCount: 2, capacity: 2, peers: ['alice', 'bob'] });

let sends = 10;

/** What the scripted hub answers, by method. */
function answer(req: SentRequest): unknown {
  const p = req.params;
  switch (req.method) {
    case 'group.join':
      return { group: room(p.groupId as string), history: [], complete: true };
    case 'direct.open':
      return { group: DM, history: [], complete: true };
    case 'message.send':
      return { message: { id: `${++sends}-0`, groupId: p.groupId, authorId: 'alice', text: p.text, sentAt: at } };
    case 'group.delete':
      return { deleted: true };
    case 'group.kick':
      return { kicked: true };
    case 'group.update':
      return { group: room(p.groupId as string, { title: p.title }) };
    case 'typing':
      return {};
    case 'group.members':
      return { members: [], next: null };
    case 'me.conversations':
      return { conversations: [], next: null };
    case 'message.read':
      return { readUpTo: p.messageId, unread: 0 };
    default:
      throw new Error(`unexpected ${req.method}`);
  }
}

interface Session {
  type(line: string): void;
  /** Keys typed without Enter (a half-typed line). */
  press(keys: string): void;
  /** Resolves once the output (escape codes removed) contains `text`. */
  expect(text: string): Promise<void>;
  /** Resolves once `cond()` holds (re-checked on output and every 50 ms). */
  until(cond: () => boolean): Promise<void>;
  socket(): FakeSocket;
  sent(): SentRequest[];
  output(): string;
  end(): Promise<void>;
}

function start(tty: boolean): Session {
  const input = new PassThrough();
  const output = new PassThrough();
  if (tty) {
    (input as unknown as { isTTY: boolean }).isTTY = true;
    (output as unknown as { isTTY: boolean }).isTTY = true;
  }
  let text = '';
  const waiters: (() => void)[] = [];
  output.on('data', (d: Buffer) => {
    // eslint-disable-next-line no-control-regex
    text += d.toString().replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    for (const w of waiters.splice(0)) w();
  });
  FakeSocket.onCreate = (s) => {
    s.serve((req) => {
      const result = answer(req);
      s.reply(req.id, result);
      // The hub's echo of a sent message: the REPL's only confirmation of a say.
      if (req.method === 'message.send') s.push({ jsonrpc: '2.0', method: 'message', params: (result as { message: unknown }).message });
    });
    // As a real socket: open on a later turn, after the SDK holds on to it.
    setTimeout(() => s.open(), 0);
  };
  const repl = new Repl({
    input,
    output,
    color: false,
    url: 'ws://hub.test:5000',
    user: 'alice',
    requestTimeoutMs: 1000,
    maxReconnectDelayMs: 10,
    WebSocket: FakeSocket,
  });
  const done = repl.run();
  return {
    type: (line) => input.write(`${line}\n`),
    press: (keys) => input.write(keys),
    expect: async (wanted) => {
      // performance.now(): some tests fake Date.
      const deadline = performance.now() + 2000;
      while (!text.includes(wanted)) {
        if (performance.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(wanted)}; output so far:\n${text}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    until: async (cond) => {
      const deadline = performance.now() + 2000;
      while (!cond()) {
        if (performance.now() > deadline) throw new Error(`timed out waiting; output so far:\n${text}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    socket: () => FakeSocket.last,
    sent: () => FakeSocket.last.sent,
    output: () => text,
    end: async () => {
      input.end();
      await done;
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
  FakeSocket.reset();
});

describe('REPL (piped, no terminal)', () => {
  it('dm puts the conversation in use: plain lines go to it, shown as @bob', async () => {
    const s = start(false);
    await s.expect('* connected to');
    s.type('dm bob');
    await s.expect('* lines you type now go to @bob');
    expect(s.sent().at(-1)).toMatchObject({ method: 'direct.open', params: { userId: 'bob' } });
    s.type('hello bob');
    await s.expect('@bob alice: hello bob'); // the hub's echo
    expect(s.sent().at(-1)).toMatchObject({ method: 'message.send', params: { groupId: 'dm-ab', text: 'hello bob' } });
    s.socket().push({ jsonrpc: '2.0', method: 'message', params: { id: '11-5', groupId: 'dm-ab', authorId: 'bob', text: 'hi', sentAt: at } });
    await s.expect('@bob bob: hi');
    s.type('say @bob again');
    await s.expect('@bob alice: again');
    expect(s.sent().at(-1)).toMatchObject({ method: 'message.send', params: { groupId: 'dm-ab', text: 'again' } });
    s.type('use @carol');
    await s.expect('! no direct conversation with carol in this session; open it with: dm carol');
    await s.end();
  });

  it('a line that starts with a command name but has the wrong words is refused, with how to send it instead', async () => {
    const s = start(false);
    await s.expect('* connected to');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    const before = s.sent().length;
    s.type('kick off at five');
    await s.expect('! usage: kick GROUP USER; to send this line to #lobby instead: say lobby kick off at five');
    expect(s.sent()).toHaveLength(before);
    s.type('kick lobby carol');
    await s.expect('kicked carol from #lobby');
    s.type('set lobby --title "The lobby"');
    await s.expect('updated #lobby');
    expect(s.sent().at(-1)).toMatchObject({ method: 'group.update', params: { groupId: 'lobby', title: 'The lobby' } });
    await s.end();
  });

  it('delete needs --yes without a terminal', async () => {
    const s = start(false);
    await s.expect('* connected to');
    s.type('delete lobby');
    await s.expect('! deleting #lobby removes it for everyone, with its members, invitations, bans and every message; if you mean it: delete lobby --yes');
    expect(s.sent().map((r) => r.method)).not.toContain('group.delete');
    s.type('delete lobby --yes');
    await s.expect('deleted #lobby');
    await s.end();
  });

  it('prints the new notifications above the prompt; conversation.removed takes the group out of use', async () => {
    const s = start(false);
    await s.expect('* connected to');
    s.type('join design');
    await s.expect('* lines you type now go to #design');
    const push = (method: string, params: unknown) => s.socket().push({ jsonrpc: '2.0', method, params });
    push('invited', { invitation: { groupId: 'secret', userId: 'alice', invitedBy: 'bob', at }, group: room('secret', { visibility: 'private' }) });
    await s.expect('* bob invited you to #secret (private) — join secret');
    push('member.left', { groupId: 'design', userId: 'carol', at, reason: 'kicked', by: 'bob' });
    await s.expect('#design * carol was kicked by bob');
    push('member.role', { groupId: 'design', userId: 'alice', role: 'admin', by: 'bob', at });
    await s.expect('#design * bob made you an admin');
    push('member.role', { groupId: 'design', userId: 'dave', role: 'admin', by: 'alice', at }); // by me: the command said so
    push('conversation.added', { group: DM, by: 'bob' });
    await s.expect('* bob opened a direct conversation with you — dm bob');
    push('conversation.removed', { groupId: 'design', reason: 'kicked', by: 'bob' });
    await s.expect('* you were removed from #design: kicked by bob');
    await s.expect('* no group in use now; pick one with: use GROUP');
    expect(s.output()).not.toContain('made dave');
    s.type('a plain line');
    await s.expect("! 'a' is not a command");
    await s.end();
  });
});

describe('REPL on a terminal', () => {
  it('delete asks, and only y or yes deletes', async () => {
    const s = start(true);
    await s.expect('* connected to');
    s.type('delete lobby');
    await s.expect('delete #lobby for everyone, with all its messages? This cannot be undone. [y/N]');
    s.type('n');
    await s.expect('kept #lobby; nothing was deleted');
    expect(s.sent().map((r) => r.method)).not.toContain('group.delete');
    s.type('delete lobby');
    await new Promise((r) => setTimeout(r, 20));
    s.type('yes');
    await s.expect('deleted #lobby');
    expect(s.sent().at(-1)).toMatchObject({ method: 'group.delete', params: { groupId: 'lobby' } });
    await s.end();
  });
});

describe('typing', () => {
  const T0 = new Date('2026-12-02T10:00:00.000Z').getTime();
  const typings = (s: Session) => s.sent().filter((r) => r.method === 'typing');
  const count = (s: Session, text: string) => s.output().split(text).length - 1;
  /** Lets the keys typed so far reach readline and the SDK. */
  const settle = () => new Promise((r) => setTimeout(r, 20));

  it('goes out while a plain line for the group in use is typed on a terminal, throttled by the SDK; commands send none', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const s = start(true);
    await s.expect('* connected to');
    // No group in use: nothing to tell.
    s.press('hello');
    await s.expect('alice> hello');
    s.type('');
    await s.expect("! 'hello' is not a command");
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    await s.expect('alice#lobby> ');
    expect(typings(s)).toEqual([]);
    // "he", "hel" may still become "help"; "hell" no longer.
    s.press('hel');
    await s.expect('alice#lobby> hel');
    expect(typings(s)).toEqual([]);
    s.press('l');
    await s.expect('alice#lobby> hell');
    expect(typings(s)).toEqual([{ jsonrpc: '2.0', id: expect.any(Number), method: 'typing', params: { groupId: 'lobby' } }]);
    // Every further key calls the SDK, which sends nothing more within 1.5 s.
    s.press('o there');
    await s.expect('alice#lobby> hello there');
    s.type('');
    await s.expect('#lobby alice: hello there');
    // (me.conversations: the unread counts, asked for on connecting.)
    expect(s.sent().map((r) => r.method)).toEqual(['me.conversations', 'group.join', 'typing', 'message.send']);
    // Commands, even after 1.5 s, are not messages: no typing.
    vi.setSystemTime(T0 + 1500);
    for (const line of ['members lobby', '/help', 'say lobby hi']) {
      s.press(line);
      await settle();
      s.type('');
    }
    await s.expect('#lobby alice: hi');
    expect(typings(s)).toHaveLength(1);
    // Arrow keys change nothing in the line: no typing either.
    s.press('\x1b[D\x1b[C');
    await settle();
    expect(typings(s)).toHaveLength(1);
    s.press('more');
    await s.expect('alice#lobby> more');
    expect(typings(s)).toHaveLength(2);
    await s.end();
  });

  it('an answer to a [y/N] question sends none', async () => {
    const s = start(true);
    await s.expect('* connected to');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    s.type('delete lobby');
    await s.expect('[y/N]');
    s.press('nope');
    await settle();
    s.type('');
    await s.expect('kept #lobby; nothing was deleted');
    expect(typings(s)).toEqual([]);
    await s.end();
  });

  it('"bob is typing…" shows above the prompt and leaves the half-typed line alone; once per user per group per 3 s, never for yourself', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(T0);
    const s = start(true);
    await s.expect('* connected to');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    s.type('join design');
    await s.expect('joined #design');
    const push = (groupId: string, userId: string) => s.socket().push({ jsonrpc: '2.0', method: 'typing', params: { groupId, userId, at: '2026-12-02T10:00:00.000Z' } });

    s.press('half ty');
    await s.expect('alice#lobby> half ty');
    push('lobby', 'bob');
    await s.expect('bob is typing…');
    // The line is drawn again below it, as it was (the escapes that clear it first are not in s.output()).
    await s.expect('bob is typing…\nalice#lobby> half ty');
    // Within 3 s: not again for bob in lobby; carol is news; yourself never.
    push('lobby', 'bob');
    push('lobby', 'alice');
    push('lobby', 'carol');
    await s.expect('carol is typing…');
    // Another group is named, as in a message.
    push('design', 'bob');
    await s.expect('#design bob is typing…');
    expect(count(s, 'bob is typing…')).toBe(2);
    expect(s.output()).not.toContain('alice is typing');
    vi.setSystemTime(T0 + 2999);
    push('lobby', 'bob');
    vi.setSystemTime(T0 + 3000);
    push('lobby', 'dave');
    await s.expect('dave is typing…');
    expect(count(s, 'bob is typing…')).toBe(2);
    push('lobby', 'bob');
    await s.until(() => count(s, 'bob is typing…') === 3);
    // Bob's message ends what he was typing: the next signal is shown at once.
    s.socket().push({ jsonrpc: '2.0', method: 'message', params: { id: '1-0', groupId: 'lobby', authorId: 'bob', text: 'done', sentAt: at } });
    await s.expect('#lobby bob: done');
    push('lobby', 'bob');
    await s.until(() => count(s, 'bob is typing…') === 4);
    // The half-typed line survived all of it.
    s.type('ped');
    await s.expect('#lobby alice: half typed');
    expect(s.sent().filter((r) => r.method === 'message.send').map((r) => r.params.text)).toEqual(['half typed']);
    await s.end();
  });

  it('piped input has no keystrokes: nothing is sent, but incoming typing is shown', async () => {
    const s = start(false);
    await s.expect('* connected to');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    s.type('hello there');
    await s.expect('#lobby alice: hello there');
    expect(typings(s)).toEqual([]);
    s.socket().push({ jsonrpc: '2.0', method: 'typing', params: { groupId: 'lobby', userId: 'bob', at } });
    await s.expect('bob is typing…');
    await s.end();
  });
});
