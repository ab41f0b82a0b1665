/**
 * Composition root: config → engine → hub → gateway. The only place that
 * chooses adapters. Used by main.ts (the bin) and by tests and benchmarks
 * that want a hub in-process.
 */
import { PROTOCOL_PATH } from '@next-chat/core';
import { redisTargetOf, type Config } from './config.js';
import { createAuthenticator } from './gateway/auth.js';
import { Gateway } from './gateway/server.js';
import { Hub } from './hub/hub.js';
import { createLogger, type Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { ThrottledLog } from './observability/throttled-log.js';
import { createMemoryEngine } from './adapters/memory/memory-engine.js';
import type { Engine } from './ports/engine.js';
import { Dispatcher } from './rpc/dispatch.js';
import { ApiServer } from './api/api-server.js';
import { operations } from './api/operations.js';
import { Operator } from './hub/operator.js';
import { SERVER_VERSION } from './version.js';
import { HttpModerator } from './moderation/http-moderator.js';

export interface RunningHub {
  readonly url: string;
  readonly port: number;
  readonly engine: Engine;
  readonly metrics: Metrics;
  /** The port of /metrics when it has one of its own (NEXT_CHAT_METRICS_PORT). */
  readonly metricsPort: number | undefined;
  /** The HTTP API's port (NEXT_CHAT_API_PORT), when it is served. */
  readonly apiPort: number | undefined;
  /** The SIGTERM path: stop accepting, close clients with 1001, flush history, close adapters. */
  shutdown(): Promise<void>;
}

async function createEngine(config: Config, logger: Logger, metrics: Metrics): Promise<Engine> {
  if (redisTargetOf(config) === undefined) return createMemoryEngine({ instanceId: config.instanceId, webhooks: { config, logger, metrics } });
  const { createProductionEngine } = await import('./adapters/production-engine.js');
  return createProductionEngine(config, { logger, metrics });
}

/** The HTTP API on its own port (NEXT_CHAT_API_PORT); parseConfig made sure there are keys. */
async function startApi(config: Config, hub: Hub, engine: Engine, metrics: Metrics, logger: Logger, connections: () => number): Promise<{ server: ApiServer; port: number }> {
  const operator = new Operator(hub, engine, { systemUser: config.apiSystemUser, maxGroupMembers: config.maxGroupMembers, instanceId: config.instanceId }, connections);
  const server = new ApiServer(operations(operator), config.apiKeys ?? [], metrics, logger.child({ component: 'api' }), SERVER_VERSION);
  const address = await server.listen(config.apiPort as number, config.host);
  return { server, port: address.port };
}

export async function startHub(config: Config, opts: { logger?: Logger; metrics?: Metrics } = {}): Promise<RunningHub> {
  const logger = opts.logger ?? createLogger({ level: config.logLevel, instanceId: config.instanceId });
  const metrics = opts.metrics ?? new Metrics();
  const engine = await createEngine(config, logger, metrics);
  // Its own throttled log: a hook outage is one line per 10 s, whatever else the limits log says.
  const moderator = config.moderationUrl
    ? new HttpModerator({ url: config.moderationUrl, timeoutMs: config.moderationTimeoutMs, failure: config.moderationFailure, secret: config.webhookSecret, metrics, log: new ThrottledLog(logger.child({ component: 'moderation' })) })
    : undefined;
  const hub = new Hub(
    engine,
    {
      maxGroupMembers: config.maxGroupMembers,
      maxGroupsPerConnection: config.maxGroupsPerConnection,
      createQuota: { perWindow: config.groupCreateLimit, windowMs: config.groupCreateWindowSeconds * 1000, total: config.maxGroupsPerUser },
      moderator,
    },
    metrics,
    logger.child({ component: 'hub' }),
  );
  // Lines about limits and outages, at most one per kind every 10 s, so neither a flood nor an outage floods the log.
  const limitLog = new ThrottledLog(logger.child({ component: 'limits' }));
  const dispatcher = new Dispatcher(hub, metrics, logger.child({ component: 'rpc' }), limitLog);
  const authenticate = await createAuthenticator(config);
  const gateway = new Gateway(config, hub, dispatcher, authenticate, metrics, logger.child({ component: 'gateway' }), limitLog);
  engine.historyWriter?.start();
  const address = await gateway.listen();
  // After listening: deliveries start once this hub can serve, and a hub that fails to start holds no leases.
  engine.webhooks?.start();
  const host = ['0.0.0.0', '::', ''].includes(config.host) ? 'localhost' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `ws://${host}:${address.port}${PROTOCOL_PATH}`;
  const api = config.apiPort === undefined ? undefined : await startApi(config, hub, engine, metrics, logger, () => gateway.connectionCount);

  let shuttingDown: Promise<void> | undefined;
  const shutdown = (): Promise<void> =>
    (shuttingDown ??= (async () => {
      const deadline = Date.now() + config.drainTimeoutMs;
      await gateway.drain(config.drainTimeoutMs);
      // Before the engine closes (its connection is what the loops use); an attempt in flight is abandoned and delivered again by the next holder.
      await engine.webhooks?.close();
      if (engine.historyWriter) {
        const left = Math.max(0, deadline - Date.now());
        await Promise.race([engine.historyWriter.flush(), new Promise((r) => setTimeout(r, left).unref())]);
      }
      await engine.close();
      await Promise.all([gateway.close(), api?.server.close()]);
      moderator?.close();
    })());

  return { url, port: address.port, engine, metrics, metricsPort: gateway.metricsAddress?.port, apiPort: api?.port, shutdown };
}
