import { describe, expect, it } from 'vitest';
import { DEFAULT_SELECTOR, DEFAULT_URL, envName, parseOptions, UsageError, type Options } from '../../auto/src/options.js';

function run(argv: string[], env: Record<string, string> = {}): Options {
  const r = parseOptions(argv, env);
  if (r.kind !== 'run') throw new Error('expected options');
  return r.options;
}

describe('auto suite options', () => {
  it('has the documented defaults', () => {
    const o = run([]);
    expect(o.urls).toEqual([DEFAULT_URL]);
    expect(o.jwtSecret).toBeUndefined();
    expect(o.k8s).toBe(false);
    expect(o.selector).toBe(DEFAULT_SELECTOR);
    expect(o.port).toBe(5000);
    expect(o.path).toBe('/next-chat');
    expect(o.loadRate).toBe(100);
    expect(o.loadSeconds).toBe(10);
    expect(o.loadSize).toBe(1000);
    expect(o.maxMeanLatencyMs).toBe(100);
    expect(o.maxP99LatencyMs).toBe(500);
    expect(o.maxLost).toBe(0);
    expect(o.maxFrameBytes).toBe(65_536);
    expect(o.only).toEqual([]);
    expect(o.json).toBe(false);
  });

  it('takes repeated and comma-separated URLs', () => {
    expect(run(['--url', 'ws://a:1/next-chat', '--url', 'ws://b:2/next-chat,ws://c:3/next-chat']).urls).toEqual([
      'ws://a:1/next-chat',
      'ws://b:2/next-chat',
      'ws://c:3/next-chat',
    ]);
  });

  it('reads NEXT_CHAT_AUTO_* from the environment; flags win', () => {
    const env = {
      NEXT_CHAT_AUTO_URL: 'ws://x:1/next-chat ws://y:2/next-chat',
      NEXT_CHAT_AUTO_LOAD_RATE: '250',
      NEXT_CHAT_AUTO_K8S: 'true',
      NEXT_CHAT_AUTO_ONLY: 'health,basic',
      NEXT_CHAT_AUTO_MAX_MEAN_LATENCY_MS: '40',
      NEXT_CHAT_AUTO_JSON: '1',
    };
    const o = run(['--load-rate', '300'], env);
    expect(o.urls).toEqual(['ws://x:1/next-chat', 'ws://y:2/next-chat']);
    expect(o.loadRate).toBe(300);
    expect(o.k8s).toBe(true);
    expect(o.only).toEqual(['health', 'basic']);
    expect(o.maxMeanLatencyMs).toBe(40);
    expect(o.json).toBe(true);
    expect(envName('max-p99-latency-ms')).toBe('NEXT_CHAT_AUTO_MAX_P99_LATENCY_MS');
  });

  it('falls back to NEXT_CHAT_JWT_SECRET (the hub secret in the test pod)', () => {
    expect(run([], { NEXT_CHAT_JWT_SECRET: 's3cret' }).jwtSecret).toBe('s3cret');
    expect(run([], { NEXT_CHAT_JWT_SECRET: 's3cret', NEXT_CHAT_AUTO_JWT_SECRET: 'mine' }).jwtSecret).toBe('mine');
    expect(run(['--jwt-secret', 'flag'], { NEXT_CHAT_JWT_SECRET: 's3cret' }).jwtSecret).toBe('flag');
  });

  it('refuses bad usage with a UsageError naming the problem', () => {
    expect(() => run(['--nope'])).toThrow(UsageError);
    expect(() => run(['--load-rate', 'fast'])).toThrow(/--load-rate must be a number/);
    expect(() => run(['--load-size', '5000'])).toThrow(/at most 4000/);
    expect(() => run([], { NEXT_CHAT_AUTO_LOAD_SECONDS: '-1' })).toThrow(/NEXT_CHAT_AUTO_LOAD_SECONDS must be at least/);
    expect(() => run(['--url', 'http://a/next-chat'])).toThrow(/ws:\/\/ or wss:\/\//);
    expect(() => run([], { NEXT_CHAT_AUTO_K8S: 'maybe' })).toThrow(/true or false/);
    expect(() => run(['stray'])).toThrow(/stray/);
  });

  it('answers --help with the help text', () => {
    const r = parseOptions(['--help'], {});
    expect(r.kind).toBe('help');
    if (r.kind === 'help') expect(r.text).toContain('NEXT_CHAT_AUTO_LOAD_RATE');
  });
});
