/**
 * Property-based abuse of a live hub: random frames and params (wrong types,
 * huge numbers, deep nesting, invalid UTF-8, unknown fields). The hub must
 * answer every request that has an id with one valid JSON-RPC response,
 * never crash, and keep serving a bystander throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ErrorCode, METHOD_NAMES } from '@next-chat/core';
import { startHub, type HubProcess } from '../setup/hub-process.js';
import { TestClient, uid, type Frame } from '../setup/ws-client.js';

const KNOWN_CODES = new Set<number>(Object.values(ErrorCode));
// v1 params and those of protocol 1.1 (rooms, direct conversations), so the new methods meet random input too.
const FIELDS = ['groupId', 'text', 'since', 'before', 'after', 'limit', 'prefix', 'clientMessageId', 'userId', 'role', 'visibility', 'title', 'topic', 'capacity', 'durationSec', 'reason'];

let hub: HubProcess;
let fuzzer: TestClient;
let bystander: TestClient;
let listener: TestClient;
// Named at load time: the arbitraries below capture it when the module is evaluated.
const room = uid('room');

beforeAll(async () => {
  hub = await startHub({ NEXT_CHAT_RATE_LIMIT: '0' });
  fuzzer = await TestClient.connect(hub.url, 'fuzzer');
  bystander = await TestClient.connect(hub.url, 'bystander');
  listener = await TestClient.connect(hub.url, 'listener');
  await bystander.call('group.create', { groupId: room });
  await bystander.call('group.join', { groupId: room });
  await listener.call('group.join', { groupId: room });
  // The fuzzer is a member too, so its random sends reach real code paths.
  await fuzzer.call('group.join', { groupId: room });
});
afterAll(async () => {
  for (const c of [fuzzer, bystander, listener]) c?.close();
  await hub?.stop();
});

const hugeNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 53, -0, 1e-300, 123456789012345678901234567890);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  hugeNumber,
  fc.integer({ min: 1, max: 30 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.constant(room),
  // Real users and values of the new params, so random calls reach the 1.1 code paths.
  fc.constantFrom('bystander', 'listener', 'fuzzer', 'owner', 'admin', 'member', 'private', 'public'),
  fc.constant('1-0'),
  fc.constant('99999999999999-99'),
);
const params: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS), anyValue, { maxKeys: 5 }),
  fc.record({ groupId: fc.constant(room), text: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 50 }) }),
  fc.dictionary(fc.string({ maxLength: 10 }), anyValue, { maxKeys: 4 }),
  anyValue,
);
const method = fc.oneof(fc.constantFrom(...METHOD_NAMES), fc.string({ maxLength: 20 }), fc.constant('__proto__'), fc.constant('constructor'));

type Shot =
  | { kind: 'request'; id: number; frame: Record<string, unknown> }
  | { kind: 'rawRequest'; id: number; data: string }
  | { kind: 'raw'; data: string | Buffer; binary: boolean };

let nextId = 1_000_000;
const shot: fc.Arbitrary<Shot> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ method, params, extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 2 })) }).map(
    ({ method, params, extra }): Shot => {
      const id = nextId++;
      const frame: Record<string, unknown> = { ...(extra ?? {}), jsonrpc: '2.0', id, method };
      if (params !== undefined) frame.params = params;
      return { kind: 'request', id, frame };
    },
  ) },
  // Deep nesting is built as text: as a value it would overflow the
  // reporter's own recursion long before it troubles the hub.
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...METHOD_NAMES), fc.constantFrom(...FIELDS), fc.integer({ min: 100, max: 30_000 }), fc.constantFrom('[', '{"a":')).map(
    ([m, field, wanted, open]): Shot => {
      const id = nextId++;
      // Stay under the 64 KiB frame limit: a bigger frame closes the socket (1009) by design.
      const depth = Math.min(wanted, Math.floor(60_000 / (open.length + 1)));
      const close = open === '[' ? ']' : '}';
      return { kind: 'rawRequest', id, data: `{"jsonrpc":"2.0","id":${id},"method":"${m}","params":{"${field}":${open.repeat(depth)}1${close.repeat(depth)}}}` };
    },
  ) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((v): Shot => ({ kind: 'raw', data: JSON.stringify(v), binary: false })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((b): Shot => ({ kind: 'raw', data: Buffer.from(b), binary: false })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((s): Shot => ({ kind: 'raw', data: s, binary: false })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 50 }).map((b): Shot => ({ kind: 'raw', data: Buffer.from(b), binary: true })) },
);

function assertValidResponse(f: Frame, id: number): void {
  expect(f.jsonrpc).toBe('2.0');
  expect(f.id).toBe(id);
  const hasResult = 'result' in f;
  const hasError = 'error' in f;
  expect(hasResult !== hasError).toBe(true);
  if (hasError) {
    const e = f.error!;
    expect(Number.isInteger(e.code)).toBe(true);
    expect(KNOWN_CODES.has(e.code)).toBe(true);
    expect(e.code).not.toBe(ErrorCode.InternalError);
    expect(typeof e.message).toBe('string');
    expect(e.message.length).toBeGreaterThan(0);
    expect(typeof e.data?.reason).toBe('string');
    expect(JSON.stringify(e)).not.toMatch(/at .*\.(js|ts):\d+/);
  }
}

async function bystanderRoundTrip(n: number): Promise<void> {
  const { message } = await bystander.call('message.send', { groupId: room, text: `still here ${n}` });
  await listener.waitFor((f) => f.method === 'message' && (f.params as { id: string }).id === message.id, 5000);
}

describe('fuzzing a live hub', () => {
  it('answers every request validly, never crashes, and a bystander keeps chatting', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(shot, async (s) => {
        runs++;
        if (s.kind === 'request') {
          const f = await fuzzer.sendFrame(s.frame, s.id);
          assertValidResponse(f, s.id);
        } else if (s.kind === 'rawRequest') {
          const from = fuzzer.frames.length;
          fuzzer.sendRaw(s.data);
          assertValidResponse(await fuzzer.waitFor((f) => f.id === s.id, 5000, from), s.id);
        } else {
          fuzzer.sendRaw(s.data, s.binary);
        }
        if (runs % 25 === 0) await bystanderRoundTrip(runs);
      }),
      { numRuns: 3000, interruptAfterTimeLimit: 40_000 },
    );
    // Raw frames get answers too; a final probe proves the fuzzer's socket is intact.
    expect(fuzzer.closeInfo).toBeUndefined();
    expect((await fuzzer.call('group.list', { limit: 1 })).groups).toBeDefined();
    await bystanderRoundTrip(-1);
    expect(hub.proc.exitCode).toBeNull();
    const errors = hub.logs.filter((l) => l.includes('"level":"error"') || l.includes('"level":"fatal"'));
    expect(errors).toEqual([]);
  }, 90_000);
});
