/**
 * Direct conversations and blocking (docs/protocol.md, "Direct
 * conversations"). A direct conversation is a group of kind `direct` whose
 * id is made from its two peers, so it is the same from either side and
 * found without an index.
 */
import { createHash } from 'node:crypto';
import { DIRECT_PREFIX, errors, type Params, type Result } from '@next-chat/core';
import type { Engine } from '../ports/engine.js';
import type { Peer } from './peer.js';
import type { Rooms } from './rooms.js';

/** `dm-` and 40 hex digits of the sorted peers' hash: within the group id grammar whatever the user ids. */
export function directId(a: string, b: string): string {
  const [x, y] = [a, b].sort();
  return DIRECT_PREFIX + createHash('sha256').update(`${x}\n${y}`).digest('hex').slice(0, 40);
}

export class Direct {
  constructor(
    private readonly engine: Engine,
    private readonly rooms: Rooms,
  ) {}

  /** Finds or creates the conversation; the join itself is the hub's (subscribe, history). */
  async open(peer: Peer, p: Params<'direct.open'>): Promise<string> {
    if (p.userId === peer.userId) throw errors.invalidParams('userId', 'must be another user than you');
    const groupId = directId(peer.userId, p.userId);
    const r = await this.engine.groups.openDirect(groupId, peer.userId, p.userId, Date.now());
    if (r.status === 'blocked') throw errors.forbidden(`'${p.userId}' does not accept direct messages from you`);
    if (r.status === 'created') {
      await this.rooms.tell({ kind: 'personal', userIds: [p.userId], method: 'conversation.added', params: { group: r.group, by: peer.userId } });
    }
    return groupId;
  }

  /** While the other peer blocks the sender, nothing may be sent in their conversation. */
  async checkSend(groupId: string, userId: string): Promise<void> {
    if (!groupId.startsWith(DIRECT_PREFIX)) return;
    const group = await this.engine.groups.get(groupId);
    const other = group?.peers?.find((u) => u !== userId);
    if (other !== undefined && group?.peers?.includes(userId) && (await this.engine.groups.isBlocked(other, userId))) {
      throw errors.forbidden(`'${other}' does not accept direct messages from you`);
    }
  }

  async block(peer: Peer, p: Params<'user.block'>): Promise<Result<'user.block'>> {
    if (p.userId === peer.userId) throw errors.invalidParams('userId', 'must be another user than you');
    await this.engine.groups.block(peer.userId, p.userId);
    return { blocked: true };
  }

  async unblock(peer: Peer, p: Params<'user.unblock'>): Promise<Result<'user.unblock'>> {
    return { unblocked: await this.engine.groups.unblock(peer.userId, p.userId) };
  }

  async blocked(peer: Peer, p: Params<'me.blocked'>): Promise<Result<'me.blocked'>> {
    const page = await this.engine.groups.blocked(peer.userId, { after: p.after, limit: p.limit });
    return { users: page.items, next: page.next };
  }
}
