/**
 * The protocol 1.1 command modules called directly with a client stub: what
 * each asks the SDK for, and the lines and JSON it makes of the answer.
 */
import { describe, expect, it } from 'vitest';
import { RpcError, type Group, type NextChatClient } from '@next-chat/client';
import * as ban from '../../../packages/cli/src/commands/ban.js';
import * as bans from '../../../packages/cli/src/commands/bans.js';
import * as block from '../../../packages/cli/src/commands/block.js';
import * as blocked from '../../../packages/cli/src/commands/blocked.js';
import * as create from '../../../packages/cli/src/commands/create.js';
import * as decline from '../../../packages/cli/src/commands/decline.js';
import * as del from '../../../packages/cli/src/commands/delete.js';
import * as dm from '../../../packages/cli/src/commands/dm.js';
import * as info from '../../../packages/cli/src/commands/info.js';
import * as invitations from '../../../packages/cli/src/commands/invitations.js';
import * as invite from '../../../packages/cli/src/commands/invite.js';
import * as kick from '../../../packages/cli/src/commands/kick.js';
import * as role from '../../../packages/cli/src/commands/role.js';
import * as set from '../../../packages/cli/src/commands/set.js';
import * as title from '../../../packages/cli/src/commands/title.js';
import * as topic from '../../../packages/cli/src/commands/topic.js';
import * as unban from '../../../packages/cli/src/commands/unban.js';
import * as unblock from '../../../packages/cli/src/commands/unblock.js';
import type { CommandContext } from '../../../packages/cli/src/context.js';
import { errorToText } from '../../../packages/cli/src/errors-to-text.js';
import { makeStyle } from '../../../packages/cli/src/format.js';

