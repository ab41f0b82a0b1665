/**
 * The web app's state (packages/web/src/model/store.ts): order by activity,
 * unread counts from the hub and from live messages, sends matched to their
 * messages by clientMessageId, edits, typing, members.
 */
import type { Conversation, Group, Message } from '@next-chat/core';
import { describe, expect, it } from 'vitest';
import { ChatStore, conversationName } from '../../../packages/web/src/model/store.js';

const T0 = Date.parse('2026-12-01T10:00:00.000Z');

function group(id: string, extra: Partial<Group> = {}): Group {
  return { id, kind: 'room', visibility: 'public', title: '', topic: '', createdBy: 'alice', createdAt: new Date(T0).toISOString(), ownerId: 'alice', memberCount: 2, capacity: 100, ...extra };
}

function msg(groupId: string, n: number, authorId = 'bob', extra: Partial<Message> = {}): Message {
  return { id: `${T0 + n * 1000}-0`, groupId, authorId, text: `m${n}`, sentAt: new Date(T0 + n * 1000).toISOString(), ...extra };
}

function conv(g: Group, last: Message | null, unread = 0, readUpTo: string | null = null): Conversation {
  return { group: g, role: 'member', readUpTo, unread, lastMessage: last };
}

const flush = () => new Promise<void>((r) => queueMicrotask(r));

