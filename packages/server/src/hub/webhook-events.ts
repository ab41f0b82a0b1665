/**
 * Which of the hub's events are webhook events, and as what (docs/api.md,
 * "Webhooks"): the one mapping. Messages and edits are not here: the broker
 * records them with the message itself.
 */
import type { ClusterEvent, MessageEvent } from '../events/codec.js';
import type { WebhookEventInput } from '../ports/webhooks.js';

export function webhookEventOf(e: Exclude<ClusterEvent, MessageEvent>, atMs: number): WebhookEventInput | null {
  switch (e.kind) {
    case 'member.joined':
      return { type: 'member.joined', groupId: e.event.groupId, data: e.event, atMs };
    case 'member.left': {
      const ev = e.event;
      if (!('reason' in ev)) return { type: 'member.left', groupId: ev.groupId, data: { ...ev, reason: 'left', by: ev.userId }, atMs };
      const type = ev.reason === 'kicked' ? 'member.kicked' : ev.reason === 'banned' ? 'member.banned' : 'member.left';
      return { type, groupId: ev.groupId, data: ev, atMs };
    }
    case 'group.updated':
      return 'group' in e.params ? { type: 'room.updated', groupId: e.groupId, data: { group: e.params.group }, atMs } : null;
    case 'removed':
      return e.reason === 'deleted' ? { type: 'room.deleted', groupId: e.groupId, data: { groupId: e.groupId, by: e.by, at: new Date(atMs).toISOString() }, atMs } : null;
    case 'member.role':
    case 'typing':
    case 'member.read':
    case 'personal':
    case 'disconnect':
      return null;
  }
}
