/**
 * NextChatClient: typed JSON-RPC 2.0 over one WebSocket to a Next Chat hub,
 * with request timeouts, 4029 retries, automatic reconnect and gap-free resume
 * of the groups this client joined.
 */
import {
  CloseCode,
  ErrorCode,
  retryDelayMs,
  PAGE_LIMIT_MAX,
  RpcError,
  isMessageId,
  parseParams,
  type Ban,
  type Group,
  type Invitation,
  type Member,
  type MemberEvent,
  type MemberLeftEvent,
  type MemberRoleEvent,
  type Message,
  type MessageUpdate,
  type MethodName,
  type NotificationName,
  type Notifications,
  type ParamsInput,
  type Results,
  type Role,
  type RpcErrorObject,
  type TypingEvent,
} from '@next-chat/core';
import { TypedEmitter } from './emitter.js';
import {
  ClientError,
  ConnectError,
  ConnectionClosedError,
  ConnectionLostError,
  NotConnectedError,
  ResumeError,
} from './errors.js';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { Backoff } from './reconnect.js';
import { PendingRequests } from './pending.js';
import {
  KnownChanges,
  LastSeen,
  firstPageBefore,
  mergeResume,
  nextPageBefore,
  overflowPage,
  pickUpdates,
  updatesOverflow,
  type LiveEntry,
} from './resume.js';
import { openTransport, type Transport } from './transport.js';

export type ConnectionState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * The `message.updated` event: a message of a joined group was edited or
 * deleted; `message` is as it is now (a tombstone has `text: ""` and
 * `deletedAt`).
 *
 * - Live (`resumed` absent): the hub's notification, each exactly once, in
 *   id/cursor order with the group's `message` events; `cursor` is the
 *   change's place in the group's id space.
 * - After a reconnect (`resumed: true`): a change the re-join reported in its
 *   `updates` (a message at or before the resume cursor, changed while the
 *   connection was down). The hub gives no cursor for these, so `cursor` is
 *   the `since` of that re-join: every one of them happened after it, and it
 *   is not a place later events can be compared with. They come before the
 *   missed `message` events of the same resume, in message id order.
 */
export interface MessageUpdatedEvent extends MessageUpdate {
  resumed?: true;
}

/** Events of {@link NextChatClient}. */
export interface ClientEvents {
  /** A connection opened; `reconnected` is true for every one after the first. */
  open: { reconnected: boolean };
  /**
   * An open connection closed, or reconnecting gave up. `willReconnect` says
   * whether the client tries again; `error` is set when it gave up on one.
   */
  close: { code: number; reason: string; willReconnect: boolean; error?: Error };
  /** The next (re)connect attempt is scheduled after `delayMs`. `error` says why the last one failed. */
  reconnecting: { attempt: number; delayMs: number; error?: Error };
  /**
   * After a reconnect, a group was re-joined and its missed messages were
   * emitted as `message` events (`missed` of them, with the live ones held
   * back meanwhile). `complete: false` means more were missed than
   * `resumeMaxMessages`: there is a gap before them. `updated` (protocol
   * 1.1, present only when not 0, so the v1 shape stays as it was): how many
   * `message.updated` events the resume emitted, the re-join's `updates`
   * (`resumed: true`) and the live changes held back meanwhile.
   */
  resumed: { groupId: string; missed: number; complete: boolean; updated?: number };
  /** Errors that belong to no call and no close: a failed resume (`ResumeError`), a frame that is not JSON. */
  error: Error;
  /** A message of a joined group, each exactly once, in id order per group. */
  message: Message;
  /**
   * A message of a joined group was edited or deleted (protocol 1.1): live,
   * in id/cursor order with `message`, or, with `resumed: true`, one of the
   * changes a re-join after a reconnect reported (see {@link MessageUpdatedEvent}).
   */
  'message.updated': MessageUpdatedEvent;
  'member.joined': MemberEvent;
  /** `reason` (`left`, `kicked`, `banned`) and `by` come from protocol 1.1 hubs; a v1 hub leaves them out. */
  'member.left': MemberLeftEvent;
  /** A subscribed group's settings changed (title, topic, visibility, capacity, owner). */
  'group.updated': Notifications['group.updated'];
  /** A member's role changed in a subscribed group (a hand-over of ownership sends two). */
  'member.role': MemberRoleEvent;
  /** To every connection of this user: someone invited you to a private room. */
  invited: Notifications['invited'];
  /** To every connection of this user: a conversation was made with you (a direct conversation someone opened). */
  'conversation.added': Notifications['conversation.added'];
  /**
   * To every connection of this user: you are no longer in a group (kicked,
   * banned, or the group was deleted). The client has already forgotten it:
   * it is not re-joined after a reconnect.
   */
  'conversation.removed': Notifications['conversation.removed'];
  /**
   * Someone else is writing in a subscribed group (never sent for this
   * user's own connections). A live signal, at most one per user per group
   * in any 2 s, never stored or replayed: show it for a few seconds.
   */
  typing: TypingEvent;
  /** To every connection of this user: your read marker in a group moved (message.read or your own send, from any connection). */
  read: Notifications['read'];
  /** In a direct conversation: the other peer has read up to `readUpTo`. */
  'member.read': Notifications['member.read'];
  /** Any notification not listed above (later protocol additions). */
  notification: { method: string; params: unknown };
}

