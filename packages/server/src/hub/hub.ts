/**
 * The hub: what each method does, on top of the ports. It knows nothing of
 * sockets or Redis; the gateway hands it validated params and a Peer, the
 * engine's adapters do the storing and carrying. The v1 methods are here;
 * rooms.ts has the management of rooms, direct.ts direct conversations and
 * blocks; policy.ts decides who may do what.
 */
import { DIRECT_PREFIX, errors, type MethodName, type Params, type Result } from '@next-chat/core';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Engine } from '../ports/engine.js';
import type { PublishInput } from '../ports/broker.js';
import type { MessageEvent } from '../events/codec.js';
import { EncodedResult } from './encoded-result.js';
import { refusalError } from './refusals.js';
import type { CreateQuota } from '../ports/group-store.js';
import { Direct } from './direct.js';
import { Fanout } from './fanout.js';
import type { Peer } from './peer.js';
import { mayParticipate } from './policy.js';
import { historyPage, joinHistory } from './recovery.js';
import { memberView, Rooms } from './rooms.js';
import { listConversations } from './conversations.js';
import { Messages } from './messages.js';
import { UserPeers } from './user-peers.js';
import type { Moderator } from '../ports/moderation.js';
import { moderatedText } from './moderate.js';

/** docs/protocol.md: at most one typing signal per user per group in any 2 seconds is passed on. */
const TYPING_WINDOW_MS = 2000;

export interface CallContext {
  peer: Peer;
  /** Runs `fn` right after the result frame is queued (join releases held notifications). */
  afterReply(fn: () => void): void;
}

/** A result, or its JSON when the hub has it encoded already (EncodedResult). */
export type MethodOutcome<M extends MethodName> = Result<M> | EncodedResult<Result<M>>;
export type MethodHandler<M extends MethodName> = (ctx: CallContext, params: Params<M>) => Promise<MethodOutcome<M>>;
export type MethodTable = { [M in MethodName]: MethodHandler<M> };

export interface HubOptions {
  maxGroupMembers: number;
  /** 0: unlimited. */
  maxGroupsPerConnection: number;
  /** Per-creator limits of group.create. */
  createQuota: CreateQuota;
  /** The operator's moderation hook (NEXT_CHAT_MODERATION_URL), asked before sends and edits are stored. */
  moderator?: Moderator;
}

export class Hub {
  readonly fanout: Fanout;
  readonly methods: MethodTable;
  readonly users = new UserPeers();
  readonly rooms: Rooms;
  private readonly direct: Direct;
  readonly messages: Messages;
  /** Groups each peer is joining right now: they count towards maxGroupsPerConnection before the join completes. */
  private readonly joining = new Map<Peer, Set<string>>();

