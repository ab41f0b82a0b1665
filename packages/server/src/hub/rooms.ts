/**
 * Protocol 1.1 methods of rooms (docs/protocol.md, "Rooms"): reading and
 * changing a room, roles, invitations, kick and ban, delete. Each method
 * reads the caller's standing (GroupStore.access), asks the policy
 * (policy.ts), lets the store act in one atomic step, then tells who must
 * know: the group's subscribers with the group's events (in order with its
 * messages), the users concerned with personal events, wherever they are.
 */
import { errors, type Ban, type Group, type Invitation, type Member, type Params, type Result, type Role } from '@next-chat/core';
import type { Logger } from '../observability/logger.js';
import type { Engine } from '../ports/engine.js';
import type { Access, MemberRecord, RoomPatch } from '../ports/group-store.js';
import type { WebhookEventInput } from '../ports/webhooks.js';
import { webhookEventOf } from './webhook-events.js';
import type { ClusterEvent, MessageEvent } from '../events/codec.js';
import type { Fanout } from './fanout.js';
import type { Peer } from './peer.js';
import { canSee, mayManage } from './policy.js';
import { refusalError } from './refusals.js';

export interface RoomOptions {
  maxGroupMembers: number;
}

/** Who acts: a member through the protocol, or the operator through the HTTP API (`by` is its system user). */
export interface Actor {
  by: string;
}

/** A member as the protocol shows it. */
export function memberView(m: MemberRecord, online: boolean): Member {
  return { userId: m.userId, joinedAt: m.joinedAt, online, role: m.role, readUpTo: m.readUpTo };
}

export class Rooms {
  constructor(
    private readonly engine: Engine,
    private readonly fanout: Fanout,
    private readonly options: RoomOptions,
    private readonly log: Logger,
  ) {}

  /** Records the event for the webhooks that want it; the change is stored already, so a failure is logged, not thrown. */
  async record(e: WebhookEventInput): Promise<void> {
    await this.engine.webhooks?.record(e).catch((err: unknown) => this.log.error({ err, type: e.type, groupId: e.groupId }, 'webhook event not recorded'));
  }

  /** The caller's standing, or 4004. */
  async access(groupId: string, userId: string): Promise<Access> {
    const a = await this.engine.groups.access(groupId, userId);
    if (!a) throw errors.groupNotFound(groupId);
    return a;
  }

  /** Best effort, as member.joined in v1: the state is stored either way; a lost event is logged. */
  async tell(e: Exclude<ClusterEvent, MessageEvent>): Promise<void> {
    const hook = this.engine.webhooks ? webhookEventOf(e, Date.now()) : null;
    await Promise.all([
      this.engine.broker.announce(e).catch((err: unknown) => this.log.warn({ err, kind: e.kind }, 'event not published')),
      hook ? this.record(hook) : undefined,
    ]);
  }

  checkCapacity(capacity: number | undefined): void {
    if (capacity !== undefined && capacity > this.options.maxGroupMembers) {
      throw errors.invalidParams('capacity', `must be between 2 and ${this.options.maxGroupMembers}`);
    }
  }

