/**
 * Every Redis key of the production engine, in one place. Per-group keys
 * hash-tag the group id (`{groupId}`) so a group's stream, meta and members
 * live in one slot and its scripts stay single-slot.
 *
 *   <prefix>:{<g>}:stream    the group's message log (stream; ids are message ids)
 *   <prefix>:{<g>}:meta      hash createdBy, createdAt
 *   <prefix>:{<g>}:members   sorted set of user ids, all scores 0 (lex order pages)
 *   <prefix>:{<g>}:joined    hash userId -> joinedAt
 *   <prefix>:{<g>}:notify    pub/sub channel: "this stream has news" (not a key)
 *   <prefix>:groups          sorted set of group ids, all scores 0
 *   <prefix>:dedupe:{<g>}:<author>:<cmid>   the original message, EX 600
 *   <prefix>:presence:<user> sorted set instanceId -> expiry (ms)
 *   <prefix>:user:{<u>}:created        groups the user has created (counter)
 *   <prefix>:user:{<u>}:create-window  creations in the current quota window (counter, expires with it)
 *   <prefix>:history         stream of messages not yet in MySQL (consumer group "history")
 *   <prefix>:events          pub/sub channel of member events
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  stream(groupId: string): string {
    return `${this.prefix}:{${groupId}}:stream`;
  }
  meta(groupId: string): string {
    return `${this.prefix}:{${groupId}}:meta`;
  }
  members(groupId: string): string {
    return `${this.prefix}:{${groupId}}:members`;
  }
  joined(groupId: string): string {
    return `${this.prefix}:{${groupId}}:joined`;
  }
  notify(groupId: string): string {
    return `${this.prefix}:{${groupId}}:notify`;
  }
  groups(): string {
    return `${this.prefix}:groups`;
  }
  dedupe(groupId: string, authorId: string, clientMessageId: string): string {
    return `${this.prefix}:dedupe:{${groupId}}:${authorId}:${clientMessageId}`;
  }
  presence(userId: string): string {
    return `${this.prefix}:presence:${userId}`;
  }
  userCreated(userId: string): string {
    return `${this.prefix}:user:{${userId}}:created`;
  }
  userCreateWindow(userId: string): string {
    return `${this.prefix}:user:{${userId}}:create-window`;
  }
  history(): string {
    return `${this.prefix}:history`;
  }
  events(): string {
    return `${this.prefix}:events`;
  }

  /** The group id of a key made by {@link stream}. */
  groupOfStream(key: string): string {
    return key.slice(this.prefix.length + 2, key.length - ':stream'.length - 1);
  }
  /** The group id of a channel made by {@link notify}. */
  groupOfNotify(channel: string): string {
    return channel.slice(this.prefix.length + 2, channel.length - ':notify'.length - 1);
  }
}

/** Consumer group of the history stream; every hub's HistoryWriter is a consumer in it. */
export const HISTORY_CONSUMER_GROUP = 'history';