/** Every notification of the protocol (core's `Notifications`) is a typed event; a new one without its event does not compile. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
type EveryNotificationTyped<Untyped extends never = Exclude<NotificationName, keyof ClientEvents>> = Untyped;

/**
 * `typing()` sends at most one request per group in this long. The hub
 * passes on at most one per user per group in any 2 s (docs/protocol.md
 * §11); sending a little more often keeps the signal alive while the person
 * writes without ever spending the connection's rate limit on keystrokes.
 */
export const TYPING_INTERVAL_MS = 1500;

/** Settings of a new room, besides its id (protocol 1.1; all optional). */
export type CreateGroupParams = Omit<ParamsInput<'group.create'>, 'groupId'>;
/** What `updateGroup` may change; absent fields stay as they are. */
export type UpdateGroupParams = Omit<ParamsInput<'group.update'>, 'groupId'>;
/** Cursor and page size of the `me.*` and `group.bans` listings. */
export type PageParams = ParamsInput<'me.blocked'>;
/** Cursor (`next` of the previous page) and page size (1-200) of `me.conversations`. */
export type ConversationsParams = ParamsInput<'me.conversations'>;

const CREATE_KEYS = ['visibility', 'title', 'topic', 'capacity'] as const;

/** `createGroup(id, options)` (v1 form) or `createGroup(id, params, options)`: which one the second argument is. */
function isRequestOptions(x: unknown): x is RequestOptions {
  if (x === null || typeof x !== 'object') return false;
  return 'timeoutMs' in x && !CREATE_KEYS.some((k) => k in x);
}

/** Per-call options. */
export interface RequestOptions {
  /** Overrides `requestTimeoutMs` for this call. */
  timeoutMs?: number;
}

export interface ConnectOptions {
  /**
   * Keep trying (with the reconnect backoff) when the first connect fails,
   * instead of rejecting. Fatal failures (401, 404) still reject.
   * @default false
   */
  retry?: boolean;
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/** Resume refusals that mean the group is no longer ours: forget it instead of retrying on every reconnect. */
const GIVE_UP_RESUME = new Set<number>([
  ErrorCode.GroupNotFound,
  ErrorCode.GroupFull,
  ErrorCode.InvitationRequired,
  ErrorCode.Banned,
  ErrorCode.NotAMember,
]);

type Frame = {
  id?: unknown;
  method?: unknown;
  params?: unknown;
  result?: unknown;
  error?: RpcErrorObject;
};

export class NextChatClient extends TypedEmitter<ClientEvents> {
  readonly #opts: ResolvedOptions;
  readonly #backoff: Backoff;
  readonly #seen = new LastSeen();
  /** Edited and deleted states the application holds: not handed over again by a later resume. */
  readonly #known = new KnownChanges();
  /** Groups this client joined (and has not left): re-joined on reconnect. */
  readonly #joined = new Set<string>();
  /** Groups being resumed: their live messages and changes wait here until the missed ones are out. */
  readonly #resuming = new Map<string, LiveEntry[]>();
  readonly #pending = new PendingRequests();
  readonly #sleeps = new Set<{ timer: ReturnType<typeof setTimeout>; reject(err: Error): void }>();
  #waiters: Waiter[] = [];
  #transport: Transport | null = null;
  /** A socket being opened, not open yet. */
  #connecting: Transport | null = null;
  #state: ConnectionState = 'idle';
  #everOpened = false;
  #retryInitial = false;
  #userClosed = false;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped per connection, so stale callbacks of an old socket are ignored. */
  #generation = 0;
  /** Set by reconnect(): the next attempt goes out without delay. */
  #manualDrop = false;
  /** When `typing()` last sent a request, per group (Date.now()). */
  readonly #typingSentAt = new Map<string, number>();

  constructor(options: ClientOptions) {
    super();
    this.#opts = resolveOptions(options);
    this.#backoff = new Backoff(this.#opts.reconnect || {});
  }

