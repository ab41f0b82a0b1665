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

  readonly moderationCalls = new Counter({
    name: 'nextchat_moderation_calls_total',
    help: 'Moderation hook calls by verdict: allow, reject, replace, or failed_open / failed_closed when the hook failed or timed out',
    labelNames: ['verdict'] as const,
    registers: [this.registry],
  });
  readonly moderationDuration = new Histogram({
    name: 'nextchat_moderation_duration_seconds',
    help: 'Time from calling the moderation hook to its verdict (or failure), what each moderated send and edit waits',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly webhookAttempts = new Counter({
    name: 'nextchat_webhook_attempts_total',
    help: 'Webhook delivery attempts by endpoint and outcome (ok, http_error, timeout, network)',
    labelNames: ['endpoint', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly webhookDelivered = new Counter({
    name: 'nextchat_webhook_delivered_total',
    help: 'Webhook events delivered (a 2xx) by endpoint',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  readonly webhookDeadLetters = new Counter({
    name: 'nextchat_webhook_dead_letters_total',
    help: 'Webhook events moved to the dead letters after their retry window, by endpoint',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  readonly webhookLag = new Gauge({
    name: 'nextchat_webhook_lag_seconds',
    help: 'Age of the oldest webhook event this instance is delivering (or retrying) per endpoint; 0 when idle',
    labelNames: ['endpoint'] as const,
    registers: [this.registry],
  });
  readonly webhookPartitionsHeld = new Gauge({
    name: 'nextchat_webhook_partitions_held',
    help: 'Webhook event partitions this instance holds the lease of (delivers)',
    registers: [this.registry],
  });

  readonly replicaWait = new Histogram({
    name: 'nextchat_redis_wait_seconds',
    help: 'Redis WAIT for NEXT_CHAT_REDIS_WAIT_REPLICAS: time per WAIT, by outcome (ok, too_few)',
    labelNames: ['outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly replicaWaitWrites = new Histogram({
    name: 'nextchat_redis_wait_writes',
    help: 'Writes one Redis WAIT confirmed (the group commit batch)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly apiRequests = new Counter({
    name: 'nextchat_api_requests_total',
    help: 'HTTP API requests by route template, method and status',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly apiDuration = new Histogram({
    name: 'nextchat_api_request_duration_seconds',
    help: 'HTTP API request handling time by route template',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }
}
