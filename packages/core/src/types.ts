/** Wire objects of docs/protocol.md §3 and §8 (protocol 1.1). Times are ISO-8601 UTC with milliseconds. */

export interface Message {
  id: string;
  groupId: string;
  authorId: string;
  text: string;
  sentAt: string;
  clientMessageId?: string;
  /** Set by message.edit: when the text was last changed. */
  editedAt?: string;
  /** Set by message.delete: `text` is then "" (the message keeps its id and place). */
  deletedAt?: string;
}

/** An edit or delete, as subscribers receive it: the message as it is now, at `cursor` in the group's id space. */
export interface MessageUpdate {
  message: Message;
  cursor: string;
}

export type GroupKind = 'room' | 'direct';
export type Visibility = 'public' | 'private';
export type Role = 'owner' | 'admin' | 'member';

export interface Group {
  id: string;
  kind: GroupKind;
  visibility: Visibility;
  title: string;
  topic: string;
  createdBy: string;
  createdAt: string;
  /** The room's owner; null for a direct conversation. */
  ownerId: string | null;
  memberCount: number;
  capacity: number;
  /** Direct conversations only: the two user ids, sorted. */
  peers?: [string, string];
}

export interface Member {
  userId: string;
  joinedAt: string;
  online: boolean;
  role: Role;
  /** The newest message this member has read, or null. */
  readUpTo: string | null;
}

export interface MemberEvent {
  groupId: string;
  userId: string;
  at: string;
}

export type LeaveReason = 'left' | 'kicked' | 'banned';

/** member.left of protocol 1.1: why, and who did it (the user themself for `left`). */
export interface MemberLeftEvent extends MemberEvent {
  reason: LeaveReason;
  by: string;
}

export interface Invitation {
  groupId: string;
  userId: string;
  invitedBy: string;
  at: string;
}

export interface Ban {
  groupId: string;
  userId: string;
  by: string;
  at: string;
  /** When the ban ends; null: until group.unban. */
  until: string | null;
  reason: string;
}

export interface MemberRoleEvent {
  groupId: string;
  userId: string;
  role: Role;
  by: string;
  at: string;
}

export type RemovedReason = 'kicked' | 'banned' | 'deleted';

/** Someone is writing in a group: a live signal, never stored or replayed. */
export interface TypingEvent {
  groupId: string;
  userId: string;
  at: string;
}

/** A user's read marker moved (message.read, or their own send). */
export interface ReadEvent {
  groupId: string;
  readUpTo: string;
  unread: number;
}

export interface MemberReadEvent {
  groupId: string;
  userId: string;
  readUpTo: string;
  at: string;
}

/** One entry of me.conversations: a room or direct conversation the user is a member of. */
export interface Conversation {
  group: Group;
  role: Role;
  readUpTo: string | null;
  unread: number;
  lastMessage: Message | null;
}