  constructor(
    readonly engine: Engine,
    private readonly options: HubOptions,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    this.fanout = new Fanout(engine.broker, metrics);
    engine.broker.setHandlers({
      event: (e) => (e.kind === 'personal' ? this.users.deliver(e) : e.kind === 'disconnect' ? void this.users.disconnect(e) : this.fanout.handle(e)),
      gap: (groupId) => this.fanout.onGap(groupId),
    });
    this.rooms = new Rooms(engine, this.fanout, { maxGroupMembers: options.maxGroupMembers }, log);
    this.direct = new Direct(engine, this.rooms);
    const r = this.rooms;
    const d = this.direct;
    this.messages = new Messages(engine, this.direct, options.moderator);
    const m = this.messages;
    this.methods = {
      'group.list': (ctx, p) => this.groupList(ctx, p),
      'group.create': (ctx, p) => this.groupCreate(ctx, p),
      'group.join': (ctx, p) => this.groupJoin(ctx, p),
      'group.leave': (ctx, p) => this.groupLeave(ctx, p),
      'group.members': (ctx, p) => this.groupMembers(ctx, p),
      'message.send': (ctx, p) => this.messageSend(ctx, p),
      'message.history': (ctx, p) => this.messageHistory(ctx, p),
      'group.get': (ctx, p) => r.get(ctx.peer, p),
      'group.update': (ctx, p) => r.update(ctx.peer, p),
      'group.setRole': (ctx, p) => r.setRole(ctx.peer, p),
      'group.invite': (ctx, p) => r.invite(ctx.peer, p),
      'group.kick': (ctx, p) => r.kick(ctx.peer, p),
      'group.ban': (ctx, p) => r.ban(ctx.peer, p),
      'group.unban': (ctx, p) => r.unban(ctx.peer, p),
      'group.bans': (ctx, p) => r.bans(ctx.peer, p),
      'group.delete': (ctx, p) => r.delete(ctx.peer, p),
      'me.invitations': (ctx, p) => r.invitations(ctx.peer, p),
      'invitation.decline': (ctx, p) => r.decline(ctx.peer, p),
      'direct.open': (ctx, p) => this.directOpen(ctx, p),
      'user.block': (ctx, p) => d.block(ctx.peer, p),
      'user.unblock': (ctx, p) => d.unblock(ctx.peer, p),
      'me.blocked': (ctx, p) => d.blocked(ctx.peer, p),
      typing: (ctx, p) => this.typing(ctx, p),
      'message.read': (ctx, p) => this.messageRead(ctx, p),
      'message.edit': (ctx, p) => m.edit(ctx.peer, p),
      'message.delete': (ctx, p) => m.delete(ctx.peer, p),
      'me.conversations': (ctx, p) => listConversations(engine.groups, ctx.peer.userId, p),
    };
  }

  connected(peer: Peer): void {
    if (this.users.add(peer)) this.engine.broker.userConnected(peer.userId);
    this.engine.presence.connected(peer.userId);
  }

  disconnected(peer: Peer): void {
    if (this.users.remove(peer)) this.engine.broker.userDisconnected(peer.userId);
    this.fanout.detachAll(peer);
    this.engine.presence.disconnected(peer.userId);
  }

  private async groupList(ctx: CallContext, p: Params<'group.list'>): Promise<Result<'group.list'>> {
    const page = await this.engine.groups.list({ userId: ctx.peer.userId, after: p.after, prefix: p.prefix, limit: p.limit });
    return { groups: page.items, next: page.next };
  }

  private async groupCreate(ctx: CallContext, p: Params<'group.create'>): Promise<Result<'group.create'>> {
    const q = this.options.createQuota;
    this.rooms.checkCapacity(p.capacity);
    const spec = {
      groupId: p.groupId,
      createdBy: ctx.peer.userId,
      atMs: Date.now(),
      visibility: p.visibility,
      title: p.title,
      topic: p.topic,
      capacity: p.capacity ?? this.options.maxGroupMembers,
    };
    const r = await this.engine.groups.create(spec, q);
    if (r.status !== 'created') {
      if (r.status === 'quota') this.metrics.limited.inc({ limit: 'group_create' });
      throw refusalError(p.groupId, r, q);
    }
    await this.rooms.record({ type: 'room.created', groupId: p.groupId, data: { group: r.group }, atMs: spec.atMs });
    return { group: r.group };
  }

  /**
   * Gap-free join: subscribe first (holding notifications), then read the
   * log, reply, and release only what the read did not cover. Anything
   * appended before the read is in it; anything after reaches the held buffer.
   */
  private async groupJoin(ctx: CallContext, p: Params<'group.join'>): Promise<Result<'group.join'>> {
    const { peer } = ctx;
    const release = this.reserveJoin(peer, p.groupId);
    try {
      return await this.join(ctx, p);
    } finally {
      release();
    }
  }

