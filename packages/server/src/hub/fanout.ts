/**
 * Local fan-out: which connections of this instance receive which groups.
 * One broker subscription per group per instance, however many connections;
 * a message arrives encoded (events/codec.ts), is spliced into one
 * notification frame, and the same string goes to every connection.
 */
import { CloseCode, compareMessageIds, type TypingEvent } from '@next-chat/core';
import { idTime, notificationFrame, type ClusterEvent, type MembershipEvent, type MessageEvent, type PersonalEvent, type RemovalEvent } from '../events/codec.js';
import type { Broker } from '../ports/broker.js';
import type { Metrics } from '../observability/metrics.js';
import type { GroupSubscription, Peer } from './peer.js';

interface GroupFan {
  peers: Map<Peer, GroupSubscription>;
  /** Resolves when the broker delivers this group; rejects if it could not subscribe. */
  ready: Promise<string>;
}

export class Fanout {
  private readonly groups = new Map<string, GroupFan>();
  /** Groups each peer is attached to, for cleanup on close. */
  private readonly byPeer = new Map<Peer, Set<string>>();

  constructor(
    private readonly broker: Broker,
    private readonly metrics: Metrics,
  ) {
  }

  get groupCount(): number {
    return this.groups.size;
  }

  /**
   * Attaches `peer` to `groupId` in buffering mode and resolves once the
   * broker delivers the group. Re-attaching an attached peer (an idempotent
   * re-join) puts it back into buffering mode.
   */
  async attach(peer: Peer, groupId: string): Promise<GroupSubscription> {
    let fan = this.groups.get(groupId);
    if (!fan) {
      const ready = this.broker.subscribe(groupId);
      fan = { peers: new Map(), ready };
      this.groups.set(groupId, fan);
      this.metrics.subscribedGroups.set(this.groups.size);
      // A failed subscribe is reported to the joiner below; the empty fan is
      // removed so the next join tries again.
      ready.catch(() => {
        if (this.groups.get(groupId) === fan) {
          this.groups.delete(groupId);
          this.metrics.subscribedGroups.set(this.groups.size);
        }
      });
    }
    const sub: GroupSubscription = { buffer: [], floor: null, attachedAt: Date.now() };
    fan.peers.set(peer, sub);
    let mine = this.byPeer.get(peer);
    if (!mine) this.byPeer.set(peer, (mine = new Set()));
    mine.add(groupId);
    try {
      await fan.ready;
    } catch (err) {
      this.detach(peer, groupId);
      throw err;
    }
    return sub;
  }

  /**
   * Ends buffering: releases held frames newer than `after` (the newest id
   * the join's history read saw; null: none), then goes live. Later
   * deliveries at or below the newest id given are dropped (see `floor`).
   */
  release(peer: Peer, groupId: string, sub: GroupSubscription, after: string | null): void {
    if (this.groups.get(groupId)?.peers.get(peer) !== sub || !sub.buffer) return;
    const held = sub.buffer;
    sub.buffer = null;
    sub.floor = after;
    for (const item of held) {
      if (item.id !== null) {
        if (sub.floor !== null && compareMessageIds(item.id, sub.floor) <= 0) continue;
        sub.floor = item.id;
      }
      peer.send(item.frame);
    }
  }

  /** Groups `peer` is attached to. */
  countFor(peer: Peer): number {
    return this.byPeer.get(peer)?.size ?? 0;
  }

  isAttached(peer: Peer, groupId: string): boolean {
    return this.groups.get(groupId)?.peers.has(peer) ?? false;
  }

  detach(peer: Peer, groupId: string): void {
    const fan = this.groups.get(groupId);
    this.byPeer.get(peer)?.delete(groupId);
    if (!fan || !fan.peers.delete(peer)) return;
    if (fan.peers.size === 0) {
      this.groups.delete(groupId);
      this.broker.unsubscribe(groupId);
      this.metrics.subscribedGroups.set(this.groups.size);
    }
  }

  detachAll(peer: Peer): void {
    const mine = this.byPeer.get(peer);
    if (!mine) return;
    this.byPeer.delete(peer);
    for (const groupId of [...mine]) this.detach(peer, groupId);
  }

