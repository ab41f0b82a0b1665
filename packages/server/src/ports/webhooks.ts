/**
 * Webhook delivery (docs/api.md, "Webhooks"): the hub records events, the
 * adapter keeps them until every endpoint that wants them has them, and
 * delivers them at least once, in order per group, signed, with retries and
 * then a dead-letter list. Messages and edits are recorded by the broker
 * with the message itself (one atomic step); the hub records the member and
 * room events through `record` after the change is stored, before it answers.
 */
import type { WebhookData, WebhookEvent, WebhookEventType } from '@next-chat/core';
import type { Page } from './group-store.js';

/** An event as the hub hands it over; the adapter gives it its id and time. */
export interface WebhookEventInput<T extends WebhookEventType = WebhookEventType> {
  type: T;
  groupId: string;
  data: WebhookData[T];
  /** ms since epoch. */
  atMs: number;
}

/** An event that ran out of retries for one endpoint. */
export interface DeadLetter {
  /** Opaque; what replay and the list's cursor take. */
  id: string;
  endpoint: string;
  event: WebhookEvent;
  attempts: number;
  /** The last attempt's failure, as a sentence (`HTTP 500`, `timeout after 5000 ms`). */
  lastError: string;
  failedAt: string;
}

export interface WebhookStatus {
  endpoint: string;
  /** Events recorded and not yet delivered (or dead-lettered) to this endpoint. */
  backlog: number;
  /** Age of the oldest of them, seconds; 0 when none. */
  lagSeconds: number;
  deadLetters: number;
}

export interface Webhooks {
  /** Records an event for the endpoints that want it; resolves once it is stored. */
  record(e: WebhookEventInput): Promise<void>;
  /** Dead letters, oldest first, optionally of one endpoint. */
  deadLetters(opts: { endpoint?: string; after?: string; limit: number }): Promise<Page<DeadLetter>>;
  /** Queues a dead letter for its endpoint again (same event id) and removes it from the list; false when there is none of that id. */
  replay(id: string): Promise<boolean>;
  status(): Promise<WebhookStatus[]>;
  /** Starts delivering (idempotent). */
  start(): void;
  /** Stops delivering; an attempt in flight is abandoned and delivered again by whoever takes over. */
  close(): Promise<void>;
}
