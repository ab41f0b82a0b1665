/**
 * What the operator's backend may do through the HTTP API (docs/api.md):
 * the same actions as the protocol's, with the same events to the same
 * people, but without a caller whose role is checked: the API key is the
 * authority. `by` in every event is the API's system user
 * (NEXT_CHAT_API_SYSTEM_USER) unless the request names someone. The
 * stores still keep their rules (a banned user is not added, a full room
 * takes nobody, a deleted message is not edited).
 */
import { errors, type Ban, type Conversation, type Group, type Invitation, type Member, type Message, type Role, type Visibility } from '@next-chat/core';
import { decodeMessage } from '../events/codec.js';
import type { Engine, BackendStatus } from '../ports/engine.js';
import type { Page, RoomPatch } from '../ports/group-store.js';
import type { InstanceInfo } from '../ports/presence.js';
import type { DeadLetter, WebhookStatus } from '../ports/webhooks.js';
import { listConversations } from './conversations.js';
import type { Hub } from './hub.js';
import { historyPage } from './recovery.js';
import { refusalError } from './refusals.js';
import { memberView, type Actor } from './rooms.js';
import { mayManage, type RoomAction } from './policy.js';

export interface OperatorOptions {
  systemUser: string;
  maxGroupMembers: number;
  instanceId: string;
}

export interface NewRoom {
  groupId: string;
  owner: string;
  visibility: Visibility;
  title: string;
  topic: string;
  capacity?: number;
  members: { userId: string; role: Role }[];
}

export interface ClusterStatus {
  instance: { id: string; engine: string; connections: number };
  /** Every live hub of the deployment (one for the embedded engine). */
  instances: InstanceInfo[];
  backends: BackendStatus[];
  webhooks: WebhookStatus[] | null;
}

export class Operator {
  private readonly system: Actor;

  constructor(
    private readonly hub: Hub,
    private readonly engine: Engine,
    private readonly options: OperatorOptions,
    /** Open WebSocket connections on this hub. */
    private readonly connections: () => number,
  ) {
    this.system = { by: options.systemUser };
  }

  /** The room with its owner (a member with role owner) and initial members, each told like an added member. */
  async createRoom(r: NewRoom): Promise<{ group: Group; members: Member[] }> {
    this.hub.rooms.checkCapacity(r.capacity);
    const capacity = Math.min(r.capacity ?? this.options.maxGroupMembers, this.options.maxGroupMembers);
    const people = new Set([r.owner, ...r.members.map((m) => m.userId)]).size;
    // Refused before anything is created: a room must not be left half filled.
    if (people > capacity) throw errors.invalidParams('members', `must fit in the room's capacity of ${capacity} with its owner`);
    const atMs = Date.now();
    const spec = { groupId: r.groupId, createdBy: r.owner, atMs, visibility: r.visibility, title: r.title, topic: r.topic, capacity: r.capacity ?? this.options.maxGroupMembers };
    const created = await this.engine.groups.create(spec);
    if (created.status !== 'created') throw refusalError(r.groupId, created);
    await this.hub.rooms.record({ type: 'room.created', groupId: r.groupId, data: { group: created.group }, atMs });
    const members: Member[] = [await this.addMember(r.groupId, r.owner, 'owner')];
    for (const m of r.members) if (m.userId !== r.owner) members.push(await this.addMember(r.groupId, m.userId, m.role));
    return { group: (await this.engine.groups.get(r.groupId)) ?? created.group, members };
  }

  async getRoom(groupId: string): Promise<Group> {
    const g = await this.engine.groups.get(groupId);
    if (!g) throw errors.groupNotFound(groupId);
    return g;
  }

  async updateRoom(groupId: string, patch: RoomPatch): Promise<Group> {
    await this.asOwner(groupId, 'update');
    return this.hub.rooms.applyUpdate(groupId, patch);
  }

  async deleteRoom(groupId: string): Promise<void> {
    await this.asOwner(groupId, 'delete');
    return this.hub.rooms.applyDelete(groupId, this.system);
  }

  async members(groupId: string, page: { after?: string; limit: number }): Promise<{ members: Member[]; next: string | null }> {
    const p = await this.engine.groups.members(groupId, page);
    if (!p) throw errors.groupNotFound(groupId);
    const online = await this.engine.presence.online(p.items.map((m) => m.userId));
    return { members: p.items.map((m) => memberView(m, online.has(m.userId))), next: p.next };
  }

