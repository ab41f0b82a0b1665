/**
 * Command line and environment: every flag `--foo-bar` can also come from
 * `NEXT_CHAT_AUTO_FOO_BAR` (flags win). Pure: takes argv and env, returns
 * options or throws UsageError (exit 2).
 */
import yargs from 'yargs';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface Options {
  urls: string[];
  jwtSecret: string | undefined;
  k8s: boolean;
  namespace: string | undefined;
  selector: string;
  port: number;
  path: string;
  loadRate: number;
  loadSeconds: number;
  loadSize: number;
  loadReceivers: number;
  /** Per sending connection, msg/s; keeps each under the hub's per-connection rate limit. */
  loadPerConnectionRate: number;
  maxMeanLatencyMs: number;
  maxP99LatencyMs: number;
  maxLost: number;
  timeoutMs: number;
  maxFrameBytes: number;
  only: string[];
  skip: string[];
  json: boolean;
  list: boolean;
}

export type ParseOutcome = { kind: 'run'; options: Options } | { kind: 'help'; text: string };

export const DEFAULT_URL = 'ws://127.0.0.1:5000/next-chat';
export const DEFAULT_SELECTOR = 'app.kubernetes.io/name=next-chat,app.kubernetes.io/component=hub';
export const ENV_PREFIX = 'NEXT_CHAT_AUTO_';

type Kind = 'string' | 'number' | 'boolean' | 'list';
interface Spec {
  kind: Kind;
  desc: string;
  default?: string | number | boolean | string[];
  /** number bounds */
  min?: number;
  max?: number;
  integer?: boolean;
}

const SPECS: Record<string, Spec> = {
  url: { kind: 'list', desc: 'hub WebSocket URL(s); repeat or comma-separate for cross-instance checks', default: [DEFAULT_URL] },
  'jwt-secret': { kind: 'string', desc: 'HS256 secret: mint JWTs (sub = user id); unset = trust mode (token = user id)' },
  k8s: { kind: 'boolean', desc: 'discover hub pods with the Kubernetes API and connect to each pod directly', default: false },
  namespace: { kind: 'string', desc: "namespace of the hub pods (default: the pod's own, else 'default')" },
  selector: { kind: 'string', desc: 'label selector of the hub pods', default: DEFAULT_SELECTOR },
  port: { kind: 'number', desc: 'hub port on each pod (k8s mode)', default: 5000, min: 1, max: 65535, integer: true },
  path: { kind: 'string', desc: 'WebSocket path on each pod (k8s mode)', default: '/next-chat' },
  'load-rate': { kind: 'number', desc: 'load check: messages per second, total (0 skips the load check)', default: 100, min: 0, max: 100_000 },
  'load-seconds': { kind: 'number', desc: 'load check: seconds of sending', default: 10, min: 0.1, max: 3600 },
  'load-size': { kind: 'number', desc: 'load check: characters per message', default: 1000, min: 64, max: 4000, integer: true },
  'load-receivers': { kind: 'number', desc: 'load check: receiving connections', default: 2, min: 1, max: 1000, integer: true },
  'load-per-connection-rate': {
    kind: 'number',
    desc: "load check: msg/s per sending connection (stay under the hub's per-connection limit, 50 by default)",
    default: 25,
    min: 0.1,
    max: 100_000,
  },
  'max-mean-latency-ms': { kind: 'number', desc: 'load check: highest acceptable mean latency', default: 100, min: 0 },
  'max-p99-latency-ms': { kind: 'number', desc: 'load check: highest acceptable p99 latency', default: 500, min: 0 },
  'max-lost': { kind: 'number', desc: 'load check: most messages a receiver may miss', default: 0, min: 0, integer: true },
  'timeout-ms': { kind: 'number', desc: 'every single wait (connect, response, notification)', default: 10_000, min: 100, max: 600_000 },
  'max-frame-bytes': { kind: 'number', desc: "the hub's frame size limit (NEXT_CHAT_MAX_FRAME_BYTES): a frame 1 KiB over it must close with 1009", default: 65_536, min: 1024, max: 64 * 1024 * 1024, integer: true },
  only: { kind: 'list', desc: 'run only these checks or groups (comma-separated)', default: [] },
  skip: { kind: 'list', desc: 'skip these checks or groups (comma-separated)', default: [] },
  json: { kind: 'boolean', desc: 'one JSON line per check, then the summary line', default: false },
  list: { kind: 'boolean', desc: 'print the check names and exit', default: false },
};