  /**
   * Counts a join towards the connection's group limit from the moment it
   * arrives, so pipelined joins cannot all pass the check before any of them
   * is attached.
   */
  private reserveJoin(peer: Peer, groupId: string): () => void {
    const max = this.options.maxGroupsPerConnection;
    let pending = this.joining.get(peer);
    if (max > 0 && !this.fanout.isAttached(peer, groupId) && !pending?.has(groupId)) {
      let inFlight = 0;
      for (const g of pending ?? []) if (!this.fanout.isAttached(peer, g)) inFlight++;
      if (this.fanout.countFor(peer) + inFlight >= max) {
        this.metrics.limited.inc({ limit: 'groups_per_connection' });
        throw errors.tooManyGroups(max);
      }
    }
    if (pending?.has(groupId)) return () => undefined;
    if (!pending) this.joining.set(peer, (pending = new Set()));
    pending.add(groupId);
    return () => {
      pending.delete(groupId);
      if (pending.size === 0) this.joining.delete(peer);
    };
  }

  private async directOpen(ctx: CallContext, p: Params<'direct.open'>): Promise<Result<'direct.open'>> {
    const groupId = await this.direct.open(ctx.peer, p);
    const release = this.reserveJoin(ctx.peer, groupId);
    try {
      return await this.join(ctx, { groupId, since: p.since, limit: p.limit });
    } finally {
      release();
    }
  }

  private async join(ctx: CallContext, p: Params<'group.join'>): Promise<Result<'group.join'>> {
    const { peer } = ctx;
    const joined = await this.engine.groups.join(p.groupId, peer.userId, this.options.maxGroupMembers, Date.now());
    if (!('group' in joined)) throw refusalError(p.groupId, joined);
    const sub = await this.fanout.attach(peer, p.groupId);
    try {
      if (joined.status === 'joined') {
        // Best effort, as for member.left: the membership is recorded either way.
        await this.rooms.tell({ kind: 'member.joined', event: { groupId: p.groupId, userId: peer.userId, at: joined.joinedAt } });
      }
      const read = await this.engine.history.read(p.groupId, p.limit + 1, p.since);
      const { history, complete } = joinHistory(read.messages, p.limit, p.since, read.top);
      // The member count may have moved since the join; the group as of now is what the client wants.
      const group = await this.rooms.current(p.groupId, joined.group);
      // Live delivery goes on after the newest entry the read saw (message, edit or delete).
      ctx.afterReply(() => this.fanout.release(peer, p.groupId, sub, read.top));
      if (p.since === undefined) return { group, history, complete };
      return { group, history, complete: complete && !read.moreUpdates && read.updates.length <= p.limit, updates: read.updates.slice(0, p.limit) };
    } catch (err) {
      this.fanout.detach(peer, p.groupId);
      throw err;
    }
  }

  private async groupLeave(ctx: CallContext, p: Params<'group.leave'>): Promise<Result<'group.leave'>> {
    const { peer } = ctx;
    const r = await this.engine.groups.leave(p.groupId, peer.userId);
    if (r.status !== 'left' && r.status !== 'not_member') throw refusalError(p.groupId, r);
    this.fanout.detach(peer, p.groupId);
    if (r.status === 'left') {
      await this.rooms.tell({ kind: 'member.left', event: { groupId: p.groupId, userId: peer.userId, at: new Date().toISOString(), reason: 'left', by: peer.userId } });
    }
    return { left: r.status === 'left' };
  }

  private async requireMember(groupId: string, userId: string): Promise<void> {
    const m = await this.engine.groups.membership(groupId, userId);
    if (m === 'group_not_found') throw refusalError(groupId, { status: m });
    const refused = mayParticipate({ member: m === 'member', groupId });
    if (refused) throw refused;
  }

  private async groupMembers(ctx: CallContext, p: Params<'group.members'>): Promise<Result<'group.members'>> {
    await this.requireMember(p.groupId, ctx.peer.userId);
    const page = await this.engine.groups.members(p.groupId, { after: p.after, limit: p.limit });
    if (!page) throw refusalError(p.groupId, { status: 'group_not_found' });
    const online = await this.engine.presence.online(page.items.map((m) => m.userId));
    const members = page.items.map((m) => memberView(m, online.has(m.userId)));
    return { members, next: page.next };
  }

