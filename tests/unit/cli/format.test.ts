import { describe, expect, it } from 'vitest';
import type { Group } from '@next-chat/client';
import {
  banLength,
  clean,
  describeSettings,
  formatAdded,
  formatBan,
  formatGroup,
  formatGroupInfo,
  formatGroupUpdated,
  formatInvitation,
  formatInvited,
  formatMember,
  formatMemberEvent,
  formatMessage,
  formatRemoved,
  formatRoleEvent,
  formatTyping,
  formatWhen,
  groupLabel,
  makeStyle,
  shouldColor,
  visibleLength,
} from '../../../packages/cli/src/format.js';

const plain = makeStyle(false);
const m = { id: '1-0', groupId: 'lobby', authorId: 'alice', text: 'hello', sentAt: '2026-11-22T10:00:01.000Z' };

describe('colours', () => {
  it('only on a TTY, never with a non-empty NO_COLOR, and an explicit flag wins', () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({}, {})).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: '' })).toBe(true);
    expect(shouldColor({ isTTY: false }, { NO_COLOR: '1' }, true)).toBe(true);
    expect(shouldColor({ isTTY: true }, {}, false)).toBe(false);
  });

  it('plain style adds nothing; colour style adds SGR that visibleLength ignores', () => {
    expect(plain.red('x')).toBe('x');
    const c = makeStyle(true);
    expect(c.red('x')).toBe('\x1b[31mx\x1b[39m');
    expect(visibleLength(c.user('alice'))).toBe(5);
    expect(c.user('alice')).toBe(c.user('alice')); // stable per user
  });
});

