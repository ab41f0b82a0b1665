/**
 * Prometheus metrics of one hub. One registry per Hub instance (not the
 * global one), so several hubs in one process (tests) do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly connections = new Gauge({ name: 'nextchat_connections', help: 'Open WebSocket connections', registers: [this.registry] });
  readonly connectionsTotal = new Counter({ name: 'nextchat_connections_total', help: 'Accepted WebSocket connections', registers: [this.registry] });
  readonly upgradesRefused = new Counter({
    name: 'nextchat_upgrades_refused_total',
    help: 'Refused WebSocket upgrades by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly closes = new Counter({
    name: 'nextchat_connection_closes_total',
    help: 'Connections closed by the hub, by close code and reason',
    labelNames: ['code', 'reason'] as const,
    registers: [this.registry],
  });
  readonly requests = new Counter({
    name: 'nextchat_requests_total',
    help: 'JSON-RPC requests by method and outcome (ok or error reason)',
    labelNames: ['method', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly limited = new Counter({
    name: 'nextchat_limited_total',
    help: 'Requests or connections refused by a limit, by limit name',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  readonly messagesIn = new Counter({ name: 'nextchat_messages_in_total', help: 'Messages accepted by message.send on this instance', registers: [this.registry] });
  readonly messagesOut = new Counter({ name: 'nextchat_messages_out_total', help: 'Message notifications written to connections', registers: [this.registry] });
  readonly deliveryLatency = new Histogram({
    name: 'nextchat_delivery_latency_seconds',
    help: 'From sentAt to the notification leaving this instance',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly subscribedGroups = new Gauge({ name: 'nextchat_subscribed_groups', help: 'Groups this instance reads from the messaging layer', registers: [this.registry] });
  readonly streamReadLag = new Gauge({ name: 'nextchat_stream_read_lag_seconds', help: 'Age of the newest entry at the last stream read', registers: [this.registry] });
  readonly streamReads = new Counter({ name: 'nextchat_stream_reads_total', help: 'Blocking stream reads issued', registers: [this.registry] });
  readonly historyBacklog = new Gauge({ name: 'nextchat_history_backlog', help: 'Messages waiting to be written to the history database', registers: [this.registry] });
  readonly historyBatches = new Counter({
    name: 'nextchat_history_write_batches_total',
    help: 'History insert batches by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly historyWritten = new Counter({ name: 'nextchat_history_written_total', help: 'Messages committed to the history database', registers: [this.registry] });
  readonly historyBatchSize = new Histogram({
    name: 'nextchat_history_batch_size',
    help: 'Messages per history insert',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 5000],
    registers: [this.registry],
  });
  readonly backendErrors = new Counter({
    name: 'nextchat_backend_errors_total',
    help: 'Errors talking to Redis or MySQL, by backend',
    labelNames: ['backend'] as const,
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
