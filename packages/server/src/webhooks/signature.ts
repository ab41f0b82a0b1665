/**
 * How the hub signs what it sends to the operator's services (webhook
 * deliveries and moderation calls), in the Standard Webhooks form
 * (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp`
 * (Unix seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">`, keyed with the secret's UTF-8 bytes. The
 * timestamp inside the signed text is what lets a receiver refuse replays.
 * docs/api.md has the same check as a snippet for receivers.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

export function signature(secret: string, id: string, timestampSec: number, body: string): string {
  return `v1,${createHmac('sha256', secret).update(`${id}.${timestampSec}.${body}`).digest('base64')}`;
}

export function signedHeaders(secret: string, id: string, body: string, nowMs = Date.now()): SignedHeaders {
  const ts = Math.floor(nowMs / 1000);
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature(secret, id, ts, body) };
}

/**
 * A receiver's check: the signature matches (any of the space-separated
 * ones, as during a secret's rotation) and the timestamp is within
 * `toleranceSec` of now. False for anything else.
 */
export function verifySignature(secret: string, headers: Record<string, string | string[] | undefined>, body: string, toleranceSec = 300, nowMs = Date.now()): boolean {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sigs !== 'string' || !/^\d{1,12}$/.test(ts)) return false;
  if (Math.abs(nowMs / 1000 - Number(ts)) > toleranceSec) return false;
  const expected = Buffer.from(signature(secret, id, Number(ts), body));
  return sigs.split(' ').some((s) => {
    const got = Buffer.from(s);
    return got.length === expected.length && timingSafeEqual(got, expected);
  });
}
