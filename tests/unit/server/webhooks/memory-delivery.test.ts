/**
 * The delivery loop on the memory log, in process, against a real local
 * HTTP receiver: order per group, retries, a dead letter after the window,
 * replay for its endpoint only, trimming; and chat (a hub in this process)
 * answers sends while the receiver never answers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookEvent } from '@next-chat/core';
import { MemoryWebhookLog } from '../../../../packages/server/src/adapters/memory/memory-webhooks.js';
import { WebhookDelivery } from '../../../../packages/server/src/webhooks/delivery.js';
import { Metrics } from '../../../../packages/server/src/observability/metrics.js';
import { silentLogger } from '../../../../packages/server/src/observability/logger.js';
import { parseConfig } from '../../../../packages/server/src/config.js';
import { startHub, type RunningHub } from '../../../../packages/server/src/app.js';
import { TestClient } from '../../../integration/setup/ws-client.js';
import { eventually } from '../../../integration/setup/engine-env.js';
import { startReceiver, type Receiver } from '../../../integration/webhooks/receiver.js';

const SECRET = 'unit-delivery-secret';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function delivery(log: MemoryWebhookLog, endpoints: { name: string; url: string; events?: WebhookEvent['type'][] }[], retrySeconds: number): WebhookDelivery {
  const d = new WebhookDelivery({
    log,
    endpoints: endpoints.map((e) => ({ name: e.name, url: e.url, events: e.events ?? ['member.joined', 'room.created'] })),
    secret: SECRET,
    partitions: 4,
    timeoutMs: 500,
    retrySeconds,
    leaseMs: 300,
    idlePollMs: 20,
    trimIntervalMs: 50,
    metrics: new Metrics({ defaultMetrics: false }),
    logger: silentLogger(),
  });
  cleanup.push(() => d.close());
  return d;
}

async function receiver(answer?: Parameters<typeof startReceiver>[1]): Promise<Receiver> {
  const r = await startReceiver(SECRET, answer);
  cleanup.push(() => r.close());
  return r;
}

const joined = (groupId: string, userId: string, atMs = Date.now()) => ({ type: 'member.joined' as const, groupId, data: { groupId, userId, at: new Date(atMs).toISOString() }, atMs });

describe('webhook delivery on the memory log', () => {
  it('keeps each group in order through failures, and dead-letters after the window; replay goes to its endpoint only', async () => {
    let failing = true;
    const a = await receiver(() => (failing ? 500 : 200));
    const b = await receiver();
    const log = new MemoryWebhookLog(4);
    const d = delivery(log, [{ name: 'a', url: a.url }, { name: 'b', url: b.url }], 1);
    for (let i = 0; i < 5; i++) for (const g of ['g1', 'g2', 'g3']) await d.record(joined(g, `u${i}`));
    d.start();
    await eventually(async () => (await d.deadLetters({ limit: 100 })).items.length === 15, 10_000, 'dead letters');
    const dead = (await d.deadLetters({ endpoint: 'a', limit: 100 })).items;
    // In order per group. The window runs from each event's time: a group's first event is tried at 0 s and at the
    // window's end (1 s); the ones queued behind it are past their window by then and get their one attempt.
    for (const g of ['g1', 'g2', 'g3']) {
      const ofG = dead.filter((x) => x.event.groupId === g);
      expect(ofG.map((x) => (x.event.data as { userId: string }).userId)).toEqual(['u0', 'u1', 'u2', 'u3', 'u4']);
      expect(ofG[0]!.attempts).toBeGreaterThanOrEqual(2);
    }
    expect(dead.every((x) => x.attempts >= 1 && x.lastError === 'HTTP 500')).toBe(true);
    expect(b.delivered()).toHaveLength(15);
    expect((await d.status()).map((s) => [s.endpoint, s.backlog, s.deadLetters])).toEqual([['a', 0, 15], ['b', 0, 0]]);
    // Pages.
    const p1 = await d.deadLetters({ endpoint: 'a', limit: 10 });
    const p2 = await d.deadLetters({ endpoint: 'a', limit: 10, after: p1.next as string });
    expect([p1.items.length, p2.items.length, p2.next]).toEqual([10, 5, null]);

    failing = false;
    const first = dead[0]!;
    expect(await d.replay(first.id)).toBe(true);
    expect(await d.replay(first.id)).toBe(false);
    await eventually(async () => a.delivered().length === 1, 5000, 'replay delivered');
    expect(a.delivered()[0]!.event).toEqual(first.event);
    await new Promise((r) => setTimeout(r, 200));
    expect(b.arrivals).toHaveLength(15);
    expect((await d.deadLetters({ limit: 100 })).items).toHaveLength(14);
    // Everything delivered or dead: trimmed away.
    expect((await d.status()).every((s) => s.backlog === 0)).toBe(true);
    expect(await log.read(0, 'a', 100)).toEqual([]);
  });

  it('a send is answered in chat time while the receiver never answers', async () => {
    const r = await receiver(() => null);
    const config = parseConfig({
      NEXT_CHAT_PORT: '0',
      NEXT_CHAT_HOST: '127.0.0.1',
      NEXT_CHAT_LOG_LEVEL: 'silent',
      NEXT_CHAT_RATE_LIMIT: '0',
      NEXT_CHAT_WEBHOOKS: JSON.stringify([{ name: 'hang', url: r.url }]),
      NEXT_CHAT_WEBHOOK_SECRET: SECRET,
      NEXT_CHAT_WEBHOOK_TIMEOUT_MS: '60000',
    });
    const hub: RunningHub = await startHub(config, { metrics: new Metrics({ defaultMetrics: false }) });
    cleanup.push(() => hub.shutdown());
    const c = await TestClient.connect(hub.url.replace('localhost', '127.0.0.1'), 'talker');
    cleanup.push(() => c.close());
    await c.call('group.create', { groupId: 'hung' });
    await c.call('group.join', { groupId: 'hung' });
    await eventually(async () => r.arrivals.length === 0 && (await hub.engine.webhooks!.status())[0]!.backlog > 0, 2000, 'a delivery hanging');
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      await c.call('message.send', { groupId: 'hung', text: `m${i}` });
      times.push(performance.now() - t);
    }
    // None waits for the hung receiver (60 s timeout); how fast a send is belongs to npm run bench.
    expect(Math.max(...times)).toBeLessThan(5000);
    expect((await hub.engine.webhooks!.status())[0]!.backlog).toBe(32);
  });
});
