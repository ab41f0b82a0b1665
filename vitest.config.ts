import { defineConfig } from 'vitest/config';
import type { InlineConfig } from 'vitest/node';

const integration = {
  environment: 'node',
  globalSetup: ['tests/integration/setup/global-setup.ts'],
  testTimeout: 60_000,
  hookTimeout: 60_000,
} satisfies InlineConfig;

// `unit` needs nothing but Node. `integration` starts real hub processes and,
// through its global setup, a throwaway redis-server and mariadbd; its web/
// tests also drive a real Chromium (tests/integration/web/browser.ts).
// `protocol-redis` runs the protocol and fuzz tests again with every hub on
// Redis + MariaDB, so each promise of docs/protocol.md is checked on both engines.
// `protocol-cluster` runs them once more on a Redis Cluster (3 primaries + 3
// replicas, started by the global setup for that project only) + MariaDB.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], environment: 'node' } },
      { test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], ...integration } },
      {
        test: {
          name: 'protocol-redis',
          include: ['tests/integration/protocol/**/*.test.ts', 'tests/integration/fuzz/**/*.test.ts'],
          provide: { engine: 'redis' },
          ...integration,
        },
      },
      {
        test: {
          name: 'protocol-cluster',
          include: ['tests/integration/protocol/**/*.test.ts', 'tests/integration/fuzz/**/*.test.ts'],
          provide: { engine: 'redis-cluster' },
          ...integration,
        },
      },
    ],
  },
});
