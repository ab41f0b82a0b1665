/**
 * The web app's one connection to the hub: the SDK's NextChatClient, as it
 * runs in Node (native WebSocket, token in `access_token`, reconnect with
 * backoff, gap-free resume), wired to the store. Every notification of the
 * hub lands in the store; the UI's actions are methods here (messages,
 * reading, the open conversation) and in `rooms` (rooms.ts); tokens are
 * kept fresh by tokens.ts.
 *
 * Subscriptions: every conversation in the list is joined on this
 * connection (limit 1: no history, but a resume cursor), so its messages
 * arrive live for unread badges, and the SDK re-joins them all after a
 * reconnect with `since`, delivering what was missed exactly once.
 */
import { ConnectError, ConnectionClosedError, NextChatClient, NotConnectedError, RequestTimeoutError, type Message } from '@next-chat/client';
import { ErrorCode, RpcError, type Conversation } from '@next-chat/core';
import type { WebConfig } from './config.js';
import { errorText } from './model/errors.js';
import { firstUnread, isAfter } from './model/messages.js';
import { ChatStore, conversationName } from './model/store.js';
import { Rooms } from './rooms.js';
import { SignInError, type Session } from './session.js';
import { TokenKeeper } from './tokens.js';

/** How long a typing signal is shown (the SDK re-sends it every 1.5 s while someone writes). */
const TYPING_SHOWN_MS = 4_000;
const PAGE = 50;

export type SignOutReason = { sentence?: string };

/** A failure that the next connection may cure: the send is tried again after a reconnect. */
function isConnectionFailure(err: unknown): boolean {
  return err instanceof NotConnectedError || err instanceof ConnectionClosedError || err instanceof RequestTimeoutError || (err instanceof RpcError && (err.code === ErrorCode.Unavailable || err.code === ErrorCode.RateLimited));
}

