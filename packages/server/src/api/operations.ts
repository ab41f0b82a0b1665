/**
 * Every route of the HTTP API (docs/api.md), each on the operator's side of
 * the hub (hub/operator.ts). Inputs are built from the protocol's own
 * schemas (paramsSchemas of @next-chat/core), so an id, a text or a page
 * limit is checked by the same rule and refused in the same words as over
 * the WebSocket.
 */
import { z } from 'zod';
import { paramsSchemas as P } from '@next-chat/core';
import type { Operator } from '../hub/operator.js';
import { httpErrors } from './http-errors.js';
import { route, type Route } from './route.js';

const groupId = P['group.get'].shape.groupId;
const roomId = P['group.create'].shape.groupId;
const userId = P['group.invite'].shape.userId;
const role = P['group.setRole'].shape.role;
const messageId = P['message.read'].shape.messageId;
const page = { after: P['group.bans'].shape.after, limit: P['group.bans'].shape.limit };

const inGroup = z.object({ groupId });
const ofMember = z.object({ groupId, userId });
const ofMessage = z.object({ groupId, messageId });
const ofUser = z.object({ userId });

/** Initial members of a room created through the API, besides its owner. */
const MAX_INITIAL_MEMBERS = 1000;

export function operations(op: Operator): Route[] {
  return [
    route({
      method: 'GET',
      path: '/status',
      id: 'getStatus',
      tag: 'cluster',
      summary: "This hub, every live hub of the deployment, and whether Redis and MySQL answer",
      result: '{instance, instances, backends, webhooks}',
      handle: async () => ({ body: await op.status() }),
    }),
    route({
      method: 'POST',
      path: '/groups',
      id: 'createRoom',
      tag: 'rooms',
      summary: 'Create a room with its owner (a member) and initial members',
      body: P['group.create'].extend({
        owner: userId,
        members: z
          .array(z.object({ userId, role: role.default('member') }), { error: 'must be an array of {userId, role}' })
          .max(MAX_INITIAL_MEMBERS, { error: `must have at most ${MAX_INITIAL_MEMBERS} entries` })
          .default([]),
      }),
      status: 201,
      result: '{group, members}',
      refusals: [409],
      handle: async ({ body }) => ({ body: await op.createRoom(body) }),
    }),
    route({
      method: 'GET',
      path: '/groups/{groupId}',
      id: 'getGroup',
      tag: 'rooms',
      summary: 'A room or direct conversation',
      params: inGroup,
      result: '{group}',
      refusals: [404],
      handle: async ({ params }) => ({ body: { group: await op.getRoom(params.groupId) } }),
    }),
    route({
      method: 'PATCH',
      path: '/groups/{groupId}',
      id: 'updateRoom',
      tag: 'rooms',
      summary: "Change a room's title, topic, visibility or capacity",
      params: inGroup,
      body: P['group.update'].omit({ groupId: true }),
      result: '{group}',
      refusals: [403, 404],
      handle: async ({ params, body }) => ({ body: { group: await op.updateRoom(params.groupId, body) } }),
    }),
    route({
      method: 'DELETE',
      path: '/groups/{groupId}',
      id: 'deleteRoom',
      tag: 'rooms',
      summary: 'Delete a room with its members, history and files',
      params: inGroup,
      result: '{deleted: true}',
      refusals: [403, 404],
      handle: async ({ params }) => {
        await op.deleteRoom(params.groupId);
        return { body: { deleted: true } };
      },
    }),
    route({
      method: 'GET',
      path: '/groups/{groupId}/members',
      id: 'listMembers',
      tag: 'members',
      summary: 'Members with their role, read marker and presence, sorted by user id',
      params: inGroup,
      query: z.object({ after: P['group.members'].shape.after, limit: P['group.members'].shape.limit }),
      result: '{members, next}',
      refusals: [404],
      handle: async ({ params, query }) => ({ body: await op.members(params.groupId, query) }),
    }),
    route({
      method: 'PUT',
      path: '/groups/{groupId}/members/{userId}',
      id: 'putMember',
      tag: 'members',
      summary: "Add a member (no invitation needed; bans hold) or change a member's role",
      params: ofMember,
      body: z.object({ role: role.default('member') }),
      result: '{member}',
      refusals: [403, 404, 409],
      handle: async ({ params, body }) => ({ body: { member: await op.addMember(params.groupId, params.userId, body.role) } }),
    }),
    route({
      method: 'DELETE',
      path: '/groups/{groupId}/members/{userId}',
      id: 'removeMember',
      tag: 'members',
      summary: 'End a membership, as a kick does',
      params: ofMember,
      result: '{removed}',
      refusals: [403, 404],
      handle: async ({ params }) => ({ body: { removed: await op.removeMember(params.groupId, params.userId) } }),
    }),
    route({
      method: 'POST',
      path: '/groups/{groupId}/invitations',
      id: 'invite',
      tag: 'members',
      summary: 'Invite a user (they are told at once, wherever connected)',
      params: inGroup,
      body: z.object({ userId, invitedBy: userId.optional() }),
      result: '{invitation}',
      refusals: [403, 404],
      handle: async ({ params, body }) => ({ body: { invitation: await op.invite(params.groupId, body.userId, body.invitedBy) } }),
    }),
    route({
      method: 'GET',
      path: '/groups/{groupId}/bans',
      id: 'listBans',
      tag: 'members',
      summary: 'Bans in force, sorted by user id',
      params: inGroup,
      query: z.object(page),
      result: '{bans, next}',
      refusals: [404],
      handle: async ({ params, query }) => {
        const p = await op.bans(params.groupId, query);
        return { body: { bans: p.items, next: p.next } };
      },
    }),
    route({
      method: 'PUT',
      path: '/groups/{groupId}/bans/{userId}',
      id: 'ban',
      tag: 'members',
      summary: 'Ban a user (a member is removed), for a time or until unbanned',
      params: ofMember,
      body: z.object({ durationSec: P['group.ban'].shape.durationSec, reason: P['group.ban'].shape.reason }),
      result: '{ban}',
      refusals: [403, 404],
      handle: async ({ params, body }) => ({ body: { ban: await op.ban(params.groupId, params.userId, body) } }),
    }),
    route({
      method: 'DELETE',
      path: '/groups/{groupId}/bans/{userId}',
      id: 'unban',
      tag: 'members',
      summary: 'Lift a ban',
      params: ofMember,
      result: '{unbanned}',
      refusals: [403, 404],
      handle: async ({ params }) => ({ body: { unbanned: await op.unban(params.groupId, params.userId) } }),
    }),
    route({
      method: 'POST',
      path: '/groups/{groupId}/messages',
      id: 'postMessage',
      tag: 'messages',
      summary: 'Post a message as a member or, without authorId, as the system user; delivered like any message',
      params: inGroup,
      body: z.object({ authorId: userId.optional(), text: P['message.send'].shape.text, clientMessageId: P['message.send'].shape.clientMessageId }),
      status: 201,
      result: '{message} (200 with the original for a retried clientMessageId)',
      refusals: [404, 409],
      handle: async ({ params, body }) => {
        const r = await op.post(params.groupId, body);
        return { status: r.created ? 201 : 200, body: { message: r.message } };
      },
    }),
    route({
      method: 'GET',
      path: '/groups/{groupId}/messages',
      id: 'history',
      tag: 'messages',
      summary: "A page of history, newest first from `before` (the same cursors as message.history)",
      params: inGroup,
      query: z.object({ before: P['message.history'].shape.before, limit: P['message.history'].shape.limit }),
      result: '{messages (oldest first), next}',
      refusals: [404, 503],
      handle: async ({ params, query }) => ({ body: await op.history(params.groupId, query.before, query.limit) }),
    }),
    route({
      method: 'PATCH',
      path: '/groups/{groupId}/messages/{messageId}',
      id: 'editMessage',
      tag: 'messages',
      summary: "Edit any message's text (subscribers get message.updated)",
      params: ofMessage,
      body: z.object({ text: P['message.edit'].shape.text }),
      result: '{message}',
      refusals: [403, 404],
      handle: async ({ params, body }) => ({ body: { message: await op.editMessage(params.groupId, params.messageId, body.text) } }),
    }),
    route({
      method: 'DELETE',
      path: '/groups/{groupId}/messages/{messageId}',
      id: 'deleteMessage',
      tag: 'messages',
      summary: 'Delete any message (its text goes; the tombstone keeps its place)',
      params: ofMessage,
      result: '{message}',
      refusals: [404],
      handle: async ({ params }) => ({ body: { message: await op.deleteMessage(params.groupId, params.messageId) } }),
    }),
    route({
      method: 'GET',
      path: '/users/{userId}/conversations',
      id: 'listConversations',
      tag: 'users',
      summary: "A user's rooms and direct conversations, latest activity first, with unread counts",
      params: ofUser,
      query: z.object({ after: P['me.conversations'].shape.after, limit: P['me.conversations'].shape.limit }),
      result: '{conversations, next}',
      handle: async ({ params, query }) => ({ body: await op.conversations(params.userId, query) }),
    }),
    route({
      method: 'POST',
      path: '/users/{userId}/disconnect',
      id: 'disconnectUser',
      tag: 'users',
      summary: 'Close every connection of the user on every hub (close code 1008)',
      params: ofUser,
      body: z.object({
        reason: z
          .string({ error: 'must be a string' })
          .max(100, { error: 'must be at most 100 characters (a close reason is at most 123 bytes)' })
          .refine((s) => Buffer.byteLength(s) <= 123, { error: 'must be at most 123 bytes' })
          .default('disconnected by the operator'),
      }),
      result: '{disconnected: true}',
      handle: async ({ params, body }) => {
        await op.disconnect(params.userId, body.reason);
        return { body: { disconnected: true } };
      },
    }),
    route({
      method: 'GET',
      path: '/webhooks',
      id: 'webhookStatus',
      tag: 'webhooks',
      summary: 'Each webhook endpoint: backlog, lag and dead letters',
      result: '{endpoints}',
      handle: async () => ({ body: { endpoints: (await op.status()).webhooks ?? [] } }),
    }),
    route({
      method: 'GET',
      path: '/webhooks/dead-letters',
      id: 'listDeadLetters',
      tag: 'webhooks',
      summary: 'Events that ran out of retries, oldest first',
      query: z.object({ endpoint: z.string({ error: 'must be a string' }).max(64, { error: 'is not an endpoint name' }).optional(), ...page }),
      result: '{deadLetters, next}',
      handle: async ({ query }) => {
        const p = await op.deadLetters(query);
        return { body: { deadLetters: p.items, next: p.next } };
      },
    }),
    route({
      method: 'POST',
      path: '/webhooks/dead-letters/{id}/replay',
      id: 'replayDeadLetter',
      tag: 'webhooks',
      summary: 'Deliver a dead letter again (same event id) and remove it from the list',
      params: z.object({ id: z.string({ error: 'must be a string' }).max(200, { error: 'is not a dead letter id' }) }),
      result: '{replayed: true}',
      refusals: [404],
      handle: async ({ params }) => {
        if (!(await op.replay(params.id))) throw httpErrors.deadLetterNotFound(params.id);
        return { body: { replayed: true } };
      },
    }),
  ];
}
