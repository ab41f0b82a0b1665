/**
 * A real webhook receiver for the tests: node:http on a free port. Every
 * request's signature is checked with the hub's own verifySignature and
 * the secret (a bad one is recorded, and the tests expect none); every body
 * is kept with the status answered. `answer` decides each status (and may
 * wait first, to make the receiver slow, failing or hanging).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '@next-chat/core';
import { verifySignature } from '../../../packages/server/src/webhooks/signature.js';

export interface Arrival {
  event: WebhookEvent;
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
  atMs: number;
}

/** A status, or null to never answer (the hub's timeout gives up). */
export type Answer = (event: WebhookEvent, n: number) => number | null | Promise<number | null>;

export interface Receiver {
  url: string;
  arrivals: Arrival[];
  badSignatures: number;
  /** Arrivals answered 2xx. */
  delivered(): Arrival[];
  setAnswer(a: Answer): void;
  close(): Promise<void>;
}

export async function startReceiver(secret: string, answer: Answer = () => 200): Promise<Receiver> {
  let current = answer;
  const arrivals: Arrival[] = [];
  const r: Receiver = {
    url: '',
    arrivals,
    badSignatures: 0,
    delivered: () => arrivals.filter((a) => a.status >= 200 && a.status < 300),
    setAnswer: (a) => {
      current = a;
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      void (async () => {
        if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json' || !verifySignature(secret, req.headers, body)) {
          r.badSignatures++;
          res.writeHead(400).end();
          return;
        }
        const event = JSON.parse(body) as WebhookEvent;
        const status = await current(event, arrivals.length);
        if (status === null) return; // hangs: the hub's timeout ends it
        arrivals.push({ event, headers: req.headers, body, status, atMs: Date.now() });
        res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return r;
}

/** What an event is about, independent of its id: what the tests expect, in order, per group. */
export function describeEvent(e: WebhookEvent): string {
  switch (e.type) {
    case 'message.created':
      return `created ${(e as WebhookEvent<'message.created'>).data.message.id}`;
    case 'message.updated': {
      const m = (e as WebhookEvent<'message.updated'>).data.message;
      return `${m.deletedAt ? 'deleted' : `edited:${m.text}`} ${m.id}`;
    }
    case 'member.joined':
    case 'member.left':
    case 'member.kicked':
    case 'member.banned':
      return `${e.type} ${(e as WebhookEvent<'member.joined'>).data.userId}`;
    case 'room.created':
    case 'room.updated':
      return `${e.type} ${(e as WebhookEvent<'room.created'>).data.group.title}`;
    case 'room.deleted':
      return 'room.deleted';
  }
}

/**
 * Per group, the descriptions of the events in the order their ids first
 * arrived; throws when two arrivals of one id differ in body (a duplicate
 * must be the same event) or one id is used for two groups.
 */
export function firstArrivals(arrivals: readonly Arrival[]): Map<string, string[]> {
  const seen = new Map<string, string>();
  const out = new Map<string, string[]>();
  for (const a of arrivals) {
    const prev = seen.get(a.event.id);
    if (prev !== undefined) {
      if (prev !== a.body) throw new Error(`event ${a.event.id} arrived twice with different bodies:\n${prev}\n${a.body}`);
      continue;
    }
    seen.set(a.event.id, a.body);
    const list = out.get(a.event.groupId) ?? [];
    list.push(describeEvent(a.event));
    out.set(a.event.groupId, list);
  }
  return out;
}
