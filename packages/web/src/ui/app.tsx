/**
 * The app: sign-in, or the chat screen (conversation list, open
 * conversation, members) with the connection banner, the notices and a
 * live region that reads out new messages. Below 720 px wide one column
 * shows at a time.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Chat, type SignOutReason } from '../chat.js';
import type { WebConfig } from '../config.js';
import { conversationName, type ChatState, type Notice } from '../model/store.js';
import { clearSession, saveSession, type Session } from '../session.js';
import { Banner } from './banner.js';
import { ConversationView } from './conversation.js';
import { Directory } from './directory.js';
import { useStore } from './hooks.js';
import { Invitations } from './invitations.js';
import { MembersPanel } from './members.js';
import { ConversationList } from './sidebar.js';
import { SignIn } from './sign-in.js';

export interface Boot {
  config: WebConfig;
  session: Session | undefined;
  /** Why sign-in shows (an expired link, a refused token). */
  notice: string | undefined;
}

export function App(props: { boot: Boot }) {
  const { config } = props.boot;
  const [chat, setChat] = useState<Chat | null>(null);
  const [notice, setNotice] = useState(props.boot.notice);
  const [resuming, setResuming] = useState(props.boot.session !== undefined);

  const signedOut = (r: SignOutReason) => {
    clearSession();
    setChat(null);
    setNotice(r.sentence);
    document.title = 'Next Chat';
  };

  const begin = async (s: Session) => {
    const c = new Chat(s, config, signedOut);
    try {
      await c.start();
    } catch (err) {
      await c.stop();
      throw err;
    }
    saveSession(s);
    setNotice(undefined);
    setChat(c);
  };

  // A session of this tab from before a reload: straight back in.
  useEffect(() => {
    const s = props.boot.session;
    if (!s) return;
    begin(s)
      .catch((err: unknown) => {
        clearSession();
        setNotice(err instanceof Error ? err.message : String(err));
      })
      .finally(() => setResuming(false));
  }, []);

  if (chat) return <ChatScreen chat={chat} />;
  if (resuming) {
    return (
      <main class="sign-in" aria-busy="true">
        <p class="muted" role="status">
          Connecting…
        </p>
      </main>
    );
  }
  return <SignIn config={config} notice={notice} onSession={begin} />;
}

function Notices(props: { chat: Chat; notices: readonly Notice[] }) {
  useEffect(() => {
    const timers = props.notices.filter((n) => n.tone === 'info').map((n) => setTimeout(() => props.chat.store.dismiss(n.id), 6000));
    return () => timers.forEach(clearTimeout);
  }, [props.notices]);
  const errors = props.notices.filter((n) => n.tone === 'error');
  const infos = props.notices.filter((n) => n.tone === 'info');
  const item = (n: Notice) => (
    <li key={n.id} class={`notice ${n.tone}`}>
      <span>{n.text}</span>
      <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => props.chat.store.dismiss(n.id)}>
        <span aria-hidden="true">×</span>
      </button>
    </li>
  );
  return (
    <div class="notices">
      <div role="alert">
        <ul aria-label="Errors">{errors.map(item)}</ul>
      </div>
      <div role="status">
        <ul aria-label="Notifications">{infos.map(item)}</ul>
      </div>
    </div>
  );
}

/** Reads out the newest message of others in the open conversation. */
function useAnnouncement(state: ChatState): string {
  const last = useRef<string | undefined>(undefined);
  const [text, setText] = useState('');
  const active = state.activeId === null ? undefined : state.conversations[state.activeId];
  const newest = active?.messages[active.messages.length - 1];
  useEffect(() => {
    if (!active || !newest) return;
    const key = `${active.id}/${newest.id}`;
    if (last.current === undefined || !last.current.startsWith(`${active.id}/`)) {
      // Opening a conversation reads nothing out: only what arrives while it is open.
      last.current = key;
      return;
    }
    if (key === last.current) return;
    last.current = key;
    if (newest.authorId !== state.me && newest.deletedAt === undefined) setText(`${newest.authorId}: ${newest.text}`);
  }, [active?.id, newest?.id]);
  return text;
}

