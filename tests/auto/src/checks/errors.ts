/** Error responses of PROTOCOL.md §2 and §6; a bad frame never closes the connection. */
import type { RpcErrorObject, Results } from '@next-chat/core';
import type { Check } from '../context.js';
import { expect, expectEqual } from '../context.js';
import type { Frame, RpcConnection } from '../rpc.js';
import { short } from '../rpc.js';
import { checkError } from '../shapes.js';
import { createGroup, join } from './basic.js';

/** The connection still answers a request after a bad frame. */
async function stillWorks(conn: RpcConnection, after: string): Promise<void> {
  expect(conn.isOpen, `the connection must stay open after ${after}, but it closed${conn.closed ? ` with ${conn.closed.code}` : ''}`);
  const r = await conn.call<Results['group.list']>('group.list', { limit: 1 });
  expect(Array.isArray(r?.groups), `group.list after ${after}: expected {groups}, got ${short(r)}`);
}

const isError = (code: number) => (f: Frame) => f.error !== undefined && f.error.code === code && f.method === undefined;

export const errorChecks: Check[] = [
  {
    name: 'parse-error',
    group: 'errors',
    description: 'a frame that is not JSON gets -32700 with id null; the connection stays open',
    async run(ctx) {
      const c = await ctx.connect(ctx.user('u'), 0);
      c.sendRaw('{"jsonrpc":"2.0","id":1,"method":');
      const f = await c.waitFrame(isError(-32700), 'an error response -32700 to a frame that is not JSON');
      expect(f.id === null, `-32700 response: expected id null, got ${short(f.id)}`);
      expect(f.jsonrpc === '2.0', `-32700 response: expected jsonrpc "2.0", got ${short(f.jsonrpc)}`);
      checkError(f.error, -32700, 'not-JSON frame');
      await stillWorks(c, 'a parse error');
    },
  },
  {
    name: 'invalid-request',
    group: 'errors',
    description: 'batches and non-request objects get -32600; the connection stays open',
    async run(ctx) {
      const c = await ctx.connect(ctx.user('u'), 0);
      c.sendRaw(JSON.stringify([{ jsonrpc: '2.0', id: 'b1', method: 'group.list', params: {} }]));
      const batch = await c.waitFrame(isError(-32600), 'an error response -32600 to a batch');
      expect(batch.id === null, `-32600 to a batch: expected id null, got ${short(batch.id)}`);
      checkError(batch.error, -32600, 'batch');
      expect(!c.frames.some((f) => f.id === 'b1'), `a batch is not supported, yet its request b1 was answered: ${short(c.frames)}`);
      const before = c.frames.length;
      c.sendRaw('42');
      await c.waitFrame((f) => c.frames.indexOf(f) >= before && isError(-32600)(f), 'an error response -32600 to the frame 42');
      const before2 = c.frames.length;
      c.sendRaw(JSON.stringify({ jsonrpc: '1.0', id: 'v1', method: 'group.list', params: {} }));
      const v = await c.waitFrame((f) => c.frames.indexOf(f) >= before2 && isError(-32600)(f), "an error response -32600 to jsonrpc '1.0'");
      expect(v.id === 'v1' || v.id === null, `-32600 to a request with a readable id: expected id 'v1' (or null), got ${short(v.id)}`);
      checkError(v.error, -32600, "jsonrpc '1.0'");
      const before3 = c.frames.length;
      c.sendRaw(JSON.stringify({ jsonrpc: '2.0', id: 'm1', method: 7 }));
      await c.waitFrame((f) => c.frames.indexOf(f) >= before3 && isError(-32600)(f), 'an error response -32600 to a numeric method');
      await stillWorks(c, 'invalid requests');
    },
  },
  {
    name: 'method-not-found',
    group: 'errors',
    description: 'an unknown method gets -32601',
    async run(ctx) {
      const c = await ctx.connect(ctx.user('u'), 0);
      const e = await c.callExpectError('group.explode', {}, 'unknown method');
      checkError(e, -32601, 'unknown method group.explode');
      await stillWorks(c, '-32601');
    },
  },
  {
    name: 'invalid-params',
    group: 'errors',
    description: '-32602 with data.field naming the bad param',
    async run(ctx) {
      const c = await ctx.connect(ctx.user('u'), 0);
      const g = ctx.group();
      await createGroup(c, g);
      await join(c, g);
      const cases: Array<[string, unknown, string, string]> = [
        ['group.create', {}, 'groupId', 'missing groupId'],
        ['group.create', { groupId: 'bad id!' }, 'groupId', "groupId 'bad id!'"],
        ['group.create', { groupId: 42 }, 'groupId', 'numeric groupId'],
        ['group.join', { groupId: g, limit: 500 }, 'limit', 'limit 500'],
        ['group.join', { groupId: g, since: 'yesterday' }, 'since', "since 'yesterday'"],
        ['message.send', { groupId: g, text: '' }, 'text', 'empty text'],
        ['message.send', { groupId: g, text: ' \n\t ' }, 'text', 'white-space text'],
        ['message.send', { groupId: g, text: 'x'.repeat(4001) }, 'text', 'text of 4001 characters'],
        ['message.send', { groupId: g }, 'text', 'missing text'],
        ['message.send', { groupId: g, text: 'lone \ud800 surrogate' }, 'text', 'text with a lone surrogate (not valid UTF-8)'],
        ['message.send', { groupId: g, text: 'ok', clientMessageId: 'x'.repeat(65) }, 'clientMessageId', 'clientMessageId of 65'],
        ['message.history', { groupId: g, limit: 0 }, 'limit', 'history limit 0'],
        ['message.history', { groupId: g, limit: '5' }, 'limit', "limit '5' (a string)"],
        ['group.join', { groupId: g, limit: 2.5 }, 'limit', 'limit 2.5'],
        ['group.list', { limit: 201 }, 'limit', 'group.list limit 201'],
      ];
      for (const [method, params, field, what] of cases) {
        const e: RpcErrorObject = await c.callExpectError(method, params, what);
        checkError(e, -32602, `${method} with ${what}`, field);
      }
      const p = await c.callExpectError('group.list', [1, 2], 'params by position');
      checkError(p, -32602, 'params by position (an array)');
      // Not a structured value: JSON-RPC 2.0 makes that an invalid request; either answer is fair.
      const ps = await c.callExpectError('group.list', 'x', 'params as a string');
      checkError(ps, ps.code === -32600 ? -32600 : -32602, 'params as a string');
      // 4000 code points (some outside the BMP) are fine.
      const ok = await c.call<Results['message.send']>('message.send', { groupId: g, text: '💬'.repeat(2000) + 'y'.repeat(2000) });
      expect(ok?.message?.text?.length === 6000, `a text of 4000 code points must be accepted intact, got ${short(ok)}`);
      await stillWorks(c, '-32602');
      return { detail: `${cases.length + 2} bad params refused with the right field` };
    },
  },
  {
    name: 'not-a-member',
    group: 'errors',
    description: 'send, history and members need membership (4003); create makes no one a member',
    async run(ctx) {
      const c = await ctx.connect(ctx.user('creator'), 0);
      const g = ctx.group();
      await createGroup(c, g);
      for (const [method, params] of [
        ['message.send', { groupId: g, text: 'not yet' }],
        ['message.history', { groupId: g }],
        ['group.members', { groupId: g }],
      ] as const) {
        const e = await c.callExpectError(method, params, `${method} by the creator before joining`);
        checkError(e, 4003, `${method} by a non-member (the creator, before joining)`);
      }
    },
  },
  {
    name: 'group-not-found',
    group: 'errors',
    description: 'joining a group that does not exist gets 4004',
    async run(ctx) {
      const c = await ctx.connect(ctx.user('u'), 0);
      const g = ctx.group('missing');
      const e = await c.callExpectError('group.join', { groupId: g }, 'join of a missing group');
      checkError(e, 4004, `group.join of the missing group ${g}`);
    },
  },
  {
    name: 'group-exists',
    group: 'errors',
    description: 'creating an existing group gets 4009',
    async run(ctx) {
      const a = await ctx.connect(ctx.user('a'), 0);
      const b = await ctx.connect(ctx.user('b'), 1);
      const g = ctx.group();
      await createGroup(a, g);
      const e = await b.callExpectError('group.create', { groupId: g }, 'second create');
      checkError(e, 4009, `group.create of the existing group ${g}`);
      const list = await b.call<Results['group.list']>('group.list', { prefix: g });
      expectEqual(
        list.groups.filter((x) => x.id === g).map((x) => x.createdBy),
        [a.userId],
        'createdBy after a refused second create',
      );
    },
  },
  {
    name: 'rate-limit',
    group: 'errors',
    description: 'a burst over the per-connection limit gets 4029 with data.retryAfterMs; the connection stays usable',
    async run(ctx) {
      const c = await ctx.connect(ctx.user('u'), 0);
      const N = 300;
      const frames = await Promise.all(Array.from({ length: N }, () => c.request('group.list', { limit: 1 })));
      const limited = frames.filter((f) => f.error?.code === 4029);
      const notRate = limited.filter((f) => f.error?.data?.limit === 'groups_per_connection');
      expect(notRate.length === 0, `a burst of group.list: 4029 for a limit other than the request rate: ${short(notRate[0]?.error)}`);
      const other = frames.filter((f) => f.error !== undefined && f.error.code !== 4029);
      expect(other.length === 0, `a burst of ${N} group.list: unexpected errors ${short(other.slice(0, 3))}`);
      if (limited.length === 0) return { detail: `no 4029 in a burst of ${N} (the hub's rate limit is off or higher)` };
      const e = limited[0].error!;
      checkError(e, 4029, `request ${N} of a burst`);
      const after = e.data?.retryAfterMs;
      expect(typeof after === 'number' && after > 0 && after <= 60_000, `4029: expected data.retryAfterMs a positive number of ms, got ${short(e.data)}`);
      // After the advertised wait, requests go through again (call() honours retryAfterMs).
      await stillWorks(c, 'rate limiting');
      return { detail: `${limited.length} of ${N} refused with 4029, retryAfterMs ${after}` };
    },
  },
  {
    name: 'frame-too-big',
    group: 'errors',
    description: 'a frame over the size limit (--max-frame-bytes, 64 KiB by default) closes the connection with 1009',
    async run(ctx) {
      const c = await ctx.connect(ctx.user('u'), 0);
      const size = ctx.opts.maxFrameBytes + 1024;
      const head = JSON.stringify({ jsonrpc: '2.0', id: 'big', method: 'group.list', params: { pad: '' } });
      c.sendRaw(head.replace('"pad":""', `"pad":"${'x'.repeat(size - head.length)}"`));
      await c.waitUntil(() => c.closed !== null, `the connection to close after a frame of ${size} bytes`);
      expect(c.closed?.code === 1009, `close code after a frame of ${size} bytes (limit ${ctx.opts.maxFrameBytes}): expected 1009, got ${short(c.closed)}`);
      return { detail: `${size} bytes: closed with 1009` };
    },
  },
];
