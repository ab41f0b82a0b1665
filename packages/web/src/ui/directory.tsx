/**
 * The room directory: public rooms (and private ones I am in), found by the
 * beginning of their name, paged; join or open one; or create a new one.
 */
import type { Group } from '@next-chat/core';
import { GROUP_ID_RE } from '@next-chat/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Chat } from '../chat.js';
import { errorText } from '../model/errors.js';
import type { ChatState } from '../model/store.js';
import { Dialog } from './dialog.js';

const PREFIX_RE = /^[A-Za-z0-9._-]{0,64}$/;

export function Directory(props: { chat: Chat; state: ChatState; onClose: () => void; onOpen: (id: string) => void; startWith?: 'find' | 'create' }) {
  const [tab, setTab] = useState<'find' | 'create'>(props.startWith ?? 'find');
  return (
    <Dialog title={tab === 'find' ? 'Find a room' : 'Create a room'} onClose={props.onClose} wide>
      <div class="tabs" role="tablist" aria-label="Rooms">
        <button type="button" role="tab" id="tab-find" aria-controls={tab === 'find' ? 'panel-find' : undefined} aria-selected={tab === 'find'} tabIndex={tab === 'find' ? 0 : -1} onClick={() => setTab('find')} onKeyDown={(e) => e.key === 'ArrowRight' && (setTab('create'), document.getElementById('tab-create')?.focus())}>
          Find
        </button>
        <button type="button" role="tab" id="tab-create" aria-controls={tab === 'create' ? 'panel-create' : undefined} aria-selected={tab === 'create'} tabIndex={tab === 'create' ? 0 : -1} onClick={() => setTab('create')} onKeyDown={(e) => e.key === 'ArrowLeft' && (setTab('find'), document.getElementById('tab-find')?.focus())}>
          Create
        </button>
      </div>
      {tab === 'find' ? <Find {...props} /> : <Create {...props} />}
    </Dialog>
  );
}

function Find(props: { chat: Chat; state: ChatState; onClose: () => void; onOpen: (id: string) => void }) {
  const [prefix, setPrefix] = useState('');
  const [groups, setGroups] = useState<Group[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [joining, setJoining] = useState<string | null>(null);
  const seq = useRef(0);

  const search = async (p: string, after?: string) => {
    if (!PREFIX_RE.test(p)) {
      setError('Room names have only letters, digits and . _ -');
      return;
    }
    const mine = ++seq.current;
    setBusy(true);
    try {
      const r = await props.chat.rooms.listRooms(p, after);
      if (mine !== seq.current) return;
      setGroups((g) => (after === undefined ? r.groups : [...g, ...r.groups]));
      setNext(r.next);
      setError(undefined);
    } catch (err) {
      if (mine === seq.current) setError(errorText(err));
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  };

  useEffect(() => {
    const t = setTimeout(() => void search(prefix), prefix === '' ? 0 : 200);
    return () => clearTimeout(t);
  }, [prefix]);

  const join = async (id: string) => {
    setJoining(id);
    try {
      await props.chat.rooms.join(id);
      props.onOpen(id);
      props.onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setJoining(null);
    }
  };

  return (
    <div id="panel-find" role="tabpanel" aria-labelledby="tab-find" class="stack">
      <label for="room-search">Room name begins with</label>
      <input id="room-search" type="search" autocapitalize="none" spellcheck={false} value={prefix} autofocus onInput={(e) => setPrefix((e.target as HTMLInputElement).value.trim())} />
      <p class="sr-only" role="status">
        {busy ? 'Searching…' : `${groups.length}${next ? ' or more' : ''} ${groups.length === 1 ? 'room' : 'rooms'} found`}
      </p>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      <ul class="room-list">
        {groups.map((g) => {
          const inIt = props.state.conversations[g.id] !== undefined;
          return (
            <li key={g.id} class="room">
              <div class="room-main">
                <span class="room-name">
                  #{g.id}
                  {g.visibility === 'private' && <span class="tag">private</span>}
                </span>
                {g.title !== '' && <span class="room-title">{g.title}</span>}
                {g.topic !== '' && <span class="muted small">{g.topic}</span>}
                <span class="muted small">
                  {g.memberCount} {g.memberCount === 1 ? 'member' : 'members'}
                </span>
              </div>
              {inIt ? (
                <button
                  type="button"
                  class="button small"
                  aria-label={`Open #${g.id}`}
                  onClick={() => {
                    props.onOpen(g.id);
                    props.onClose();
                  }}
                >
                  Open
                </button>
              ) : (
                <button type="button" class="button small primary" aria-label={`Join #${g.id}`} disabled={joining !== null} onClick={() => void join(g.id)}>
                  {joining === g.id ? 'Joining…' : 'Join'}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {!busy && groups.length === 0 && !error && <p class="empty">{prefix === '' ? 'No rooms yet: create the first one.' : `No room begins with “${prefix}”.`}</p>}
      {next && (
        <button type="button" class="button small" disabled={busy} onClick={() => void search(prefix, next)}>
          Show more
        </button>
      )}
    </div>
  );
}

function Create(props: { chat: Chat; onClose: () => void }) {
  const [id, setId] = useState('');
  const [title, setTitle] = useState('');
  const [topic, setTopic] = useState('');
  const [visibility, setVisibility] = useState<'public' | 'private'>('public');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const name = id.trim();
    if (!GROUP_ID_RE.test(name)) {
      setError('A room name is 1 to 64 letters, digits and . _ -, starting with a letter or digit.');
      return;
    }
    if (name.startsWith('dm-')) {
      setError('Room names may not begin with “dm-”.');
      return;
    }
    setBusy(true);
    try {
      await props.chat.rooms.create(name, { visibility, title: title.trim(), topic: topic.trim() });
      props.onClose();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form id="panel-create" role="tabpanel" aria-labelledby="tab-create" class="stack" onSubmit={(e) => void submit(e)}>
      <label for="new-room-id">Name (used in its address, cannot change)</label>
      <input id="new-room-id" required maxLength={64} autocapitalize="none" spellcheck={false} value={id} autofocus onInput={(e) => setId((e.target as HTMLInputElement).value)} aria-describedby="new-room-id-hint" />
      <span id="new-room-id-hint" class="hint">
        Letters, digits and . _ - such as team-design
      </span>
      <label for="new-room-title">Title (optional)</label>
      <input id="new-room-title" maxLength={100} value={title} onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
      <label for="new-room-topic">Topic (optional)</label>
      <input id="new-room-topic" maxLength={500} value={topic} onInput={(e) => setTopic((e.target as HTMLInputElement).value)} />
      <fieldset>
        <legend>Who can find and join it</legend>
        <label class="radio">
          <input type="radio" name="new-visibility" value="public" checked={visibility === 'public'} onChange={() => setVisibility('public')} /> Public: anyone may find and join it
        </label>
        <label class="radio">
          <input type="radio" name="new-visibility" value="private" checked={visibility === 'private'} onChange={() => setVisibility('private')} /> Private: by invitation only
        </label>
      </fieldset>
      {error && (
        <p class="error-text" role="alert">
          {error}
        </p>
      )}
      <div class="row end">
        <button type="button" class="button" onClick={props.onClose}>
          Cancel
        </button>
        <button type="submit" class="button primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create room'}
        </button>
      </div>
    </form>
  );
}
