/**
 * Edits, deletes, short ids and unread counts in the console client, the pure
 * parts: how short ids are chosen and resolved, the unread bookkeeping, the
 * lines of history / message.updated / conversations, the edit, delete and
 * conversations commands with a client stub, their error sentences, and how
 * the one-shot parser reads them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errors, RpcError } from '@next-chat/core';
import type { Conversation, Group, Message, NextChatClient } from '@next-chat/client';
import * as conversations from '../../../packages/cli/src/commands/conversations.js';
import * as del from '../../../packages/cli/src/commands/delete.js';
import * as edit from '../../../packages/cli/src/commands/edit.js';
import * as history from '../../../packages/cli/src/commands/history.js';
import { commands } from '../../../packages/cli/src/commands/index.js';
import type { CommandContext } from '../../../packages/cli/src/context.js';
import { errorToText } from '../../../packages/cli/src/errors-to-text.js';
import { formatConversation, formatHistoryLine, formatMessage, formatUpdate, makeStyle, preview } from '../../../packages/cli/src/format.js';
import { buildParser } from '../../../packages/cli/src/run.js';
import { SessionShortIds, compactId, looksLikeMessageRef, matchesShortId, shortIdsForList } from '../../../packages/cli/src/short-ids.js';
import { UnreadCounts } from '../../../packages/cli/src/unread.js';

const plain = makeStyle(false);
const at = '2026-11-22T10:00:00.000Z';
const msg = (id: string, extra: Partial<Message> = {}): Message => ({ id, groupId: 'g', authorId: 'bob', text: `m${id}`, sentAt: at, ...extra });
const room = (extra: Partial<Group> = {}): Group => ({
  id: 'g',
  kind: 'room',
  visibility: 'public',
  title: '',
  topic: '',
  createdBy: 'alice',
  createdAt: at,
  ownerId: 'alice',
  memberCount: 2,
  capacity: 50,
  ...extra,
});

/** A client stub: `history` pages over `log` (oldest first) like the hub; the others record their calls. */
function stub(log: Message[], extra: Record<string, (...a: never[]) => unknown> = {}) {
  const calls: unknown[][] = [];
  const client = {
    joinedGroups: [] as string[],
    history: async (groupId: string, p: { before?: string; limit: number }) => {
      calls.push(['history', groupId, p]);
      const end = p.before ? log.findIndex((m) => m.id === p.before) : log.length;
      const upTo = end < 0 ? log.length : end;
      const messages = log.slice(Math.max(0, upTo - p.limit), upTo);
      return { messages, next: upTo - p.limit > 0 && messages.length > 0 ? messages[0].id : null };
    },
    editMessage: async (groupId: string, messageId: string, text: string) => {
      calls.push(['editMessage', groupId, messageId, text]);
      return { ...(log.find((m) => m.id === messageId) ?? msg(messageId)), text, editedAt: '2026-11-22T10:05:00.000Z' };
    },
    deleteMessage: async (groupId: string, messageId: string) => {
      calls.push(['deleteMessage', groupId, messageId]);
      return { ...(log.find((m) => m.id === messageId) ?? msg(messageId)), text: '', deletedAt: '2026-11-22T10:06:00.000Z' };
    },
    deleteGroup: async (groupId: string) => {
      calls.push(['deleteGroup', groupId]);
      return true;
    },
    ...extra,
  };
  return { client: client as unknown as NextChatClient, calls };
}
const ctx = (client: NextChatClient, extra: Partial<CommandContext> = {}): CommandContext => ({ client, style: plain, interactive: false, me: 'alice', ...extra });