describe('messages', () => {
  it('show time, group and author', () => {
    expect(formatMessage(m, plain)).toMatch(/^\d\d:\d\d:\d\d #lobby alice: hello$/);
  });

  it('indent continuation lines under the text', () => {
    const out = formatMessage({ ...m, text: 'one\ntwo' }, plain).split('\n');
    expect(out[1]).toBe(`${' '.repeat(out[0].indexOf('one'))}two`);
  });

  it('cannot drive the terminal', () => {
    expect(clean('a\x1b[2Jb\x07c\rd\te')).toBe('a^[[2Jb^Gcd\te');
    expect(formatMessage({ ...m, text: '\x1b]0;pwned\x07' }, plain)).not.toMatch(/[\x00-\x08\x1b\x7f]/);
  });

  it('members show who is online', () => {
    expect(formatMember({ userId: 'bob', joinedAt: '', online: true, role: 'member', readUpTo: null }, plain)).toBe('● bob');
    expect(formatMember({ userId: 'bob', joinedAt: '', online: false, role: 'member', readUpTo: null }, plain)).toBe('○ bob (offline)');
  });
});

describe('protocol 1.1 notifications, as printed above the prompt', () => {
  const at = '2026-11-22T10:00:01.000Z';
  const T = String.raw`\d\d:\d\d:\d\d`;
  const room = (extra: Partial<Group> = {}): Group => ({
    id: 'design',
    kind: 'room',
    visibility: 'private',
    title: '',
    topic: '',
    createdBy: 'alice',
    createdAt: at,
    ownerId: 'alice',
    memberCount: 3,
    capacity: 50,
    ...extra,
  });

  it('invited: who, where, private or not, and the command to accept', () => {
    const e = { invitation: { groupId: 'design', userId: 'me', invitedBy: 'bob', at }, group: room() };
    expect(formatInvited(e, plain)).toMatch(new RegExp(`^${T} \\* bob invited you to #design \\(private\\) — join design$`));
    expect(formatInvited({ ...e, group: room({ title: 'Design team', visibility: 'public' }) }, plain)).toMatch(/\* bob invited you to #design “Design team” — join design$/);
  });

  it('member.left says why: left, kicked or banned, and by whom', () => {
    const base = { groupId: 'g', userId: 'carol', at };
    expect(formatMemberEvent('left', { ...base, reason: 'kicked', by: 'alice' }, plain)).toMatch(new RegExp(`^${T} #g \\* carol was kicked by alice$`));
    expect(formatMemberEvent('left', { ...base, reason: 'banned', by: 'alice' }, plain)).toMatch(/#g \* carol was banned by alice$/);
    expect(formatMemberEvent('left', { ...base, reason: 'left', by: 'carol' }, plain)).toMatch(/#g \* carol left$/);
    expect(formatMemberEvent('left', base, plain)).toMatch(/#g \* carol left$/); // a v1 hub
    expect(formatMemberEvent('joined', base, plain, '@carol')).toMatch(/ @carol \* carol joined$/);
  });

  it('conversation.removed: from where and why', () => {
    expect(formatRemoved({ groupId: 'x', reason: 'kicked', by: 'alice' }, plain, undefined, at)).toMatch(new RegExp(`^${T} \\* you were removed from #x: kicked by alice$`));
    expect(formatRemoved({ groupId: 'x', reason: 'banned', by: 'alice' }, plain)).toMatch(/you were removed from #x: banned by alice$/);
    expect(formatRemoved({ groupId: 'x', reason: 'deleted', by: 'alice' }, plain)).toMatch(/you were removed from #x: it was deleted by alice$/);
  });

  it('conversation.added: a direct conversation says how to open it', () => {
    const dm = room({ id: 'dm-1', kind: 'direct', ownerId: null, peers: ['bob', 'me'] });
    expect(formatAdded({ group: dm, by: 'bob' }, plain, at)).toMatch(new RegExp(`^${T} \\* bob opened a direct conversation with you — dm bob$`));
    expect(formatAdded({ group: room(), by: 'bob' }, plain)).toMatch(/\* bob added you to #design \(private\) — join design$/);
  });

  it('member.role: who made whom what; "you" for the caller; a hand-over names the owner', () => {
    const e = { groupId: 'g', userId: 'bob', role: 'admin' as const, by: 'alice', at };
    expect(formatRoleEvent(e, plain)).toMatch(new RegExp(`^${T} #g \\* alice made bob an admin$`));
    expect(formatRoleEvent(e, plain, 'bob')).toMatch(/#g \* alice made you an admin$/);
    expect(formatRoleEvent({ ...e, role: 'owner' }, plain)).toMatch(/#g \* alice made bob the owner$/);
    expect(formatRoleEvent({ ...e, userId: 'alice', role: 'admin' }, plain)).toMatch(/#g \* alice is now an admin$/);
    expect(formatRoleEvent({ ...e, userId: 'alice', role: 'admin' }, plain, 'alice')).toMatch(/#g \* you are now an admin$/);
    expect(formatRoleEvent({ ...e, role: 'member' }, plain)).toMatch(/alice made bob a member$/);
  });

  it('group.updated: the settings as they are now', () => {
    expect(formatGroupUpdated({ group: room({ title: 'Design', topic: 'UI' }) }, plain, undefined, at)).toMatch(
      new RegExp(`^${T} #design \\* settings now: private, title “Design”, topic “UI”, up to 50 members$`),
    );
    expect(describeSettings(room({ visibility: 'public' }))).toBe('public, up to 50 members');
  });

  it('network text in titles and topics cannot drive the terminal', () => {
    const line = formatGroupUpdated({ group: room({ title: '\x1b[2J', topic: '\x07' }) }, plain);
    expect(line).not.toMatch(/[\x00-\x08\x1b\x7f]/);
  });
});

describe('protocol 1.1 listings', () => {
  const at = '2026-11-22T10:00:01.000Z';
  const room = (extra: Partial<Group> = {}): Group => ({
    id: 'design',
    kind: 'room',
    visibility: 'public',
    title: '',
    topic: '',
    createdBy: 'alice',
    createdAt: at,
    ownerId: 'alice',
    memberCount: 3,
    capacity: 50,
    ...extra,
  });

  it('list shows private rooms and titles, and v1 groups as before', () => {
    expect(formatGroup(room(), plain)).toBe('#design  3 members, created by alice');
    expect(formatGroup(room({ visibility: 'private', title: 'Design team' }), plain)).toBe('#design “Design team”  3 members, private, created by alice');
  });

  it('members show owner and admin roles', () => {
    const m = { userId: 'bob', joinedAt: '', online: true, readUpTo: null };
    expect(formatMember({ ...m, role: 'owner' }, plain)).toBe('● bob (owner)');
    expect(formatMember({ ...m, role: 'admin', online: false }, plain)).toBe('○ bob (admin, offline)');
    expect(formatMember({ ...m, role: 'member' }, plain)).toBe('● bob');
  });

  it('info: settings, size, owner, and what the caller is or may do', () => {
    const g = room({ title: 'Design team', topic: 'all things UI', visibility: 'private' });
    expect(formatGroupInfo(g, 'admin', plain)).toEqual([
      '#design “Design team” private room',
      '  topic: all things UI',
      '  3 of 50 members; owner alice; created by alice on 2026-11-22 10:00 UTC',
      '  your role: admin',
    ]);
    expect(formatGroupInfo(g, null, plain).at(-1)).toBe('  you are invited: join design, or decline design');
    expect(formatGroupInfo(room(), null, plain)).toEqual([
      '#design public room',
      '  3 of 50 members; owner alice; created by alice on 2026-11-22 10:00 UTC',
      '  you are not a member; join it with: join design',
    ]);
    const dm = room({ id: 'dm-1', kind: 'direct', visibility: 'private', ownerId: null, memberCount: 2, capacity: 2, peers: ['alice', 'bob'] });
    expect(formatGroupInfo(dm, 'member', plain, 'bob')).toEqual(['@bob direct conversation (dm-1)', '  between alice and bob, since 2026-11-22 10:00 UTC']);
  });

  it('invitations, bans and their ends', () => {
    const invitation = { groupId: 'design', userId: 'me', invitedBy: 'bob', at };
    expect(formatInvitation({ invitation, group: room({ visibility: 'private' }) }, plain)).toBe(
      '#design (private), invited by bob on 2026-11-22 10:00 UTC — join design, or decline design',
    );
    const ban = { groupId: 'g', userId: 'carol', by: 'alice', at, until: '2026-11-22T12:00:00.000Z', reason: 'spam' };
    expect(formatBan(ban, plain)).toBe('carol  banned by alice on 2026-11-22 10:00 UTC until 2026-11-22 12:00 UTC: spam');
    expect(formatBan({ ...ban, until: null, reason: '' }, plain)).toBe('carol  banned by alice on 2026-11-22 10:00 UTC until unbanned');
    expect(banLength(7200, ban.until)).toBe('for 2h, until 2026-11-22 12:00 UTC');
    expect(banLength(undefined, null)).toBe('until unbanned');
    expect(formatWhen('nonsense')).toBe('nonsense');
  });

  it('a direct conversation is named @peer where the caller knows the peer', () => {
    expect(groupLabel('lobby')).toBe('#lobby');
    expect(groupLabel('dm-1', 'bob')).toBe('@bob');
    expect(formatMessage({ ...m, groupId: 'dm-1' }, plain, '@bob')).toMatch(/^\d\d:\d\d:\d\d @bob alice: hello$/);
  });
});

describe('typing', () => {
  const e = { groupId: 'design', userId: 'bob', at: '2026-12-02T10:00:00.000Z' };

  it('"bob is typing…" for the group in use; another group is named first, as in a message', () => {
    expect(formatTyping(e, plain)).toBe('bob is typing…');
    expect(formatTyping(e, plain, '#design')).toBe('#design bob is typing…');
    expect(formatTyping({ ...e, groupId: 'dm-1' }, plain, '@bob')).toBe('@bob bob is typing…');
  });

  it('is dim, and network text cannot drive the terminal', () => {
    expect(formatTyping(e, makeStyle(true))).toBe('\x1b[2mbob is typing…\x1b[22m');
    expect(formatTyping({ ...e, userId: 'x\x1b]0;pwned\x07' }, plain)).toBe('x^[]0;pwned^G is typing…');
  });
});
