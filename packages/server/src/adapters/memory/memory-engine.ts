import type { Engine } from '../../ports/engine.js';
import { MemoryBroker } from './memory-broker.js';
import { MemoryGroupStore } from './memory-group-store.js';
import { MemoryHistory } from './memory-history.js';
import { MemoryLog } from './memory-log.js';
import { MemoryPresence } from './memory-presence.js';

/** The embedded default: everything in this process, one instance only. */
export function createMemoryEngine(options: { instanceId?: string } = {}): Engine {
  const log = new MemoryLog();
  const groups = new MemoryGroupStore(log);
  const broker = new MemoryBroker(log, groups);
  const presence = new MemoryPresence(options.instanceId);
  return {
    name: 'memory',
    broker,
    groups,
    presence,
    history: new MemoryHistory(log),
    async close() {
      await broker.close();
    },
  };
}
