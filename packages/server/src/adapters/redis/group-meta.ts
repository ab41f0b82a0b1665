/**
 * A group's meta hash (keys.ts) as a wire Group. The scripts name the same
 * fields in their replies (`<group>` in their headers), so one function reads
 * both. Groups from before protocol 1.1 lack the newer fields: they read as
 * public rooms owned by their creator, without a capacity of their own (0).
 */
import type { Group, Role } from '@next-chat/core';

export const META_FIELDS = ['createdBy', 'createdAt', 'kind', 'visibility', 'title', 'topic', 'ownerId', 'capacity', 'peers'] as const;
export type MetaField = (typeof META_FIELDS)[number];

/** Null when the group does not exist (no createdBy). Empty strings stand for absent fields, as the scripts reply them. */
export function groupFromMeta(id: string, m: Partial<Record<MetaField, string | null | undefined>>, memberCount: number): Group | null {
  if (!m.createdBy) return null;
  const direct = m.kind === 'direct';
  const g: Group = {
    id,
    kind: direct ? 'direct' : 'room',
    visibility: direct || m.visibility === 'private' ? 'private' : 'public',
    title: m.title ?? '',
    topic: m.topic ?? '',
    createdBy: m.createdBy,
    createdAt: m.createdAt ?? new Date(0).toISOString(),
    ownerId: direct ? null : m.ownerId || m.createdBy,
    memberCount,
    capacity: Number(m.capacity || (direct ? 2 : 0)),
  };
  if (direct) {
    const [x = '', y = ''] = (m.peers ?? '').split(',');
    g.peers = [x, y];
  }
  return g;
}

/** The user's role as the meta hash and the admins set say it: their member role, `owner` for the owner even before joining, or null. */
export function roleIn(group: Group, userId: string, member: boolean, admin: boolean): Role | null {
  if (group.kind === 'direct') return member ? 'member' : null;
  if (group.ownerId === userId) return 'owner';
  return member ? (admin ? 'admin' : 'member') : null;
}
