/** Shape checks of the wire objects of PROTOCOL.md §3, with precise complaints. */
import { MESSAGE_ID_RE, compareMessageIds, type Group, type Member, type Message, type RpcErrorObject } from '@next-chat/core';
import { fail } from './context.js';
import { short } from './rpc.js';

export const ISO_MS_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function checkMessage(m: unknown, what: string, expected?: Partial<Message>): Message {
  if (!isObj(m)) fail(`${what}: expected a Message object, got ${short(m)}`);
  if (typeof m.id !== 'string' || !MESSAGE_ID_RE.test(m.id)) fail(`${what}: Message.id must look like '<ms>-<seq>', got ${short(m.id)}`);
  if (typeof m.groupId !== 'string') fail(`${what}: Message.groupId must be a string, got ${short(m.groupId)}`);
  if (typeof m.authorId !== 'string') fail(`${what}: Message.authorId must be a string, got ${short(m.authorId)}`);
  if (typeof m.text !== 'string') fail(`${what}: Message.text must be a string, got ${short(m.text)}`);
  if (typeof m.sentAt !== 'string' || !ISO_MS_RE.test(m.sentAt)) fail(`${what}: Message.sentAt must be ISO-8601 UTC with ms, got ${short(m.sentAt)}`);
  if (m.clientMessageId !== undefined && typeof m.clientMessageId !== 'string') fail(`${what}: Message.clientMessageId must be a string when present, got ${short(m.clientMessageId)}`);
  if (expected) {
    for (const [k, v] of Object.entries(expected)) {
      if (m[k] !== v) fail(`${what}: expected Message.${k} = ${short(v)}, got ${short(m[k])} in ${short(m)}`);
    }
  }
  return m as unknown as Message;
}

export function checkGroup(g: unknown, what: string, expected?: Partial<Group>): Group {
  if (!isObj(g)) fail(`${what}: expected a Group object, got ${short(g)}`);
  if (typeof g.id !== 'string') fail(`${what}: Group.id must be a string, got ${short(g.id)}`);
  if (typeof g.createdBy !== 'string') fail(`${what}: Group.createdBy must be a string, got ${short(g.createdBy)}`);
  if (typeof g.createdAt !== 'string' || !ISO_MS_RE.test(g.createdAt)) fail(`${what}: Group.createdAt must be ISO-8601 UTC with ms, got ${short(g.createdAt)}`);
  if (typeof g.memberCount !== 'number' || !Number.isInteger(g.memberCount) || g.memberCount < 0) fail(`${what}: Group.memberCount must be a non-negative integer, got ${short(g.memberCount)}`);
  if (expected) {
    for (const [k, v] of Object.entries(expected)) {
      if (g[k] !== v) fail(`${what}: expected Group.${k} = ${short(v)}, got ${short(g[k])} in ${short(g)}`);
    }
  }
  return g as unknown as Group;
}

export function checkMember(m: unknown, what: string): Member {
  if (!isObj(m)) fail(`${what}: expected a Member object, got ${short(m)}`);
  if (typeof m.userId !== 'string') fail(`${what}: Member.userId must be a string, got ${short(m.userId)}`);
  if (typeof m.joinedAt !== 'string' || !ISO_MS_RE.test(m.joinedAt)) fail(`${what}: Member.joinedAt must be ISO-8601 UTC with ms, got ${short(m.joinedAt)}`);
  if (typeof m.online !== 'boolean') fail(`${what}: Member.online must be a boolean, got ${short(m.online)}`);
  return m as unknown as Member;
}

/** Ids strictly increasing (no duplicate, delivery order). */
export function checkIncreasing(messages: readonly Message[], what: string): void {
  for (let i = 1; i < messages.length; i++) {
    if (compareMessageIds(messages[i - 1].id, messages[i].id) >= 0) {
      fail(`${what}: message ids must strictly increase, but #${i - 1} is ${messages[i - 1].id} and #${i} is ${messages[i].id}`);
    }
  }
}

const REASONS: Record<number, string> = {
  [-32700]: 'parse_error',
  [-32600]: 'invalid_request',
  [-32601]: 'method_not_found',
  [-32602]: 'invalid_params',
  [-32603]: 'internal_error',
  4003: 'not_a_member',
  4004: 'group_not_found',
  4009: 'group_exists',
  4010: 'group_full',
  4029: 'rate_limited',
  4503: 'unavailable',
};

/** The error has the code, the table's reason, a message a person can read and no stack trace. */
export function checkError(err: RpcErrorObject | undefined, code: number, what: string, field?: string): void {
  if (!err) fail(`${what}: expected error ${code}, got no error`);
  if (err.code !== code) fail(`${what}: expected error code ${code} (${REASONS[code]}), got ${short(err)}`);
  if (typeof err.message !== 'string' || err.message.trim() === '') fail(`${what}: error.message must be a non-empty sentence, got ${short(err.message)}`);
  if (/\n\s+at\s/.test(err.message) || /\.(ts|js):\d+/.test(err.message)) fail(`${what}: error.message leaks a stack trace: ${short(err.message)}`);
  if (!isObj(err.data) || err.data.reason !== REASONS[code]) fail(`${what}: expected error.data.reason '${REASONS[code]}', got ${short(err.data)}`);
  if (field !== undefined && err.data.field !== field) fail(`${what}: expected error.data.field '${field}', got ${short(err.data.field)} in ${short(err)}`);
}
