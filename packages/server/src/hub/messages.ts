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
    const text = this.moderator ? await moderatedText(this.moderator, { kind: 'edit', groupId: p.groupId, authorId: peer.userId, text: p.text, messageId: p.messageId }) : p.text;
    return { message: await this.change(peer, p.groupId, p.messageId, text) };
  }

  async delete(peer: Peer, p: Params<'message.delete'>): Promise<Result<'message.delete'>> {
    return { message: await this.change(peer, p.groupId, p.messageId, null) };
  }

  private async change(peer: Peer, groupId: string, messageId: string, text: string | null): Promise<Message> {
    const input: ChangeInput = { groupId, userId: peer.userId, messageId, text, atMs: Date.now(), anyone: false };
    let r = await this.attempt(input);
    // The author's own change costs one step; a moderator's delete asks for the caller's role first.
    if (r.status === 'not_author' && text === null) {
      const a = await this.engine.groups.access(groupId, peer.userId);
      if (a && mayDeleteOthers(a)) r = await this.attempt({ ...input, anyone: true });
    }
    const result: ChangeResult = r;
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
