/**
 * Every Redis key of the production engine, in one place. Per-group keys
 * hash-tag the group id (`{groupId}`) so a group's stream, meta and members
 * live in one slot; per-user keys hash-tag the user id (`{userId}`).
 *
 *   <prefix>:{<g>}:stream    the group's message log (stream; ids are message ids)
 *   <prefix>:{<g>}:meta      hash createdBy, createdAt, kind (room|direct), visibility (public|private),
 *                            title, topic, ownerId ('' for direct), capacity, peers ("a,b" sorted, direct only),
 *                            seq (entries), msgs (messages), last (newest message id), top (newest entry id),
 *                            read:<u> "<message number> <id>" (read markers) (publish-7.lua, change-8.lua)
 *   <prefix>:{<g>}:members   sorted set of user ids, all scores 0 (lex order pages)
 *   <prefix>:{<g>}:joined    hash userId -> joinedAt
 *   <prefix>:{<g>}:admins    set of the members who are admins (the owner is in meta ownerId)
 *   <prefix>:{<g>}:invites   hash userId -> {"invitedBy","at","atMs"} (pending invitations)
 *   <prefix>:{<g>}:bans      hash userId -> {"by","at","untilMs","reason"} (untilMs null: until unbanned;
 *                            expired ones are removed lazily)
 *   <prefix>:{<g>}:edits     hash <id> -> the message as it is now (edited or deleted), c:<id> -> cursors
 *                            of its edit entries, u:<id> -> its member of updates
 *   <prefix>:{<g>}:deleted   sorted set of deleted message ids, padded (lex order = id order), scores 0
 *   <prefix>:{<g>}:updates   sorted set "<padded cursor> <id>": each changed message's latest change
 *   <prefix>:{<g>}:typing:<u>  "1" while the user's typing signals in the group are held back (PX 2000)
 *   <prefix>:{<g>}:notify    pub/sub channel: "this stream has news" (not a key)
 *   <prefix>:groups          sorted set of the PUBLIC room ids, all scores 0 (group.list)
 *   <prefix>:dedupe:{<g>}:<author>:<cmid>   the original message, EX 600
 *   <prefix>:presence:<user> sorted set instanceId -> expiry (ms)
 *   <prefix>:instances       hash instanceId -> {"connections","startedAt","seenAt"} (heartbeat; stale ones dropped on read)
 *   <prefix>:user:{<u>}:created        groups the user has created (counter)
 *   <prefix>:user:{<u>}:create-window  creations in the current quota window (counter, expires with it)
 *   <prefix>:user:{<u>}:rooms          sorted set of the PRIVATE rooms the user is a member of, scores 0 (group.list)
 *   <prefix>:user:{<u>}:conversations  sorted set groupId -> join ms: every group the user is a member of
 *   <prefix>:user:{<u>}:invitations    sorted set groupId -> invitation time (ms): the user's inbox
 *   <prefix>:user:{<u>}:blocks         sorted set of the user ids this user blocks, scores 0
 *   <prefix>:history         stream of messages not yet in MySQL (consumer group "history"); on a
 *                            Redis Cluster one per slot instead:
 *   <prefix>:{<slot tag>}:history  the history stream of the groups in that slot (slot-tags.ts), so the
 *                            scripts that write a group's stream write its history in the same slot
 *   <prefix>:user:{<u>}:events  pub/sub channel of the user's events (the hubs where they are connected listen)
 *   <prefix>:{wh:<p>}:events  webhook events of partition p (stream; one consumer group per endpoint, named as it):
 *                            k (type) + m (a message's or change's JSON, publish-7.lua, change-8.lua), or e (the
 *                            event's JSON), o (only this endpoint: a replayed dead letter)
 *   <prefix>:{wh:<p>}:lease  instanceId of the hub delivering partition p (PX, webhookLease-1.lua)
 *   <prefix>:webhooks:dead   stream of dead letters: endpoint, event (JSON), attempts, lastError, failedAt, partition
 *
 * Scripts that touch one key per member or invitee (update, delete) build
 * those keys from the parts around the user id ({@link RedisKeys.userRoomsParts},
 * {@link RedisKeys.userInvitationsParts}), so the formats still live here only.
 */