  private async messageSend(ctx: CallContext, p: Params<'message.send'>): Promise<MethodOutcome<'message.send'>> {
    await this.direct.checkSend(p.groupId, ctx.peer.userId);
    let text = p.text;
    if (this.options.moderator) {
      // Members only reach the hook: a refused send must not show its text to the moderator.
      await this.requireMember(p.groupId, ctx.peer.userId);
      text = await moderatedText(this.options.moderator, { kind: 'message', groupId: p.groupId, authorId: ctx.peer.userId, text, clientMessageId: p.clientMessageId });
    }
    const { message } = await this.post({ groupId: p.groupId, authorId: ctx.peer.userId, text, clientMessageId: p.clientMessageId, sentAtMs: Date.now() });
    return new EncodedResult(`{"message":${message.json}}`);
  }

  /**
   * Appends a message (message.send, and the HTTP API's posts): the new one,
   * or the original of a retried clientMessageId (`created` false). Refusals are thrown.
   */
  async post(input: PublishInput): Promise<{ message: MessageEvent; created: boolean }> {
    const r = await this.engine.broker.publish(input);
    if (!('message' in r)) throw refusalError(input.groupId, r);
    if (r.status === 'published') {
      this.metrics.messagesIn.inc();
      if (!input.byOperator) {
        // Sending reads up to one's own message (the publish moved the marker).
        // The sender's connections on this hub hear it at once, without Redis;
        // the broker tells their other instances, only when there are any
        // (a PUBLISH for every send cost the groups scenario half its CPU,
        // docs/performance.md).
        this.users.deliver({ kind: 'personal', userIds: [input.authorId], method: 'read', params: { groupId: input.groupId, readUpTo: r.message.id, unread: 0 } });
        if (input.groupId.startsWith(DIRECT_PREFIX)) await this.markerMoved(input.groupId, input.authorId, r.message.id, 0, false);
      }
    }
    return { message: r.message, created: r.status === 'published' };
  }

  /** The marker only moves forward; an id newer than the group's newest message is -32602. */
  private async messageRead(ctx: CallContext, p: Params<'message.read'>): Promise<Result<'message.read'>> {
    const r = await this.engine.groups.read(p.groupId, ctx.peer.userId, p.messageId);
    if (r.status === 'too_new') throw errors.invalidParams('messageId', "is newer than the group's newest message");
    if (r.status !== 'read') throw refusalError(p.groupId, r);
    if (r.moved && r.readUpTo !== null) await this.markerMoved(p.groupId, ctx.peer.userId, r.readUpTo, r.unread);
    return { readUpTo: r.readUpTo, unread: r.unread };
  }

  /** `read` to every connection of the user, and in a direct conversation `member.read` to its subscribers. */
  private async markerMoved(groupId: string, userId: string, readUpTo: string, unread: number, toUser = true): Promise<void> {
    if (toUser) await this.rooms.tell({ kind: 'personal', userIds: [userId], method: 'read', params: { groupId, readUpTo, unread } });
    if (groupId.startsWith(DIRECT_PREFIX)) {
      await this.rooms.tell({ kind: 'member.read', groupId, params: { groupId, userId, readUpTo, at: new Date().toISOString() } });
    }
  }

  /** Passed on at most once per user per group in any TYPING_WINDOW_MS, across hubs; always answered. */
  private async typing(ctx: CallContext, p: Params<'typing'>): Promise<Result<'typing'>> {
    await this.requireMember(p.groupId, ctx.peer.userId);
    // Someone who may not write to a person may not show them typing either.
    await this.direct.checkSend(p.groupId, ctx.peer.userId);
    if (await this.engine.presence.passTyping(p.groupId, ctx.peer.userId, TYPING_WINDOW_MS)) {
      await this.rooms.tell({ kind: 'typing', groupId: p.groupId, params: { groupId: p.groupId, userId: ctx.peer.userId, at: new Date().toISOString() } });
    }
    return {};
  }

  private async messageHistory(ctx: CallContext, p: Params<'message.history'>): Promise<Result<'message.history'>> {
    await this.requireMember(p.groupId, ctx.peer.userId);
    const newest = await this.engine.history.latest(p.groupId, p.before, p.limit + 1);
    return historyPage(newest, p.limit);
  }
}
