/**
 * The open conversation: its header (name, topic, members, settings,
 * leave), the messages, who is typing, and the composer.
 */
import { useCallback, useState } from 'preact/hooks';
import type { Chat } from '../chat.js';
import { errorText } from '../model/errors.js';
import { canEditSettings, canLeave } from '../model/permissions.js';
import { conversationName, type Conv } from '../model/store.js';
import { Composer } from './composer.js';
import { Confirm } from './dialog.js';
import { MessageList } from './message-list.js';
import { RoomSettings } from './room-settings.js';
import { Avatar } from './sidebar.js';

function typingText(users: string[]): string {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return 'Several people are typing…';
}

export function ConversationView(props: { chat: Chat; conv: Conv; membersOpen: boolean; onToggleMembers: () => void; onBack: () => void }) {
  const { chat, conv } = props;
  const me = chat.me;
  const name = conversationName(conv.group, me);
  const direct = conv.group.kind === 'direct';
  const [editing, setEditing] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [settings, setSettings] = useState(false);
  const typing = Object.keys(conv.typing).sort();

  const editLast = useCallback(() => {
    const c = chat.store.get(conv.id);
    const last = c && [...c.messages].reverse().find((m) => m.authorId === me && m.deletedAt === undefined);
    if (last) setEditing(last.id);
  }, [conv.id]);

  const onEdit = useCallback((id: string | null) => {
    setEditing(id);
    if (id === null) requestAnimationFrame(() => document.getElementById('composer')?.focus());
  }, []);

  return (
    <section class="conversation" aria-labelledby="conversation-title">
      <header class="conversation-head">
        <button type="button" class="icon-button back" onClick={props.onBack} aria-label="Back to conversations">
          <span aria-hidden="true">←</span>
        </button>
        <Avatar name={name} direct={direct} />
        <div class="conversation-titles">
          <h2 id="conversation-title">
            {name}
            {conv.group.visibility === 'private' && !direct && (
              <>
                {' '}
                <span class="tag">private</span>
              </>
            )}
          </h2>
          {!direct && conv.group.title !== '' && conv.group.title !== conv.group.id && <span class="muted small">#{conv.group.id}</span>}
          {conv.group.topic !== '' && <p class="topic">{conv.group.topic}</p>}
        </div>
        <div class="head-actions">
          <button type="button" class="button small" aria-expanded={props.membersOpen} aria-controls="members-panel" onClick={props.onToggleMembers}>
            {direct ? 'Details' : `Members (${conv.group.memberCount})`}
          </button>
          {canEditSettings(conv.group, conv.role) && (
            <button type="button" class="button small" onClick={() => setSettings(true)}>
              Settings
            </button>
          )}
          {canLeave(conv.group, conv.role) && (
            <button type="button" class="button small" onClick={() => setLeaving(true)}>
              Leave
            </button>
          )}
        </div>
      </header>
      <MessageList chat={chat} conv={conv} editing={editing} onEdit={onEdit} />
      <p class="typing" aria-live="off">
        {typingText(typing)}
      </p>
      <Composer chat={chat} conv={conv} name={direct ? name : `#${conv.group.id}`} onEditLast={editLast} />
      {leaving && (
        <Confirm
          title={`Leave ${name}`}
          text={conv.group.visibility === 'private' ? 'You will need a new invitation to come back.' : 'You can join again from the room directory.'}
          action="Leave"
          onClose={() => setLeaving(false)}
          onConfirm={async () => {
            try {
              await chat.rooms.leave(conv.id);
            } catch (err) {
              chat.store.notify(errorText(err));
            }
          }}
        />
      )}
      {settings && <RoomSettings chat={chat} conv={conv} onClose={() => setSettings(false)} />}
    </section>
  );
}
