/**
 * Edits and deletes of messages (docs/protocol.md §11): the broker appends
 * the change to the group's log, so it reaches subscribers as
 * `message.updated` in order with the messages; who may is policy.ts's.
 */
import { errors, type Message, type Params, type Result } from '@next-chat/core';
import type { ChangeInput, ChangeResult } from '../ports/broker.js';
import type { Engine } from '../ports/engine.js';
import type { Direct } from './direct.js';
import type { Peer } from './peer.js';
import { changeRefused, mayDeleteOthers } from './policy.js';
import { refusalError } from './refusals.js';
import type { Moderator } from '../ports/moderation.js';
import { moderatedText } from './moderate.js';

export class Messages {
  constructor(
    private readonly engine: Engine,
    private readonly direct: Direct,
    private readonly moderator?: Moderator,
  ) {}

  async edit(peer: Peer, p: Params<'message.edit'>): Promise<Result<'message.edit'>> {
    // Someone who may not write to a person may not rewrite what they wrote either.
    await this.direct.checkSend(p.groupId, peer.userId);
    let text = p.text;
    if (this.moderator) {
      // Only an edit that may be made reaches the hook (its text is nobody else's business).
      await this.checkEdit(peer.userId, p.groupId, p.messageId);
      text = await moderatedText(this.moderator, { kind: 'edit', groupId: p.groupId, authorId: peer.userId, text, messageId: p.messageId });
    }
    return { message: await this.change(peer, p.groupId, p.messageId, text) };
  }

  /** The refusals the change script would answer, read before the moderation hook is asked; the script checks again atomically. */
  private async checkEdit(userId: string, groupId: string, messageId: string): Promise<void> {
    const m = await this.engine.groups.membership(groupId, userId);
    if (m === 'group_not_found') throw errors.groupNotFound(groupId);
    if (m === 'not_member') throw errors.notAMember(groupId);
    const current = await this.engine.history.find(groupId, messageId);
    if (!current) throw errors.messageNotFound(groupId, messageId);
    if (current.authorId !== userId) throw changeRefused('edit', 'not_author');
    if (current.deletedAt !== undefined) throw changeRefused('edit', 'deleted');
  }

  async delete(peer: Peer, p: Params<'message.delete'>): Promise<Result<'message.delete'>> {
    return { message: await this.change(peer, p.groupId, p.messageId, null) };
  }

  /** An edit (`text`) or delete (null) through the HTTP API: any message, by the API's system user. */
  async changeByOperator(groupId: string, messageId: string, text: string | null, by: string): Promise<Message> {
    return this.outcome(groupId, messageId, text, await this.attempt({ groupId, userId: by, messageId, text, atMs: Date.now(), anyone: true, byOperator: true }));
  }

  private async change(peer: Peer, groupId: string, messageId: string, text: string | null): Promise<Message> {
    const input: ChangeInput = { groupId, userId: peer.userId, messageId, text, atMs: Date.now(), anyone: false };
    let r = await this.attempt(input);
    // The author's own change costs one step; a moderator's delete asks for the caller's role first.
    if (r.status === 'not_author' && text === null) {
      const a = await this.engine.groups.access(groupId, peer.userId);
      if (a && mayDeleteOthers(a)) r = await this.attempt({ ...input, anyone: true });
    }
    return this.outcome(groupId, messageId, text, r);
  }

  private outcome(groupId: string, messageId: string, text: string | null, result: ChangeResult): Message {
    if (result.status === 'changed' || result.status === 'unchanged') return result.message;
    if (result.status === 'message_not_found') throw errors.messageNotFound(groupId, messageId);
    if (result.status === 'not_author' || result.status === 'deleted') throw changeRefused(text === null ? 'delete' : 'edit', result.status);
    throw refusalError(groupId, result);
  }

  /** A message older than the log holds is looked up in the history database and changed from there. */
  private async attempt(input: ChangeInput): Promise<ChangeResult> {
    const r = await this.engine.broker.change(input);
    if (r.status !== 'message_not_found' || !r.trimmed) return r;
    const stored = await this.engine.history.find(input.groupId, input.messageId);
    return stored ? this.engine.broker.change({ ...input, fallback: stored }) : r;
  }
}
