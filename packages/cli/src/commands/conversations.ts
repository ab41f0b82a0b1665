import type { Conversation } from '@next-chat/client';
import type { Argv } from 'yargs';
import { collectPages, type CommandContext, type GlobalArgs, type Outcome } from '../context.js';
import { formatConversation, groupLabel, plural } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'conversations';
export const desc = 'Your rooms and direct conversations, latest activity first, with their unread counts';
export type Args = Record<string, never>;

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .example('$0 --user alice conversations', 'where alice has unread messages')
    .example('$0 --user alice --json conversations', 'the same as JSON (me.conversations)') as Argv<GlobalArgs & Args>;

/** How a conversation is named: `@bob` for a direct one (the peer that is not you), else as the session names it. */
export function conversationLabel(c: Conversation, ctx: Pick<CommandContext, 'me' | 'where'>): string {
  if (c.group.kind === 'direct' && ctx.me !== undefined) {
    const peer = c.group.peers?.find((p) => p !== ctx.me);
    if (peer !== undefined) return groupLabel(c.group.id, peer);
  }
  return ctx.where?.(c.group.id) ?? groupLabel(c.group.id);
}

export async function exec(ctx: CommandContext, _args: Args = {}): Promise<Outcome> {
  const conversations = await collectPages<Conversation>(async (after) => {
    const r = await ctx.client.conversations({ limit: 200, ...(after !== undefined ? { after } : {}) });
    return { items: r.conversations, next: r.next };
  });
  if (conversations.length === 0) {
    return { lines: ['you are in no conversation yet; join a room with: join GROUP, or write to someone with: dm USER'], json: { conversations } };
  }
  const unread = conversations.reduce((n, c) => n + c.unread, 0);
  const lines = conversations.map((c) => formatConversation(c, ctx.style, conversationLabel(c, ctx), ctx.me));
  lines.push(ctx.style.dim(`${plural(conversations.length, 'conversation')}, ${unread} unread`));
  return { lines, json: { conversations } };
}

export const handler = oneShot(exec);
