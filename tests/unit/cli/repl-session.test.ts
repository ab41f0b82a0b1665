/**
 * The REPL with the SDK on a scripted WebSocket (tests/unit/client/fake-socket.ts):
 * lines typed for the protocol 1.1 commands go out as the right requests,
 * `dm` puts the conversation in use, notifications are printed above the
 * prompt, and `delete` asks on a terminal (needs --yes without one).
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
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
    default:
      throw new Error(`unexpected ${req.method}`);
  }
}

interface Session {
  type(line: string): void;
  /** Resolves once the output (escape codes removed) contains `text`. */
  expect(text: string): Promise<void>;
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
    expect: async (wanted) => {
      const deadline = Date.now() + 2000;
      while (!text.includes(wanted)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(wanted)}; output so far:\n${text}`);
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

afterEach(() => FakeSocket.reset());

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
