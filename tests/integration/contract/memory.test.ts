import { createMemoryEngine } from '../../../packages/server/src/adapters/memory/memory-engine.js';
import type { EngineFactory } from './engine-contract.js';
import { engineContract } from './engine-contract.js';
import { roomsContract } from './rooms-contract.js';

const memory: EngineFactory = {
  name: 'memory',
  create: async () => createMemoryEngine(),
  gap: { impossible: 'the in-process log keeps every message of a group, nothing is ever trimmed' },
};

engineContract(memory);
roomsContract(memory);