export class RedisKeys {
  /** @param sharded on a Redis Cluster: the history stream is one per slot ({@link historyOf}). */
  constructor(
    readonly prefix: string,
    readonly sharded = false,
  ) {}

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
  admins(groupId: string): string {
    return `${this.prefix}:{${groupId}}:admins`;
  }
  invites(groupId: string): string {
    return `${this.prefix}:{${groupId}}:invites`;
  }
  bans(groupId: string): string {
    return `${this.prefix}:{${groupId}}:bans`;
  }
  edits(groupId: string): string {
    return `${this.prefix}:{${groupId}}:edits`;
  }
  deleted(groupId: string): string {
    return `${this.prefix}:{${groupId}}:deleted`;
  }
  updates(groupId: string): string {
    return `${this.prefix}:{${groupId}}:updates`;
  }
  /** The dedupe keys of a group before the author: the change script completes them with `<author>:<cmid>`. */
  dedupeBefore(groupId: string): string {
    return this.dedupe(groupId, '\u0000', '').split('\u0000')[0] as string;
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
  /** Hash instanceId -> {"connections","startedAt","seenAt"}: the live hubs (HTTP API status). */
  instances(): string {
    return `${this.prefix}:instances`;
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
  userRooms(userId: string): string {
    return `${this.prefix}:user:{${userId}}:rooms`;
  }
  userConversations(userId: string): string {
    return `${this.prefix}:user:{${userId}}:conversations`;
  }
  userInvitations(userId: string): string {
    return `${this.prefix}:user:{${userId}}:invitations`;
  }
  userBlocks(userId: string): string {
    return `${this.prefix}:user:{${userId}}:blocks`;
  }
  /** {@link userRooms} as the text before and after the user id, for scripts that make it per member. */
  userRoomsParts(): [string, string] {
    return around((u) => this.userRooms(u));
  }
  /** {@link userConversations} as the text before and after the user id. */
  userConversationsParts(): [string, string] {
    return around((u) => this.userConversations(u));
  }
  /** {@link userInvitations} as the text before and after the user id. */
  userInvitationsParts(): [string, string] {
    return around((u) => this.userInvitations(u));
  }
  /** Set for the window in which a user's typing signals in a group are held back (PX). */
  typing(groupId: string, userId: string): string {
    return `${this.prefix}:{${groupId}}:typing:${userId}`;
  }
  /** Hash groupId -> ms of its deletion: history the writers still remove from MySQL, and keep out of it. */
  deletedGroups(): string {
    return `${this.prefix}:deleted-groups`;
  }
  /** The one history stream of a single Redis. */
  history(): string {
    return `${this.prefix}:history`;
  }
  /** The history stream a group's messages go to: the one stream, or on a cluster its slot's. */
  historyOf(groupId: string): string {
    return this.sharded ? this.historyOfSlot(slotOf(this.meta(groupId))) : this.history();
  }
  historyOfSlot(slot: number): string {
    return `${this.prefix}:{${tagOfSlot(slot)}}:history`;
  }
  /** Every history stream there can be: the one, or one per slot. */
  historyStreams(): string[] {
    return this.sharded ? Array.from({ length: SLOTS }, (_, s) => this.historyOfSlot(s)) : [this.history()];
  }
  /** Pub/sub channel of one user's events (invited, read, conversation.*): only hubs with a connection of the user listen. */
  userEvents(userId: string): string {
    return `${this.prefix}:user:{${userId}}:events`;
  }
  /** The user id of a channel made by {@link userEvents}. */
  userOfEvents(channel: string): string | undefined {
    const head = `${this.prefix}:user:{`;
    return channel.startsWith(head) && channel.endsWith('}:events') ? channel.slice(head.length, -'}:events'.length) : undefined;
  }

  /** Webhook events of one partition (webhooks/partition.ts); hash-tagged by the partition, not a group: a room's events share it with other rooms'. */
  webhookEvents(partition: number): string {
    return `${this.prefix}:{wh:${partition}}:events`;
  }
  webhookLease(partition: number): string {
    return `${this.prefix}:{wh:${partition}}:lease`;
  }
  webhookDeadLetters(): string {
    return `${this.prefix}:webhooks:dead`;
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

import { SLOTS, slotOf, tagOfSlot } from './slot-tags.js';

/** A per-user key format split around the user id. */
function around(key: (userId: string) => string): [string, string] {
  const k = key('\u0000');
  const i = k.indexOf('\u0000');
  return [k.slice(0, i), k.slice(i + 1)];
}

/** Consumer group of the history stream; every hub's HistoryWriter is a consumer in it. */
export const HISTORY_CONSUMER_GROUP = 'history';
