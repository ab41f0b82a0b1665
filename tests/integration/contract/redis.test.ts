import { inject } from 'vitest';
import { createProductionEngine } from '../../../packages/server/src/adapters/production-engine.js';
import { parseConfig } from '../../../packages/server/src/config.js';
import { Metrics } from '../../../packages/server/src/observability/metrics.js';
import { silentLogger } from '../../../packages/server/src/observability/logger.js';
import { RedisKeys } from '../../../packages/server/src/adapters/redis/keys.js';
import { randomPrefix } from '../setup/engine-env.js';
import { engineContract, type EngineFactory } from './engine-contract.js';
import { roomsContract } from './rooms-contract.js';
import { loseUnread } from './redis-gap.js';

const prefix = randomPrefix();
const gap = { provoke: async (groupId: string) => void (await loseUnread(inject('redisUrl'), new RedisKeys(prefix), groupId)) };
let k = 0;
const make = () =>
  createProductionEngine(
    parseConfig({ NEXT_CHAT_REDIS_URL: inject('redisUrl'), NEXT_CHAT_REDIS_PREFIX: prefix, NEXT_CHAT_INSTANCE_ID: `${prefix}-${k++}` }),
    { logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }) },
  );

const redis: EngineFactory = { name: 'redis', create: make, peer: make, gap };
engineContract(redis);
roomsContract(redis);

const makeBlocking = () =>
  createProductionEngine(
    parseConfig({
      NEXT_CHAT_REDIS_URL: inject('redisUrl'),
      NEXT_CHAT_REDIS_PREFIX: prefix,
      NEXT_CHAT_INSTANCE_ID: `${prefix}-${k++}`,
      NEXT_CHAT_FANOUT: 'block',
    }),
    { logger: silentLogger(), metrics: new Metrics({ defaultMetrics: false }) },
  );

engineContract({ name: 'redis (blocking XREAD fan-out)', create: makeBlocking, peer: makeBlocking, gap });
