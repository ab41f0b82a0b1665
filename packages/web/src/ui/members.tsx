/**
 * Who is in the conversation: presence (in words, not colour alone) and
 * roles; a direct conversation from any member; and, only where the hub
 * allows it, inviting, role changes, kicks and bans.
 */
import type { Member, Role } from '@next-chat/core';
import { useEffect, useState } from 'preact/hooks';
import type { Chat } from '../chat.js';
import { errorText } from '../model/errors.js';
import { canInvite, canRemove, canSetRole } from '../model/permissions.js';
import type { Conv } from '../model/store.js';
import { Confirm } from './dialog.js';

const ROLE_TEXT: Record<Role, string> = { owner: 'Owner', admin: 'Admin', member: 'Member' };
/** Presence is not pushed: the list is read again while the panel stays open. */
const REFRESH_MS = 30_000;

type Pending = { kind: 'kick' | 'ban'; userId: string } | null;

function MemberRow(props: { chat: Chat; conv: Conv; member: Member; onAsk: (p: Pending) => void }) {
  const { chat, conv, member } = props;
  const me = chat.me;
  const [open, setOpen] = useState(false);
  const isMe = member.userId === me;
  const removable = canRemove(conv.group, conv.role, member, me);
  const roles = canSetRole(conv.group, conv.role, member.userId, me);
  const run = async (what: () => Promise<unknown>) => {
    try {
      await what();
    } catch (err) {
      chat.store.notify(errorText(err));
    }
  };
  const menuId = `member-actions-${member.userId}`;
  return (
    <li class="member">
      <div class="member-line">
        <span class={member.online ? 'presence online' : 'presence'} aria-hidden="true" />
        <span class="member-name">
          {member.userId}
          {isMe && <span class="muted"> (you)</span>}
        </span>
        <span class="sr-only">{member.online ? ', online' : ', offline'}</span>
        {member.role !== 'member' && <span class="tag">{ROLE_TEXT[member.role]}</span>}
        {!isMe && (
          <button type="button" class="icon-button" aria-expanded={open} aria-controls={menuId} aria-label={`Actions for ${member.userId}`} onClick={() => setOpen(!open)}>
            <span aria-hidden="true">⋯</span>
          </button>
        )}
      </div>
      {open && !isMe && (
        <div class="member-actions" id={menuId}>
          {conv.group.kind === 'room' && (
            <button type="button" class="button small" onClick={() => void run(() => chat.rooms.openDirect(member.userId))}>
              Message
            </button>
          )}
          {roles && member.role === 'member' && (
            <button type="button" class="button small" onClick={() => void run(() => chat.rooms.setRole(conv.id, member.userId, 'admin'))}>
              Make admin
            </button>
          )}
          {roles && member.role === 'admin' && (
            <button type="button" class="button small" onClick={() => void run(() => chat.rooms.setRole(conv.id, member.userId, 'member'))}>
              Remove admin
            </button>
          )}
          {roles && (
            <button type="button" class="button small" onClick={() => void run(() => chat.rooms.setRole(conv.id, member.userId, 'owner'))}>
              Make owner
            </button>
          )}
          {removable && (
            <button type="button" class="button small" onClick={() => props.onAsk({ kind: 'kick', userId: member.userId })}>
              Remove
            </button>
          )}
          {removable && (
            <button type="button" class="button small danger" onClick={() => props.onAsk({ kind: 'ban', userId: member.userId })}>
              Ban
            </button>
          )}
        </div>
      )}
    </li>
  );
}

export function MembersPanel(props: { chat: Chat; conv: Conv; onClose: () => void }) {
  const { chat, conv } = props;
  const [invitee, setInvitee] = useState('');
  const [inviteNote, setInviteNote] = useState<{ text: string; error: boolean } | undefined>(undefined);
  const [asking, setAsking] = useState<Pending>(null);

  useEffect(() => {
    void chat.rooms.loadMembers(conv.id);
    const t = setInterval(() => void chat.rooms.loadMembers(conv.id), REFRESH_MS);
    return () => clearInterval(t);
  }, [conv.id]);

  const invite = async (e: Event) => {
    e.preventDefault();
    const who = invitee.trim();
    if (who === '') return;
    try {
      const inv = await chat.rooms.invite(conv.id, who);
      setInviteNote({ text: inv === null ? `${who} is a member already.` : `${who} is invited.`, error: false });
      setInvitee('');
    } catch (err) {
      setInviteNote({ text: errorText(err), error: true });
    }
  };

  const members = conv.members?.list ?? [];
  const online = members.filter((m) => m.online).length;
  return (
    <aside class="members" id="members-panel" aria-labelledby="members-title">
      <header class="panel-head">
        <h2 id="members-title">{conv.group.kind === 'direct' ? 'Details' : 'Members'}</h2>
        <button type="button" class="icon-button" aria-label="Close members" onClick={props.onClose}>
          <span aria-hidden="true">×</span>
        </button>
      </header>
      {canInvite(conv.group, conv.role) && (
        <form class="invite" onSubmit={(e) => void invite(e)}>
          <label for="invitee">Invite someone</label>
          <div class="row">
            <input id="invitee" placeholder="user id" autocapitalize="none" spellcheck={false} value={invitee} onInput={(e) => setInvitee((e.target as HTMLInputElement).value)} />
            <button type="submit" class="button small primary">
              Invite
            </button>
          </div>
          {inviteNote && (
            <p class={inviteNote.error ? 'error-text' : 'hint'} role="status">
              {inviteNote.text}
            </p>
          )}
        </form>
      )}
      <p class="muted small">
        {conv.group.memberCount} {conv.group.memberCount === 1 ? 'member' : 'members'}
        {members.length > 0 && `, ${online} online`}
      </p>
      <ul class="member-list" aria-busy={conv.members?.loading ? 'true' : undefined}>
        {members.map((m) => (
          <MemberRow key={m.userId} chat={chat} conv={conv} member={m} onAsk={setAsking} />
        ))}
      </ul>
      {conv.members?.next && (
        <button type="button" class="button small" onClick={() => void chat.rooms.loadMembers(conv.id, true)}>
          Show more
        </button>
      )}
      {asking && (
        <Confirm
          title={asking.kind === 'kick' ? `Remove ${asking.userId}` : `Ban ${asking.userId}`}
          text={
            asking.kind === 'kick'
              ? `${asking.userId} leaves the room now, and may join again${conv.group.visibility === 'private' ? ' with a new invitation' : ''}.`
              : `${asking.userId} leaves the room now and cannot join again until the ban is lifted.`
          }
          action={asking.kind === 'kick' ? 'Remove' : 'Ban'}
          danger
          onClose={() => setAsking(null)}
          onConfirm={async () => {
            try {
              if (asking.kind === 'kick') await chat.rooms.kick(conv.id, asking.userId);
              else await chat.rooms.ban(conv.id, asking.userId);
            } catch (err) {
              chat.store.notify(errorText(err));
            }
          }}
        />
      )}
    </aside>
  );
}
