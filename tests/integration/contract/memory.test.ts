import { createMemoryEngine } from '../../../packages/server/src/adapters/memory/memory-engine.js';
import { engineContract } from './engine-contract.js';

engineContract({
  name: 'memory',
  create: async () => createMemoryEngine(),
  gap: { impossible: 'the in-process log keeps every message of a group, nothing is ever trimmed' },
});
