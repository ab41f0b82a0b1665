/**
 * Everything the web app shows, in one place: the conversations with their
 * messages, unread counts, sends under way, typing and members; the
 * invitations; the connection; the notices. Plain data, no DOM and no SDK:
 * chat.ts feeds it from the hub, the UI reads it and re-renders on
 * `subscribe`. A changed conversation is a new object, an unchanged one
 * stays the same object, so views can skip what did not change.
 */
import { compareMessageIds, type Conversation, type Group, type Invitation, type Member, type Message, type Role } from '@next-chat/core';
import { fresher, idTime, isAfter, mergeMessages } from './messages.js';
import type { PendingSend } from './timeline.js';

export interface MembersView {
  list: readonly Member[];
  next: string | null;
  loading: boolean;
}

export interface Conv {
  id: string;
  group: Group;
  /** My role; null for a room I am in as a plain invitee-turned-member before the hub said. */
  role: Role | null;
  unread: number;
  readUpTo: string | null;
  lastMessage: Message | null;
  /** Latest activity (ms): the newest message, else when it came into the list. */
  activity: number;
  messages: readonly Message[];
  /** `before` cursor of older history: undefined until the first page came, null once all is here. */
  older: string | null | undefined;
  loadingOlder: boolean;
  pending: readonly PendingSend[];
  /** Who is writing, until when (ms). */
  typing: Readonly<Record<string, number>>;
  /** The read marker when the conversation was opened: where the "new messages" line goes. */
  unreadAfter: string | null | undefined;
  members: MembersView | undefined;
}

export type Connection =
  | { status: 'connecting' }
  | { status: 'online' }
  | { status: 'reconnecting'; attempt: number; retryAt: number }
  | { status: 'offline' }
  | { status: 'closed'; sentence: string };

export interface Notice {
  id: number;
  text: string;
  tone: 'error' | 'info';
}

export interface InvitationEntry {
  invitation: Invitation;
  group: Group;
}

export interface ChatState {
  me: string;
  connection: Connection;
  /** After a reconnect: how many messages came in that were missed while away. */
  caughtUp: { missed: number; gap: boolean } | null;
  conversations: Readonly<Record<string, Conv>>;
  activeId: string | null;
  invitations: readonly InvitationEntry[];
  notices: readonly Notice[];
  /** The conversation list has been loaded once. */
  loaded: boolean;
  /** The person is looking at the newest messages of the active conversation (tab visible, scrolled down). */
  reading: boolean;
}

function conv(group: Group, role: Role | null, activity: number): Conv {
  return {
    id: group.id,
    group,
    role,
    unread: 0,
    readUpTo: null,
    lastMessage: null,
    activity,
    messages: [],
    older: undefined,
    loadingOlder: false,
    pending: [],
    typing: {},
    unreadAfter: undefined,
    members: undefined,
  };
}

/** The title of a conversation as a person reads it: a room's title or id, a direct conversation's other peer. */
export function conversationName(group: Group, me: string): string {
  if (group.kind === 'direct') return group.peers?.find((p) => p !== me) ?? group.peers?.[0] ?? group.id;
  return group.title !== '' ? group.title : group.id;
}

export class ChatStore {
  #state: ChatState;
  readonly #listeners = new Set<() => void>();
  #scheduled = false;
  #noticeId = 0;