  /** The normalized hub URL. */
  get url(): string {
    return this.#opts.url;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /** Groups joined on this client, re-joined after every reconnect. */
  get joinedGroups(): string[] {
    return [...this.#joined].sort();
  }

  /**
   * The resume cursor of a group: the greatest of the ids of the messages and
   * the cursors of the live `message.updated` delivered for it (one id space).
   */
  lastSeenId(groupId: string): string | undefined {
    return this.#seen.get(groupId);
  }

  /**
   * Opens the connection. Resolves once it is open; rejects with
   * `ConnectError` when the hub is unreachable or refuses (401: bad identity),
   * unless `retry` is set, in which case only a fatal refusal or `close()`
   * rejects.
   */
  connect(options: ConnectOptions = {}): Promise<void> {
    if (this.#state === 'open') return Promise.resolve();
    this.#userClosed = false;
    this.#retryInitial = options.retry ?? false;
    const p = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (this.#state === 'idle' || this.#state === 'closed') this.#open('connecting');
    return p;
  }

  /**
   * Closes the connection for good (no reconnect). Pending requests reject with
   * `ConnectionClosedError`. Resolves once the socket is closed.
   */
  close(): Promise<void> {
    this.#userClosed = true;
    clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
    for (const s of this.#sleeps) {
      clearTimeout(s.timer);
      s.reject(new ClientError('The client was closed.'));
    }
    this.#sleeps.clear();
    const t = this.#transport;
    if (!t) {
      // Not open (yet): forget any attempt in flight, so it cannot open later.
      this.#generation++;
      this.#connecting?.terminate();
      this.#connecting = null;
      this.#settleClosed(new ClientError('The client was closed.'));
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.once('close', () => resolve());
      t.close(CloseCode.Normal, 'client closed');
    });
  }

  /**
   * Drops the current connection at once and reconnects right away, resuming
   * every joined group. Useful after a network change.
   */
  reconnect(): void {
    if (!this.#transport) return;
    this.#manualDrop = true;
    this.#transport.terminate();
  }

  // ---- typed methods -----------------------------------------------------

  /** `group.list`: groups sorted by id, one page. */
  listGroups(params: ParamsInput<'group.list'> = {}, options?: RequestOptions): Promise<Results['group.list']> {
    return this.request('group.list', params, options);
  }

  /**
   * `group.create`: makes a room; nobody is a member, not even the caller,
   * who becomes its owner. `params` (protocol 1.1): `visibility` (`public`),
   * `title`, `topic`, `capacity`. `createGroup(id, {timeoutMs})` still works.
   */
  createGroup(groupId: string, options?: RequestOptions): Promise<Group>;
  createGroup(groupId: string, params: CreateGroupParams, options?: RequestOptions): Promise<Group>;
  async createGroup(groupId: string, paramsOrOptions?: CreateGroupParams | RequestOptions, options?: RequestOptions): Promise<Group> {
    let params: CreateGroupParams = {};
    if (options === undefined && isRequestOptions(paramsOrOptions)) options = paramsOrOptions;
    else if (paramsOrOptions) params = paramsOrOptions as CreateGroupParams;
    return (await this.request('group.create', { ...params, groupId }, options)).group;
  }

  /** `group.get`: the group and the caller's role in it (`null`: none). Private rooms: members, invitees and the owner only (else 4013). */
  getGroup(groupId: string, options?: RequestOptions): Promise<Results['group.get']> {
    return this.request('group.get', { groupId }, options);
  }

  /** `group.update` (owner, admin): changes the given settings; resolves with the group as it is now. */
  async updateGroup(groupId: string, changes: UpdateGroupParams, options?: RequestOptions): Promise<Group> {
    return (await this.request('group.update', { ...changes, groupId }, options)).group;
  }

  /**
   * `group.setRole` (owner): gives a member a role. `owner` hands ownership
   * over (the old owner becomes an admin if a member). Resolves with the member.
   */
  async setRole(groupId: string, userId: string, role: Role, options?: RequestOptions): Promise<Member> {
    return (await this.request('group.setRole', { groupId, userId, role }, options)).member;
  }

  /** `group.invite`: resolves with the invitation, or `null` when the user is already a member. */
  async invite(groupId: string, userId: string, options?: RequestOptions): Promise<Invitation | null> {
    return (await this.request('group.invite', { groupId, userId }, options)).invitation;
  }

  /** `group.kick` (owner, admin): false when the user was not a member. */
  async kick(groupId: string, userId: string, options?: RequestOptions): Promise<boolean> {
    return (await this.request('group.kick', { groupId, userId }, options)).kicked;
  }

  /** `group.ban` (owner, admin): removes the user if a member and keeps them out for `durationSec` (default: until unbanned). */
  async ban(
    groupId: string,
    userId: string,
    params: Omit<ParamsInput<'group.ban'>, 'groupId' | 'userId'> = {},
    options?: RequestOptions,
  ): Promise<Ban> {
    return (await this.request('group.ban', { ...params, groupId, userId }, options)).ban;
  }

  /** `group.unban` (owner, admin): false when the user was not banned. */
  async unban(groupId: string, userId: string, options?: RequestOptions): Promise<boolean> {
    return (await this.request('group.unban', { groupId, userId }, options)).unbanned;
  }

  /** `group.bans` (owner, admin): one page of the room's bans. */
  bans(groupId: string, params: PageParams = {}, options?: RequestOptions): Promise<Results['group.bans']> {
    return this.request('group.bans', { ...params, groupId }, options);
  }

  /**
   * `group.delete` (owner): removes the room with its members, invitations,
   * bans and history. This client forgets it at once (no re-join).
   */
  async deleteGroup(groupId: string, options?: RequestOptions): Promise<true> {
    return (await this.request('group.delete', { groupId }, options)).deleted;
  }

  /** `me.invitations`: one page of the caller's pending invitations, each with its group. */
  invitations(params: PageParams = {}, options?: RequestOptions): Promise<Results['me.invitations']> {
    return this.request('me.invitations', params, options);
  }

  /** `invitation.decline`: false when there was no invitation to that group. */
  async declineInvitation(groupId: string, options?: RequestOptions): Promise<boolean> {
    return (await this.request('invitation.decline', { groupId }, options)).declined;
  }

  /**
   * `direct.open`: the one direct conversation with `userId` (made the first
   * time), subscribed on this connection. A join in all but name: the result
   * has the shape of `join()`'s, its messages arrive as `message` events, and
   * it is resumed (gap-free, `group.join` by id with `since`) after every
   * reconnect.
   */
  openDirect(
    userId: string,
    params: Omit<ParamsInput<'direct.open'>, 'userId'> = {},
    options?: RequestOptions,
  ): Promise<Results['direct.open']> {
    return this.request('direct.open', { ...params, userId }, options);
  }

  /** `user.block`: the user can no longer open or write in a direct conversation with the caller. */
  async block(userId: string, options?: RequestOptions): Promise<true> {
    return (await this.request('user.block', { userId }, options)).blocked;
  }

  /** `user.unblock`: false when the user was not blocked. */
  async unblock(userId: string, options?: RequestOptions): Promise<boolean> {
    return (await this.request('user.unblock', { userId }, options)).unblocked;
  }

  /** `me.blocked`: one page of the user ids the caller blocks, sorted. */
  blockedUsers(params: PageParams = {}, options?: RequestOptions): Promise<Results['me.blocked']> {
    return this.request('me.blocked', params, options);
  }

  /**
   * `group.join`: becomes a member and subscribes this connection. The result
   * holds the latest history (or, with `since`, what came after it). The group
   * is re-joined automatically after a reconnect.
   */
  join(
    groupId: string,
    params: Omit<ParamsInput<'group.join'>, 'groupId'> = {},
    options?: RequestOptions,
  ): Promise<Results['group.join']> {
    return this.request('group.join', { ...params, groupId }, options);
  }

  /** `group.leave`: false when the user was not a member. */
  async leave(groupId: string, options?: RequestOptions): Promise<boolean> {
    return (await this.request('group.leave', { groupId }, options)).left;
  }

  /** `group.members`: one page of members sorted by user id. */
  members(
    groupId: string,
    params: Omit<ParamsInput<'group.members'>, 'groupId'> = {},
    options?: RequestOptions,
  ): Promise<Results['group.members']> {
    return this.request('group.members', { ...params, groupId }, options);
  }

  /**
   * `message.send`: resolves once the message is durable. Pass a
   * `clientMessageId` to make a retry (after a lost connection) safe.
   * The resolved `text` may differ from `text` when the operator's
   * moderation hook replaced it; a rejected text rejects with a 4022
   * `RpcError` (`message_rejected`) whose `message` is the operator's
   * sentence for the sender: show it as it is.
   */
  async send(
    groupId: string,
    text: string,
    params: Omit<ParamsInput<'message.send'>, 'groupId' | 'text'> = {},
    options?: RequestOptions,
  ): Promise<Message> {
    return (await this.request('message.send', { ...params, groupId, text }, options)).message;
  }

  /** `message.history`: one page of older messages, oldest first. */
  history(
    groupId: string,
    params: Omit<ParamsInput<'message.history'>, 'groupId'> = {},
    options?: RequestOptions,
  ): Promise<Results['message.history']> {
    return this.request('message.history', { ...params, groupId }, options);
  }

  /**
   * `message.read` (protocol 1.1): moves this user's read marker in the group
   * forward to `messageId` (never back); every connection of the user gets
   * `read`. Resolves with the marker and the unread count as they are now.
   */
  markRead(groupId: string, messageId: string, options?: RequestOptions): Promise<Results['message.read']> {
    return this.request('message.read', { groupId, messageId }, options);
  }

  /**
   * `message.edit` (protocol 1.1): replaces the text of one of your messages
   * (not once deleted: 4033; an unknown id: 4044; refused by the operator's
   * moderation hook: 4022, as for `send`). Resolves with the message
   * as edited (`editedAt` set); subscribed connections, this one too, get it
   * as a `message.updated` event.
   */
  async editMessage(groupId: string, messageId: string, text: string, options?: RequestOptions): Promise<Message> {
    return (await this.request('message.edit', { groupId, messageId, text }, options)).message;
  }

  /**
   * `message.delete` (protocol 1.1): deletes a message, yours or, in a room,
   * anyone's when you are its owner or an admin (else 4033). Resolves with
   * the tombstone (`text: ""`, `deletedAt` set); deleting again resolves with
   * the same tombstone. Subscribed connections get a `message.updated` event.
   */
  async deleteMessage(groupId: string, messageId: string, options?: RequestOptions): Promise<Message> {
    return (await this.request('message.delete', { groupId, messageId }, options)).message;
  }

  /**
   * `me.conversations` (protocol 1.1): one page of the rooms and direct
   * conversations you are a member of, latest activity first, each with
   * your role, read marker, unread count and newest message. Pass the `next`
   * of a page as `after` for the following one (null: the last page).
   */
  conversations(params: ConversationsParams = {}, options?: RequestOptions): Promise<Results['me.conversations']> {
    return this.request('me.conversations', params, options);
  }

  /**
   * `typing` (protocol 1.1): tells the group's other subscribed connections
   * that this user is writing. Members only (4003). Made to be called on
   * every keystroke and not awaited:
   *
   * - at most one request per group goes out in any {@link TYPING_INTERVAL_MS}
   *   (1.5 s); a call within that resolves at once with `{}` and sends nothing;
   * - a refusal is not retried (a late typing signal is worse than none; not
   *   even 4029), and a promise left alone never becomes an unhandled
   *   rejection. Await it (or `.catch`) to see errors such as 4003 or
   *   `NotConnectedError`.
   */
  typing(groupId: string, options: RequestOptions = {}): Promise<Results['typing']> {
    const p = this.#typing(groupId, options);
    p.catch(() => {});
    return p;
  }

  async #typing(groupId: string, options: RequestOptions): Promise<Results['typing']> {
    const params = { groupId };
    if (this.#opts.validateParams) parseParams('typing', params);
    const now = Date.now();
    const last = this.#typingSentAt.get(groupId);
    // (A clock set back does not hold the signal back for as long.)
    if (last !== undefined && now >= last && now - last < TYPING_INTERVAL_MS) return {};
    // Not connected: nothing goes out, so nothing is throttled.
    if (this.#state === 'open' && this.#transport?.isOpen) {
      this.#typingSentAt.set(groupId, now);
      if (this.#typingSentAt.size > 256) {
        for (const [g, t] of this.#typingSentAt) if (now - t >= TYPING_INTERVAL_MS || now < t) this.#typingSentAt.delete(g);
      }
    }
    return (await this.#call('typing', params, options.timeoutMs ?? this.#opts.requestTimeoutMs)) as Results['typing'];
  }

  /**
   * Any method of the protocol, typed by name. Rejects with `RpcError` for a
   * JSON-RPC error (after up to `maxRateLimitRetries` retries of 4029),
   * `RequestTimeoutError`, `NotConnectedError` or `ConnectionClosedError`.
   */
  async request<M extends MethodName>(method: M, params: ParamsInput<M>, options: RequestOptions = {}): Promise<Results[M]> {
    if (this.#opts.validateParams) parseParams(method, params);
    const timeoutMs = options.timeoutMs ?? this.#opts.requestTimeoutMs;
    for (let retries = 0; ; retries++) {
      try {
        return (await this.#call(method, params, timeoutMs)) as Results[M];
      } catch (err) {
        const wait = err instanceof RpcError ? retryDelayMs(err) : null;
        if (wait !== null && this.#opts.retryRateLimited && retries < this.#opts.maxRateLimitRetries) {
          await this.#sleep(wait);
          continue;
        }
        throw err;
      }
    }
  }

  // ---- requests ----------------------------------------------------------

  #call(method: MethodName, params: unknown, timeoutMs: number): Promise<unknown> {
    const t = this.#transport;
    if (!t || this.#state !== 'open' || !t.isOpen) return Promise.reject(new NotConnectedError(method));
    return this.#pending.add(method, params, timeoutMs, (id) => t.send(JSON.stringify({ jsonrpc: '2.0', id, method, params })));
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const entry = {
        timer: setTimeout(() => {
          this.#sleeps.delete(entry);
          resolve();
        }, ms),
        reject,
      };
      this.#sleeps.add(entry);
    });
  }

  // ---- incoming frames ---------------------------------------------------

  #onFrame(text: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(text) as Frame;
    } catch {
      this.emit('error', new ClientError(`The hub sent a frame that is not JSON: ${text.slice(0, 80)}`));
      return;
    }
    if (frame === null || typeof frame !== 'object') return;
    if (frame.id !== undefined && frame.id !== null && ('result' in frame || 'error' in frame)) {
      this.#onResponse(frame);
    } else if (typeof frame.method === 'string') {
      this.#onNotification(frame.method, frame.params);
    } else if (frame.error) {
      // id null: the hub could not read our request. Never happens with this client.
      this.emit('error', RpcError.from(frame.error));
    }
  }

  #onResponse(frame: Frame): void {
    // Bookkeeping runs synchronously, before any later frame (say, the first
    // live message of a just-joined group) is looked at.
    this.#pending.settle(frame.id, frame, (req, result) => this.#afterResult(req.method, req.params, result));
  }

  #afterResult(method: string, params: unknown, result: unknown): void {
    if (method === 'group.join' || method === 'direct.open') {
      const r = result as Results['group.join'];
      // A direct conversation is resumed like a room: a peer may group.join it by id.
      this.#joined.add(r.group.id);
      // A resume join's history is delivered by #flushResume, message by
      // message; moving the cursor here would make it drop them as seen.
      if (!this.#resuming.has(r.group.id)) {
        this.#seen.observeJoin(r.group.id, r.history, r.complete);
        // The application holds these states now (the join's return value):
        // a later resume below their changes' cursors does not repeat them.
        this.#known.remember(r.history);
        if (Array.isArray(r.updates)) this.#known.remember(r.updates);
      }
    } else if (method === 'group.leave' || method === 'group.delete') {
      this.#forget((params as { groupId: string }).groupId);
    }
  }

  /**
   * The group is no longer ours: no re-join after a reconnect, no cursor. A
   * resume in flight for it finishes (what it fetched came before the
   * removal) but reports nothing more.
   */
  #forget(groupId: string): void {
    this.#joined.delete(groupId);
    this.#seen.forget(groupId);
    this.#known.forget(groupId);
  }

  #onNotification(method: string, params: unknown): void {
    switch (method) {
      case 'message': {
        const m = params as Message;
        if (!m || typeof m.groupId !== 'string' || !isMessageId(m.id)) return;
        const buffer = this.#resuming.get(m.groupId);
        if (buffer) buffer.push({ kind: 'message', message: m });
        else this.#deliver(m);
        return;
      }
      case 'message.updated': {
        const u = params as MessageUpdate;
        if (!u || typeof u !== 'object' || !isMessageId(u.cursor)) return;
        const m = u.message;
        if (!m || typeof m !== 'object' || typeof m.groupId !== 'string' || !isMessageId(m.id)) return;
        const buffer = this.#resuming.get(m.groupId);
        if (buffer) buffer.push({ kind: 'update', update: u });
        else this.#deliverUpdate(u);
        return;
      }
      case 'member.joined':
        this.emit(method, params as MemberEvent);
        return;
      case 'member.left':
        this.emit(method, params as MemberLeftEvent);
        return;
      case 'conversation.removed': {
        const e = params as Notifications['conversation.removed'];
        if (!e || typeof e.groupId !== 'string') return;
        // Before the event, so a listener already sees the group gone.
        this.#forget(e.groupId);
        this.emit(method, e);
        return;
      }
      case 'typing': {
        const e = params as TypingEvent;
        if (!e || typeof e.groupId !== 'string' || typeof e.userId !== 'string') return;
        this.emit(method, e);
        return;
      }
      case 'group.updated':
      case 'member.role':
      case 'invited':
      case 'conversation.added':
      case 'read':
      case 'member.read':
        if (params === null || typeof params !== 'object') return;
        this.emit(method, params as never);
        return;
      default:
        this.emit('notification', { method, params });
    }
  }

