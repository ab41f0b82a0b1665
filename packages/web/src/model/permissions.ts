/**
 * Who may do what (docs/protocol.md §9-§11), so the UI offers an action only
 * where the hub would allow it. The hub decides; these only keep buttons
 * that would be refused out of sight.
 */
import type { Group, Message, Role } from '@next-chat/core';

const isRoom = (g: Group) => g.kind === 'room';
const staff = (r: Role | null) => r === 'owner' || r === 'admin';

/** Private rooms: the owner and admins; public rooms: any member. */
export function canInvite(g: Group, me: Role | null): boolean {
  if (!isRoom(g)) return false;
  return g.visibility === 'private' ? staff(me) : me !== null;
}

/** Kick or ban `target`: the owner anyone but themself; an admin plain members only. */
export function canRemove(g: Group, me: Role | null, target: { userId: string; role: Role }, myId: string): boolean {
  if (!isRoom(g) || target.userId === myId) return false;
  if (me === 'owner') return true;
  return me === 'admin' && target.role === 'member';
}

/** Change a member's role: the owner, on anyone but themself. */
export function canSetRole(g: Group, me: Role | null, targetId: string, myId: string): boolean {
  return isRoom(g) && me === 'owner' && targetId !== myId;
}

export function canEditSettings(g: Group, me: Role | null): boolean {
  return isRoom(g) && staff(me);
}

export function canDeleteRoom(g: Group, me: Role | null): boolean {
  return isRoom(g) && me === 'owner';
}

/** A direct conversation cannot be left; the owner may leave only as the last member. */
export function canLeave(g: Group, me: Role | null): boolean {
  if (!isRoom(g)) return false;
  return me !== 'owner' || g.memberCount <= 1;
}

export function canEditMessage(m: Message, myId: string): boolean {
  return m.authorId === myId && m.deletedAt === undefined;
}

/** The author, or in a room its owner or an admin. */
export function canDeleteMessage(g: Group, me: Role | null, m: Message, myId: string): boolean {
  if (m.deletedAt !== undefined) return false;
  return m.authorId === myId || (isRoom(g) && staff(me));
}
