/**
 * The REPL's edits, deletes, short ids and unread counts, with the SDK on a
 * scripted WebSocket that keeps a small hub's state: `history` names
 * messages with short ids, `edit`/`delete` take them (or mean your last
 * message in the group in use), `message.updated` is printed as it arrives,
 * what is on screen in the group in use is marked read, and the prompt shows
 * the unread messages of the other conversations.
 */
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../../packages/client/src/index.js';
import { Repl } from '../../../packages/cli/src/repl.js';
import { FakeSocket, type SentRequest } from '../client/fake-socket.js';

const at = '2026-11-22T10:00:00.000Z';
const room = (id: string) => ({
  id,
  kind: 'room',
  visibility: 'public',
  title: '',
  topic: '',
  createdBy: 'alice',
  createdAt: at,
  ownerId: 'alice',
  memberCount: 2,
  capacity: 50,
});

/** A hub with messages: ids `17000000<n>-0` in one id space, so short ids are their last 4 digits. */
class Hub {
  seq = 1000;
  readonly logs = new Map<string, Message[]>();
  conversations: Conversation[] = [];
  socket!: FakeSocket;

  nextId(): string {
    return `170000000${++this.seq}-0`;
  }
  log(g: string): Message[] {
    let l = this.logs.get(g);
    if (!l) this.logs.set(g, (l = []));
    return l;
  }
  /** A message by someone else, pushed live. */
  post(g: string, authorId: string, text: string): Message {
    const m: Message = { id: this.nextId(), groupId: g, authorId, text, sentAt: at };
    this.log(g).push(m);
    this.push('message', m);
    return m;
  }
  change(g: string, id: string, patch: Partial<Message>): Message {
    const l = this.log(g);
    const i = l.findIndex((m) => m.id === id);
    l[i] = { ...l[i], ...patch };
    this.push('message.updated', { message: l[i], cursor: this.nextId() });
    return l[i];
  }
  push(method: string, params: unknown): void {
    this.socket.push({ jsonrpc: '2.0', method, params });
  }

  answer(req: SentRequest): unknown {
    const p = req.params;
    const g = p.groupId as string;
    switch (req.method) {
      case 'group.join':
        return { group: room(g), history: this.log(g).slice(-(p.limit as number)), complete: true };
      case 'message.send': {
        const m: Message = { id: this.nextId(), groupId: g, authorId: 'alice', text: p.text as string, sentAt: at };
        this.log(g).push(m);
        queueMicrotask(() => {
          this.push('message', m);
          this.push('read', { groupId: g, readUpTo: m.id, unread: 0 });
        });
        return { message: m };
      }
      case 'message.history': {
        const l = this.log(g);
        const end = p.before ? l.findIndex((m) => m.id === p.before) : l.length;
        const messages = l.slice(Math.max(0, end - (p.limit as number)), end);
        return { messages, next: end - (p.limit as number) > 0 ? messages[0].id : null };
      }
      case 'message.edit': {
        const m = this.log(g).find((x) => x.id === p.messageId)!;
        const changed = { ...m, text: p.text as string, editedAt: at };
        queueMicrotask(() => this.change(g, m.id, { text: p.text as string, editedAt: at }));
        return { message: changed };
      }
      case 'message.delete': {
        const m = this.log(g).find((x) => x.id === p.messageId)!;
        queueMicrotask(() => this.change(g, m.id, { text: '', deletedAt: at }));
        return { message: { ...m, text: '', deletedAt: at } };
      }
      case 'message.read':
        queueMicrotask(() => this.push('read', { groupId: g, readUpTo: p.messageId, unread: 0 }));
        return { readUpTo: p.messageId, unread: 0 };
      case 'me.conversations':
        return { conversations: this.conversations, next: null };
      case 'group.delete':
        return { deleted: true };
      case 'typing':
        return {};
      default:
        throw new Error(`unexpected ${req.method}`);
    }
  }
}

