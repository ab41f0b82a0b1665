/**
 * The conversation list: rooms and direct conversations, latest activity
 * first, unread ones bold with a count. One tab stop; the arrow keys move
 * between conversations (a roving tabindex), Enter opens one.
 */
import { useRef } from 'preact/hooks';
import type { Chat } from '../chat.js';
import { conversationName, type Conv } from '../model/store.js';
import { dayKey, timeLabel } from '../model/time.js';

function preview(c: Conv, me: string): string {
  const m = c.lastMessage;
  if (!m) return c.group.kind === 'direct' ? 'No messages yet' : c.group.topic || 'No messages yet';
  const who = m.authorId === me ? 'You' : m.authorId;
  const text = m.deletedAt !== undefined ? 'message deleted' : m.text.replace(/\s+/g, ' ');
  return c.group.kind === 'direct' && m.authorId !== me ? text : `${who}: ${text}`;
}

function when(c: Conv): string {
  const at = c.lastMessage?.sentAt;
  if (!at) return '';
  return dayKey(at) === dayKey(Date.now()) ? timeLabel(at) : new Date(at).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });
}

export function Avatar(props: { name: string; direct?: boolean }) {
  // A colour from the name: the same person always looks the same.
  let h = 0;
  for (const ch of props.name) h = (h * 31 + ch.codePointAt(0)!) % 360;
  return (
    <span class={props.direct ? 'avatar round' : 'avatar'} data-hue={Math.floor(h / 30)} aria-hidden="true">
      {props.direct ? ([...props.name][0] ?? '?').toUpperCase() : '#'}
    </span>
  );
}

export function ConversationList(props: { chat: Chat; list: Conv[]; activeId: string | null; onOpen: (id: string) => void }) {
  const ul = useRef<HTMLUListElement>(null);
  const me = props.chat.me;
  const focusable = props.activeId !== null && props.list.some((c) => c.id === props.activeId) ? props.activeId : props.list[0]?.id;

  const move = (e: KeyboardEvent) => {
    const buttons = [...(ul.current?.querySelectorAll<HTMLButtonElement>('button.conv') ?? [])];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    let j = i;
    if (e.key === 'ArrowDown') j = Math.min(buttons.length - 1, i + 1);
    else if (e.key === 'ArrowUp') j = Math.max(0, i - 1);
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = buttons.length - 1;
    else return;
    e.preventDefault();
    buttons[i].tabIndex = -1;
    buttons[j].tabIndex = 0;
    buttons[j].focus();
  };

  if (props.list.length === 0) {
    return <p class="empty">No conversations yet. Find a room to join, or create one.</p>;
  }
  return (
    <ul class="conversations" ref={ul} onKeyDown={move} aria-label="Conversations">
      {props.list.map((c) => {
        const name = conversationName(c.group, me);
        const direct = c.group.kind === 'direct';
        return (
          <li key={c.id}>
            <button
              type="button"
              class={`conv${c.unread > 0 ? ' unread' : ''}`}
              aria-current={c.id === props.activeId ? 'page' : undefined}
              data-id={c.id}
              tabIndex={c.id === focusable ? 0 : -1}
              onClick={() => props.onOpen(c.id)}
            >
              <Avatar name={name} direct={direct} />
              <span class="conv-main">
                <span class="conv-top">
                  <span class="conv-name">
                    {!direct && <span class="sr-only">Room </span>}
                    {name}
                    {c.unread > 0 && <span class="sr-only">, {c.unread} unread</span>}
                  </span>
                  <span class="conv-time">{when(c)}</span>
                </span>
                <span class="conv-bottom">
                  <span class="conv-preview">{preview(c, me)}</span>
                  {c.unread > 0 && (
                    <span class="badge" aria-hidden="true">
                      {c.unread > 99 ? '99+' : c.unread}
                    </span>
                  )}
                </span>
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
