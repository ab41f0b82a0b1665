/**
 * Rooms and the people in them: the directory, joining (an invitation
 * too), creating, leaving, declining, direct conversations, members, and
 * what owners and admins may do. Each call waits out a token renewal's
 * reconnect (`ready`) and puts what the hub answers into the store; errors
 * reach the caller, which shows them as sentences.
 */
import type { Group, NextChatClient, Role } from '@next-chat/client';
import { errorText } from './model/errors.js';
import type { ChatStore } from './model/store.js';

const PAGE = 50;

export class Rooms {
  constructor(
    private readonly client: NextChatClient,
    private readonly store: ChatStore,
    private readonly me: string,
    private readonly ready: () => Promise<void>,
    /** Opens a conversation in the view (Chat.open). */
    private readonly open: (groupId: string) => void,
  ) {}

  async listRooms(prefix: string, after?: string): Promise<{ groups: Group[]; next: string | null }> {
    await this.ready();
    return this.client.listGroups({ limit: 50, ...(prefix !== '' ? { prefix } : {}), ...(after !== undefined ? { after } : {}) });
  }

  /** Joins a room (accepting an invitation, if any) and opens it. */
  async join(groupId: string): Promise<void> {
    await this.ready();
    const r = await this.client.join(groupId, { limit: PAGE });
    const role: Role = r.group.ownerId === this.me ? 'owner' : 'member';
    this.store.addConversation(r.group, this.store.get(groupId)?.role ?? role);
    this.store.historyPage(groupId, r.history, r.complete || r.history.length === 0 ? null : r.history[0].id, 'latest');
    this.store.removeInvitation(groupId);
    this.open(groupId);
  }

  async create(groupId: string, params: { visibility: 'public' | 'private'; title: string; topic: string }): Promise<void> {
    await this.ready();
    await this.client.createGroup(groupId, params);
    await this.join(groupId);
    this.store.addConversation(this.store.get(groupId)!.group, 'owner');
  }

  async leave(groupId: string): Promise<void> {
    await this.ready();
    await this.client.leave(groupId);
    this.store.removeConversation(groupId);
  }

  async decline(groupId: string): Promise<void> {
    await this.ready();
    await this.client.declineInvitation(groupId);
    this.store.removeInvitation(groupId);
  }

  /** Opens (creating it the first time) the direct conversation with a user. */
  async openDirect(userId: string): Promise<void> {
    await this.ready();
    const r = await this.client.openDirect(userId, { limit: PAGE });
    this.store.addConversation(r.group, 'member');
    this.store.historyPage(r.group.id, r.history, r.complete || r.history.length === 0 ? null : r.history[0].id, 'latest');
    this.open(r.group.id);
  }

  async loadMembers(groupId: string, more = false): Promise<void> {
    await this.ready();
    const c = this.store.get(groupId);
    if (!c) return;
    const after = more ? c.members?.next ?? undefined : undefined;
    if (more && after === undefined) return;
    this.store.membersLoading(groupId);
    try {
      const r = await this.client.members(groupId, { limit: 100, ...(after !== undefined ? { after } : {}) });
      this.store.membersPage(groupId, r.members, r.next, !more);
    } catch (err) {
      this.store.membersPage(groupId, c.members?.list ?? [], c.members?.next ?? null, true);
      this.store.notify(errorText(err));
    }
  }

  async invite(groupId: string, userId: string): Promise<unknown> {
    await this.ready();
    return this.client.invite(groupId, userId);
  }

  async kick(groupId: string, userId: string): Promise<unknown> {
    await this.ready();
    return this.client.kick(groupId, userId);
  }

  async ban(groupId: string, userId: string, durationSec?: number): Promise<unknown> {
    await this.ready();
    return this.client.ban(groupId, userId, durationSec === undefined ? {} : { durationSec });
  }

  async setRole(groupId: string, userId: string, role: Role): Promise<void> {
    await this.ready();
    const m = await this.client.setRole(groupId, userId, role);
    this.store.memberRole(groupId, m.userId, m.role);
    if (role === 'owner') this.store.memberRole(groupId, this.me, 'admin');
  }

  async update(groupId: string, changes: { title?: string; topic?: string; visibility?: 'public' | 'private' }): Promise<void> {
    await this.ready();
    const g = await this.client.updateGroup(groupId, changes);
    this.store.groupUpdated(g);
  }

  async deleteRoom(groupId: string): Promise<void> {
    await this.ready();
    await this.client.deleteGroup(groupId);
    this.store.removeConversation(groupId);
  }
}
