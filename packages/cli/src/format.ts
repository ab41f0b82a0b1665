/**
 * How things look on the console: colours only on a TTY and never with
 * NO_COLOR (https://no-color.org), times in local HH:MM:SS, and text from the
 * network stripped of control characters so a message cannot drive the
 * terminal.
 */
import type {
  Ban,
  Conversation,
  Group,
  Invitation,
  Member,
  MemberEvent,
  MemberLeftEvent,
  MemberRoleEvent,
  Message,
  Notifications,
  Role,
  TypingEvent,
} from '@next-chat/client';
import { formatDuration } from './duration.js';

export interface Style {
  readonly color: boolean;
  dim(s: string): string;
  bold(s: string): string;
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  /** A stable colour per user id, so a conversation is easy to follow. */
  user(id: string): string;
}

const sgr = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const USER_COLOURS = [31, 32, 33, 34, 35, 36, 91, 92, 93, 94, 95, 96];

export function makeStyle(color: boolean): Style {
  if (!color) {
    const id = (s: string) => s;
    return { color, dim: id, bold: id, red: id, green: id, yellow: id, cyan: id, user: id };
  }
  return {
    color,
    dim: sgr(2, 22),
    bold: sgr(1, 22),
    red: sgr(31, 39),
    green: sgr(32, 39),
    yellow: sgr(33, 39),
    cyan: sgr(36, 39),
    user: (id) => {
      let h = 0;
      for (const ch of id) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
      return sgr(USER_COLOURS[h % USER_COLOURS.length], 39)(id);
    },
  };
}

/**
 * Colour or not: an explicit --color/--no-color wins; otherwise only when the
 * stream is a TTY and NO_COLOR is unset or empty.
 */
export function shouldColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv, flag?: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

/** Replaces control characters (ESC, BEL, CR, ...) with visible placeholders. */
export function clean(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) =>
    c === '\r' ? '' : `^${String.fromCharCode((c.charCodeAt(0) + 64) & 0x7f)}`,
  );
}

