/**
 * The open connections of each user on this instance, for the events that
 * go to a user wherever they are (invited, conversation.added/removed): a
 * personal event reaches every connection of its users here, whether or not
 * they joined anything.
 */
import { CloseCode } from '@next-chat/core';
import { notificationFrame, type DisconnectEvent, type PersonalEvent } from '../events/codec.js';
import type { Peer } from './peer.js';

export class UserPeers {
  private readonly byUser = new Map<string, Set<Peer>>();

  /** True for the user's first connection here. */
  add(peer: Peer): boolean {
    let set = this.byUser.get(peer.userId);
    const first = !set;
    if (!set) this.byUser.set(peer.userId, (set = new Set()));
    set.add(peer);
    return first;
  }

  /** True when it was the user's last connection here. */
  remove(peer: Peer): boolean {
    const set = this.byUser.get(peer.userId);
    if (!set) return false;
    set.delete(peer);
    if (set.size > 0) return false;
    this.byUser.delete(peer.userId);
    return true;
  }

  /** Closes every local connection of the users (1008, `reason`); the number closed. */
  disconnect(e: DisconnectEvent): number {
    let closed = 0;
    for (const userId of e.userIds) {
      for (const peer of [...(this.byUser.get(userId) ?? [])]) {
        peer.close(CloseCode.PolicyViolation, e.reason, 'disconnected');
        closed++;
      }
    }
    return closed;
  }

  /** Sends the event's notification to every local connection of its users. */
  deliver(e: PersonalEvent): void {
    const frame = notificationFrame(e.method, JSON.stringify(e.params));
    for (const userId of e.userIds) for (const peer of this.byUser.get(userId) ?? []) peer.send(frame);
  }
}
