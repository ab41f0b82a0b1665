/** Pending invitations: accept (join the room) or decline. */
import { useState } from 'preact/hooks';
import type { Chat } from '../chat.js';
import { errorText } from '../model/errors.js';
import { conversationName, type ChatState } from '../model/store.js';
import { Dialog } from './dialog.js';

export function Invitations(props: { chat: Chat; state: ChatState; onClose: () => void }) {
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState<string | null>(null);
  const run = async (groupId: string, what: () => Promise<void>, close: boolean) => {
    setBusy(groupId);
    try {
      await what();
      setError(undefined);
      if (close) props.onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(null);
    }
  };
  const list = props.state.invitations;
  return (
    <Dialog title="Invitations" onClose={props.onClose}>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      {list.length === 0 ? (
        <p class="empty">No invitations right now.</p>
      ) : (
        <ul class="room-list">
          {list.map(({ invitation, group }) => (
            <li key={group.id} class="room">
              <div class="room-main">
                <span class="room-name">{conversationName(group, props.chat.me)}</span>
                <span class="muted small">
                  #{group.id} · invited by {invitation.invitedBy}
                </span>
                {group.topic !== '' && <span class="muted small">{group.topic}</span>}
              </div>
              <div class="row">
                <button type="button" class="button small primary" disabled={busy !== null} aria-label={`Accept the invitation to ${group.id}`} onClick={() => void run(group.id, () => props.chat.rooms.join(group.id), true)}>
                  Accept
                </button>
                <button type="button" class="button small" disabled={busy !== null} aria-label={`Decline the invitation to ${group.id}`} onClick={() => void run(group.id, () => props.chat.rooms.decline(group.id), false)}>
                  Decline
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