function newClientMessageId(): string {
  return typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

type Unsub = () => void;

export class Chat {
  readonly store: ChatStore;
  readonly client: NextChatClient;
  /** Rooms, invitations, members and moderation (rooms.ts). */
  readonly rooms: Rooms;
  readonly #tokens: TokenKeeper;
  readonly #config: WebConfig;
  readonly #onSignOut: (r: SignOutReason) => void;
  readonly #unsubs: Unsub[] = [];
  #typingTimer: ReturnType<typeof setTimeout> | undefined;
  #readTimer: ReturnType<typeof setTimeout> | undefined;
  /** The newest id sent in message.read, per group: not sent twice. */
  readonly #marked = new Map<string, string>();
  /** Failed sends waiting for the connection: tried again on `open`. */
  readonly #retryOnOpen = new Set<string>();
  /** After a reconnect: groups still resuming, and what they brought. */
  #catchUp: { waiting: Set<string>; missed: number; gap: boolean; timer: ReturnType<typeof setTimeout> } | undefined;
  #closed = false;
  /** The next reconnect is a token refresh, not a lost connection. */
  #quiet = false;

  constructor(session: Session, config: WebConfig, onSignOut: (r: SignOutReason) => void) {
    this.#config = config;
    this.#onSignOut = onSignOut;
    this.store = new ChatStore(session.userId);
    this.#tokens = new TokenKeeper(session, config, {
      renewed: () => {
        // A reconnect of our own making: no banner unless it brought something.
        this.#quiet = true;
        this.client.reconnect();
      },
      expired: (sentence) => this.signOut(sentence),
    });
    this.client = new NextChatClient({
      url: config.hubUrl,
      // Asked before every (re)connect.
      token: () => this.#tokens.current(),
      tokenIn: 'query',
    });
    this.rooms = new Rooms(this.client, this.store, session.userId, () => this.#ready(), (id) => this.open(id));
    this.#wire();
  }

  get me(): string {
    return this.#tokens.session.userId;
  }

  // ---- start and stop ------------------------------------------------------

  /** Connects and loads the conversation list. Rejects with a SignInError when the hub refuses the identity. */
  async start(): Promise<void> {
    this.#tokens.arm();
    try {
      await this.client.connect();
    } catch (err) {
      if (this.#closed) return;
      if (err instanceof ConnectError && (await this.#hubIsUp())) {
        // The hub answers HTTP but refused the WebSocket: the identity (a browser is not told the status).
        throw new SignInError(
          this.#config.authMode === 'jwt'
            ? 'The hub did not accept this token: it may have expired, or be meant for another hub. Sign in again.'
            : 'The hub refused the connection: that user id may have too many windows open.',
        );
      }
      if (err instanceof SignInError) throw err;
      // Not reachable: show the app, and keep trying.
      this.store.setConnection({ status: 'reconnecting', attempt: 1, retryAt: Date.now() });
      void this.client.connect({ retry: true }).then(() => this.#loadAll(), (e: unknown) => this.#fatal(e));
      return;
    }
    await this.#loadAll();
  }

  async #hubIsUp(): Promise<boolean> {
    try {
      return (await fetch('/healthz', { cache: 'no-store' })).ok;
    } catch {
      return false;
    }
  }

  /** Closes the connection for good (signing out, or leaving the page). */
  async stop(): Promise<void> {
    this.#closed = true;
    for (const u of this.#unsubs) u();
    this.#tokens.stop();
    clearTimeout(this.#typingTimer);
    clearTimeout(this.#readTimer);
    if (this.#catchUp) clearTimeout(this.#catchUp.timer);
    await this.client.close();
  }

  signOut(sentence?: string): void {
    void this.stop();
    this.#onSignOut(sentence === undefined ? {} : { sentence });
  }

  /** The connection is closed for good: an expired token (renewed if it can be), or a sentence and a Reconnect button. */
  #fatal(err: unknown): void {
    if (this.#closed) return;
    if (this.#tokens.expired && !this.#tokens.renewable) {
      this.signOut('Your session has expired; sign in again to go on.');
      return;
    }
    if (this.#tokens.expired) {
      this.#tokens.renew().then(
        () => void this.client.connect({ retry: true }).catch((e: unknown) => this.#fatal(e)),
        (e: unknown) => this.signOut(`Your session has expired and could not be renewed: ${errorText(e)}`),
      );
      return;
    }
    this.store.setConnection({ status: 'closed', sentence: errorText(err) });
  }

  /**
   * Waits out a reconnect of our own making (a token renewal): an action the
   * person takes in that moment goes out on the new connection instead of
   * failing. Any other state answers at once (a lost connection is the
   * banner's business, and sends have their own retry).
   */
  async #ready(): Promise<void> {
    if (this.client.state === 'open' || !this.#quiet) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        off();
        clearTimeout(timer);
        resolve();
      };
      const off = this.client.on('open', done);
      const timer = setTimeout(done, 10_000);
    });
  }

  /** Reconnects after the hub closed the connection for good (1008, or reconnecting gave up). */
  reconnectNow(): void {
    if (this.client.state === 'open') this.client.reconnect();
    else void this.client.connect({ retry: true }).catch((e: unknown) => this.#fatal(e));
  }

  // ---- notifications --------------------------------------------------------

  #wire(): void {
    const c = this.client;
    const s = this.store;
    const on = this.#unsubs.push.bind(this.#unsubs);
    on(
      c.on('open', ({ reconnected }) => {
        s.setConnection(navigator.onLine === false ? { status: 'offline' } : { status: 'online' });
        if (reconnected) this.#afterReconnect();
      }),
    );
    on(
      c.on('close', ({ willReconnect, error }) => {
        if (willReconnect) s.setConnection({ status: 'reconnecting', attempt: 1, retryAt: Date.now() });
        else if (!this.#closed) this.#fatal(error ?? new Error('The connection closed.'));
      }),
    );
    on(c.on('reconnecting', ({ attempt, delayMs }) => s.setConnection({ status: 'reconnecting', attempt, retryAt: Date.now() + delayMs })));
    on(
      c.on('resumed', ({ groupId, missed, complete }) => {
        const cu = this.#catchUp;
        if (!cu) return;
        cu.missed += missed;
        cu.gap ||= !complete;
        cu.waiting.delete(groupId);
        if (cu.waiting.size === 0) this.#caughtUp();
      }),
    );
    on(
      c.on('error', (err) => {
        if (this.#catchUp && 'groupId' in err && typeof err.groupId === 'string') {
          this.#catchUp.waiting.delete(err.groupId);
          if (this.#catchUp.waiting.size === 0) this.#caughtUp();
        }
        s.notify(errorText(err));
      }),
    );
    on(c.on('message', (m) => this.#onMessage(m)));
    // Edits and deletes, live and (resumed: true) those made while the connection was down.
    on(c.on('message.updated', ({ message }) => s.updated(message)));
    on(c.on('member.joined', (e) => s.memberJoined(e.groupId, e.userId, e.at)));
    on(c.on('member.left', (e) => s.memberLeft(e.groupId, e.userId)));
    on(c.on('member.role', (e) => s.memberRole(e.groupId, e.userId, e.role)));
    on(c.on('group.updated', ({ group }) => s.groupUpdated(group)));
    on(c.on('read', (e) => s.read(e.groupId, e.readUpTo, e.unread)));
    on(
      c.on('typing', (e) => {
        s.typing(e.groupId, e.userId, Date.now() + TYPING_SHOWN_MS);
        this.#scheduleTypingExpiry();
      }),
    );
    on(
      c.on('invited', (e) => {
        s.addInvitation(e);
        s.notify(`${e.invitation.invitedBy} invited you to ${conversationName(e.group, this.me)}.`, 'info');
      }),
    );
    on(
      c.on('conversation.added', ({ group, by }) => {
        s.addConversation(group, 'member');
        void this.#subscribe(group.id);
        s.notify(`${by} started a conversation with you.`, 'info');
      }),
    );
    on(
      c.on('conversation.removed', ({ groupId, reason, by }) => {
        const name = s.get(groupId) ? conversationName(s.get(groupId)!.group, this.me) : groupId;
        s.removeConversation(groupId);
        if (by === this.me && reason === 'deleted') return;
        s.notify(
          reason === 'deleted' ? `${by} deleted the room ${name}.` : reason === 'banned' ? `${by} banned you from ${name}.` : `${by} removed you from ${name}.`,
          'info',
        );
      }),
    );
    on(s.subscribe(() => this.#maybeMarkRead()));
    const online = () => {
      s.setConnection(c.state === 'open' ? { status: 'online' } : { status: 'reconnecting', attempt: 1, retryAt: Date.now() });
      // After a network change a socket that looks open may be dead: a new one resumes everything.
      if (c.state === 'open') c.reconnect();
    };
    const offline = () => s.setConnection({ status: 'offline' });
    addEventListener('online', online);
    addEventListener('offline', offline);
    on(() => removeEventListener('online', online));
    on(() => removeEventListener('offline', offline));
  }

  #onMessage(m: Message): void {
    const s = this.store;
    if (!s.get(m.groupId)) return;
    s.message(m);
  }

  #scheduleTypingExpiry(): void {
    clearTimeout(this.#typingTimer);
    const next = this.store.expireTyping(Date.now());
    if (next !== undefined) this.#typingTimer = setTimeout(() => this.#scheduleTypingExpiry(), Math.max(50, next - Date.now()));
  }

  #afterReconnect(): void {
    const waiting = new Set(this.client.joinedGroups);
    if (this.#catchUp) clearTimeout(this.#catchUp.timer);
    // A group that never reports (an old hub, a resume that hangs) must not hold the banner forever.
    this.#catchUp = { waiting, missed: 0, gap: false, timer: setTimeout(() => this.#caughtUp(), 15_000) };
    if (waiting.size === 0) this.#caughtUp();
    // Conversations and invitations that came or went while away (their live signals are not replayed).
    void this.#loadConversations().catch((err: unknown) => this.store.notify(errorText(err)));
    void this.#loadInvitations().catch(() => undefined);
  }

  #caughtUp(): void {
    const cu = this.#catchUp;
    if (!cu) return;
    clearTimeout(cu.timer);
    this.#catchUp = undefined;
    if (!(this.#quiet && cu.missed === 0 && !cu.gap)) this.store.setCaughtUp({ missed: cu.missed, gap: cu.gap });
    this.#quiet = false;
    // What failed while away goes out now, after what others sent meanwhile (same clientMessageId: never twice).
    const retries = [...this.#retryOnOpen];
    this.#retryOnOpen.clear();
    for (const id of retries) {
      const [groupId, cmid] = id.split('\n') as [string, string];
      this.retry(groupId, cmid);
    }
  }

  // ---- loading ----------------------------------------------------------------

  async #loadAll(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([
      this.#loadConversations().catch((err: unknown) => this.store.notify(errorText(err))),
      this.#loadInvitations().catch((err: unknown) => this.store.notify(errorText(err))),
    ]);
  }

  async #loadConversations(): Promise<void> {
    const all: Conversation[] = [];
    let after: string | undefined;
    // Paged through to the end (a connection follows at most NEXT_CHAT_MAX_GROUPS_PER_CONNECTION groups).
    for (let page = 0; page < 50; page++) {
      const r = await this.client.conversations(after === undefined ? { limit: 200 } : { after, limit: 200 });
      all.push(...r.conversations);
      if (r.next === null) break;
      after = r.next;
    }
    this.store.setConversations(all);
    const joined = new Set(this.client.joinedGroups);
    const toJoin = all.map((c) => c.group.id).filter((id) => !joined.has(id));
    // A few at a time: the connection's rate limit is shared with everything else.
    const queue = [...toJoin];
    await Promise.all(
      Array.from({ length: Math.min(6, queue.length) }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) await this.#subscribe(id);
      }),
    );
  }

  async #loadInvitations(): Promise<void> {
    const r = await this.client.invitations({ limit: 200 });
    this.store.setInvitations(r.invitations);
  }

  /** Subscribes this connection to a conversation already in the list (no history: the view pages it). */
  async #subscribe(groupId: string): Promise<void> {
    try {
      const r = await this.client.join(groupId, { limit: 1 });
      // The newest message: known already, or one that came between the list and this join (unread, then).
      for (const m of r.history) this.store.message(m);
    } catch (err) {
      if (err instanceof RpcError && (err.code === ErrorCode.NotAMember || err.code === ErrorCode.GroupNotFound)) this.store.removeConversation(groupId);
      else this.store.notify(errorText(err));
    }
  }

  // ---- the active conversation --------------------------------------------------

  /** Opens a conversation: its newest page of history, unless already here. */
  open(groupId: string | null): void {
    this.store.setActive(groupId);
    if (groupId === null) return;
    const c = this.store.get(groupId);
    if (c && c.older === undefined) void this.#loadLatest(groupId);
  }

  async #loadLatest(groupId: string): Promise<void> {
    await this.#ready();
    this.store.loadingOlder(groupId, true);
    try {
      const r = await this.client.history(groupId, { limit: PAGE });
      this.store.historyPage(groupId, r.messages, r.next, 'latest');
    } catch (err) {
      this.store.loadingOlder(groupId, false);
      this.store.notify(errorText(err));
    }
  }

  /** The page before the oldest message here (infinite scroll). Resolves false when there is nothing more. */
  async loadOlder(groupId: string): Promise<boolean> {
    const c = this.store.get(groupId);
    if (!c || c.loadingOlder) return false;
    if (c.older === undefined) {
      await this.#loadLatest(groupId);
      return true;
    }
    if (c.older === null) return false;
    this.store.loadingOlder(groupId, true);
    try {
      const r = await this.client.history(groupId, { before: c.older, limit: PAGE });
      this.store.historyPage(groupId, r.messages, r.next, 'older');
      return r.next !== null;
    } catch (err) {
      this.store.loadingOlder(groupId, false);
      this.store.notify(errorText(err));
      return false;
    }
  }

  /** Pages back until the first unread message is here; resolves with its id. */
  async loadFirstUnread(groupId: string): Promise<string | undefined> {
    for (let i = 0; i < 40; i++) {
      const c = this.store.get(groupId);
      if (!c) return undefined;
      const marker = c.unreadAfter === undefined ? c.readUpTo : c.unreadAfter;
      const first = firstUnread(c.messages, marker);
      // Here when the message before it is here too (or history starts there).
      if (first && (c.messages[0] !== first || c.older === null || (marker !== null && c.messages[0].id === marker))) return first.id;
      if (!first && c.older === null) return undefined;
      if (!(await this.loadOlder(groupId)) && this.store.get(groupId)?.older === null) {
        const again = this.store.get(groupId);
        return again ? firstUnread(again.messages, marker)?.id : undefined;
      }
    }
    return undefined;
  }

  /** The UI says whether the person sees the newest messages of the active conversation. */
  setReading(reading: boolean): void {
    this.store.setReading(reading);
    this.#maybeMarkRead();
  }

  #maybeMarkRead(): void {
    const s = this.store.state;
    if (!s.reading || s.activeId === null || this.client.state !== 'open') return;
    const c = s.conversations[s.activeId];
    const newest = c?.messages[c.messages.length - 1];
    if (!c || !newest || !isAfter(newest.id, c.readUpTo)) return;
    if (this.#marked.get(c.id) === newest.id) return;
    clearTimeout(this.#readTimer);
    this.#readTimer = setTimeout(() => {
      this.#marked.set(c.id, newest.id);
      this.client.markRead(c.id, newest.id).then(
        (r) => this.store.read(c.id, r.readUpTo, r.unread),
        () => this.#marked.delete(c.id),
      );
    }, 150);
  }

  // ---- sending and changing messages ---------------------------------------------

  /** Sends a message: shown at once as under way, retried with the same clientMessageId. */
  send(groupId: string, text: string): void {
    const p = { clientMessageId: newClientMessageId(), text, state: 'sending' as const };
    this.store.sendStarted(groupId, p);
    void this.#attempt(groupId, p.clientMessageId, text);
  }

  retry(groupId: string, clientMessageId: string): void {
    const p = this.store.get(groupId)?.pending.find((x) => x.clientMessageId === clientMessageId);
    if (!p) return;
    this.store.sendStarted(groupId, { ...p, state: 'sending', error: undefined });
    void this.#attempt(groupId, clientMessageId, p.text);
  }

  discard(groupId: string, clientMessageId: string): void {
    this.#retryOnOpen.delete(`${groupId}\n${clientMessageId}`);
    this.store.sendDiscarded(groupId, clientMessageId);
  }

  async #attempt(groupId: string, clientMessageId: string, text: string): Promise<void> {
    await this.#ready();
    try {
      const m = await this.client.send(groupId, text, { clientMessageId });
      this.store.message(m);
      // The send's result may come after the notification; either one ends the pending send.
      this.store.sendDiscarded(groupId, clientMessageId);
    } catch (err) {
      const connection = isConnectionFailure(err);
      this.store.sendFailed(groupId, clientMessageId, connection ? 'Not sent yet: it goes out when the connection is back.' : errorText(err));
      if (connection) this.#retryOnOpen.add(`${groupId}\n${clientMessageId}`);
      if (connection && this.client.state === 'open') {
        // Connected, but refused for now (rate, unavailable): try again shortly.
        setTimeout(() => {
          if (this.#retryOnOpen.delete(`${groupId}\n${clientMessageId}`)) this.retry(groupId, clientMessageId);
        }, err instanceof RpcError && typeof err.data.retryAfterMs === 'number' ? err.data.retryAfterMs : 2000);
      }
    }
  }

  /** Resolves with an error sentence, or undefined when it worked. */
  async edit(groupId: string, messageId: string, text: string): Promise<string | undefined> {
    await this.#ready();
    try {
      this.store.updated(await this.client.editMessage(groupId, messageId, text));
      return undefined;
    } catch (err) {
      return errorText(err);
    }
  }

  async remove(groupId: string, messageId: string): Promise<string | undefined> {
    await this.#ready();
    try {
      this.store.updated(await this.client.deleteMessage(groupId, messageId));
      return undefined;
    } catch (err) {
      return errorText(err);
    }
  }

  typing(groupId: string): void {
    void this.client.typing(groupId);
  }
}
