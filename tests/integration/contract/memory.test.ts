import { createMemoryEngine } from '../../../packages/server/src/adapters/memory/memory-engine.js';
import { engineContract } from './engine-contract.js';

engineContract({ name: 'memory', create: async () => createMemoryEngine() });
