/**
 * What the hub needs from one client connection. The gateway implements it
 * over a WebSocket; the hub never touches sockets.
 */
export interface Peer {
  readonly id: number;
  readonly userId: string;
  /** Queues one encoded frame; drops the connection if it is over its buffer limit. */
  send(frame: string): void;
  /** Closes the connection with a WebSocket close code; `metricReason` labels the count. */
  close(code: number, reason: string, metricReason: string): void;
  readonly closed: boolean;
}

/** Per-connection state of one subscribed group. */
export interface GroupSubscription {
  /**
   * While a join is computing its history, notifications are held here and
   * released after the join result, skipping messages the history covered.
   */
  buffer: { id: string | null; frame: string }[] | null;
  /**
   * Highest message id the connection has been given for this group, while
   * the broker may still deliver older ones: the join's history read can run
   * ahead of the broker's reader, so its first live messages may repeat the
   * history. null once a newer message has passed (stream order makes any
   * later one newer still), so the steady state costs no comparison.
   */
  floor: string | null;
  /** When this connection subscribed (ms): a later member.left must not undo a newer join. */
  attachedAt: number;
}