function start(tty: boolean, hub = new Hub()) {
  const input = new PassThrough();
  const output = new PassThrough();
  if (tty) {
    (input as unknown as { isTTY: boolean }).isTTY = true;
    (output as unknown as { isTTY: boolean }).isTTY = true;
  }
  let text = '';
  let consumed = 0;
  const waiters: (() => void)[] = [];
  output.on('data', (d: Buffer) => {
    // eslint-disable-next-line no-control-regex
    text += d.toString().replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    for (const w of waiters.splice(0)) w();
  });
  FakeSocket.onCreate = (s) => {
    hub.socket = s;
    s.serve((req) => s.reply(req.id, hub.answer(req)));
    setTimeout(() => s.open(), 0);
  };
  const repl = new Repl({ input, output, color: false, url: 'ws://hub.test:5000', user: 'alice', requestTimeoutMs: 1000, maxReconnectDelayMs: 10, WebSocket: FakeSocket });
  const done = repl.run();
  const until = async (cond: () => boolean, what: string) => {
    const deadline = performance.now() + 2000;
    while (!cond()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}; output so far:\n${text}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  };
  return {
    hub,
    type: (line: string) => input.write(`${line}\n`),
    /** Resolves once the output after the previous match contains `wanted`. */
    expect: async (wanted: string | RegExp) => {
      const find = () => {
        const rest = text.slice(consumed);
        const m = typeof wanted === 'string' ? (rest.includes(wanted) ? { index: rest.indexOf(wanted), length: wanted.length } : null) : (() => {
          const r = wanted.exec(rest);
          return r ? { index: r.index, length: r[0].length } : null;
        })();
        if (m) consumed += m.index + m.length;
        return m !== null;
      };
      await until(find, String(wanted));
    },
    until,
    output: () => text,
    sent: (): SentRequest[] => FakeSocket.last.sent,
    reads: (): unknown[] => FakeSocket.last.sent.filter((r) => r.method === 'message.read').map((r) => r.params.messageId),
    end: async () => {
      input.end();
      await done;
    },
  };
}

afterEach(() => FakeSocket.reset());