describe('short ids', () => {
  it('are the end of the compact id: seq 0 is left out, another seq kept', () => {
    expect(compactId('1795449674617-0')).toBe('1795449674617');
    expect(compactId('1795449674617-2')).toBe('1795449674617-2');
    expect(matchesShortId('4617', '1795449674617-0')).toBe(true);
    expect(matchesShortId('4617', '1795449674617-1')).toBe(false);
    expect(matchesShortId('4617-1', '1795449674617-1')).toBe(true);
    expect(matchesShortId('1795449674617-0', '1795449674617-0')).toBe(true);
    expect(looksLikeMessageRef('4617')).toBe(true);
    expect(looksLikeMessageRef('4617-2')).toBe(true);
    expect(looksLikeMessageRef('lobby')).toBe(false);
    expect(looksLikeMessageRef('4617x')).toBe(false);
  });

  it('for a list, take 4 characters, more only where a newer message ends the same', () => {
    const ids = ['1700000094617-0', '1700000084617-0', '1700000081234-0', '1700000081234-3'];
    expect(shortIdsForList(ids.map((id) => ({ id })))).toEqual(['94617', '4617', '1234', '34-3']);
  });

  it('for a list, each name resolves back to its message as "the newest whose id ends with it"', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.integer({ min: 1_700_000_000_000, max: 1_700_000_099_999 }), fc.integer({ min: 0, max: 2 })), { minLength: 1, maxLength: 60, selector: ([ms, seq]) => `${ms}-${seq}` }), (pairs) => {
        const ids = pairs.map(([ms, seq]) => `${ms}-${seq}`);
        const names = shortIdsForList(ids.map((id) => ({ id })));
        for (let i = 0; i < ids.length; i++) {
          // The list is what history shows: the newest messages. The newest match is the message itself.
          const newest = [...ids].reverse().find((id) => matchesShortId(names[i], id));
          expect(newest).toBe(ids[i]);
        }
      }),
    );
  });

  it('in a session, stay what they were when first shown, and each names one message of any group', () => {
    const s = new SessionShortIds();
    const a = msg('1700000094617-0');
    const b = msg('1700000084617-0');
    const other = msg('1700000094617-0', { groupId: 'other' });
    expect(s.name([a])).toEqual(['4617']);
    expect(s.name([b, a])).toEqual(['84617', '4617']);
    expect(s.nameOf(other)).toBe('94617');
    expect(s.lookup('4617')).toEqual({ groupId: 'g', messageId: a.id });
    expect(s.lookup('94617')).toEqual({ groupId: 'other', messageId: other.id });
    expect(s.lookup('84617')).toEqual({ groupId: 'g', messageId: b.id });
    expect(s.known(b)).toBe('84617');
    expect(s.known(msg('1-0'))).toBeUndefined();
    // A full id that was shown names its message in the group given.
    expect(s.lookup(a.id, 'g')).toEqual({ groupId: 'g', messageId: a.id });
    expect(s.lookup(a.id)).toBeUndefined();
    expect(s.lookup('9999')).toBeUndefined();
  });
});

describe('unread counts', () => {
  const conv = (id: string, unread: number, last: string | null, readUpTo: string | null = null) => ({ group: { id }, unread, readUpTo, lastMessage: last ? msg(last, { groupId: id }) : null });

  it('start from me.conversations and count the live messages of groups not in use, not yours', () => {
    const u = new UnreadCounts();
    u.setFromConversation(conv('a', 2, '5-0'));
    u.setFromConversation(conv('b', 0, '9-0'));
    expect(u.total()).toBe(2);
    expect(u.onMessage(msg('6-0', { groupId: 'a' }), { mine: false, foreground: false })).toBe(true);
    expect(u.onMessage(msg('5-0', { groupId: 'a' }), { mine: false, foreground: false })).toBe(false); // in the snapshot already
    expect(u.onMessage(msg('6-0', { groupId: 'a' }), { mine: false, foreground: false })).toBe(false); // counted already
    expect(u.onMessage(msg('10-0', { groupId: 'b' }), { mine: true, foreground: false })).toBe(false);
    expect(u.onMessage(msg('11-0', { groupId: 'b' }), { mine: false, foreground: true })).toBe(false);
    expect(u.get('a')).toBe(3);
    expect(u.total()).toBe(3);
    expect(u.total('a')).toBe(0);
  });

  it('a read notification is exact; a message at or before the marker is read', () => {
    const u = new UnreadCounts();
    u.onMessage(msg('1-0'), { mine: false, foreground: false });
    u.onMessage(msg('2-0'), { mine: false, foreground: false });
    u.onRead({ groupId: 'g', readUpTo: '3-0', unread: 0 });
    expect(u.get('g')).toBe(0);
    // Your own message from another client: its read notification came first.
    expect(u.onMessage(msg('3-0'), { mine: false, foreground: false })).toBe(false);
    expect(u.onMessage(msg('4-0'), { mine: false, foreground: false })).toBe(true);
    expect(u.get('g')).toBe(1);
  });

  it('a snapshot keeps the live messages that came after its newest message', () => {
    const u = new UnreadCounts();
    u.onMessage(msg('5-0'), { mine: false, foreground: false });
    u.onMessage(msg('7-0'), { mine: false, foreground: false });
    u.setFromConversation(conv('g', 4, '6-0'));
    expect(u.get('g')).toBe(5);
    u.remove('g');
    expect(u.total()).toBe(0);
  });
});

