/**
 * Webhooks on the embedded engine (no Redis): one hub process delivers a
 * room's events in order, retries through a receiver's failures, and moves
 * an event to the dead letters when its retry window is over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';
import { eventually } from '../setup/engine-env.js';
import { describeEvent, firstArrivals, startReceiver, type Receiver } from './receiver.js';

const SECRET = 'embedded-test-secret';
let receiver: Receiver;
let hub: HubProcess;
const clients: TestClient[] = [];
let failing = true;

beforeAll(async () => {
  // Fails the first two seconds, then answers.
  const failUntil = Date.now() + 2000;
  receiver = await startReceiver(SECRET, () => (failing && Date.now() < failUntil ? 500 : 200));
  hub = await startHub({
    NEXT_CHAT_WEBHOOKS: JSON.stringify([{ name: 'all', url: receiver.url }]),
    NEXT_CHAT_WEBHOOK_SECRET: SECRET,
    NEXT_CHAT_RATE_LIMIT: '0',
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await hub?.stop();
  await receiver?.close();
});

describe('webhooks on the embedded engine', () => {
  it('delivers a room\'s events in order, through a receiver that fails for a while', async () => {
    const g = uid('emb');
    const owner = await TestClient.connect(hub.url, uid('own'));
    const other = uid('oth');
    const b = await TestClient.connect(hub.url, other);
    clients.push(owner, b);
    const expected: string[] = [];
    await owner.call('group.create', { groupId: g, title: 'T1' });
    expected.push('room.created T1');
    await owner.call('group.join', { groupId: g });
    const ownerId = (await owner.call<{ group: { ownerId: string } }>('group.get', { groupId: g })).group.ownerId;
    expected.push(`member.joined ${ownerId}`);
    await b.call('group.join', { groupId: g });
    expected.push(`member.joined ${other}`);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const m = (await owner.call<{ message: Message }>('message.send', { groupId: g, text: `m${i}` })).message;
      ids.push(m.id);
      expected.push(`created ${m.id}`);
    }
    await owner.call('message.edit', { groupId: g, messageId: ids[0], text: 'edited' });
    expected.push(`edited:edited ${ids[0]}`);
    await owner.call('message.delete', { groupId: g, messageId: ids[1] });
    expected.push(`deleted ${ids[1]}`);
    await owner.call('group.update', { groupId: g, title: 'T2' });
    expected.push('room.updated T2');
    await owner.call('group.kick', { groupId: g, userId: other });
    expected.push(`member.kicked ${other}`);

    await eventually(async () => (firstArrivals(receiver.delivered()).get(g)?.length ?? 0) >= expected.length, 20_000, 'every event delivered');
    expect(receiver.badSignatures).toBe(0);
    // Every attempt's first arrival keeps the order, failed attempts included.
    expect(firstArrivals(receiver.arrivals).get(g)).toEqual(expected);
    expect(firstArrivals(receiver.delivered()).get(g)).toEqual(expected);
    expect(receiver.arrivals.some((a) => a.status === 500)).toBe(true);
    const created = receiver.delivered().find((a) => a.event.type === 'message.created');
    expect(created?.headers['webhook-id']).toBe(created?.event.id);
    expect(created?.headers['user-agent']).toBe('next-chat-webhooks');
    expect(describeEvent(created!.event)).toBe(`created ${ids[0]}`);
    failing = false;
  });
});