describe('short ids, edit and delete in the REPL', () => {
  it('history shows short ids; edit and delete take them or mean your last message; changes are printed as they come', async () => {
    const s = start(false);
    await s.expect('* connected to');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    s.type('first try');
    await s.expect('#lobby alice: first try');
    s.hub.post('lobby', 'bob', 'hi alice');
    await s.expect('#lobby bob: hi alice');

    s.type('history lobby');
    await s.expect(/1001 \S+ #lobby alice: first try\n1002 \S+ #lobby bob: hi alice\n/);

    // Your last message in the group in use; the hub's message.updated is the confirmation.
    s.type('edit first try, fixed');
    await s.expect(/\S+ #lobby alice edited 1001: first try, fixed\n/);
    expect(s.sent().filter((r) => r.method === 'message.edit').map((r) => r.params)).toEqual([{ groupId: 'lobby', messageId: '1700000001001-0', text: 'first try, fixed' }]);

    // By short id: bob's message (the hub decides whether alice may; here it lets her).
    s.type('delete 1002');
    await s.expect('#lobby * message 1002 deleted (bob, sent');
    s.type('history lobby');
    await s.expect(/1001 \S+ #lobby alice: first try, fixed \(edited\)\n1002 \S+ #lobby bob: \(deleted\)\n/);

    // Someone else's changes, live.
    const m = s.hub.post('lobby', 'bob', 'typo');
    await s.expect('#lobby bob: typo');
    s.hub.change('lobby', m.id, { text: 'no typo', editedAt: at });
    await s.expect('#lobby bob edited: no typo');

    s.type('delete');
    await s.expect('#lobby * message 1001 deleted (alice, sent');
    // Your last message is now a tombstone: `last` does not reach further back.
    s.type('delete');
    await s.expect('! your last message in #lobby is deleted already; to delete an earlier one, name it by its short id (see them with: history lobby)');
    await s.end();
  });

  it('says what to do when a short id is unknown, no group is in use, or the text is missing; --yes still means the room', async () => {
    const s = start(false);
    await s.expect('* connected to');
    s.type('edit hello');
    await s.expect('! no group in use, so no last message to edit: pick its group with: use GROUP, or name the message: edit SHORTID TEXT (history GROUP shows them)');
    s.type('delete');
    await s.expect('! no group in use, so no last message to delete');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    s.type('edit');
    await s.expect('! usage: edit [SHORTID] TEXT');
    s.type('edit 9999 new words');
    await s.expect("! no message has the short id '9999' in this session (history GROUP shows them); to make your last message begin with it: edit -- 9999 new words");
    s.type('delete 9999');
    await s.expect("! no message has the short id '9999' in this session (history GROUP shows them); to delete the room '9999': delete 9999 --yes");
    s.type('edit nothing of mine yet');
    await s.expect('! you have no message in #lobby to edit (none among its last 1000)');
    s.type('one');
    await s.expect('#lobby alice: one');
    s.type('history lobby');
    await s.expect('1001 ');
    s.type('edit 1001');
    await s.expect('! nothing to change it to; usage: edit 1001 TEXT');
    s.type('edit -- 1001 is a number');
    await s.expect('#lobby alice edited 1001: 1001 is a number');
    s.type('delete that one please');
    await s.expect('! usage: delete [SHORTID] | delete GROUP [--yes]; to send this line to #lobby instead: say lobby delete that one please');
    s.type('delete lobby --yes');
    await s.expect('deleted #lobby');
    expect(s.sent().filter((r) => r.method === 'message.delete')).toEqual([]);
    await s.end();
  });
});

describe('read markers and unread counts in the REPL', () => {
  it('marks read what arrives in the group in use and what join and history show, not other groups', async () => {
    const s = start(false);
    s.hub.log('lobby').push({ id: '1700000000500-0', groupId: 'lobby', authorId: 'bob', text: 'old', sentAt: at });
    await s.expect('* connected to');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    await s.until(() => s.reads().length === 1, 'the join marking read');
    expect(s.reads()).toEqual(['1700000000500-0']);
    s.type('join side');
    await s.expect('joined #side');
    s.hub.post('side', 'bob', 'elsewhere');
    await s.expect('#side bob: elsewhere');
    const m1 = s.hub.post('lobby', 'bob', 'here');
    await s.expect('#lobby bob: here');
    await s.until(() => s.reads().length === 2, 'a read for the message in use');
    expect(s.reads()).toEqual(['1700000000500-0', m1.id]);
    // Your own messages move the marker on their own: no read for them.
    s.type('mine');
    await s.expect('#lobby alice: mine');
    s.type('history side');
    await s.expect('#side bob: elsewhere');
    await s.until(() => s.reads().length === 3, 'history marking read');
    expect(s.sent().filter((r) => r.method === 'message.read').at(-1)?.params).toEqual({ groupId: 'side', messageId: '1700000001001-0' });
    await s.end();
  });

  it('a burst of messages in the group in use is one read at a time, the newest last', async () => {
    const hub = new Hub();
    const s = start(false, hub);
    await s.expect('* connected to');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    // Hold message.read answers back: the burst arrives while the first is in flight.
    const held: SentRequest[] = [];
    hub.socket.serve((req) => (req.method === 'message.read' ? held.push(req) : hub.socket.reply(req.id, hub.answer(req))));
    const ids = [1, 2, 3, 4].map((i) => hub.post('lobby', 'bob', `burst ${i}`).id);
    await s.expect('burst 4');
    expect(held.map((r) => r.params.messageId)).toEqual([ids[0]]);
    hub.socket.reply(held[0].id, { readUpTo: ids[0], unread: 3 });
    await s.until(() => held.length === 2, 'the folded read');
    expect(held[1].params.messageId).toBe(ids[3]);
    await s.end();
  });

  it('the prompt shows the unread of the other conversations, from me.conversations, messages and read', async () => {
    const hub = new Hub();
    const last = (g: string, id: string): Message => ({ id, groupId: g, authorId: 'bob', text: 'x', sentAt: at });
    hub.conversations = [
      { group: room('lobby') as Conversation['group'], role: 'member', readUpTo: null, unread: 2, lastMessage: last('lobby', '1700000000900-0') },
      { group: room('side') as Conversation['group'], role: 'member', readUpTo: null, unread: 1, lastMessage: last('side', '1700000000901-0') },
    ];
    const s = start(true, hub);
    await s.expect('* connected to');
    await s.expect('alice (3 unread)> ');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    // lobby is in use (and its join marked it read): only side counts.
    await s.expect('alice#lobby (1 unread)> ');
    hub.post('side', 'bob', 'more');
    await s.expect('alice#lobby (2 unread)> ');
    hub.push('read', { groupId: 'side', readUpTo: '1700000001001-0', unread: 0 });
    await s.expect('alice#lobby> ');
    hub.post('side', 'bob', 'again');
    await s.expect('alice#lobby (1 unread)> ');
    s.type('join side');
    await s.expect('joined #side');
    s.type('use side');
    await s.expect('* lines you type now go to #side');
    // `conversations` shows the hub's exact counts, and the prompt takes them.
    hub.conversations = [
      { group: room('side') as Conversation['group'], role: 'member', readUpTo: null, unread: 0, lastMessage: last('side', '1700000001002-0') },
      { group: room('lobby') as Conversation['group'], role: 'member', readUpTo: null, unread: 5, lastMessage: last('lobby', '1700000000900-0') },
    ];
    s.type('conversations');
    await s.expect(/#side  all read — \S+ bob: x\n/);
    await s.expect(/#lobby  5 unread — \S+ bob: x\n/);
    await s.expect('2 conversations, 5 unread');
    await s.expect('alice#side (5 unread)> ');
    await s.end();
  });

  it('use names the unread of the group taken into use', async () => {
    const hub = new Hub();
    hub.conversations = [{ group: room('side') as Conversation['group'], role: 'member', readUpTo: null, unread: 4, lastMessage: null }];
    const s = start(false, hub);
    await s.expect('* connected to');
    await s.until(() => s.sent().some((r) => r.method === 'me.conversations'), 'me.conversations');
    hub.log('side');
    s.type('join lobby');
    await s.expect('* lines you type now go to #lobby');
    // Joining side prints its (empty) history: nothing to mark, the count stays.
    s.type('join side');
    await s.expect('joined #side');
    s.type('use side');
    await s.expect('* #side: 4 unread; see them with: history side 4');
    await s.end();
  });
});