describe('how edits and deletes look', () => {
  it('history marks edited messages and shows deleted ones without their text', () => {
    expect(formatMessage(msg('1-0', { text: 'fixed', editedAt: at }), plain)).toMatch(/^\d\d:\d\d:\d\d #g bob: fixed \(edited\)$/);
    expect(formatMessage(msg('1-0', { text: '', deletedAt: at }), plain)).toMatch(/^\d\d:\d\d:\d\d #g bob: \(deleted\)$/);
    expect(formatMessage(msg('1-0', { text: 'secret', deletedAt: at }), plain)).not.toContain('secret');
  });

  it('a history line starts with the short id, padded; continuation lines stay under the text', () => {
    const line = formatHistoryLine(msg('1-0', { text: 'one\ntwo' }), '4617', 5, plain);
    const [first, second] = line.split('\n');
    expect(first).toMatch(/^ 4617 \d\d:\d\d:\d\d #g bob: one$/);
    expect(second).toBe(`${' '.repeat(first.indexOf('one'))}two`);
  });

  it('message.updated: "bob edited 4617: ..." and "message 4617 deleted (bob, sent ...)"', () => {
    expect(formatUpdate(msg('1-0', { text: 'new', editedAt: at }), plain, '#g', '4617')).toMatch(/^\d\d:\d\d:\d\d #g bob edited 4617: new$/);
    expect(formatUpdate(msg('1-0', { text: 'new', editedAt: at }), plain, '@bob')).toMatch(/^\d\d:\d\d:\d\d @bob bob edited: new$/);
    expect(formatUpdate(msg('1-0', { text: '', deletedAt: at }), plain)).toMatch(/^\d\d:\d\d:\d\d #g \* message deleted \(bob, sent \d\d:\d\d:\d\d\)$/);
    expect(formatUpdate(msg('1-0', { text: '\x1b]0;x\x07', editedAt: at }), plain)).not.toMatch(/[\x00-\x08\x1b\x7f]/);
  });

  it('conversations: name, title, unread count and the newest message in one line', () => {
    const c: Conversation = { group: room({ title: 'Design' }), role: 'member', readUpTo: null, unread: 3, lastMessage: msg('1-0', { text: 'see the\nmockups?' }) };
    expect(formatConversation(c, plain, '#g', 'alice')).toMatch(/^#g “Design”  3 unread — \d\d:\d\d:\d\d bob: see the mockups\?$/);
    expect(formatConversation({ ...c, unread: 0, lastMessage: null }, plain, '#g')).toBe('#g “Design”  all read — no messages yet');
    expect(formatConversation({ ...c, lastMessage: msg('1-0', { authorId: 'alice', text: '', deletedAt: at }) }, plain, '#g', 'alice')).toMatch(/you: \(deleted\)$/);
    expect(preview({ text: 'x'.repeat(100) })).toHaveLength(60);
  });
});

describe('edit', () => {
  it('last: your newest message in the group, found by paging back; the new text is the rest of the words', async () => {
    const log = [msg('1-0', { authorId: 'alice' }), ...Array.from({ length: 300 }, (_, i) => msg(`${i + 2}-0`))];
    const { client, calls } = stub(log);
    const out = await edit.exec(ctx(client), { group: 'g', message: 'last', text: ['hello', 'again'] });
    expect(calls.filter((c) => c[0] === 'editMessage')).toEqual([['editMessage', 'g', '1-0', 'hello again']]);
    expect(calls.filter((c) => c[0] === 'history')).toHaveLength(2);
    expect(out.lines).toEqual([expect.stringMatching(/#g alice edited: hello again$/)]);
    expect(out.json).toMatchObject({ message: { id: '1-0', text: 'hello again' } });
  });

  it('a short id is the newest message whose id ends with it; a full id is taken as it is', async () => {
    const log = [msg('1700000094617-0'), msg('1700000084617-0'), msg('1700000000001-0')];
    const { client, calls } = stub(log);
    await edit.exec(ctx(client), { group: 'g', message: '4617', text: 'x' });
    await edit.exec(ctx(client), { group: 'g', message: '94617', text: 'x' });
    await edit.exec(ctx(client), { group: 'g', message: '1600000000000-0', text: 'x' }); // older than the scan: the hub decides
    expect(calls.filter((c) => c[0] === 'editMessage').map((c) => c[2])).toEqual(['1700000084617-0', '1700000094617-0', '1600000000000-0']);
  });

  it('in the REPL: a short id of the session, and no line of its own when the echo will come', async () => {
    const { client, calls } = stub([]);
    (client as unknown as { joinedGroups: string[] }).joinedGroups = ['g'];
    const shortIds = new SessionShortIds();
    shortIds.nameOf(msg('1700000094617-0'));
    const out = await edit.exec(ctx(client, { interactive: true, shortIds }), { group: 'g', message: '4617', text: 'new' });
    expect(calls).toEqual([['editMessage', 'g', '1700000094617-0', 'new']]);
    expect(out.lines).toEqual([]);
  });

  it('says what to do when there is no such message, no text, no user id, or the last one is deleted', async () => {
    const { client } = stub([msg('1-0'), msg('2-0', { authorId: 'alice', text: '', deletedAt: at })]);
    await expect(edit.exec(ctx(client), { group: 'g', message: 'last', text: [] })).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/^nothing to change it to/) });
    await expect(edit.exec(ctx(client), { group: 'g', message: '9999', text: 'x' })).rejects.toMatchObject({
      message: "no message in #g has the short id '9999' (among its last 1000); see them with: history g",
    });
    await expect(edit.exec(ctx(client), { group: 'g', message: 'first', text: 'x' })).rejects.toMatchObject({ message: expect.stringMatching(/^'first' is not a message/) });
    await expect(edit.exec(ctx(client, { me: undefined }), { group: 'g', message: 'last', text: 'x' })).rejects.toMatchObject({ message: expect.stringMatching(/give --user too/) });
    await expect(edit.exec(ctx(client), { group: 'g', message: 'last', text: 'x' })).rejects.toMatchObject({ message: expect.stringMatching(/^your last message in #g is deleted already/) });
    await expect(edit.exec(ctx(client, { me: 'carol' }), { group: 'g', message: 'last', text: 'x' })).rejects.toMatchObject({ message: 'you have no message in #g to edit (none among its last 1000)' });
  });
});

describe('delete', () => {
  it('with a message deletes that message (no --yes needed); without one it is the room, as before', async () => {
    const { client, calls } = stub([msg('1700000094617-0', { authorId: 'alice' })]);
    const out = await del.exec(ctx(client), { group: 'g', message: '4617' });
    expect(out.lines).toEqual([expect.stringMatching(/#g \* message 4617 deleted \(alice, sent \d\d:\d\d:\d\d\)$/)]);
    expect(out.json).toMatchObject({ message: { text: '', deletedAt: expect.any(String) } });
    await del.exec(ctx(client), { group: 'g', message: 'last' });
    await del.exec(ctx(client), { group: 'g', yes: true });
    expect(calls.filter((c) => c[0] !== 'history')).toEqual([
      ['deleteMessage', 'g', '1700000094617-0'],
      ['deleteMessage', 'g', '1700000094617-0'],
      ['deleteGroup', 'g'],
    ]);
  });

  it('the one-shot handler still refuses a room without --yes before connecting, but not a message', async () => {
    const base = { _: [], $0: 'next-chat', json: false, timeout: 10, maxReconnectDelay: 30, 'max-reconnect-delay': 30 };
    await expect(del.handler({ ...base, group: 'g' })).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/delete g --yes$/) });
    // With a message it goes on to connect, and so fails for want of a hub.
    await expect(del.handler({ ...base, group: 'g', message: 'last' })).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/^no hub given/) });
  });
});

describe('conversations', () => {
  it('pages through me.conversations, names direct ones by the other person, and totals the unread', async () => {
    const direct = room({ id: 'dm-ab', kind: 'direct', visibility: 'private', ownerId: null, peers: ['alice', 'bob'] });
    const pages = [
      { conversations: [{ group: room({ title: 'Lobby' }), role: 'owner', readUpTo: null, unread: 2, lastMessage: msg('2-0') }], next: 'p2' },
      { conversations: [{ group: direct, role: 'member', readUpTo: '1-0', unread: 0, lastMessage: msg('1-0', { groupId: 'dm-ab', authorId: 'alice', text: 'hi' }) }], next: null },
    ];
    const afters: unknown[] = [];
    const { client } = stub([], {
      conversations: (p: { after?: string; limit?: number }) => {
        afters.push(p.after);
        return pages.shift();
      },
    });
    const out = await conversations.exec(ctx(client));
    expect(afters).toEqual([undefined, 'p2']);
    expect(out.lines).toEqual([
      expect.stringMatching(/^#g “Lobby”  2 unread — \d\d:\d\d:\d\d bob: m2-0$/),
      expect.stringMatching(/^@bob  all read — \d\d:\d\d:\d\d you: hi$/),
      '2 conversations, 2 unread',
    ]);
    expect((out.json as { conversations: unknown[] }).conversations).toHaveLength(2);
  });

  it('says how to begin when there are none', async () => {
    const { client } = stub([], { conversations: () => ({ conversations: [], next: null }) });
    expect((await conversations.exec(ctx(client))).lines).toEqual(['you are in no conversation yet; join a room with: join GROUP, or write to someone with: dm USER']);
  });
});

describe('history', () => {
  it('puts a short id before every line: stable in a session, newest-match names without one', async () => {
    const log = [msg('1700000094617-0'), msg('1700000084617-0', { text: 'fixed', editedAt: at }), msg('1700000011111-0', { text: '', deletedAt: at })];
    const { client } = stub(log);
    const one = await history.exec(ctx(client), { group: 'g', n: 3 });
    expect(one.lines).toEqual([
      expect.stringMatching(/^94617 \S+ #g bob: m1700000094617-0$/),
      expect.stringMatching(/^ 4617 \S+ #g bob: fixed \(edited\)$/),
      expect.stringMatching(/^ 1111 \S+ #g bob: \(deleted\)$/),
    ]);
    expect(one.json).toEqual({ messages: log });
    const shortIds = new SessionShortIds();
    shortIds.nameOf(log[0]);
    const repl = await history.exec(ctx(client, { interactive: true, shortIds }), { group: 'g', n: 3 });
    expect(repl.lines.map((l) => l.trim().split(' ')[0])).toEqual(['4617', '84617', '1111']);
  });
});

describe('error sentences of edits and deletes', () => {
  it.each([
    [errors.forbidden('only its author may edit a message'), 'g', 'you can edit only your own messages'],
    [errors.forbidden('a deleted message cannot be edited'), 'g', 'that message was deleted; a deleted message cannot be edited'],
    [errors.forbidden("only its author, or the room's owner or an admin, may delete a message", 'admin'), 'g', "you can delete only your own messages; the owner or an admin of group 'g' can delete anyone's"],
    [errors.messageNotFound('g', '1-0'), undefined, "there is no message '1-0' in group 'g'; see the ids with: history g"],
  ])('%s', (err: RpcError, group: string | undefined, text: string) => {
    expect(errorToText(err, group)).toBe(text);
  });
});

describe('one-shot parsing', () => {
  async function parsed(argv: string[]): Promise<Record<string, unknown>> {
    let got: Record<string, unknown> | undefined;
    const standIns = commands.map((c) => ({ ...c, handler: (a: Record<string, unknown>) => void (got = a) }));
    await buildParser(argv, {}, standIns).parseAsync();
    if (!got) throw new Error('no handler ran');
    return got;
  }

  it('edit takes the group, the message and the words as typed', async () => {
    expect(await parsed(['edit', 'lobby', '4617', 'see', 'you', '007'])).toMatchObject({ group: 'lobby', message: '4617', text: ['see', 'you', '007'] });
    expect(await parsed(['edit', 'lobby', 'last', '--', '-1', 'is', 'fine'])).toMatchObject({ message: 'last', '--': ['-1', 'is', 'fine'] });
    await expect(parsed(['edit', 'lobby'])).rejects.toThrow(/Not enough non-option arguments/);
  });

  it('delete takes an optional message; conversations takes nothing', async () => {
    expect(await parsed(['delete', 'lobby', '0042'])).toMatchObject({ group: 'lobby', message: '0042' });
    expect(await parsed(['delete', 'lobby', '--yes'])).toMatchObject({ group: 'lobby', yes: true });
    expect((await parsed(['delete', 'lobby', '--yes'])).message).toBeUndefined();
    expect(await parsed(['conversations'])).toMatchObject({ _: ['conversations'] });
    await expect(parsed(['conversations', 'extra'])).rejects.toThrow(/Unknown argument/);
  });
});