  /**
   * Adds the user (no invitation needed, bans hold) and gives them `role`;
   * for a member already, only the role changes. `owner` hands the room over.
   */
  async addMember(groupId: string, userId: string, role: Role): Promise<Member> {
    await this.asOwner(groupId, 'setRole');
    const joined = await this.engine.groups.join(groupId, userId, this.options.maxGroupMembers, Date.now(), true);
    if (!('group' in joined)) {
      if (joined.status === 'banned') throw errors.targetBanned(groupId, userId, joined.until);
      throw refusalError(groupId, joined);
    }
    if (joined.status === 'joined') {
      await this.hub.rooms.tell({ kind: 'member.joined', event: { groupId, userId, at: joined.joinedAt } });
      await this.hub.rooms.tell({ kind: 'personal', userIds: [userId], method: 'conversation.added', params: { group: joined.group, by: this.system.by } });
    }
    // A member already (or one to promote) is read back through setRole, which tells nobody when nothing changes.
    if (joined.status === 'already' || joined.role !== role) return this.hub.rooms.applySetRole(groupId, userId, role, this.system);
    const online = await this.engine.presence.online([userId]);
    return memberView({ userId, joinedAt: joined.joinedAt, role: joined.role, readUpTo: null }, online.has(userId));
  }

  /** Ends the membership as a kick does (the user may join again unless the room is private). */
  async removeMember(groupId: string, userId: string): Promise<boolean> {
    await this.asOwner(groupId, 'kick');
    return this.hub.rooms.applyKick(groupId, userId, this.system);
  }

  async invite(groupId: string, userId: string, invitedBy: string | undefined): Promise<Invitation | null> {
    await this.asOwner(groupId, 'invite');
    return this.hub.rooms.applyInvite(groupId, userId, invitedBy === undefined ? this.system : { by: invitedBy });
  }

  async ban(groupId: string, userId: string, o: { durationSec?: number; reason: string }): Promise<Ban> {
    await this.asOwner(groupId, 'ban');
    return this.hub.rooms.applyBan(groupId, userId, o, this.system);
  }

  async unban(groupId: string, userId: string): Promise<boolean> {
    await this.asOwner(groupId, 'unban');
    return this.engine.groups.unban(groupId, userId);
  }

  async bans(groupId: string, page: { after?: string; limit: number }): Promise<Page<Ban>> {
    await this.asOwner(groupId, 'bans');
    const p = await this.engine.groups.bans(groupId, page);
    if (!p) throw errors.groupNotFound(groupId);
    return p;
  }

  /**
   * Posts as `authorId` (who must be a member, as for message.send) or, without
   * one, as the system user (no membership needed). `created` is false for a
   * retry of the same clientMessageId: the original is answered.
   */
  async post(groupId: string, m: { authorId?: string; text: string; clientMessageId?: string }): Promise<{ message: Message; created: boolean }> {
    const authorId = m.authorId ?? this.system.by;
    const r = await this.hub.post({ groupId, authorId, text: m.text, clientMessageId: m.clientMessageId, sentAtMs: Date.now(), byOperator: m.authorId === undefined });
    return { message: decodeMessage(r.message.json), created: r.created };
  }

  editMessage(groupId: string, messageId: string, text: string): Promise<Message> {
    return this.hub.messages.changeByOperator(groupId, messageId, text, this.system.by);
  }

  deleteMessage(groupId: string, messageId: string): Promise<Message> {
    return this.hub.messages.changeByOperator(groupId, messageId, null, this.system.by);
  }

  async history(groupId: string, before: string | undefined, limit: number): Promise<{ messages: Message[]; next: string | null }> {
    if (!(await this.engine.groups.get(groupId))) throw errors.groupNotFound(groupId);
    return historyPage(await this.engine.history.latest(groupId, before, limit + 1), limit);
  }

  conversations(userId: string, page: { after?: string; limit: number }): Promise<{ conversations: Conversation[]; next: string | null }> {
    return listConversations(this.engine.groups, userId, page);
  }

  /** Every connection of the user, on every hub, is closed with 1008. */
  async disconnect(userId: string, reason: string): Promise<void> {
    await this.engine.broker.announce({ kind: 'disconnect', userIds: [userId], reason });
  }

  async status(): Promise<ClusterStatus> {
    const [instances, backends, webhooks] = await Promise.all([
      this.engine.presence.instances().catch(() => []),
      this.engine.backends(),
      this.engine.webhooks ? this.engine.webhooks.status().catch(() => null) : null,
    ]);
    return { instance: { id: this.options.instanceId, engine: this.engine.name, connections: this.connections() }, instances, backends, webhooks };
  }

  /**
   * The operator has the powers of a room's owner, decided where every
   * permission is (policy.ts): so a direct conversation refuses what it
   * refuses its peers.
   */
  private async asOwner(groupId: string, action: RoomAction): Promise<void> {
    const group = await this.engine.groups.get(groupId);
    if (!group) throw errors.groupNotFound(groupId);
    const refused = mayManage(action, { group, role: 'owner', member: true, invited: false, ban: null });
    if (refused) throw refused;
  }

  deadLetters(opts: { endpoint?: string; after?: string; limit: number }): Promise<Page<DeadLetter>> {
    if (!this.engine.webhooks) return Promise.resolve({ items: [], next: null });
    return this.engine.webhooks.deadLetters(opts);
  }

  async replay(id: string): Promise<boolean> {
    return (await this.engine.webhooks?.replay(id)) ?? false;
  }

}
