import type { Broker } from './broker.js';
import type { GroupStore } from './group-store.js';
import type { HistoryReader, HistoryWriter } from './history-store.js';
import type { Presence } from './presence.js';
import type { Webhooks } from './webhooks.js';

/** One backend the engine depends on, as probed just now. */
export interface BackendStatus {
  name: 'redis' | 'mysql';
  reachable: boolean;
  /** The probe's round trip, when it answered. */
  latencyMs?: number;
}

/** The adapters one hub runs on; chosen by main.ts only. */
export interface Engine {
  name: string;
  broker: Broker;
  groups: GroupStore;
  presence: Presence;
  history: HistoryReader;
  /** Absent when history is written synchronously by the broker (memory). */
  historyWriter?: HistoryWriter;
  /** Present when webhook endpoints are configured (NEXT_CHAT_WEBHOOKS). */
  webhooks?: Webhooks;
  /** Probes each backend (none for the in-process engine), each bounded by a short timeout. */
  backends(): Promise<BackendStatus[]>;
  close(): Promise<void>;
}
