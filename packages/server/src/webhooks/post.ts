/**
 * One delivery attempt: a signed POST of the event's JSON. Whatever happens
 * is an outcome, never a throw, so the delivery loop has one path.
 */
import type { WebhookEvent } from '@next-chat/core';
import { signedHeaders } from './signature.js';

export type AttemptOutcome = 'ok' | 'http_error' | 'timeout' | 'network';

export interface AttemptResult {
  outcome: AttemptOutcome;
  /** For the dead letter and the log: `HTTP 500`, `timeout after 5000 ms`, the network error. */
  error?: string;
}

export async function postEvent(url: string, event: WebhookEvent, secret: string, timeoutMs: number, stop: AbortSignal): Promise<AttemptResult> {
  const body = JSON.stringify(event);
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { ...signedHeaders(secret, event.id, body), 'content-type': 'application/json', 'user-agent': 'next-chat-webhooks' },
      body,
      signal: AbortSignal.any([timeout, stop]),
      redirect: 'manual',
    });
    // The body is not wanted; reading it frees the connection for the next request.
    await res.arrayBuffer().catch(() => undefined);
    return res.status >= 200 && res.status < 300 ? { outcome: 'ok' } : { outcome: 'http_error', error: `HTTP ${res.status}` };
  } catch (err) {
    if (timeout.aborted) return { outcome: 'timeout', error: `timeout after ${timeoutMs} ms` };
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : undefined;
    return { outcome: 'network', error: cause ?? (err instanceof Error ? err.message : String(err)) };
  }
}
