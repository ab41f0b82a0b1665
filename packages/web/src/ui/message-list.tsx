/**
 * The messages of the open conversation: day separators, author and time,
 * own messages marked, the "new messages" line, infinite scroll back
 * through history (the scroll position stays put when older messages come
 * in above), and, while the newest messages are in view and the tab is in
 * front, the read marker follows.
 *
 * Keyboard: the list is one tab stop; the arrow keys move between messages,
 * Tab then reaches the focused message's actions, Escape goes back to the
 * composer.
 */
import type { Message } from '@next-chat/core';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Chat } from '../chat.js';
import { canDeleteMessage, canEditMessage } from '../model/permissions.js';
import type { Conv } from '../model/store.js';
import { checkText } from '../model/text.js';
import { timeline, type PendingSend } from '../model/timeline.js';
import { fullTimeLabel, timeLabel } from '../model/time.js';
import { Confirm } from './dialog.js';
import { useFocusOnMount } from './hooks.js';
import { memo } from './memo.js';

const URL_RE = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g;

/** Text with its web addresses as links (never as HTML: everything else stays text). */
function Linked(props: { text: string }) {
  const parts: (string | { href: string })[] = [];
  let at = 0;
  for (const m of props.text.matchAll(URL_RE)) {
    if (m.index > at) parts.push(props.text.slice(at, m.index));
    parts.push({ href: m[0] });
    at = m.index + m[0].length;
  }
  if (at < props.text.length) parts.push(props.text.slice(at));
  return (
    <>
      {parts.map((p, i) =>
        typeof p === 'string' ? (
          p
        ) : (
          <a key={i} href={p.href} target="_blank" rel="noopener noreferrer">
            {p.href}
          </a>
        ),
      )}
    </>
  );
}

