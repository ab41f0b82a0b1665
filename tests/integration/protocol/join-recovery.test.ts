import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid } from '../setup/ws-client.js';

let hub: HubProcess;
beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_RATE_LIMIT: '0' });
});
afterAll(async () => {
  await hub?.stop();
});

async function groupWith(owner: TestClient, n: number): Promise<{ id: string; ids: string[] }> {
  const id = uid('g');
  await owner.call('group.create', { groupId: id });
  await owner.call('group.join', { groupId: id });
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await owner.call('message.send', { groupId: id, text: `t${i}` })).message.id);
  return { id, ids };
}

describe('group.join history', () => {
  it('without since: the latest limit messages, complete when that is all', async () => {
    const owner = await TestClient.connect(hub.url, 'owner1');
    const { id, ids } = await groupWith(owner, 5);
    const j = await TestClient.connect(hub.url, 'j1');
    const all = await j.call('group.join', { groupId: id });
    expect(all.history.map((m: Message) => m.id)).toEqual(ids);
    expect(all.complete).toBe(true);
    const some = await j.call('group.join', { groupId: id, limit: 3 });
    expect(some.history.map((m: Message) => m.id)).toEqual(ids.slice(2));
    expect(some.complete).toBe(false);
    const none = await j.call('group.join', { groupId: id, limit: 0 });
    expect(none).toMatchObject({ history: [], complete: false });
    owner.close();
    j.close();
  });

  it('with since: the messages after it, complete true when all fit', async () => {
    const owner = await TestClient.connect(hub.url, 'owner2');
    const { id, ids } = await groupWith(owner, 6);
    const r = await owner.call('group.join', { groupId: id, since: ids[2] });
    expect(r.history.map((m: Message) => m.id)).toEqual(ids.slice(3));
    expect(r.complete).toBe(true);
    const upToDate = await owner.call('group.join', { groupId: id, since: ids[5] });
    expect(upToDate).toMatchObject({ history: [], complete: true });
    owner.close();
  });

  it('with since and more missed than limit: the latest limit, complete false, older ones paged with message.history', async () => {
    const owner = await TestClient.connect(hub.url, 'owner3');
    const { id, ids } = await groupWith(owner, 10);
    const r = await owner.call('group.join', { groupId: id, since: ids[1], limit: 4 });
    expect(r.history.map((m: Message) => m.id)).toEqual(ids.slice(6));
    expect(r.complete).toBe(false);
    const older = await owner.call('message.history', { groupId: id, before: r.history[0].id, limit: 4 });
    expect(older.messages.map((m: Message) => m.id)).toEqual(ids.slice(2, 6));
    owner.close();
  });
});

describe('gap-free join', () => {
  it('a join while another user is sending sees every message exactly once, in order', async () => {
    const sender = await TestClient.connect(hub.url, 'sender');
    const id = uid('live');
    await sender.call('group.create', { groupId: id });
    await sender.call('group.join', { groupId: id });
    const total = 400;
    let sent = 0;
    const sending = (async () => {
      // Pipelined sends in windows of 20: the join lands in the middle of the stream.
      while (sent < total) {
        const batch = Array.from({ length: Math.min(20, total - sent) }, (_, k) => sender.call('message.send', { groupId: id, text: `n${sent + k}` }));
        sent += batch.length;
        await Promise.all(batch);
      }
    })();
    const joiners: TestClient[] = [];
    const results: { history: Message[] }[] = [];
    for (let k = 0; k < 4; k++) {
      while (sent < (k + 1) * 80) await new Promise((r) => setImmediate(r));
      const j = await TestClient.connect(hub.url, `joiner${k}`);
      joiners.push(j);
      results.push(await j.call('group.join', { groupId: id, limit: 200 }));
    }
    await sending;
    const all = (await sender.call('message.history', { groupId: id, limit: 200 })).messages as Message[];
    expect(all.length).toBe(200);
    for (let k = 0; k < joiners.length; k++) {
      const j = joiners[k]!;
      const history = results[k]!.history;
      const lastText = history.length ? history[history.length - 1]!.text : null;
      const firstLive = lastText === null ? 0 : Number(lastText.slice(1)) + 1;
      const live = await j.waitForMessages(id, total - firstLive);
      const texts = [...history, ...live].map((m) => Number(m.text.slice(1)));
      const start = texts[0]!;
      expect(texts).toEqual(Array.from({ length: total - start }, (_, i) => start + i));
      j.close();
    }
    sender.close();
  });

  it('a client that reconnects and re-joins with since = last id it saw loses nothing', async () => {
    const sender = await TestClient.connect(hub.url, 'sender2');
    const id = uid('resume');
    await sender.call('group.create', { groupId: id });
    await sender.call('group.join', { groupId: id });
    let reader = await TestClient.connect(hub.url, 'reader');
    await reader.call('group.join', { groupId: id });
    for (let i = 0; i < 10; i++) await sender.call('message.send', { groupId: id, text: `r${i}` });
    const before = await reader.waitForMessages(id, 10);
    reader.close();
    await reader.closed;
    for (let i = 10; i < 25; i++) await sender.call('message.send', { groupId: id, text: `r${i}` });
    reader = await TestClient.connect(hub.url, 'reader');
    const back = await reader.call('group.join', { groupId: id, since: before[before.length - 1]!.id });
    expect(back.complete).toBe(true);
    const sending = (async () => {
      for (let i = 25; i < 40; i++) await sender.call('message.send', { groupId: id, text: `r${i}` });
    })();
    await sending;
    const live = await reader.waitForMessages(id, 40 - 10 - back.history.length);
    const texts = [...before, ...back.history, ...live].map((m: Message) => m.text);
    expect(texts).toEqual(Array.from({ length: 40 }, (_, i) => `r${i}`));
    reader.close();
    sender.close();
  });
});