type Dialogs = 'find' | 'create' | 'invitations' | null;

function ChatScreen(props: { chat: Chat }) {
  const { chat } = props;
  const state = useStore(chat.store);
  const [dialog, setDialog] = useState<Dialogs>(null);
  const [membersOpen, setMembersOpen] = useState(false);
  const list = useMemo(() => chat.store.ordered(), [state.conversations]);
  const total = useMemo(() => chat.store.totalUnread(), [state.conversations]);
  const active = state.activeId === null ? undefined : state.conversations[state.activeId];
  const announcement = useAnnouncement(state);

  useEffect(() => {
    const name = active ? conversationName(active.group, chat.me) : undefined;
    document.title = `${total > 0 ? `(${total}) ` : ''}${name ? `${name} · ` : ''}Next Chat`;
  }, [total, active?.id, active?.group]);

  useEffect(() => () => void chat.stop(), [chat]);

  const open = (id: string) => {
    chat.open(id);
    requestAnimationFrame(() => document.getElementById('composer')?.focus());
  };
  const back = () => {
    const id = state.activeId;
    chat.open(null);
    setMembersOpen(false);
    // Back on the list: at the conversation that was open.
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`button.conv[data-id="${CSS.escape(id ?? '')}"]`)?.focus());
  };

  return (
    <div class={`layout${active ? ' has-active' : ''}${membersOpen && active ? ' members-open' : ''}`}>
      <a
        class="skip-link"
        href="#composer"
        onClick={(e) => {
          e.preventDefault();
          (document.getElementById('composer') ?? document.querySelector<HTMLElement>('button.conv'))?.focus();
        }}
      >
        Skip to the message box
      </a>
      <nav class="sidebar" aria-label="Conversations and rooms">
        <header class="sidebar-head">
          <h1 class="brand">
            <span class="logo" aria-hidden="true" />
            Next Chat
          </h1>
          <div class="me">
            <span class="sr-only">Signed in as </span>
            <span class="me-name">{chat.me}</span>
            <button type="button" class="button small" onClick={() => chat.signOut()}>
              Sign out
            </button>
          </div>
        </header>
        <div class="sidebar-actions">
          <button type="button" class="button" onClick={() => setDialog('find')}>
            Find rooms
          </button>
          <button type="button" class="button" onClick={() => setDialog('create')}>
            New room
          </button>
          <button type="button" class="button" onClick={() => setDialog('invitations')}>
            Invitations{state.invitations.length > 0 && <span class="badge">{state.invitations.length}</span>}
            {state.invitations.length > 0 && <span class="sr-only"> ({state.invitations.length} pending)</span>}
          </button>
        </div>
        <h2 class="section-title" id="conversations-title">
          Conversations
          {total > 0 && <span class="muted small"> · {total} unread</span>}
        </h2>
        {state.loaded ? (
          <ConversationList chat={chat} list={list} activeId={state.activeId} onOpen={open} />
        ) : (
          <p class="muted" role="status">
            Loading conversations…
          </p>
        )}
      </nav>
      <main class="main" aria-label={active ? undefined : 'Chat'}>
        <Banner chat={chat} state={state} />
        {active ? (
          <ConversationView chat={chat} conv={active} membersOpen={membersOpen} onToggleMembers={() => setMembersOpen(!membersOpen)} onBack={back} />
        ) : (
          <div class="welcome">
            <h2>Welcome, {chat.me}</h2>
            <p>Pick a conversation, find a room to join, or create one.</p>
          </div>
        )}
      </main>
      {active && membersOpen && <MembersPanel chat={chat} conv={active} onClose={() => setMembersOpen(false)} />}
      <Notices chat={chat} notices={state.notices} />
      <div id="announcer" class="sr-only" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {(dialog === 'find' || dialog === 'create') && <Directory chat={chat} state={state} startWith={dialog} onClose={() => setDialog(null)} onOpen={open} />}
      {dialog === 'invitations' && <Invitations chat={chat} state={state} onClose={() => setDialog(null)} />}
    </div>
  );
}