function EditBox(props: { chat: Chat; message: Message; onDone: () => void }) {
  const [text, setText] = useState(props.message.text);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const input = useFocusOnMount<HTMLTextAreaElement>({ caretAtEnd: true });
  const check = checkText(text);
  const save = async () => {
    if (!check.ok) {
      setError(check.problem ?? 'A message cannot be empty; delete it instead.');
      return;
    }
    if (text === props.message.text) return props.onDone();
    setBusy(true);
    const err = await props.chat.edit(props.message.groupId, props.message.id, text);
    setBusy(false);
    if (err) setError(err);
    else props.onDone();
  };
  return (
    <div class="edit-box">
      <label class="sr-only" for={`edit-${props.message.id}`}>
        Edit message
      </label>
      <textarea
        id={`edit-${props.message.id}`}
        ref={input}
        class="edit-input"
        value={text}
        rows={Math.min(8, text.split('\n').length + 1)}
        onInput={(e) => setText((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            props.onDone();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void save();
          }
        }}
      />
      <div class="row">
        <button type="button" class="button small primary" disabled={busy} onClick={() => void save()}>
          Save
        </button>
        <button type="button" class="button small" onClick={props.onDone}>
          Cancel
        </button>
        <span class="hint">Enter saves, Escape cancels</span>
        {check.showCount && <span class={check.left < 0 ? 'count over' : 'count'}>{check.left}</span>}
      </div>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

interface RowProps {
  chat: Chat;
  message: Message;
  mine: boolean;
  continued: boolean;
  canEdit: boolean;
  canDelete: boolean;
  current: boolean;
  editing: boolean;
  onEdit: (id: string | null) => void;
  onDelete: (m: Message) => void;
}

const MessageRow = memo(function MessageRow(p: RowProps) {
  const m = p.message;
  const deleted = m.deletedAt !== undefined;
  const who = p.mine ? 'You' : m.authorId;
  const actions = p.current ? 0 : -1;
  return (
    <li class={`msg${p.mine ? ' mine' : ''}${p.continued ? ' continued' : ''}${deleted ? ' deleted' : ''}`} data-id={m.id} tabIndex={p.current ? 0 : -1}>
      {p.continued ? (
        <span class="sr-only">
          {who}, {timeLabel(m.sentAt)}:
        </span>
      ) : (
        <div class="msg-head">
          <span class="author">{who}</span>
          <time dateTime={m.sentAt} title={fullTimeLabel(m.sentAt)}>
            {timeLabel(m.sentAt)}
          </time>
        </div>
      )}
      {p.editing ? (
        <EditBox chat={p.chat} message={m} onDone={() => p.onEdit(null)} />
      ) : (
        <div class="msg-body">
          {deleted ? <em class="muted">This message was deleted.</em> : <Linked text={m.text} />}
          {m.editedAt !== undefined && !deleted && (
            <span class="edited" title={`Edited ${fullTimeLabel(m.editedAt)}`}>
              {' '}
              (edited)
            </span>
          )}
        </div>
      )}
      {!p.editing && (p.canEdit || p.canDelete) && (
        <div class="msg-actions">
          {p.canEdit && (
            <button type="button" class="button small" tabIndex={actions} onClick={() => p.onEdit(m.id)} aria-label={`Edit message: ${m.text.slice(0, 40)}`}>
              Edit
            </button>
          )}
          {p.canDelete && (
            <button type="button" class="button small" tabIndex={actions} onClick={() => p.onDelete(m)} aria-label={`Delete message: ${m.text.slice(0, 40)}`}>
              Delete
            </button>
          )}
        </div>
      )}
    </li>
  );
});

function PendingRow(props: { chat: Chat; groupId: string; pending: PendingSend }) {
  const p = props.pending;
  return (
    <li class={`msg mine pending${p.state === 'failed' ? ' failed' : ''}`} data-client-id={p.clientMessageId}>
      <div class="msg-head">
        <span class="author">You</span>
        <span class="status">{p.state === 'sending' ? 'Sending…' : 'Not sent'}</span>
      </div>
      <div class="msg-body">{p.text}</div>
      {p.state === 'failed' && (
        <div class="pending-failed">
          <p class="error-text">{p.error}</p>
          <div class="row">
            <button type="button" class="button small primary" onClick={() => props.chat.retry(props.groupId, p.clientMessageId)}>
              Retry
            </button>
            <button type="button" class="button small" onClick={() => props.chat.discard(props.groupId, p.clientMessageId)}>
              Discard
            </button>
          </div>
        </div>
      )}
    </li>
  );
}

const NEAR_BOTTOM_PX = 48;
const NEAR_TOP_PX = 300;

export function MessageList(props: { chat: Chat; conv: Conv; editing: string | null; onEdit: (id: string | null) => void }) {
  const { chat, conv } = props;
  const me = chat.me;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const firstId = useRef<string | undefined>(undefined);
  const heightBefore = useRef(0);
  const openedFor = useRef<string | null>(null);
  const [current, setCurrent] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<Message | null>(null);
  const [jumpHidden, setJumpHidden] = useState(false);

  const rows = useMemo(
    () => timeline(conv.messages, conv.pending, { me, unreadAfter: conv.unreadAfter, atStart: conv.older === null }),
    [conv.messages, conv.pending, conv.unreadAfter, conv.older, me],
  );
  const messageIds = rows.filter((r) => r.kind === 'message').map((r) => r.key);
  const focusId = current !== null && messageIds.includes(current) ? current : messageIds[messageIds.length - 1] ?? null;

  const updateReading = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    chat.setReading(atBottom.current && document.visibilityState === 'visible' && document.hasFocus());
  };

  // Before the DOM changes: where we are, so older messages above do not move the view.
  heightBefore.current = scroller.current?.scrollHeight ?? 0;

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const first = conv.messages[0]?.id;
    const pageHere = conv.older !== undefined || !conv.loadingOlder;
    if (openedFor.current !== conv.id && pageHere) {
      // Just opened (and its first page here): at the "new messages" line when there is one, else at the newest.
      openedFor.current = conv.id;
      setJumpHidden(false);
      const line = el.querySelector('.unread-line');
      if (line) (line as HTMLElement).scrollIntoView({ block: 'center' });
      else el.scrollTop = el.scrollHeight;
    } else if (firstId.current !== undefined && first !== firstId.current && heightBefore.current > 0 && !atBottom.current) {
      // Older messages came in above: keep what was on screen where it was.
      el.scrollTop += el.scrollHeight - heightBefore.current;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    firstId.current = first;
    updateReading();
    // Not enough to scroll yet: fetch further back right away.
    if (el.scrollHeight <= el.clientHeight + NEAR_TOP_PX && conv.older !== null && !conv.loadingOlder && conv.older !== undefined) void chat.loadOlder(conv.id);
  });

  useEffect(() => {
    const h = () => updateReading();
    addEventListener('focus', h);
    addEventListener('blur', h);
    document.addEventListener('visibilitychange', h);
    return () => {
      removeEventListener('focus', h);
      removeEventListener('blur', h);
      document.removeEventListener('visibilitychange', h);
      chat.setReading(false);
    };
  }, [conv.id]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    updateReading();
    if (el.scrollTop < NEAR_TOP_PX && conv.older !== null && !conv.loadingOlder) void chat.loadOlder(conv.id);
  };

  const jump = async () => {
    const id = await chat.loadFirstUnread(conv.id);
    setJumpHidden(true);
    if (id === undefined) return;
    // After the render that brought it.
    requestAnimationFrame(() => {
      const el = scroller.current?.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"]`);
      if (!el) return;
      el.scrollIntoView({ block: 'start' });
      setCurrent(id);
      el.focus({ preventScroll: true });
    });
  };

  const onKeyDown = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement;
    if (e.key === 'Escape' && props.editing === null) {
      document.getElementById('composer')?.focus();
      return;
    }
    if (!target.classList.contains('msg')) return;
    const items = [...(scroller.current?.querySelectorAll<HTMLElement>('li.msg[data-id]') ?? [])];
    const i = items.indexOf(target);
    let j = i;
    if (e.key === 'ArrowDown') j = Math.min(items.length - 1, i + 1);
    else if (e.key === 'ArrowUp') j = Math.max(0, i - 1);
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = items.length - 1;
    else if (e.key === 'PageUp') j = Math.max(0, i - 10);
    else if (e.key === 'PageDown') j = Math.min(items.length - 1, i + 10);
    else return;
    e.preventDefault();
    const next = items[j];
    if (!next) return;
    setCurrent(next.dataset.id ?? null);
    next.focus();
    if (j === 0 && conv.older !== null) void chat.loadOlder(conv.id);
  };

  const showJump = conv.unreadAfter !== undefined && !jumpHidden && conv.unread > 0;
  const group = conv.group;

  return (
    <div class="message-area">
      {showJump && (
        <div class="jump-bar">
          <button type="button" class="button small" onClick={() => void jump()}>
            Jump to first unread
          </button>
          <span>
            {conv.unread} unread {conv.unread === 1 ? 'message' : 'messages'}
          </span>
        </div>
      )}
      <div class="scroller" ref={scroller} onScroll={onScroll} onKeyDown={onKeyDown} tabIndex={messageIds.length === 0 ? 0 : -1} aria-label={messageIds.length === 0 ? 'Messages' : undefined}>
        {conv.older === null ? (
          <p class="history-start">This is the start of the conversation.</p>
        ) : conv.loadingOlder ? (
          <p class="history-start" role="status">
            Loading earlier messages…
          </p>
        ) : null}
        <ol class="messages" aria-label="Messages" onFocusIn={(e) => {
          const li = (e.target as HTMLElement).closest<HTMLElement>('li.msg[data-id]');
          if (li?.dataset.id && li.dataset.id !== current) setCurrent(li.dataset.id);
        }}>
          {rows.map((r) => {
            if (r.kind === 'day')
              return (
                <li key={r.key} class="day">
                  <h3>{r.label}</h3>
                </li>
              );
            if (r.kind === 'unread')
              return (
                <li key={r.key} class="unread-line">
                  <span>New messages</span>
                </li>
              );
            if (r.kind === 'pending') return <PendingRow key={r.key} chat={chat} groupId={conv.id} pending={r.pending} />;
            return (
              <MessageRow
                key={r.key}
                chat={chat}
                message={r.message}
                mine={r.mine}
                continued={r.continued}
                canEdit={canEditMessage(r.message, me)}
                canDelete={canDeleteMessage(group, conv.role, r.message, me)}
                current={r.key === focusId}
                editing={props.editing === r.key}
                onEdit={props.onEdit}
                onDelete={setDeleting}
              />
            );
          })}
        </ol>
        {messageIds.length === 0 && conv.older === null && conv.pending.length === 0 && <p class="empty">No messages yet. Say hello!</p>}
      </div>
      {deleting && (
        <Confirm
          title="Delete message"
          text={`Delete “${deleting.text.length > 80 ? `${deleting.text.slice(0, 80)}…` : deleting.text}”? Everyone will see that it was deleted; this cannot be undone.`}
          action="Delete"
          danger
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            const err = await chat.remove(deleting.groupId, deleting.id);
            if (err) chat.store.notify(err);
          }}
        />
      )}
    </div>
  );
}