export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--:--';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A date and time that reads the same anywhere: `2026-11-22 10:10 UTC` (bans, invitations, creation). */
export function formatWhen(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * How a group is named on screen: `#lobby`, or `@bob` for the direct
 * conversation with bob when the caller knows who the peer is.
 */
export function groupLabel(groupId: string, peer?: string): string {
  return peer === undefined ? `#${groupId}` : `@${peer}`;
}

/**
 * `10:00:01 #lobby alice: hello`; continuation lines of a multi-line text are
 * indented. `where` replaces `#group` (e.g. `@bob`). An edited message ends
 * with `(edited)`; a deleted one shows `(deleted)` and no text.
 */
export function formatMessage(m: Message, st: Style, where = `#${m.groupId}`): string {
  const head = `${st.dim(formatTime(m.sentAt))} ${st.cyan(clean(where))} ${st.user(m.authorId)}: `;
  if (m.deletedAt !== undefined) return head + st.dim('(deleted)');
  return head + indented(m.text, visibleLength(head)) + (m.editedAt !== undefined ? ` ${st.dim('(edited)')}` : '');
}

function indented(text: string, width: number): string {
  return clean(text).split('\n').join(`\n${' '.repeat(width)}`);
}

/** A history line: the message's short id (padded to `width`), then the message. */
export function formatHistoryLine(m: Message, shortId: string, width: number, st: Style, where?: string): string {
  const head = `${st.dim(shortId.padStart(width))} `;
  const line = formatMessage(m, st, where);
  // Continuation lines stay under the text, past the short id.
  return head + line.split('\n').join(`\n${' '.repeat(visibleLength(head))}`);
}

/**
 * A `message.updated`: `10:05:00 #lobby bob edited 4617: the new text`, or
 * `10:06:00 #lobby * message 4617 deleted (bob, sent 10:00:01)`. `shortId`:
 * the message's short id when it was shown in this session.
 */
export function formatUpdate(m: Message, st: Style, where = `#${m.groupId}`, shortId?: string): string {
  const ref = shortId === undefined ? '' : ` ${shortId}`;
  if (m.deletedAt !== undefined) {
    return st.dim(`${formatTime(m.deletedAt)} ${clean(where)} * message${ref} deleted (${m.authorId}, sent ${formatTime(m.sentAt)})`);
  }
  const head = `${st.dim(formatTime(m.editedAt ?? m.sentAt))} ${st.cyan(clean(where))} ${st.user(m.authorId)} edited${st.dim(ref)}: `;
  return head + indented(m.text, visibleLength(head));
}

/** Most characters of a last message shown in `conversations`. */
const PREVIEW_MAX = 60;

/** One line of text, at most PREVIEW_MAX characters: `(deleted)` for a tombstone. */
export function preview(m: Pick<Message, 'text' | 'deletedAt'>): string {
  if (m.deletedAt !== undefined) return '(deleted)';
  const flat = clean(m.text.replace(/\s+/g, ' ').trim());
  const chars = [...flat];
  return chars.length > PREVIEW_MAX ? `${chars.slice(0, PREVIEW_MAX - 1).join('')}…` : flat;
}

/**
 * A line of `conversations`: `#design “Design team”  3 unread — 10:00:01 bob: see the mockups?`.
 * `where` names it (`@bob` for a direct conversation); `me` is written "you".
 */
export function formatConversation(c: Conversation, st: Style, where: string, me?: string): string {
  const title = c.group.kind !== 'direct' && c.group.title ? ` “${clean(c.group.title)}”` : '';
  const count = c.unread > 0 ? st.yellow(`${c.unread} unread`) : st.dim('all read');
  const m = c.lastMessage;
  const last = m ? ` — ${st.dim(formatTime(m.sentAt))} ${m.authorId === me ? 'you' : st.user(m.authorId)}: ${preview(m)}` : st.dim(' — no messages yet');
  return `${st.cyan(clean(where))}${title}  ${count}${last}`;
}

/** `10:00:01 #lobby * bob joined`; a 1.1 `member.left` says why: `carol was kicked by alice`. */
export function formatMemberEvent(kind: 'joined' | 'left', e: MemberEvent | MemberLeftEvent, st: Style, where = `#${e.groupId}`): string {
  let what: string = kind;
  if (kind === 'left' && 'reason' in e && (e.reason === 'kicked' || e.reason === 'banned')) {
    what = `was ${e.reason}${typeof e.by === 'string' && e.by !== e.userId ? ` by ${e.by}` : ''}`;
  }
  return st.dim(`${formatTime(e.at)} ${clean(where)} * ${e.userId} ${what}`);
}

const ROLE_NOUN: Record<Role, string> = { owner: 'the owner', admin: 'an admin', member: 'a member' };
export const roleNoun = (r: Role): string => ROLE_NOUN[r] ?? r;

/** `10:00:01 #g * alice made bob an admin`; `me` is written "you". */
export function formatRoleEvent(e: MemberRoleEvent, st: Style, me?: string, where = `#${e.groupId}`): string {
  const who = e.userId === me ? 'you' : e.userId;
  const sentence =
    e.by === e.userId
      ? `${who} ${who === 'you' ? 'are' : 'is'} now ${roleNoun(e.role)}`
      : `${e.by === me ? 'you' : e.by} made ${who} ${roleNoun(e.role)}`;
  return st.dim(`${formatTime(e.at)} ${clean(where)} * ${sentence}`);
}

function roomName(g: Pick<Group, 'id' | 'title' | 'visibility'>, st: Style): string {
  const title = g.title ? ` “${clean(g.title)}”` : '';
  return `${st.cyan(`#${g.id}`)}${title}${g.visibility === 'private' ? ' (private)' : ''}`;
}

/** `10:00:01 * bob invited you to #design (private) — join design` */
export function formatInvited(e: Notifications['invited'], st: Style): string {
  const g = e.group ?? { id: e.invitation.groupId, title: '', visibility: 'private' as const };
  return `${st.dim(formatTime(e.invitation.at))} ${st.yellow('*')} ${st.user(e.invitation.invitedBy)} invited you to ${roomName(g, st)} — join ${g.id}`;
}

/** `* bob opened a direct conversation with you — dm bob`, or for a room `* bob added you to #x — join x`. */
export function formatAdded(e: Notifications['conversation.added'], st: Style, now = new Date().toISOString()): string {
  const head = `${st.dim(formatTime(now))} ${st.yellow('*')} ${st.user(e.by)}`;
  if (e.group.kind === 'direct') return `${head} opened a direct conversation with you — dm ${e.by}`;
  return `${head} added you to ${roomName(e.group, st)} — join ${e.group.id}`;
}

/** `* you were removed from #x: kicked by alice` (banned, deleted alike). */
export function formatRemoved(e: Notifications['conversation.removed'], st: Style, where = `#${e.groupId}`, now = new Date().toISOString()): string {
  const why = e.reason === 'deleted' ? `it was deleted by ${e.by}` : `${e.reason} by ${e.by}`;
  return `${st.dim(formatTime(now))} ${st.yellow('*')} you were removed from ${st.cyan(clean(where))}: ${why}`;
}

/**
 * `bob is typing…` for the group in use; for another group it is named
 * first, as in a message: `#design bob is typing…`, `@bob bob is typing…`.
 */
export function formatTyping(e: TypingEvent, st: Style, where?: string): string {
  const who = `${clean(e.userId)} is typing…`;
  return st.dim(where === undefined ? who : `${clean(where)} ${who}`);
}

/** A group's settings in one phrase: `private, “Design team”, topic “UI”, up to 50 members`. */
export function describeSettings(g: Pick<Group, 'visibility' | 'title' | 'topic' | 'capacity'>): string {
  const parts: string[] = [g.visibility ?? 'public'];
  if (g.title) parts.push(`title “${clean(g.title)}”`);
  if (g.topic) parts.push(`topic “${clean(g.topic)}”`);
  if (typeof g.capacity === 'number') parts.push(`up to ${g.capacity} members`);
  return parts.join(', ');
}

/** `* #design settings now: private, title “Design”, up to 50 members` */
export function formatGroupUpdated(e: Notifications['group.updated'], st: Style, where = `#${e.group.id}`, now = new Date().toISOString()): string {
  return st.dim(`${formatTime(now)} ${clean(where)} * settings now: ${describeSettings(e.group)}`);
}

export function formatGroup(g: Group, st: Style): string {
  const n = `${g.memberCount} member${g.memberCount === 1 ? '' : 's'}`;
  const title = g.title ? ` “${clean(g.title)}”` : '';
  const priv = g.visibility === 'private' ? ', private' : '';
  return `${st.cyan(`#${g.id}`)}${title}  ${st.dim(`${n}${priv}, created by ${g.createdBy}`)}`;
}

/** The lines of `info`: what `group.get` says, and what the caller may do next. */
export function formatGroupInfo(g: Group, role: Role | null, st: Style, peer?: string): string[] {
  if (g.kind === 'direct') {
    const peers = g.peers ? g.peers.join(' and ') : `${g.memberCount} members`;
    return [
      `${st.cyan(groupLabel(g.id, peer))} direct conversation (${g.id})`,
      `  between ${peers}, since ${formatWhen(g.createdAt)}`,
    ];
  }
  const title = g.title ? ` “${clean(g.title)}”` : '';
  const lines = [`${st.cyan(`#${g.id}`)}${title} ${st.dim(g.visibility === 'private' ? 'private room' : 'public room')}`];
  if (g.topic) lines.push(`  topic: ${clean(g.topic)}`);
  const owner = g.ownerId ? `owner ${g.ownerId}` : 'no owner';
  lines.push(`  ${g.memberCount} of ${g.capacity} members; ${owner}; created by ${g.createdBy} on ${formatWhen(g.createdAt)}`);
  if (role) lines.push(`  your role: ${role}`);
  else if (g.visibility === 'private') lines.push(`  you are invited: join ${g.id}, or decline ${g.id}`);
  else lines.push(`  you are not a member; join it with: join ${g.id}`);
  return lines;
}

export function formatMember(m: Member, st: Style): string {
  const notes = [...(m.role && m.role !== 'member' ? [m.role] : []), ...(m.online ? [] : ['offline'])];
  return `${m.online ? st.green('●') : st.dim('○')} ${st.user(m.userId)}${notes.length > 0 ? st.dim(` (${notes.join(', ')})`) : ''}`;
}

/** `#design “Design” (private), invited by bob at 10:00:00 — join design, or decline design` */
export function formatInvitation(i: { invitation: Invitation; group: Group }, st: Style): string {
  return `${roomName(i.group, st)}, invited by ${st.user(i.invitation.invitedBy)} ${st.dim(`on ${formatWhen(i.invitation.at)}`)} — join ${i.group.id}, or decline ${i.group.id}`;
}

/** When a ban ends, in words: `until 2026-11-22 10:10 UTC` or `until unbanned`. */
export function banEnd(until: string | null): string {
  return until === null ? 'until unbanned' : `until ${formatWhen(until)}`;
}

/** `carol  banned by alice until 2026-11-22 10:10 UTC: spam` */
export function formatBan(b: Ban, st: Style): string {
  return `${st.user(b.userId)}  ${st.dim(`banned by ${b.by} on ${formatWhen(b.at)}`)} ${banEnd(b.until)}${b.reason ? `: ${clean(b.reason)}` : ''}`;
}

/** `for 10m, until 2026-11-22 10:10 UTC`, or `until unbanned`. */
export function banLength(durationSec: number | undefined, until: string | null): string {
  return durationSec === undefined || until === null ? banEnd(until) : `for ${formatDuration(durationSec)}, ${banEnd(until)}`;
}

/** Length without SGR escapes. */
export function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