export function envName(flag: string): string {
  return ENV_PREFIX + flag.toUpperCase().replace(/-/g, '_');
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function splitList(v: string): string[] {
  return v
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function toBool(flag: string, v: unknown, source: string): boolean {
  if (typeof v === 'boolean') return v;
  const s = String(v).trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off', ''].includes(s)) return false;
  throw new UsageError(`${source} must be true or false, got '${String(v)}'`);
}

function toNumber(flag: string, spec: Spec, v: unknown, source: string): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (typeof v === 'string' && v.trim() === '') throw new UsageError(`${source} must be a number, got an empty value`);
  if (!Number.isFinite(n)) throw new UsageError(`${source} must be a number, got '${String(v)}'`);
  if (spec.integer && !Number.isInteger(n)) throw new UsageError(`${source} must be an integer, got ${n}`);
  if (spec.min !== undefined && n < spec.min) throw new UsageError(`${source} must be at least ${spec.min}, got ${n}`);
  if (spec.max !== undefined && n > spec.max) throw new UsageError(`${source} must be at most ${spec.max}, got ${n}`);
  return n;
}

function helpText(): string {
  const lines = [
    'Usage: next-chat-auto [options]',
    '',
    'Black-box checks of a Next Chat deployment over the public protocol.',
    'Every option may also come from the environment: --foo-bar = NEXT_CHAT_AUTO_FOO_BAR.',
    'Exit: 0 all passed, 1 a check failed, 2 bad usage.',
    '',
  ];
  for (const [flag, spec] of Object.entries(SPECS)) {
    const def = spec.default === undefined || (Array.isArray(spec.default) && spec.default.length === 0) ? '' : ` [default: ${String(spec.default)}]`;
    lines.push(`  --${flag}${spec.kind === 'boolean' ? '' : ' <value>'}`.padEnd(36) + `${spec.desc}${def}  (${envName(flag)})`);
  }
  lines.push('  --help'.padEnd(36) + 'show this help');
  return lines.join('\n');
}

export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParseOutcome {
  if (argv.includes('--help') || argv.includes('-h')) return { kind: 'help', text: helpText() };

  let y = yargs([...argv])
    .scriptName('next-chat-auto')
    .help(false)
    .version(false)
    .strict()
    .exitProcess(false)
    .parserConfiguration({ 'camel-case-expansion': true, 'strip-dashed': false })
    .fail((msg, err) => {
      throw new UsageError(msg || err?.message || 'bad usage');
    });
  for (const [flag, spec] of Object.entries(SPECS)) {
    y = y.option(flag, {
      type: spec.kind === 'list' ? 'string' : spec.kind === 'number' ? 'string' : spec.kind,
      array: spec.kind === 'list',
      describe: spec.desc,
    });
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = y.parseSync() as Record<string, unknown>;
  } catch (e) {
    throw e instanceof UsageError ? e : new UsageError((e as Error).message);
  }
  const positional = parsed._ as unknown[];
  if (positional.length > 0) throw new UsageError(`unexpected argument(s): ${positional.join(' ')} (URLs go after --url)`);

  const values: Record<string, unknown> = {};
  for (const [flag, spec] of Object.entries(SPECS)) {
    const key = camel(flag);
    let raw: unknown = parsed[key];
    let source = `--${flag}`;
    if (raw === undefined || (Array.isArray(raw) && raw.length === 0)) {
      let e = env[envName(flag)];
      source = envName(flag);
      if (e === undefined && flag === 'jwt-secret') {
        e = env.NEXT_CHAT_JWT_SECRET;
        source = 'NEXT_CHAT_JWT_SECRET';
      }
      raw = e === undefined || (e === '' && spec.kind !== 'boolean') ? undefined : e;
    }
    if (raw === undefined) {
      values[key] = spec.default;
      continue;
    }
    switch (spec.kind) {
      case 'boolean':
        values[key] = toBool(flag, Array.isArray(raw) ? raw[raw.length - 1] : raw, source);
        break;
      case 'number': {
        const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
        values[key] = toNumber(flag, spec, v, source);
        break;
      }
      case 'list': {
        const arr = Array.isArray(raw) ? raw : [raw];
        values[key] = arr.flatMap((v) => splitList(String(v)));
        break;
      }
      case 'string': {
        const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
        values[key] = String(v);
        break;
      }
    }
  }

  const options = values as unknown as Options;
  if (options.urls === undefined) options.urls = (values.url as string[] | undefined) ?? [DEFAULT_URL];
  delete (values as Record<string, unknown>).url;
  if (options.urls.length === 0) options.urls = [DEFAULT_URL];
  for (const u of options.urls) {
    let parsedUrl: URL;
    try {
      parsedUrl = new URL(u);
    } catch {
      throw new UsageError(`--url must be a ws:// or wss:// URL, got '${u}'`);
    }
    if (parsedUrl.protocol !== 'ws:' && parsedUrl.protocol !== 'wss:') {
      throw new UsageError(`--url must be a ws:// or wss:// URL, got '${u}'`);
    }
  }
  if (!options.path.startsWith('/')) throw new UsageError(`--path must start with '/', got '${options.path}'`);
  if (options.k8s && options.selector.trim() === '') throw new UsageError('--selector must not be empty with --k8s');
  if (options.jwtSecret === '') options.jwtSecret = undefined;
  return { kind: 'run', options };
}