  async get(peer: Peer, p: Params<'group.get'>): Promise<Result<'group.get'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = canSee(a);
    if (refused) throw refused;
    return { group: a.group, role: a.role };
  }

  async update(peer: Peer, p: Params<'group.update'>): Promise<Result<'group.update'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = mayManage('update', a);
    if (refused) throw refused;
    return { group: await this.applyUpdate(p.groupId, { title: p.title, topic: p.topic, visibility: p.visibility, capacity: p.capacity }) };
  }

  async applyUpdate(groupId: string, patch: RoomPatch): Promise<Group> {
    this.checkCapacity(patch.capacity);
    const r = await this.engine.groups.update(groupId, patch);
    if (r.status === 'group_not_found') throw errors.groupNotFound(groupId);
    if (r.status === 'capacity_below_members') throw errors.invalidParams('capacity', `must not be below the ${r.memberCount} members the group has`);
    await this.tell({ kind: 'group.updated', groupId, params: { group: r.group } });
    return r.group;
  }

  private async targetRole(groupId: string, userId: string): Promise<Role | null> {
    return (await this.engine.groups.access(groupId, userId))?.role ?? null;
  }

  async setRole(peer: Peer, p: Params<'group.setRole'>): Promise<Result<'group.setRole'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = mayManage('setRole', a, { role: null, self: p.userId === peer.userId });
    if (refused) throw refused;
    return { member: await this.applySetRole(p.groupId, p.userId, p.role, { by: peer.userId }) };
  }

  async applySetRole(groupId: string, userId: string, role: Role, actor: Actor): Promise<Member> {
    const r = await this.engine.groups.setRole(groupId, userId, role);
    if (r.status === 'group_not_found') throw errors.groupNotFound(groupId);
    if (r.status === 'not_member') throw errors.targetNotAMember(groupId, userId);
    const at = new Date().toISOString();
    for (const c of r.changes) await this.tell({ kind: 'member.role', groupId, params: { groupId, userId: c.userId, role: c.role, by: actor.by, at } });
    const online = await this.engine.presence.online([userId]);
    return memberView({ userId, joinedAt: r.joinedAt, role: r.role, readUpTo: r.readUpTo }, online.has(userId));
  }

  async invite(peer: Peer, p: Params<'group.invite'>): Promise<Result<'group.invite'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = mayManage('invite', a);
    if (refused) throw refused;
    return { invitation: await this.applyInvite(p.groupId, p.userId, { by: peer.userId }) };
  }

  /** Null when the user is a member already. */
  async applyInvite(groupId: string, userId: string, actor: Actor): Promise<Invitation | null> {
    const r = await this.engine.groups.invite(groupId, userId, actor.by, Date.now());
    switch (r.status) {
      case 'group_not_found':
        throw errors.groupNotFound(groupId);
      case 'banned':
        throw errors.targetBanned(groupId, userId, r.until);
      case 'already_member':
        return null;
      case 'already_invited':
        return r.invitation;
      case 'invited':
        await this.tell({ kind: 'personal', userIds: [userId], method: 'invited', params: { invitation: r.invitation, group: r.group } });
        return r.invitation;
    }
  }

  /**
   * The end of a membership by someone else: the user's connections here
   * leave the group at once, every other instance's before the group's next
   * message (the removal travels with the group's messages), subscribers
   * see member.left, and every connection of the user conversation.removed.
   */
  private async removed(groupId: string, userId: string, reason: 'kicked' | 'banned', by: string): Promise<void> {
    this.fanout.detachUsers(groupId, [userId]);
    // Sent together: one connection carries them to Redis in this order, which is the order that matters.
    await Promise.all([
      this.tell({ kind: 'removed', groupId, userIds: [userId], reason, by }),
      this.tell({ kind: 'member.left', event: { groupId, userId, at: new Date().toISOString(), reason, by } }),
      this.tell({ kind: 'personal', userIds: [userId], method: 'conversation.removed', params: { groupId, reason, by } }),
    ]);
  }

  async kick(peer: Peer, p: Params<'group.kick'>): Promise<Result<'group.kick'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = mayManage('kick', a, { role: await this.targetRole(p.groupId, p.userId), self: p.userId === peer.userId });
    if (refused) throw refused;
    return { kicked: await this.applyKick(p.groupId, p.userId, { by: peer.userId }) };
  }

  /** Whether the user was a member. */
  async applyKick(groupId: string, userId: string, actor: Actor): Promise<boolean> {
    const r = await this.engine.groups.kick(groupId, userId);
    if (r.status === 'group_not_found') throw errors.groupNotFound(groupId);
    if (r.wasMember) await this.removed(groupId, userId, 'kicked', actor.by);
    return r.wasMember;
  }

  async ban(peer: Peer, p: Params<'group.ban'>): Promise<Result<'group.ban'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = mayManage('ban', a, { role: await this.targetRole(p.groupId, p.userId), self: p.userId === peer.userId });
    if (refused) throw refused;
    return { ban: await this.applyBan(p.groupId, p.userId, { durationSec: p.durationSec, reason: p.reason }, { by: peer.userId }) };
  }

  async applyBan(groupId: string, userId: string, o: { durationSec?: number; reason: string }, actor: Actor): Promise<Ban> {
    const now = Date.now();
    const r = await this.engine.groups.ban(groupId, userId, actor.by, now, o.durationSec === undefined ? null : now + o.durationSec * 1000, o.reason);
    if (r.status === 'group_not_found') throw errors.groupNotFound(groupId);
    if (r.wasMember) await this.removed(groupId, userId, 'banned', actor.by);
    return r.ban;
  }

  async unban(peer: Peer, p: Params<'group.unban'>): Promise<Result<'group.unban'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = mayManage('unban', a);
    if (refused) throw refused;
    return { unbanned: await this.engine.groups.unban(p.groupId, p.userId) };
  }

  async bans(peer: Peer, p: Params<'group.bans'>): Promise<Result<'group.bans'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = mayManage('bans', a);
    if (refused) throw refused;
    const page = await this.engine.groups.bans(p.groupId, { after: p.after, limit: p.limit });
    if (!page) throw errors.groupNotFound(p.groupId);
    return { bans: page.items, next: page.next };
  }

  async delete(peer: Peer, p: Params<'group.delete'>): Promise<Result<'group.delete'>> {
    const a = await this.access(p.groupId, peer.userId);
    const refused = mayManage('delete', a);
    if (refused) throw refused;
    await this.applyDelete(p.groupId, { by: peer.userId });
    return { deleted: true };
  }

  async applyDelete(groupId: string, actor: Actor): Promise<void> {
    const r = await this.engine.groups.delete(groupId);
    if (r.status === 'group_not_found') throw errors.groupNotFound(groupId);
    // The history goes too, from every store, resumably (HistoryReader.forget).
    await this.engine.history.forget(groupId, Date.now());
    this.fanout.detachUsers(groupId, null);
    await this.tell({ kind: 'removed', groupId, userIds: null, reason: 'deleted', by: actor.by });
    if (r.members.length > 0) {
      await this.tell({ kind: 'personal', userIds: r.members, method: 'conversation.removed', params: { groupId, reason: 'deleted', by: actor.by } });
    }
  }

  async invitations(peer: Peer, p: Params<'me.invitations'>): Promise<Result<'me.invitations'>> {
    const page = await this.engine.groups.invitations(peer.userId, { after: p.after, limit: p.limit });
    return { invitations: page.items, next: page.next };
  }

  async decline(peer: Peer, p: Params<'invitation.decline'>): Promise<Result<'invitation.decline'>> {
    return { declined: await this.engine.groups.decline(p.groupId, peer.userId) };
  }

  /** The group as the caller may see it after a join (the member count may have moved). */
  async current(groupId: string, fallback: Group): Promise<Group> {
    return (await this.engine.groups.get(groupId)) ?? fallback;
  }
}
