/**
 * What a check gets: the options, the hub endpoints, fresh names for users and
 * groups, tracked connections (closed after each check) and assertion helpers
 * whose failures say what was expected and what came.
 */
import crypto from 'node:crypto';
import type { Options } from './options.js';
import type { HubEndpoint } from './k8s.js';
import { CheckFailure, RpcConnection, short, type ConnectOptions } from './rpc.js';
import type { TokenFactory } from './token.js';

export interface CheckResult {
  /** Human-readable summary of what was measured or seen. */
  detail?: string;
  /** Machine-readable numbers (load check). */
  metrics?: Record<string, number>;
}

export interface Check {
  name: string;
  group: string;
  description: string;
  /** A reason to skip in this setup (e.g. cross-instance with one URL), or null. */
  skip?: (ctx: CheckContext) => string | null;
  /** Upper bound for the whole check; default 6 x --timeout-ms. */
  budgetMs?: (opts: Options) => number;
  run: (ctx: CheckContext) => Promise<CheckResult | void>;
}

export function newRunId(): string {
  return `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
}

export class CheckContext {
  private readonly conns: RpcConnection[] = [];
  private counter = 0;

  constructor(
    readonly opts: Options,
    readonly endpoints: readonly HubEndpoint[],
    readonly runId: string,
    readonly token: TokenFactory,
    readonly checkName: string,
  ) {}

  get timeoutMs(): number {
    return this.opts.timeoutMs;
  }

  /** Endpoint i modulo their number: spreads users over instances when there are several. */
  endpoint(i: number): HubEndpoint {
    return this.endpoints[((i % this.endpoints.length) + this.endpoints.length) % this.endpoints.length];
  }

  /** A user id unique to this run: `auto-<run>-<check>-<tag>` (<= 64 chars). */
  user(tag: string): string {
    return clampId(`auto-${this.runId}-${abbrev(this.checkName)}-${tag}`);
  }

  /** A group id unique to this run and call. */
  group(tag = 'g'): string {
    this.counter++;
    return clampId(`auto-${this.runId}-${abbrev(this.checkName)}-${tag}${this.counter}`);
  }

  async connect(userId: string, endpointIndex = 0, extra: Partial<ConnectOptions> = {}): Promise<RpcConnection> {
    const ep = this.endpoint(endpointIndex);
    const conn = await RpcConnection.connect({
      url: ep.url,
      token: await this.token(userId),
      timeoutMs: this.timeoutMs,
      label: `${userId} on ${ep.name}`,
      userId,
      ...extra,
    });
    this.conns.push(conn);
    return conn;
  }

  async closeAll(): Promise<void> {
    const all = this.conns.splice(0);
    await Promise.all(all.map((c) => c.close()));
  }
}

function abbrev(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '').slice(0, 12);
}

function clampId(id: string): string {
  return id.length <= 64 ? id : id.slice(0, 64);
}

export function fail(message: string): never {
  throw new CheckFailure(message);
}

export function expect(cond: unknown, message: string | (() => string)): asserts cond {
  if (!cond) fail(typeof message === 'function' ? message() : message);
}

export function expectEqual<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${short(expected)}, got ${short(actual)}`);
}
