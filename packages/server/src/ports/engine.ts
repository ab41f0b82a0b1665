import type { Broker } from './broker.js';
import type { GroupStore } from './group-store.js';
import type { HistoryReader, HistoryWriter } from './history-store.js';
import type { Presence } from './presence.js';
import type { Webhooks } from './webhooks.js';

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
  close(): Promise<void>;
}