describe('ChatStore', () => {
  it('orders conversations by latest activity and moves one up when a message arrives', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('b'), msg('b', 5)), conv(group('a'), msg('a', 3)), conv(group('c'), null)], T0 + 10_000);
    expect(s.ordered().map((c) => c.id)).toEqual(['b', 'a', 'c']);
    s.message(msg('c', 9));
    expect(s.ordered().map((c) => c.id)).toEqual(['c', 'b', 'a']);
  });

  it('keeps a conversation without messages where the hub put it', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('new'), null), conv(group('old'), msg('old', 1))], T0 + 10_000);
    expect(s.ordered().map((c) => c.id)).toEqual(['new', 'old']);
  });

  it('counts unread from the hub, then from live messages of others, and sums them', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('a'), msg('a', 2), 2, msg('a', 0).id), conv(group('b'), msg('b', 1), 1)]);
    expect(s.totalUnread()).toBe(3);
    s.message(msg('a', 3));
    expect(s.get('a')!.unread).toBe(3);
    // The same message again (a resume after a reconnect): nothing changes.
    s.message(msg('a', 3));
    expect(s.get('a')!.unread).toBe(3);
    // My own message: the hub moved my marker.
    s.message(msg('a', 4, 'alice'));
    expect(s.get('a')!).toMatchObject({ unread: 0, readUpTo: msg('a', 4).id });
    expect(s.totalUnread()).toBe(1);
  });

  it('does not count what the person is reading', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('a'), null)]);
    s.setActive('a');
    s.setReading(true);
    s.message(msg('a', 1));
    expect(s.get('a')!.unread).toBe(0);
    s.setReading(false);
    s.message(msg('a', 2));
    expect(s.get('a')!.unread).toBe(1);
  });

  it('takes read markers forward only', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('a'), msg('a', 5), 3, msg('a', 2).id)]);
    s.read('a', msg('a', 5).id, 0);
    expect(s.get('a')).toMatchObject({ unread: 0, readUpTo: msg('a', 5).id });
    s.read('a', msg('a', 3).id, 2);
    expect(s.get('a')).toMatchObject({ unread: 0, readUpTo: msg('a', 5).id });
  });

  it('ends a pending send when its message comes back, by result or by notification, once', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('a'), null)]);
    s.sendStarted('a', { clientMessageId: 'c1', text: 'hi', state: 'sending' });
    s.sendFailed('a', 'c1', 'offline');
    expect(s.get('a')!.pending).toEqual([{ clientMessageId: 'c1', text: 'hi', state: 'failed', error: 'offline' }]);
    const m = msg('a', 1, 'alice', { text: 'hi', clientMessageId: 'c1' });
    s.message(m);
    s.message(m);
    expect(s.get('a')!.pending).toEqual([]);
    expect(s.get('a')!.messages).toEqual([m]);
  });

  it('applies edits and deletes, and a late older state never undoes them', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('a'), null)]);
    const m = msg('a', 1);
    s.message(m);
    const edited = { ...m, text: 'edited', editedAt: new Date(T0 + 5000).toISOString() };
    s.updated(edited);
    expect(s.get('a')!.messages[0].text).toBe('edited');
    // A history page fetched before the edit arrives late.
    s.historyPage('a', [m], null, 'latest');
    expect(s.get('a')!.messages[0].text).toBe('edited');
    const gone = { ...m, text: '', deletedAt: new Date(T0 + 6000).toISOString() };
    s.updated(gone);
    s.updated(edited);
    expect(s.get('a')!.messages[0]).toEqual(gone);
    expect(s.get('a')!.lastMessage).toEqual(gone);
  });

  it('merges history pages in id order and remembers the cursor', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('a'), msg('a', 9))]);
    s.historyPage('a', [msg('a', 7), msg('a', 8), msg('a', 9)], msg('a', 7).id, 'latest');
    s.historyPage('a', [msg('a', 5), msg('a', 6)], null, 'older');
    expect(s.get('a')!.messages.map((m) => m.text)).toEqual(['m5', 'm6', 'm7', 'm8', 'm9']);
    expect(s.get('a')!.older).toBeNull();
  });

  it('shows typing until it runs out, and stops it when the typist sends', () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('a'), null)]);
    s.typing('a', 'bob', 1000);
    s.typing('a', 'carol', 3000);
    s.typing('a', 'alice', 3000);
    expect(Object.keys(s.get('a')!.typing).sort()).toEqual(['bob', 'carol']);
    expect(s.expireTyping(2000)).toBe(3000);
    expect(Object.keys(s.get('a')!.typing)).toEqual(['carol']);
    s.message(msg('a', 1, 'carol'));
    expect(s.get('a')!.typing).toEqual({});
  });

  it('counts members once: my own join is in the group already', () => {
    const s = new ChatStore('alice');
    s.addConversation(group('a', { memberCount: 1 }), 'owner');
    s.memberJoined('a', 'alice', 'x');
    expect(s.get('a')!.group.memberCount).toBe(1);
    s.memberJoined('a', 'bob', 'x');
    expect(s.get('a')!.group.memberCount).toBe(2);
    s.membersPage('a', [{ userId: 'alice', joinedAt: 'x', online: true, role: 'owner', readUpTo: null }, { userId: 'bob', joinedAt: 'x', online: true, role: 'member', readUpTo: null }], null, true);
    s.memberJoined('a', 'bob', 'x');
    expect(s.get('a')!.group.memberCount).toBe(2);
    s.memberRole('a', 'bob', 'owner');
    expect(s.get('a')!.group.ownerId).toBe('bob');
    s.memberLeft('a', 'bob');
    expect(s.get('a')!.group.memberCount).toBe(1);
    expect(s.get('a')!.members!.list.map((m) => m.userId)).toEqual(['alice']);
  });

  it('tells subscribers once per batch of changes, and leaves unchanged conversations the same object', async () => {
    const s = new ChatStore('alice');
    s.setConversations([conv(group('a'), null), conv(group('b'), null)]);
    let calls = 0;
    s.subscribe(() => calls++);
    const b = s.get('b');
    s.message(msg('a', 1));
    s.message(msg('a', 2));
    await flush();
    expect(calls).toBe(1);
    expect(s.get('b')).toBe(b);
  });

  it('names direct conversations by the other peer', () => {
    expect(conversationName(group('dm-x', { kind: 'direct', peers: ['alice', 'bob'] }), 'alice')).toBe('bob');
    expect(conversationName(group('lobby', { title: 'The Lobby' }), 'alice')).toBe('The Lobby');
    expect(conversationName(group('lobby'), 'alice')).toBe('lobby');
  });
});
