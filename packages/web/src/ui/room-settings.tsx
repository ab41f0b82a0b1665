/** A room's title, topic and visibility (owner, admins), and deleting it (owner). */
import { useState } from 'preact/hooks';
import type { Chat } from '../chat.js';
import { errorText } from '../model/errors.js';
import { canDeleteRoom } from '../model/permissions.js';
import type { Conv } from '../model/store.js';
import { codePoints } from '../model/text.js';
import { Confirm, Dialog } from './dialog.js';

export function RoomSettings(props: { chat: Chat; conv: Conv; onClose: () => void }) {
  const g = props.conv.group;
  const [title, setTitle] = useState(g.title);
  const [topic, setTopic] = useState(g.topic);
  const [visibility, setVisibility] = useState(g.visibility);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);

  const save = async (e: Event) => {
    e.preventDefault();
    const changes: { title?: string; topic?: string; visibility?: 'public' | 'private' } = {};
    if (title !== g.title) changes.title = title;
    if (topic !== g.topic) changes.topic = topic;
    if (visibility !== g.visibility) changes.visibility = visibility;
    if (Object.keys(changes).length === 0) return props.onClose();
    setBusy(true);
    try {
      await props.chat.rooms.update(g.id, changes);
      props.onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={`Settings of #${g.id}`} onClose={props.onClose}>
      <form onSubmit={(e) => void save(e)} class="stack">
        <label for="room-title">Title</label>
        <input id="room-title" value={title} maxLength={100} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} aria-describedby="room-title-count" />
        <span id="room-title-count" class="hint">
          {codePoints(title)} / 100
        </span>
        <label for="room-topic">Topic</label>
        <textarea id="room-topic" rows={3} value={topic} maxLength={500} onInput={(e) => setTopic((e.target as HTMLTextAreaElement).value)} aria-describedby="room-topic-count" />
        <span id="room-topic-count" class="hint">
          {codePoints(topic)} / 500
        </span>
        <fieldset>
          <legend>Who can find and join it</legend>
          <label class="radio">
            <input type="radio" name="visibility" value="public" checked={visibility === 'public'} onChange={() => setVisibility('public')} /> Public: listed in the directory, anyone may join
          </label>
          <label class="radio">
            <input type="radio" name="visibility" value="private" checked={visibility === 'private'} onChange={() => setVisibility('private')} /> Private: by invitation only
          </label>
        </fieldset>
        {error && (
          <p class="error-text" role="alert">
            {error}
          </p>
        )}
        <div class="row end">
          {canDeleteRoom(g, props.conv.role) && (
            <button type="button" class="button danger push-left" onClick={() => setDeleting(true)}>
              Delete room
            </button>
          )}
          <button type="button" class="button" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="button primary" disabled={busy}>
            Save
          </button>
        </div>
      </form>
      {deleting && (
        <Confirm
          title={`Delete #${g.id}`}
          text="The room goes with all its messages, members and invitations, for everyone. This cannot be undone."
          action="Delete room"
          danger
          onClose={() => setDeleting(false)}
          onConfirm={async () => {
            try {
              await props.chat.rooms.deleteRoom(g.id);
              props.onClose();
            } catch (err) {
              setError(errorText(err));
            }
          }}
        />
      )}
    </Dialog>
  );
}
