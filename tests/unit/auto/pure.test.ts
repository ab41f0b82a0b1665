import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, selectChecks } from '../../auto/src/checks/index.js';
import { loadPayload, parseLoadPayload } from '../../auto/src/checks/load.js';
import { endpointsFromPods, endpointsFromUrls } from '../../auto/src/k8s.js';
import { Reporter } from '../../auto/src/report.js';
import { httpUrl, latencyStats, orderedPairs, percentile, splitRate, withPath } from '../../auto/src/stats.js';
import { tokenFactory } from '../../auto/src/token.js';

describe('stats', () => {
  it('computes nearest-rank percentiles and the mean', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
    const s = latencyStats([5, 1, 3]);
    expect(s).toMatchObject({ count: 3, mean: 3, p50: 3, max: 5, min: 1 });
    expect(latencyStats([]).count).toBe(0);
    expect(Number.isNaN(latencyStats([]).mean)).toBe(true);
  });

  it('pairs every ordered couple of instances', () => {
    expect(orderedPairs(1)).toEqual([]);
    expect(orderedPairs(3)).toEqual([
      [0, 1], [0, 2], [1, 0], [1, 2], [2, 0], [2, 1],
    ]);
    expect(orderedPairs(5)).toHaveLength(20);
  });

  it('splits a rate over connections under the per-connection limit', () => {
    expect(splitRate(100, 25)).toEqual([25, 25, 25, 25]);
    const r = splitRate(110, 25);
    expect(r).toHaveLength(5);
    expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(110);
    expect(Math.max(...r)).toBeLessThanOrEqual(25);
    expect(splitRate(0, 25)).toEqual([]);
  });

  it('derives HTTP URLs from hub URLs', () => {
    expect(httpUrl('ws://h:5000/next-chat', '/healthz')).toBe('http://h:5000/healthz');
    expect(httpUrl('wss://h/next-chat?access_token=x', '/readyz')).toBe('https://h/readyz');
    expect(withPath('ws://h:1/next-chat', '/other')).toBe('ws://h:1/other');
  });
});

describe('load payload', () => {
  it('carries sender, sequence and send time, padded to the size', () => {
    const t = 1_800_000_000_123.456;
    const text = loadPayload(3, 17, t, 1000);
    expect(text).toHaveLength(1000);
    expect(parseLoadPayload(text)).toEqual({ key: '3|17', sentAt: t });
    expect(parseLoadPayload('hello')).toBeNull();
  });
});

describe('k8s discovery', () => {
  it('turns running pods into direct URLs and reports the others', () => {
    const d = endpointsFromPods(
      [
        { metadata: { name: 'hub-b' }, status: { phase: 'Running', podIP: '10.0.0.2', conditions: [{ type: 'Ready', status: 'True' }] } },
        { metadata: { name: 'hub-a' }, status: { phase: 'Running', podIP: 'fd00::1', conditions: [{ type: 'Ready', status: 'True' }] } },
        { metadata: { name: 'hub-c' }, status: { phase: 'Pending' } },
        { metadata: { name: 'hub-d', deletionTimestamp: '2026-01-01T00:00:00Z' }, status: { phase: 'Running', podIP: '10.0.0.9' } },
        { metadata: { name: 'hub-e' }, status: { phase: 'Running', podIP: '10.0.0.5', conditions: [{ type: 'Ready', status: 'False' }] } },
      ],
      5000,
      '/next-chat',
    );
    expect(d.endpoints).toEqual([
      { name: 'hub-a', url: 'ws://[fd00::1]:5000/next-chat' },
      { name: 'hub-b', url: 'ws://10.0.0.2:5000/next-chat' },
      { name: 'hub-e', url: 'ws://10.0.0.5:5000/next-chat' },
    ]);
    expect(d.problems).toHaveLength(2);
    expect(d.problems[0]).toMatch(/hub-c is Pending/);
    expect(d.problems[1]).toMatch(/hub-e .* not Ready/);
  });

  it('names --url endpoints by host', () => {
    expect(endpointsFromUrls(['ws://a:1/x'])).toEqual([{ name: 'a:1', url: 'ws://a:1/x' }]);
    expect(endpointsFromUrls(['ws://a:1/x', 'ws://b:2/x']).map((e) => e.name)).toEqual(['hub0(a:1)', 'hub1(b:2)']);
  });
});

describe('check selection', () => {
  it('selects by name or group and refuses unknown names', () => {
    expect(selectChecks(ALL_CHECKS, [], []).length).toBe(ALL_CHECKS.length);
    expect(selectChecks(ALL_CHECKS, ['health'], []).every((c) => c.group === 'health')).toBe(true);
    expect(selectChecks(ALL_CHECKS, ['dedupe', 'load'], []).map((c) => c.name)).toEqual(['dedupe', 'load']);
    expect(selectChecks(ALL_CHECKS, [], ['load', 'cross']).some((c) => c.group === 'load' || c.group === 'cross')).toBe(false);
    expect(() => selectChecks(ALL_CHECKS, ['nope'], [])).toThrow(/unknown check or group 'nope'/);
    expect(new Set(ALL_CHECKS.map((c) => c.name)).size).toBe(ALL_CHECKS.length);
  });
});

describe('tokens and report', () => {
  it('mints HS256 JWTs with sub = user id and a short exp; trust mode passes the id', async () => {
    expect(await tokenFactory(undefined)('alice')).toBe('alice');
    const jwt = await tokenFactory('secret-secret-secret-secret-1234')('alice');
    const { payload, protectedHeader } = await jwtVerify(jwt, new TextEncoder().encode('secret-secret-secret-secret-1234'));
    expect(protectedHeader.alg).toBe('HS256');
    expect(payload.sub).toBe('alice');
    expect(payload.exp! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(600);
  });

  it('ends with the summary line', () => {
    const lines: string[] = [];
    const r = new Reporter(true, (l) => lines.push(l));
    r.add({ check: 'a', group: 'g', status: 'pass', ms: 1 });
    r.add({ check: 'b', group: 'g', status: 'fail', ms: 2, error: 'expected x, got y' });
    r.add({ check: 'c', group: 'g', status: 'skip', ms: 0, detail: 'n/a' });
    expect(JSON.parse(lines[1])).toMatchObject({ check: 'b', ok: false, status: 'fail', error: 'expected x, got y' });
    expect(r.summary()).toBe('1 passed, 1 failed');
  });
});

describe('4029 handling', () => {
  it('retries the request-rate limit only', async () => {
    const { isRetryable } = await import('../../auto/src/rpc.js');
    expect(isRetryable({ code: 4029, message: 'm', data: { reason: 'rate_limited', retryAfterMs: 20 } })).toBe(true);
    expect(isRetryable({ code: 4029, message: 'm', data: { reason: 'rate_limited', retryAfterMs: 20, limit: 'rate' } })).toBe(true);
    expect(isRetryable({ code: 4029, message: 'm', data: { reason: 'rate_limited', retryAfterMs: 20, limit: 'requests' } })).toBe(true);
    expect(isRetryable({ code: 4029, message: 'm', data: { reason: 'rate_limited', retryAfterMs: 60000, limit: 'groups_per_connection' } })).toBe(false);
    expect(isRetryable({ code: 4003, message: 'm', data: { reason: 'not_a_member' } })).toBe(false);
  });
});
