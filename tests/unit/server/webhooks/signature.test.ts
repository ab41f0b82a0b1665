import { describe, expect, it } from 'vitest';
import { signedHeaders, verifySignature } from '../../../../packages/server/src/webhooks/signature.js';

const SECRET = 'whsec-unit-test-secret';
const body = JSON.stringify({ id: 'msg-g-1-0', type: 'message.created', groupId: 'g', createdAt: '2026-01-01T00:00:00.000Z', data: {} });

describe('webhook signatures', () => {
  it('what the hub signs verifies, with the Standard Webhooks headers', () => {
    const now = Date.UTC(2026, 0, 1);
    const h = signedHeaders(SECRET, 'msg-g-1-0', body, now);
    expect(h['webhook-id']).toBe('msg-g-1-0');
    expect(h['webhook-timestamp']).toBe(String(now / 1000));
    expect(h['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifySignature(SECRET, { ...h }, body, 300, now)).toBe(true);
    // Any of several signatures (a secret's rotation).
    expect(verifySignature(SECRET, { ...h, 'webhook-signature': `v1,AAAA ${h['webhook-signature']}` }, body, 300, now)).toBe(true);
  });

  it('refuses a changed body, id, timestamp or secret, and a timestamp outside the window', () => {
    const now = Date.UTC(2026, 0, 1);
    const h = signedHeaders(SECRET, 'msg-g-1-0', body, now);
    expect(verifySignature(SECRET, { ...h }, `${body} `, 300, now)).toBe(false);
    expect(verifySignature(SECRET, { ...h, 'webhook-id': 'msg-g-1-1' }, body, 300, now)).toBe(false);
    expect(verifySignature(SECRET, { ...h, 'webhook-timestamp': String(now / 1000 + 1) }, body, 300, now)).toBe(false);
    expect(verifySignature('another-secret-entirely', { ...h }, body, 300, now)).toBe(false);
    // Replayed 6 minutes later: outside the 5-minute window; 4 minutes: inside.
    expect(verifySignature(SECRET, { ...h }, body, 300, now + 6 * 60_000)).toBe(false);
    expect(verifySignature(SECRET, { ...h }, body, 300, now + 4 * 60_000)).toBe(true);
    expect(verifySignature(SECRET, { 'webhook-id': 'x' }, body, 300, now)).toBe(false);
  });
});
