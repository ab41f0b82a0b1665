import type { Config } from '../config.js';
import type { Logger } from '../observability/logger.js';
import type { Metrics } from '../observability/metrics.js';
import type { Engine } from '../ports/engine.js';

// Placeholder until the Redis + MySQL engine lands (issue 2/6).
export async function createProductionEngine(_config: Config, _deps: { logger: Logger; metrics: Metrics }): Promise<Engine> {
  throw new Error('the Redis engine is not available in this build');
}
