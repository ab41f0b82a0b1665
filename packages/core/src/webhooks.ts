/**
 * What a webhook receiver gets (docs/api.md, "Webhooks"): the event types and
 * the body of each delivery. The hub builds them; a receiver written in
 * TypeScript may import them.
 */
import type { Ban, Group, LeaveReason, Message, Role } from './types.js';

export const WEBHOOK_EVENT_TYPES = [
  'message.created',
  'message.updated',
  'member.joined',
  'member.left',
  'member.kicked',
  'member.banned',
  'room.created',
  'room.updated',
  'room.deleted',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookData {
  'message.created': { message: Message };
  /** An edit or delete: the message as it is now, at `cursor` (docs/protocol.md, message.updated). */
  'message.updated': { message: Message; cursor: string };
  'member.joined': { groupId: string; userId: string; at: string; role?: Role };
  'member.left': { groupId: string; userId: string; at: string; reason: LeaveReason; by: string };
  'member.kicked': { groupId: string; userId: string; at: string; reason: LeaveReason; by: string };
  'member.banned': { groupId: string; userId: string; at: string; reason: LeaveReason; by: string; ban?: Ban };
  'room.created': { group: Group };
  'room.updated': { group: Group };
  'room.deleted': { groupId: string; by: string; at: string };
}

/**
 * One delivery's body. `id` is the same in every attempt and replay of the
 * event (deduplicate on it; it is also the `webhook-id` header).
 */
export interface WebhookEvent<T extends WebhookEventType = WebhookEventType> {
  id: string;
  type: T;
  /** The room or direct conversation; events of one group arrive in order. */
  groupId: string;
  createdAt: string;
  data: WebhookData[T];
}