  constructor(me: string) {
    this.#state = {
      me,
      connection: { status: 'connecting' },
      caughtUp: null,
      conversations: {},
      activeId: null,
      invitations: [],
      notices: [],
      loaded: false,
      reading: false,
    };
  }

  get state(): ChatState {
    return this.#state;
  }

  /** Calls `fn` after changes (batched: once per microtask). Returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #set(patch: Partial<ChatState>): void {
    this.#state = { ...this.#state, ...patch };
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      for (const fn of [...this.#listeners]) fn();
    });
  }

  #conv(id: string, f: (c: Conv) => Conv | undefined): void {
    const c = this.#state.conversations[id];
    if (!c) return;
    const next = f(c);
    if (next === undefined || next === c) return;
    this.#set({ conversations: { ...this.#state.conversations, [id]: next } });
  }

  get(id: string): Conv | undefined {
    return this.#state.conversations[id];
  }

  get active(): Conv | undefined {
    return this.#state.activeId === null ? undefined : this.#state.conversations[this.#state.activeId];
  }

  /** Latest activity first; equal activity by id (as me.conversations orders them). */
  ordered(): Conv[] {
    return Object.values(this.#state.conversations).sort((a, b) => b.activity - a.activity || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  totalUnread(): number {
    let n = 0;
    for (const c of Object.values(this.#state.conversations)) n += c.unread;
    return n;
  }

  // ---- conversations -------------------------------------------------------

  /**
   * The list from me.conversations, in its order. Conversations already
   * here keep their messages and view state; those missing from the list
   * are gone (left, removed while away).
   */
  setConversations(list: readonly Conversation[], now = Date.now()): void {
    const next: Record<string, Conv> = {};
    // The hub orders by the newest message, else by when I joined, which it
    // does not send: a conversation without messages goes just below the one
    // before it, where the hub put it.
    let before = now;
    for (const c of list) {
      const have = this.#state.conversations[c.group.id];
      const base = have ?? conv(c.group, c.role, 0);
      const fromHub = c.lastMessage ? Math.max(idTime(c.lastMessage.id), Date.parse(c.lastMessage.sentAt)) : before - 1;
      before = fromHub;
      next[c.group.id] = {
        ...base,
        group: c.group,
        role: c.role,
        unread: c.unread,
        readUpTo: c.readUpTo,
        lastMessage: c.lastMessage ? (base.lastMessage && base.lastMessage.id === c.lastMessage.id ? fresher(base.lastMessage, c.lastMessage) : c.lastMessage) : null,
        activity: Math.max(fromHub, have?.lastMessage ? have.activity : -Infinity),
        messages: c.lastMessage ? mergeMessages(base.messages, [c.lastMessage]) : base.messages,
      };
    }
    const activeId = this.#state.activeId !== null && next[this.#state.activeId] ? this.#state.activeId : null;
    this.#set({ conversations: next, loaded: true, activeId });
  }

  /** A conversation joined or opened here, or added by someone else (conversation.added). */
  addConversation(group: Group, role: Role | null, now = Date.now()): void {
    const have = this.#state.conversations[group.id];
    if (have) {
      this.#conv(group.id, (c) => ({ ...c, group, role: role ?? c.role }));
      return;
    }
    this.#set({ conversations: { ...this.#state.conversations, [group.id]: conv(group, role, now) } });
  }

  removeConversation(id: string): void {
    if (!this.#state.conversations[id]) return;
    const { [id]: _gone, ...rest } = this.#state.conversations;
    this.#set({ conversations: rest, activeId: this.#state.activeId === id ? null : this.#state.activeId });
  }

  setActive(id: string | null): void {
    if (id === this.#state.activeId) return;
    this.#set({ activeId: id, reading: false });
    // The "new messages" line stays where it was when the conversation was opened.
    if (id !== null) this.#conv(id, (c) => ({ ...c, unreadAfter: c.unread > 0 ? c.readUpTo : undefined }));
  }

  setReading(reading: boolean): void {
    if (reading !== this.#state.reading) this.#set({ reading });
  }

  groupUpdated(group: Group): void {
    this.#conv(group.id, (c) => ({ ...c, group }));
    const inv = this.#state.invitations;
    if (inv.some((e) => e.group.id === group.id)) this.#set({ invitations: inv.map((e) => (e.group.id === group.id ? { ...e, group } : e)) });
  }

  // ---- messages ------------------------------------------------------------

  /** A new message of a group (live, or delivered again after a reconnect: then nothing changes). */
  message(m: Message): void {
    this.#conv(m.groupId, (c) => {
      const messages = mergeMessages(c.messages, [m]);
      // A message's own pending send is done, however it came back (its result, or the notification first).
      const pending = m.authorId === this.#state.me && m.clientMessageId !== undefined ? c.pending.filter((p) => p.clientMessageId !== m.clientMessageId) : c.pending;
      if (messages === c.messages && pending === c.pending) return c;
      const isNew = messages !== c.messages && messages.length > c.messages.length;
      const newest = !c.lastMessage || compareMessageIds(m.id, c.lastMessage.id) >= 0;
      const mine = m.authorId === this.#state.me;
      const seen = mine || (this.#state.reading && this.#state.activeId === m.groupId);
      const { [m.authorId]: _stopped, ...typing } = c.typing;
      return {
        ...c,
        messages,
        pending,
        lastMessage: newest ? (c.lastMessage?.id === m.id ? fresher(c.lastMessage, m) : m) : c.lastMessage,
        activity: newest ? Math.max(c.activity, Date.parse(m.sentAt), idTime(m.id)) : c.activity,
        // The hub moved my marker with my own send (a `read` event confirms it).
        unread: mine && newest ? 0 : isNew && !seen && isAfter(m.id, c.readUpTo) ? c.unread + 1 : c.unread,
        readUpTo: mine && newest ? m.id : c.readUpTo,
        typing: m.authorId in c.typing ? typing : c.typing,
      };
    });
  }

  /** An edit or delete (message.updated), or a message as history shows it now. */
  updated(m: Message): void {
    this.#conv(m.groupId, (c) => {
      const messages = c.messages.some((x) => x.id === m.id) ? mergeMessages(c.messages, [m]) : c.messages;
      const lastMessage = c.lastMessage?.id === m.id ? fresher(c.lastMessage, m) : c.lastMessage;
      return messages === c.messages && lastMessage === c.lastMessage ? c : { ...c, messages, lastMessage };
    });
  }

  /** A page of message.history: the newest one (`older` unset yet), or one further back. */
  historyPage(id: string, messages: readonly Message[], next: string | null, kind: 'latest' | 'older'): void {
    this.#conv(id, (c) => {
      let have = c.messages;
      // The first page of a conversation: what is here from before it (the
      // list's last message) may lie before a stretch this page does not
      // cover. Paging back brings it again, in its place.
      if (kind === 'latest' && c.older === undefined && messages.length > 0) have = have.filter((m) => compareMessageIds(m.id, messages[0].id) >= 0);
      return {
        ...c,
        messages: mergeMessages(have, messages),
        older: kind === 'older' || c.older === undefined ? next : c.older,
        loadingOlder: false,
      };
    });
  }

  loadingOlder(id: string, loading: boolean): void {
    this.#conv(id, (c) => (c.loadingOlder === loading ? c : { ...c, loadingOlder: loading }));
  }

  /** My marker moved (message.read's result, or the `read` event from any of my connections). */
  read(id: string, readUpTo: string | null, unread: number): void {
    this.#conv(id, (c) => {
      // Markers only move forward; an older answer arriving late changes nothing.
      if (readUpTo !== null && c.readUpTo !== null && compareMessageIds(readUpTo, c.readUpTo) < 0) return c;
      if (c.readUpTo === readUpTo && c.unread === unread) return c;
      return { ...c, readUpTo, unread };
    });
  }

  // ---- sending -------------------------------------------------------------

  sendStarted(id: string, p: PendingSend): void {
    this.#conv(id, (c) => ({ ...c, pending: [...c.pending.filter((x) => x.clientMessageId !== p.clientMessageId), p] }));
  }

  sendFailed(id: string, clientMessageId: string, error: string): void {
    this.#conv(id, (c) => ({
      ...c,
      pending: c.pending.map((p) => (p.clientMessageId === clientMessageId ? { ...p, state: 'failed' as const, error } : p)),
    }));
  }

  /** Drops a send the person gave up on. */
  sendDiscarded(id: string, clientMessageId: string): void {
    this.#conv(id, (c) => ({ ...c, pending: c.pending.filter((p) => p.clientMessageId !== clientMessageId) }));
  }

  // ---- typing ---------------------------------------------------------------

  typing(id: string, userId: string, until: number): void {
    if (userId === this.#state.me) return;
    this.#conv(id, (c) => ({ ...c, typing: { ...c.typing, [userId]: until } }));
  }

  /** Forgets typing signals that ran out; returns the soonest time one still running ends. */
  expireTyping(now: number): number | undefined {
    let soonest: number | undefined;
    for (const c of Object.values(this.#state.conversations)) {
      const entries = Object.entries(c.typing);
      if (entries.length === 0) continue;
      const live = entries.filter(([, until]) => until > now);
      for (const [, until] of live) soonest = soonest === undefined ? until : Math.min(soonest, until);
      if (live.length !== entries.length) this.#conv(c.id, (x) => ({ ...x, typing: Object.fromEntries(live) }));
    }
    return soonest;
  }

  // ---- members --------------------------------------------------------------

  membersLoading(id: string): void {
    this.#conv(id, (c) => ({ ...c, members: { list: c.members?.list ?? [], next: c.members?.next ?? null, loading: true } }));
  }

  /** A page of group.members: the first (replacing the list) or a further one. */
  membersPage(id: string, members: readonly Member[], next: string | null, first: boolean): void {
    this.#conv(id, (c) => {
      const list = first ? [...members] : [...(c.members?.list ?? []), ...members.filter((m) => !c.members?.list.some((x) => x.userId === m.userId))];
      return { ...c, members: { list, next, loading: false } };
    });
  }

  memberJoined(id: string, userId: string, at: string): void {
    this.#conv(id, (c) => {
      const list = c.members?.list;
      const members =
        list && !list.some((m) => m.userId === userId)
          ? { ...c.members!, list: [...list, { userId, joinedAt: at, online: true, role: 'member' as const, readUpTo: null }].sort((a, b) => (a.userId < b.userId ? -1 : 1)) }
          : c.members;
      // My own join is counted in the group its result brought already.
      const counted = userId === this.#state.me || list?.some((m) => m.userId === userId) === true;
      return { ...c, members, group: counted ? c.group : { ...c.group, memberCount: c.group.memberCount + 1 } };
    });
  }

  memberLeft(id: string, userId: string): void {
    this.#conv(id, (c) => {
      const list = c.members?.list;
      const known = list === undefined || list.some((m) => m.userId === userId);
      const members = list ? { ...c.members!, list: list.filter((m) => m.userId !== userId) } : c.members;
      return { ...c, members, group: known ? { ...c.group, memberCount: Math.max(0, c.group.memberCount - 1) } : c.group };
    });
  }

  memberRole(id: string, userId: string, role: Role): void {
    this.#conv(id, (c) => {
      const members = c.members ? { ...c.members, list: c.members.list.map((m) => (m.userId === userId ? { ...m, role } : m)) } : c.members;
      const group = role === 'owner' ? { ...c.group, ownerId: userId } : c.group;
      return { ...c, members, group, role: userId === this.#state.me ? role : c.role };
    });
  }

  // ---- invitations ------------------------------------------------------------

  setInvitations(list: readonly InvitationEntry[]): void {
    this.#set({ invitations: [...list] });
  }

  addInvitation(e: InvitationEntry): void {
    const rest = this.#state.invitations.filter((x) => x.group.id !== e.group.id);
    this.#set({ invitations: [e, ...rest] });
  }

  removeInvitation(groupId: string): void {
    if (this.#state.invitations.some((x) => x.group.id === groupId)) this.#set({ invitations: this.#state.invitations.filter((x) => x.group.id !== groupId) });
  }

  // ---- connection and notices -----------------------------------------------------

  setConnection(connection: Connection): void {
    this.#set({ connection });
  }

  setCaughtUp(caughtUp: ChatState['caughtUp']): void {
    this.#set({ caughtUp });
  }

  /** Shows a sentence; returns its id (for dismiss). Errors stay until dismissed or replaced, the rest go by themselves (the UI's timer). */
  notify(text: string, tone: Notice['tone'] = 'error'): number {
    const id = ++this.#noticeId;
    // The same sentence twice in a row is one notice.
    const rest = this.#state.notices.filter((n) => n.text !== text).slice(-3);
    this.#set({ notices: [...rest, { id, text, tone }] });
    return id;
  }

  dismiss(id: number): void {
    if (this.#state.notices.some((n) => n.id === id)) this.#set({ notices: this.#state.notices.filter((n) => n.id !== id) });
  }
}
