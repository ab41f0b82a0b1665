/** One live hub, as the HTTP API's status shows it. */
export interface InstanceInfo {
  id: string;
  /** Open WebSocket connections on it. */
  connections: number;
  startedAt: string;
  /** Its last heartbeat. */
  seenAt: string;
}

/**
 * Who is online: a user is online while at least one connection of theirs is
 * open on any instance. Entries of an instance that dies without saying so
 * expire after a bounded time (heartbeat TTL), so there are no ghosts.
 */
export interface Presence {
  /** A connection of `userId` opened on this instance. */
  connected(userId: string): void;
  /** A connection of `userId` closed on this instance. */
  disconnected(userId: string): void;
  /** The subset of `userIds` that is online anywhere. */
  online(userIds: string[]): Promise<Set<string>>;
  /**
   * Whether a typing signal of `userId` in `groupId` is passed on: true at
   * most once per `windowMs` for the pair, across every instance.
   */
  passTyping(groupId: string, userId: string, windowMs: number): Promise<boolean>;
  /** Every live instance (this one included), by id: those whose heartbeat is within the presence TTL. */
  instances(): Promise<InstanceInfo[]>;
  close(): Promise<void>;
}