  #deliver(m: Message): boolean {
    if (!this.#seen.accept(m)) return false;
    // Live messages are new; a resume's history shows edits and tombstones.
    this.#known.remember([m]);
    this.emit('message', m);
    return true;
  }

  /** A live change: once, past the cursor, which moves to its `cursor`. */
  #deliverUpdate(u: MessageUpdate): boolean {
    if (!this.#seen.acceptUpdate(u)) return false;
    this.#known.remember([u.message]);
    this.emit('message.updated', { message: u.message, cursor: u.cursor });
    return true;
  }

  /**
   * A change a resume's `updates` reported: no cursor of its own (see
   * {@link MessageUpdatedEvent}), so the resume cursor does not move; it is
   * remembered instead, so a second resume from the same cursor drops it.
   */
  #deliverResumedUpdate(m: Message, since: string): void {
    this.#known.remember([m]);
    this.emit('message.updated', { message: m, cursor: since, resumed: true });
  }

  // ---- connection state machine -----------------------------------------

  #open(state: 'connecting' | 'reconnecting'): void {
    this.#state = state;
    const generation = ++this.#generation;
    let opened = false;
    let transport: Transport | null = null;
    const stale = () => generation !== this.#generation;

    const start = async () => {
      let token: string | undefined;
      const t = this.#opts.token;
      token = typeof t === 'function' ? await t() : t;
      if (stale() || this.#userClosed) return;
      transport = await openTransport(
        {
          url: this.#opts.url,
          token,
          tokenIn: this.#opts.tokenIn,
          WebSocket: this.#opts.WebSocket,
          connectTimeoutMs: this.#opts.connectTimeoutMs,
          idleTimeoutMs: this.#opts.idleTimeoutMs,
        },
        {
          open: () => {
            if (stale()) return;
            opened = true;
            this.#connecting = null;
            this.#onOpen(transport!);
          },
          message: (text) => {
            if (!stale()) this.#onFrame(text);
          },
          close: (code, reason, failure) => {
            if (stale()) return;
            this.#connecting = null;
            this.#onClose(opened, code, reason, failure);
          },
        },
      );
      if (stale() || this.#userClosed) transport.terminate();
      else if (!opened) this.#connecting = transport;
    };
    start().catch((err: unknown) => {
      if (stale()) return;
      const e = err instanceof Error ? err : new ClientError(String(err));
      this.#onClose(false, 1006, '', new ConnectError(this.#opts.url, { cause: e, message: `Cannot connect: ${e.message}` }));
    });
  }

  #onOpen(t: Transport): void {
    this.#transport = t;
    this.#state = 'open';
    const reconnected = this.#everOpened;
    this.#everOpened = true;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.resolve();
    this.emit('open', { reconnected });
    const groups = [...this.#joined];
    if (!reconnected || groups.length === 0) {
      this.#backoff.reset();
      return;
    }
    // Mark every group as resuming before any join goes out, so not one live
    // message slips past the buffer.
    for (const g of groups) this.#resuming.set(g, []);
    void Promise.all(groups.map((g) => this.#resume(g))).then(() => {
      if (this.#transport === t) this.#backoff.reset();
    });
  }

  async #resume(groupId: string): Promise<void> {
    const since = this.#seen.get(groupId);
    const limit = Math.min(this.#opts.resumePageLimit, PAGE_LIMIT_MAX);
    const pages: Message[][] = [];
    /** Changed messages found by paging when the join's `updates` were cut at `limit`. */
    const overflow: Message[] = [];
    let join: Results['group.join'] | undefined;
    let complete = true;
    try {
      // Rooms and direct conversations alike: a peer may group.join a direct
      // conversation by id (even while the other blocks them, unlike direct.open).
      join = await this.request('group.join', since === undefined ? { groupId, limit } : { groupId, since, limit });
      let before = firstPageBefore(since, join);
      let fetched = join.history.length;
      while (before !== null && since !== undefined) {
        if (fetched >= this.#opts.resumeMaxMessages) {
          complete = false;
          break;
        }
        const page = await this.request('message.history', { groupId, before, limit });
        pages.unshift(page.messages);
        fetched += page.messages.length;
        before = nextPageBefore(since, page);
      }
      // More changes than one join holds: the rest are messages after the
      // last update given, up to since, as message.history shows them now.
      const range = since === undefined ? null : updatesOverflow(since, join, limit);
      if (range && since !== undefined) {
        let scanned = 0;
        let at: string | null = range.before;
        while (at !== null) {
          if (scanned >= this.#opts.resumeMaxMessages) {
            complete = false;
            break;
          }
          const page = await this.request('message.history', { groupId, before: at, limit });
          scanned += page.messages.length;
          const step = overflowPage(range, since, page);
          overflow.push(...step.changed);
          at = step.before;
        }
      }
      this.#flushResume(groupId, since, pages, join, overflow, complete);
    } catch (err) {
      const buffered = this.#resuming.get(groupId);
      this.#resuming.delete(groupId);
      // The connection is gone: the next reconnect resumes from the same
      // cursor, so nothing is delivered now (that would skip the gap).
      if (!this.#transport?.isOpen || err instanceof ConnectionClosedError || err instanceof NotConnectedError) return;
      // Removed (kicked, banned, deleted) or left while resuming: nothing to report.
      if (!this.#joined.has(groupId)) return;
      if (err instanceof RpcError && GIVE_UP_RESUME.has(err.code)) {
        // Gone, full, or we were put out while away (kicked from a private
        // room, banned): retrying on the next reconnect cannot help.
        this.#forget(groupId);
      } else if (join && buffered) {
        // Joined, but paging failed: hand out what we have and say there is a gap.
        this.#handOut(groupId, since, [join.history], buffered, [join.updates ?? [], overflow]);
      }
      this.emit('error', new ResumeError(groupId, err));
    }
  }

  #flushResume(groupId: string, since: string | undefined, pages: Message[][], join: Results['group.join'], overflow: Message[], complete: boolean): void {
    const buffered = this.#resuming.get(groupId) ?? [];
    this.#resuming.delete(groupId);
    const stillOurs = this.#joined.has(groupId);
    const { missed, updated } = this.#handOut(groupId, since, [...pages, join.history], buffered, [join.updates ?? [], overflow]);
    if (!stillOurs) {
      // conversation.removed (or a leave) came in mid-resume: what came before it is out; keep no cursor.
      this.#seen.forget(groupId);
      this.#known.forget(groupId);
      return;
    }
    this.emit('resumed', { groupId, missed, complete, ...(updated > 0 ? { updated } : {}) });
  }

  /**
   * Emits what a resume found, each once: first the changes of messages at
   * or before `since` (message id order, `resumed: true`), then the missed
   * messages merged with the live messages and changes held back meanwhile,
   * in id/cursor order. Together with the live notifications after the join,
   * that is every message and change exactly once (docs/protocol.md §11).
   */
  #handOut(
    groupId: string,
    since: string | undefined,
    batches: Message[][],
    buffered: LiveEntry[],
    updates: Message[][],
  ): { missed: number; updated: number } {
    let missed = 0;
    let updated = 0;
    if (since !== undefined) {
      for (const m of pickUpdates(since, updates, (x) => this.#known.has(x))) {
        if (m.groupId !== groupId) continue;
        this.#deliverResumedUpdate(m, since);
        updated++;
      }
    }
    for (const e of mergeResume(since, batches, buffered)) {
      if (e.kind === 'message') {
        if (this.#deliver(e.message)) missed++;
      } else if (this.#deliverUpdate(e.update)) {
        updated++;
      }
    }
    return { missed, updated };
  }

  #onClose(wasOpen: boolean, code: number, reason: string, failure?: ConnectError): void {
    this.#transport = null;
    this.#resuming.clear();
    this.#pending.closeAll(code, reason);

    if (this.#userClosed) {
      this.#state = 'closed';
      if (wasOpen) this.emit('close', { code, reason, willReconnect: false });
      this.#settleClosed(new ClientError('The client was closed.'));
      return;
    }

    const fatal = code === CloseCode.PolicyViolation || (failure?.fatal ?? false);
    const rc = this.#opts.reconnect;
    const mayRetry = rc !== false && !fatal && (this.#everOpened || this.#retryInitial);
    const attemptsLeft = rc !== false && this.#backoff.attempt < rc.maxAttempts;

    if (mayRetry && attemptsLeft) {
      if (wasOpen) this.emit('close', { code, reason, willReconnect: true });
      const next = this.#backoff.next();
      // 1001: the instance is going away on purpose, another may take us now;
      // reconnect(): the caller wants a new connection now.
      const delayMs = (code === CloseCode.GoingAway || this.#manualDrop) && next.attempt === 1 ? 0 : next.delayMs;
      this.#manualDrop = false;
      this.#state = 'reconnecting';
      this.emit('reconnecting', { attempt: next.attempt, delayMs, ...(failure ? { error: failure } : {}) });
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = undefined;
        if (!this.#userClosed) this.#open('reconnecting');
      }, delayMs);
      return;
    }

    this.#state = 'closed';
    const error: Error =
      failure ??
      new ConnectionLostError(code, reason, code === CloseCode.PolicyViolation ? 'policy' : rc === false ? 'no-reconnect' : 'gave-up');
    // Reported once: to connect() callers as their rejection, to everyone
    // else in the final `close` event.
    if (this.#everOpened) this.emit('close', { code, reason, willReconnect: false, error });
    this.#settleClosed(error);
  }

  #settleClosed(err: Error): void {
    this.#state = 'closed';
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w.reject(err);
  }
}
