/**
 * next-chat-auto: the black-box suite. Exit 0 when every check passed, 1 when
 * one failed, 2 on bad usage. The last line of stdout is `N passed, N failed`.
 */
import { ALL_CHECKS, selectChecks } from './checks/index.js';
import { CheckContext, newRunId, type Check } from './context.js';
import { defaultNamespace, discoverHubPods, endpointsFromUrls, type HubEndpoint } from './k8s.js';
import { parseOptions, UsageError, type Options } from './options.js';
import { Reporter, summaryLine } from './report.js';
import { CheckFailure, RpcCallError } from './rpc.js';
import { tokenFactory } from './token.js';

function errorText(e: unknown): string {
  if (e instanceof CheckFailure || e instanceof RpcCallError) return e.message;
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

async function runCheck(check: Check, opts: Options, endpoints: HubEndpoint[], runId: string, reporter: Reporter, token: ReturnType<typeof tokenFactory>): Promise<void> {
  const ctx = new CheckContext(opts, endpoints, runId, token, check.name);
  const skip = check.skip?.(ctx) ?? null;
  if (skip) {
    reporter.add({ check: check.name, group: check.group, status: 'skip', ms: 0, detail: skip });
    return;
  }
  const budget = check.budgetMs?.(opts) ?? Math.max(30_000, opts.timeoutMs * 6);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    const result = await Promise.race([
      check.run(ctx),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CheckFailure(`the check did not finish within its budget of ${budget} ms`)), budget);
      }),
    ]);
    reporter.add({
      check: check.name,
      group: check.group,
      status: 'pass',
      ms: Date.now() - started,
      ...(result?.detail ? { detail: result.detail } : {}),
      ...(result?.metrics ? { metrics: result.metrics } : {}),
    });
  } catch (e) {
    reporter.add({ check: check.name, group: check.group, status: 'fail', ms: Date.now() - started, error: errorText(e) });
  } finally {
    clearTimeout(timer);
    await ctx.closeAll();
  }
}

export async function main(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<number> {
  let opts: Options;
  let checks: Check[];
  try {
    const parsed = parseOptions(argv, env);
    if (parsed.kind === 'help') {
      process.stdout.write(`${parsed.text}\n`);
      return 0;
    }
    opts = parsed.options;
    checks = selectChecks(ALL_CHECKS, opts.only, opts.skip);
  } catch (e) {
    if (e instanceof UsageError || e instanceof Error) {
      process.stderr.write(`next-chat-auto: ${e.message}\nTry --help.\n`);
      process.stdout.write(`${summaryLine(0, 0)}\n`);
      return 2;
    }
    throw e;
  }
  if (opts.list) {
    for (const c of ALL_CHECKS) process.stdout.write(`${c.group}/${c.name}: ${c.description}\n`);
    return 0;
  }

  const reporter = new Reporter(opts.json);
  let endpoints: HubEndpoint[];
  if (opts.k8s) {
    const namespace = opts.namespace ?? defaultNamespace();
    const started = Date.now();
    try {
      const d = await discoverHubPods(namespace, opts.selector, opts.port, opts.path);
      endpoints = d.endpoints;
      const detail = `${endpoints.length} hub pod(s) in ${namespace} (${opts.selector}): ${endpoints.map((e) => `${e.name}=${e.url}`).join(', ')}`;
      if (endpoints.length === 0 || d.problems.length > 0) {
        reporter.add({
          check: 'k8s-discovery',
          group: 'k8s',
          status: 'fail',
          ms: Date.now() - started,
          error: endpoints.length === 0 ? `no running hub pod matches ${opts.selector} in namespace ${namespace}; ${d.problems.join('; ')}` : `${d.problems.join('; ')}; ${detail}`,
        });
      } else reporter.add({ check: 'k8s-discovery', group: 'k8s', status: 'pass', ms: Date.now() - started, detail });
    } catch (e) {
      endpoints = [];
      reporter.add({ check: 'k8s-discovery', group: 'k8s', status: 'fail', ms: Date.now() - started, error: `listing pods in ${namespace} with ${opts.selector}: ${errorText(e)}` });
    }
  } else endpoints = endpointsFromUrls(opts.urls);

  if (endpoints.length > 0) {
    const runId = newRunId();
    const token = tokenFactory(opts.jwtSecret);
    reporter.info(`run ${runId}: ${checks.length} check(s) against ${endpoints.map((e) => `${e.name} ${e.url}`).join(', ')} (${opts.jwtSecret ? 'jwt' : 'trust'} auth)`);
    for (const check of checks) await runCheck(check, opts, endpoints, runId, reporter, token);
  }
  process.stdout.write(`${reporter.summary()}\n`);
  return reporter.failed > 0 ? 1 : 0;
}

process.on('unhandledRejection', (e) => {
  // A late rejection of a check that already ran out of budget: already reported.
  if (process.env.NEXT_CHAT_AUTO_DEBUG) process.stderr.write(`late rejection: ${errorText(e)}\n`);
});

const isEntry = process.argv[1] !== undefined && /next-chat-auto(\.js)?$|main\.js$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2), process.env).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`next-chat-auto: unexpected failure: ${errorText(e)}\n`);
      process.stdout.write(`${summaryLine(0, 1)}\n`);
      process.exit(1);
    },
  );
}
