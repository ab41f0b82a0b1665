import type { Config } from '../../config.js';
import type { Logger } from '../../observability/logger.js';
import type { Metrics } from '../../observability/metrics.js';
import type { Engine } from '../../ports/engine.js';
import { MemoryBroker } from './memory-broker.js';
import { MemoryGroupStore } from './memory-group-store.js';
import { MemoryHistory } from './memory-history.js';
import { MemoryLog } from './memory-log.js';
import { MemoryPresence } from './memory-presence.js';
import { createMemoryWebhooks } from './memory-webhooks.js';

/**
 * The embedded default: everything in this process, one instance only.
 * `webhooks`: the hub's config and its logger and metrics, when webhook
 * endpoints may be configured (app.ts); without it there are none.
 */
export function createMemoryEngine(options: { instanceId?: string; webhooks?: { config: Config; logger: Logger; metrics: Metrics } } = {}): Engine {
  const log = new MemoryLog();
  const groups = new MemoryGroupStore(log);
  const w = options.webhooks;
  const webhooks = w ? createMemoryWebhooks(w.config, { logger: w.logger, metrics: w.metrics }) : undefined;
  const broker = new MemoryBroker(log, groups, Date.now, webhooks);
  const presence = new MemoryPresence(options.instanceId);
  return {
    name: 'memory',
    broker,
    groups,
    presence,
    history: new MemoryHistory(log),
    ...(webhooks ? { webhooks } : {}),
    async backends() {
      return [];
    },
    async close() {
      await webhooks?.close();
      await broker.close();
    },
  };
}
