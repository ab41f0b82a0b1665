import { describe, expect, it } from 'vitest';
import type { Message } from '@next-chat/core';
import { messageBody, messageEvent, messageJson, type MessageEvent } from '../../../packages/server/src/events/codec.js';
import { Fanout } from '../../../packages/server/src/hub/fanout.js';
import type { Peer } from '../../../packages/server/src/hub/peer.js';
import type { Broker, BrokerHandlers } from '../../../packages/server/src/ports/broker.js';
import { Metrics } from '../../../packages/server/src/observability/metrics.js';

/**
 * A broker whose reader lags: it delivers only when the test says so, the
 * way the Redis stream reader may still be behind the join's history read.
 */
class LaggingBroker implements Pick<Broker, 'setHandlers' | 'subscribe' | 'unsubscribe'> {
  handlers!: BrokerHandlers;
  setHandlers(h: BrokerHandlers) {
    this.handlers = h;
  }
  async subscribe() {
    return '0-0';
  }
  unsubscribe() {}
  deliver(...ids: string[]) {
    for (const id of ids) this.handlers.event(msg(id));
  }
}

/** A message of group `g` as a broker delivers it: encoded once (events/codec.ts). */
const msg = (id: string): MessageEvent =>
  messageEvent('g', id, messageJson(id, messageBody({ groupId: 'g', authorId: 'a', text: id, sentAt: new Date().toISOString() })));

/** A Fanout fed by the broker the way the hub wires it (group events to the fan-out, gaps too). */
function fanoutOn(broker: LaggingBroker): Fanout {
  const fanout = new Fanout(broker as unknown as Broker, new Metrics({ defaultMetrics: false }));
  broker.setHandlers({ event: (e) => e.kind !== 'personal' && fanout.handle(e), gap: (g) => fanout.onGap(g) });
  return fanout;
}

function peer(): Peer & { got: string[] } {
  const got: string[] = [];
  return {
    id: 1,
    userId: 'u',
    closed: false,
    got,
    send(frame: string) {
      got.push((JSON.parse(frame) as { params: Message }).params.id);
    },
    close(code: number) {
      got.push(`closed ${code}`);
    },
  };
}

describe('Fanout', () => {
  it('after a join, drops late deliveries the history already covered, then forwards everything', async () => {
    const broker = new LaggingBroker();
    const fanout = fanoutOn(broker);
    const p = peer();
    const sub = await fanout.attach(p, 'g');
    broker.deliver('1-0'); // held while the join reads history
    // History read saw up to 3-0; the reader has delivered only 1-0 so far.
    fanout.release(p, 'g', sub, '3-0');
    broker.deliver('2-0', '3-0', '4-0', '5-0');
    expect(p.got).toEqual(['4-0', '5-0']);
  });

  it('releases held messages newer than the history, in order, without repeating them live', async () => {
    const broker = new LaggingBroker();
    const fanout = fanoutOn(broker);
    const p = peer();
    const sub = await fanout.attach(p, 'g');
    broker.deliver('1-0', '2-0', '3-0');
    fanout.release(p, 'g', sub, '1-0');
    broker.deliver('3-0', '4-0');
    expect(p.got).toEqual(['2-0', '3-0', '4-0']);
  });

  it('sends every subscriber of a group away (1001) when the broker reports a gap', async () => {
    const broker = new LaggingBroker();
    const fanout = fanoutOn(broker);
    const a = peer();
    const b = peer();
    fanout.release(a, 'g', await fanout.attach(a, 'g'), null);
    fanout.release(b, 'other', await fanout.attach(b, 'other'), null);
    broker.handlers.gap('g');
    expect(a.got).toEqual(['closed 1001']);
    expect(b.got).toEqual([]);
  });

  it('one subscription per group however many peers; unsubscribes with the last', async () => {
    const broker = new LaggingBroker();
    let subs = 0;
    let unsubs = 0;
    broker.subscribe = async () => (subs++, '0-0');
    broker.unsubscribe = () => void unsubs++;
    const fanout = fanoutOn(broker);
    const a = peer();
    const b = peer();
    fanout.release(a, 'g', await fanout.attach(a, 'g'), null);
    fanout.release(b, 'g', await fanout.attach(b, 'g'), null);
    broker.deliver('1-0');
    expect([a.got, b.got]).toEqual([['1-0'], ['1-0']]);
    expect(subs).toBe(1);
    fanout.detach(a, 'g');
    expect(unsubs).toBe(0);
    fanout.detachAll(b);
    expect(unsubs).toBe(1);
    expect(fanout.groupCount).toBe(0);
  });
});