  /** An event of a group (the hub routes personal events elsewhere). */
  handle(e: Exclude<ClusterEvent, PersonalEvent>): void {
    switch (e.kind) {
      case 'message':
        return this.onMessage(e);
      case 'member.joined':
      case 'member.left':
        return this.onMemberEvent(e);
      case 'group.updated':
      case 'member.role':
      case 'member.read':
        return this.onNotice(e.groupId, notificationFrame(e.kind, JSON.stringify(e.params)));
      case 'typing':
        // Live only: not held for joins in progress, never to the typist's own connections.
        return this.onTyping(e.groupId, (e.params as TypingEvent).userId, notificationFrame('typing', JSON.stringify(e.params)));
      case 'removed':
        return this.onRemoval(e);
    }
  }

  private onTyping(groupId: string, userId: string, frame: string): void {
    const fan = this.groups.get(groupId);
    if (!fan) return;
    for (const [peer, sub] of fan.peers) if (!sub.buffer && peer.userId !== userId) peer.send(frame);
  }

  private onNotice(groupId: string, frame: string): void {
    const fan = this.groups.get(groupId);
    if (!fan) return;
    for (const [peer, sub] of fan.peers) {
      if (sub.buffer) sub.buffer.push({ id: null, frame });
      else peer.send(frame);
    }
  }

  /**
   * Users who stopped being members (null: everyone, the group is gone): their
   * connections are unsubscribed here, before anything the group sends later
   * is delivered (the event travels with the group's messages, in order).
   */
  private onRemoval(e: RemovalEvent): void {
    this.detachUsers(e.groupId, e.userIds);
  }

  /** Detaches every connection of these users (null: of everyone) from the group on this instance. */
  detachUsers(groupId: string, userIds: readonly string[] | null): void {
    const fan = this.groups.get(groupId);
    if (!fan) return;
    const users = userIds === null ? null : new Set(userIds);
    for (const peer of [...fan.peers.keys()]) if (users === null || users.has(peer.userId)) this.detach(peer, groupId);
  }

  private onMessage(m: MessageEvent): void {
    const fan = this.groups.get(m.groupId);
    if (!fan || fan.peers.size === 0) return;
    const frame = notificationFrame(m.change ? 'message.updated' : 'message', m.json);
    let sent = 0;
    for (const [peer, sub] of fan.peers) {
      if (sub.buffer) sub.buffer.push({ id: m.id, frame });
      else {
        if (sub.floor !== null) {
          if (compareMessageIds(m.id, sub.floor) <= 0) continue;
          sub.floor = null;
        }
        peer.send(frame);
        sent++;
      }
    }
    if (sent > 0 && !m.change) {
      this.metrics.messagesOut.inc(sent);
      // The id's time is when the log took the message, within a millisecond of sentAt.
      this.metrics.deliveryLatency.observe(Math.max(0, Date.now() - idTime(m.id)) / 1000);
    }
  }

  /**
   * Messages of the group were lost to this instance: its subscribers are
   * sent away to reconnect and re-join with `since`, which recovers them from
   * history (docs/protocol.md: a client that re-joins with the last id it saw
   * loses nothing).
   */
  onGap(groupId: string): void {
    const fan = this.groups.get(groupId);
    if (!fan) return;
    for (const peer of [...fan.peers.keys()]) {
      peer.close(CloseCode.GoingAway, 'missed messages: reconnect and re-join with since', 'resync');
    }
  }

  private onMemberEvent({ kind, event: e }: MembershipEvent): void {
    const fan = this.groups.get(e.groupId);
    if (!fan) return;
    const frame = notificationFrame(kind, JSON.stringify(e));
    const leaving: Peer[] = [];
    for (const [peer, sub] of fan.peers) {
      if (sub.buffer) sub.buffer.push({ id: null, frame });
      else peer.send(frame);
      // A user who left stops receiving the group on all their connections,
      // except those that joined again after the leave.
      if (kind === 'member.left' && peer.userId === e.userId && sub.attachedAt < Date.parse(e.at)) leaving.push(peer);
    }
    for (const peer of leaving) this.detach(peer, e.groupId);
  }
}
