/**
 * Dead letters on Redis, through the HTTP API: with a short retry window an
 * event a failing receiver never takes lands in the dead letters (listed by
 * GET /webhooks/dead-letters), and replaying it once the receiver is back
 * delivers it with the same id and removes it from the list.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DeadLetter, WebhookStatus } from '../../../packages/server/src/ports/webhooks.js';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';
import { eventually, hubEnv, randomPrefix } from '../setup/engine-env.js';
import { startReceiver, type Receiver } from './receiver.js';

const SECRET = 'dead-letter-test-secret';
const API_KEY = 'dead-letter-api-key-0123456789';
let receiver: Receiver;
/** A second endpoint for the same events that always answers: it must get the event once, and not its replay. */
let other: Receiver;
let hub: HubProcess;
let client: TestClient;
let failing = true;

async function api<T>(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${hub.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${API_KEY}` } });
  return { status: res.status, body: (await res.json()) as T };
}

beforeAll(async () => {
  receiver = await startReceiver(SECRET, () => (failing ? 503 : 200));
  other = await startReceiver(SECRET);
  hub = await startHub(
    hubEnv({
      redisUrl: inject('redisUrl'),
      prefix: randomPrefix(),
      extra: {
        NEXT_CHAT_PRESENCE_TTL_MS: '1500',
        NEXT_CHAT_WEBHOOKS: JSON.stringify([
          { name: 'failing', url: receiver.url, events: ['message.created'] },
          { name: 'other', url: other.url, events: ['message.created'] },
        ]),
        NEXT_CHAT_WEBHOOK_SECRET: SECRET,
        NEXT_CHAT_WEBHOOK_RETRY_SECONDS: '2',
        NEXT_CHAT_API_PORT: '0',
        NEXT_CHAT_API_KEYS: API_KEY,
      },
    }),
  );
  client = await TestClient.connect(hub.url, uid('dl'));
});

afterAll(async () => {
  client?.close();
  await hub?.stop();
  await receiver?.close();
  await other?.close();
});

describe('webhook dead letters', () => {
  it('an event out of retries is listed, and a replay delivers it with the same id', async () => {
    expect(hub.apiUrl, 'the hub serves the HTTP API').toBeDefined();
    const g = uid('dlg');
    await client.call('group.create', { groupId: g });
    await client.call('group.join', { groupId: g });
    const sent = await client.call<{ message: { id: string } }>('message.send', { groupId: g, text: 'never taken' });
    const eventId = `msg-${g}-${sent.message.id}`;

    let dead: DeadLetter | undefined;
    await eventually(
      async () => {
        const r = await api<{ deadLetters: DeadLetter[]; next: string | null }>('GET', '/webhooks/dead-letters?endpoint=failing&limit=10');
        dead = r.body.deadLetters.find((d) => d.event.id === eventId);
        return dead !== undefined;
      },
      15_000,
      'the dead letter',
    );
    expect(dead).toMatchObject({ endpoint: 'failing', lastError: 'HTTP 503', event: { id: eventId, type: 'message.created', groupId: g } });
    // 1 s, then the window's end at 2 s: at least two attempts.
    expect(dead!.attempts).toBeGreaterThanOrEqual(2);
    const attemptsBefore = receiver.arrivals.filter((a) => a.event.id === eventId).length;
    expect(attemptsBefore).toBe(dead!.attempts);
    const status = await api<{ endpoints: WebhookStatus[] }>('GET', '/webhooks');
    expect(status.body.endpoints.find((e) => e.endpoint === 'failing')).toMatchObject({ deadLetters: 1, backlog: 0 });

    failing = false;
    expect(await api('POST', `/webhooks/dead-letters/${dead!.id}/replay`)).toEqual({ status: 200, body: { replayed: true } });
    await eventually(async () => receiver.delivered().some((a) => a.event.id === eventId), 10_000, 'the replayed delivery');
    const replayed = receiver.delivered().find((a) => a.event.id === eventId)!;
    expect(replayed.headers['webhook-id']).toBe(eventId);
    expect(replayed.event).toEqual(dead!.event);
    const after = await api<{ deadLetters: DeadLetter[] }>('GET', '/webhooks/dead-letters?endpoint=failing');
    expect(after.body.deadLetters).toEqual([]);
    expect(await api('POST', `/webhooks/dead-letters/${dead!.id}/replay`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    // One more attempt on the failing endpoint (the replay), none on the other (its group skips the replayed entry).
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.arrivals.filter((a) => a.event.id === eventId)).toHaveLength(attemptsBefore + 1);
    expect(other.arrivals.filter((a) => a.event.id === eventId)).toHaveLength(1);
    expect(receiver.badSignatures + other.badSignatures).toBe(0);
  });
});