const style = makeStyle(false);
const at = '2026-11-22T10:00:00.000Z';
const room = (extra: Partial<Group> = {}): Group => ({
  id: 'g',
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

/** A client stub recording every call as [name, ...args]. */
function stub(methods: Record<string, (...a: never[]) => unknown>): { client: NextChatClient; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const client: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(methods)) {
    client[name] = async (...a: never[]) => {
      calls.push([name, ...a]);
      return fn(...a);
    };
  }
  return { client: client as unknown as NextChatClient, calls };
}
const ctx = (client: NextChatClient, extra: Partial<CommandContext> = {}): CommandContext => ({ client, style, interactive: false, ...extra });

describe('create and set', () => {
  it('create sends only the settings given and says how to go on', async () => {
    const { client, calls } = stub({ createGroup: (_id: never, p: never) => room({ ...(p as object), id: 'design' }) });
    const priv = await create.exec(ctx(client), { group: 'design', private: true, title: 'Design team', capacity: 20 });
    expect(calls[0]).toEqual(['createGroup', 'design', { visibility: 'private', title: 'Design team', capacity: 20 }]);
    expect(priv.lines).toEqual(['created private group #design; join it with: join design, and let others in with: invite design USER']);
    const pub = await create.exec(ctx(client), { group: 'design' });
    expect(calls[1]).toEqual(['createGroup', 'design', {}]);
    expect(pub.lines).toEqual(['created group #design; join it with: join design']);
  });

  it('set needs something to change, and shows the settings as they are now', async () => {
    const { client, calls } = stub({ updateGroup: (_id: never, p: never) => room({ ...(p as object) }) });
    await expect(set.exec(ctx(client), { group: 'g' })).rejects.toMatchObject({ name: 'UsageError', message: expect.stringMatching(/^nothing to change/) });
    const out = await set.exec(ctx(client), { group: 'g', private: true, topic: 'UI', capacity: '30' });
    expect(calls).toEqual([['updateGroup', 'g', { visibility: 'private', topic: 'UI', capacity: 30 }]]);
    expect(out.lines).toEqual(['updated #g: private, topic “UI”, up to 30 members']);
    await set.exec(ctx(client), { group: 'g', public: true });
    expect(calls[1]).toEqual(['updateGroup', 'g', { visibility: 'public' }]);
  });

  it('title and topic set one setting from the rest of the line; without text they clear it', async () => {
    const { client, calls } = stub({ updateGroup: (_id: never, p: never) => room({ ...(p as object) }) });
    const out = await title.exec(ctx(client), { group: 'g', text: ['Design', 'team'] });
    expect(calls[0]).toEqual(['updateGroup', 'g', { title: 'Design team' }]);
    expect(out.lines[0]).toMatch(/^updated #g: /);
    await topic.exec(ctx(client), { group: 'g', text: 'all things UI' });
    expect(calls[1]).toEqual(['updateGroup', 'g', { topic: 'all things UI' }]);
    await topic.exec(ctx(client), { group: 'g' });
    expect(calls[2]).toEqual(['updateGroup', 'g', { topic: '' }]);
  });

  it('info shows group.get, the peer for a direct conversation', async () => {
    const dmGroup = room({ id: 'dm-1', kind: 'direct', visibility: 'private', ownerId: null, peers: ['alice', 'bob'] });
    const { client } = stub({ getGroup: (id: never) => ({ group: id === 'dm-1' ? dmGroup : room(), role: 'member' }) });
    expect((await info.exec(ctx(client), { group: 'g' })).lines.at(-1)).toBe('  your role: member');
    expect((await info.exec(ctx(client, { me: 'alice' }), { group: 'dm-1' })).lines[0]).toBe('@bob direct conversation (dm-1)');
  });
});

describe('roles, invitations, moderation', () => {
  it('role sets the role; a hand-over says so; a bad role is a usage error', async () => {
    const { client, calls } = stub({ setRole: (_g: never, u: never, r: never) => ({ userId: u, role: r, joinedAt: at, online: true, readUpTo: null }) });
    expect((await role.exec(ctx(client), { group: 'g', who: 'bob', role: 'admin' })).lines).toEqual(['bob is now an admin of #g']);
    expect((await role.exec(ctx(client), { group: 'g', who: 'bob', role: 'OWNER' })).lines).toEqual([
      'handed #g over: bob is the owner now (you stay as an admin if you are a member)',
    ]);
    expect(calls).toEqual([
      ['setRole', 'g', 'bob', 'admin'],
      ['setRole', 'g', 'bob', 'owner'],
    ]);
    await expect(role.exec(ctx(client), { group: 'g', who: 'bob', role: 'king' })).rejects.toMatchObject({ name: 'UsageError' });
  });

  it('role: a 4003 is about the one given the role, and says so', async () => {
    const { client } = stub({
      setRole: () => {
        throw new RpcError(4003, "You are not a member of group 'g'", { groupId: 'g' });
      },
    });
    const err = await role.exec(ctx(client), { group: 'g', who: 'carol', role: 'admin' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(errorToText(err)).toBe("carol is not a member of group 'g'; roles are for members: they join first (invite g carol if it is private)");
  });

  it('invite: an invitation, or already a member', async () => {
    let answer: unknown = { groupId: 'g', userId: 'bob', invitedBy: 'alice', at };
    const { client } = stub({ invite: () => answer });
    expect((await invite.exec(ctx(client), { group: 'g', who: 'bob' })).lines).toEqual(['invited bob to #g; they can join with: join g']);
    answer = null;
    const out = await invite.exec(ctx(client), { group: 'g', who: 'bob' });
    expect(out.lines).toEqual(['bob is already a member of #g']);
    expect(out.json).toEqual({ invitation: null });
  });

  it('invitations pages through me.invitations', async () => {
    const inv = (id: string) => ({ invitation: { groupId: id, userId: 'me', invitedBy: 'bob', at }, group: room({ id, visibility: 'private' }) });
    const pages = [
      { invitations: [inv('a')], next: 'a' },
      { invitations: [inv('b')], next: null },
    ];
    const { client, calls } = stub({ invitations: () => pages.shift() });
    const out = await invitations.exec(ctx(client), {});
    expect(calls).toEqual([
      ['invitations', { limit: 200 }],
      ['invitations', { limit: 200, after: 'a' }],
    ]);
    expect(out.lines).toHaveLength(3);
    expect(out.lines[1]).toBe('#b (private), invited by bob on 2026-11-22 10:00 UTC — join b, or decline b');
    expect(out.lines[2]).toBe('2 invitations');
    const none = stub({ invitations: () => ({ invitations: [], next: null }) });
    expect((await invitations.exec(ctx(none.client), {})).lines).toEqual(['no invitations are waiting for you']);
  });

  it('decline, kick, unban: yes or nothing to do', async () => {
    for (const answer of [true, false]) {
      const { client } = stub({ declineInvitation: () => answer, kick: () => answer, unban: () => answer });
      const lines = [
        ...(await decline.exec(ctx(client), { group: 'g' })).lines,
        ...(await kick.exec(ctx(client), { group: 'g', who: 'carol' })).lines,
        ...(await unban.exec(ctx(client), { group: 'g', who: 'carol' })).lines,
      ];
      expect(lines).toEqual(
        answer
          ? ['declined the invitation to #g', 'kicked carol from #g', 'unbanned carol in #g; they may join again']
          : [
              'there was no invitation to #g to decline; see yours with: invitations',
              'carol is not a member of #g; nothing to do',
              'carol is not banned from #g; see the bans with: bans g',
            ],
      );
    }
  });

  it('ban turns --for into durationSec and says until when', async () => {
    const { client, calls } = stub({
      ban: (g: never, u: never, p: never) => ({
        groupId: g,
        userId: u,
        by: 'alice',
        at,
        until: (p as { durationSec?: number }).durationSec ? '2026-11-22T12:00:00.000Z' : null,
        reason: (p as { reason?: string }).reason ?? '',
      }),
    });
    const timed = await ban.exec(ctx(client), { group: 'g', who: 'carol', for: '2h', reason: 'spam' });
    expect(calls[0]).toEqual(['ban', 'g', 'carol', { durationSec: 7200, reason: 'spam' }]);
    expect(timed.lines).toEqual(['banned carol from #g for 2h, until 2026-11-22 12:00 UTC (reason: spam); lift it with: unban g carol']);
    const forever = await ban.exec(ctx(client), { group: 'g', who: 'carol' });
    expect(calls[1]).toEqual(['ban', 'g', 'carol', {}]);
    expect(forever.lines).toEqual(['banned carol from #g until unbanned; lift it with: unban g carol']);
    await expect(ban.exec(ctx(client), { group: 'g', who: 'carol', for: '10' })).rejects.toMatchObject({ name: 'UsageError' });
    expect(calls).toHaveLength(2);
  });

  it('bans lists every page, or says nobody is banned', async () => {
    const b = { groupId: 'g', userId: 'carol', by: 'alice', at, until: null, reason: '' };
    const { client } = stub({ bans: () => ({ bans: [b], next: null }) });
    expect((await bans.exec(ctx(client), { group: 'g' })).lines).toEqual(['carol  banned by alice on 2026-11-22 10:00 UTC until unbanned', '1 ban']);
    const none = stub({ bans: () => ({ bans: [], next: null }) });
    expect((await bans.exec(ctx(none.client), { group: 'g' })).lines).toEqual(['nobody is banned from #g']);
  });
});

describe('delete asks first', () => {
  it('without --yes and without a terminal to ask on, refuses and says how to confirm', async () => {
    const { client, calls } = stub({ deleteGroup: () => true });
    await expect(del.exec(ctx(client, { interactive: true }), { group: 'g' })).rejects.toMatchObject({
      name: 'UsageError',
      message: "deleting #g removes it for everyone, with its members, invitations, bans and every message; if you mean it: delete g --yes",
    });
    expect(calls).toEqual([]);
  });

  it('on a terminal, asks; no keeps the group, yes deletes it', async () => {
    const questions: string[] = [];
    const { client, calls } = stub({ deleteGroup: () => true });
    const no = await del.exec(ctx(client, { interactive: true, confirm: async (q) => (questions.push(q), false) }), { group: 'g' });
    expect(no).toEqual({ lines: ['kept #g; nothing was deleted'], json: { deleted: false } });
    expect(calls).toEqual([]);
    const yes = await del.exec(ctx(client, { interactive: true, confirm: async () => true }), { group: 'g' });
    expect(yes).toEqual({ lines: ['deleted #g'], json: { deleted: true } });
    expect(questions).toEqual(['delete #g for everyone, with all its messages? This cannot be undone.']);
  });

  it('--yes deletes without asking', async () => {
    const { client, calls } = stub({ deleteGroup: () => true });
    await del.exec(ctx(client, { confirm: async () => expect.unreachable('asked') }), { group: 'g', yes: true });
    expect(calls).toEqual([['deleteGroup', 'g']]);
  });
});

describe('direct conversations and blocking', () => {
  it('dm opens the conversation, shows its messages as @peer, and tells a script how to write to it', async () => {
    const dmGroup = room({ id: 'dm-1', kind: 'direct', peers: ['alice', 'bob'] });
    const history = [{ id: '1-0', groupId: 'dm-1', authorId: 'bob', text: 'hi', sentAt: at }];
    const { client, calls } = stub({ openDirect: () => ({ group: dmGroup, history, complete: true }) });
    const out = await dm.exec(ctx(client), { who: 'bob', last: 5 });
    expect(calls).toEqual([['openDirect', 'bob', { limit: 5 }]]);
    expect(out.lines[0]).toBe('direct conversation with bob (dm-1); recent messages:');
    expect(out.lines[1]).toMatch(/^\d\d:\d\d:\d\d @bob bob: hi$/);
    expect(out.lines[2]).toBe('write with: say dm-1 TEXT');
    const inRepl = await dm.exec(ctx(client, { interactive: true }), { who: 'bob' });
    expect(inRepl.lines).toHaveLength(2);
  });

  it('dm with yourself is refused before asking the hub', async () => {
    const { client, calls } = stub({ openDirect: () => expect.unreachable() });
    await expect(dm.exec(ctx(client, { me: 'alice' }), { who: 'alice' })).rejects.toMatchObject({ name: 'UsageError' });
    expect(calls).toEqual([]);
  });

  it('block, unblock, blocked', async () => {
    const { client, calls } = stub({ block: () => true, unblock: () => false, blockedUsers: () => ({ users: ['mallory'], next: null }) });
    expect((await block.exec(ctx(client), { who: 'mallory' })).lines[0]).toMatch(/^blocked mallory: they can no longer open or write/);
    expect((await unblock.exec(ctx(client), { who: 'mallory' })).lines).toEqual(['mallory is not blocked; see whom you block with: blocked']);
    expect((await blocked.exec(ctx(client), {})).lines).toEqual(['mallory', '1 user blocked']);
    expect(calls).toEqual([
      ['block', 'mallory'],
      ['unblock', 'mallory'],
      ['blockedUsers', { limit: 200 }],
    ]);
    const none = stub({ blockedUsers: () => ({ users: [], next: null }) });
    expect((await blocked.exec(ctx(none.client), {})).lines).toEqual(['you block nobody']);
  });
});
