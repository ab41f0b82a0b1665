import type { Message } from '@next-chat/client';
import type { Argv } from 'yargs';
import { MAX_PAGES, type CommandContext, type GlobalArgs, type Outcome } from '../context.js';
import { formatHistoryLine } from '../format.js';
import { shortIdsForList } from '../short-ids.js';
import { oneShot } from '../one-shot.js';
import { UsageError } from '../errors-to-text.js';

export const command = 'history <group> [n]';
export const desc = 'Show the last n messages of a group, each with the short id edit and delete take (you must be a member)';
export interface Args {
  group: string;
  n?: number;
}

export const DEFAULT_N = 20;
const MAX_N = 10_000;

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the group' })
    .positional('n', { type: 'number', default: DEFAULT_N, describe: `how many messages (1-${MAX_N})` })
    .example('$0 --url ws://localhost:5000 --user alice history lobby 50', 'the last 50 messages of lobby');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const n = args.n ?? DEFAULT_N;
  if (!Number.isInteger(n) || n < 1 || n > MAX_N) throw new UsageError(`n must be a whole number from 1 to ${MAX_N}, got '${args.n}'`);
  const batches: Message[][] = [];
  let got = 0;
  let before: string | undefined;
  for (let page = 0; page < MAX_PAGES && got < n; page++) {
    const r = await ctx.client.history(args.group, { limit: Math.min(200, n - got), ...(before ? { before } : {}) });
    batches.unshift(r.messages);
    got += r.messages.length;
    if (r.next === null) break;
    before = r.next;
  }
  const messages = batches.flat();
  if (messages.length === 0) return { lines: [`no messages in #${args.group} yet`], json: { messages } };
  // The session's short ids when there is one (stable), else names that resolve against the newest messages.
  const names = ctx.shortIds ? ctx.shortIds.name(messages) : shortIdsForList(messages);
  const width = Math.max(...names.map((n) => n.length));
  const lines = messages.map((m, i) => formatHistoryLine(m, names[i], width, ctx.style, ctx.where?.(m.groupId)));
  return { lines, json: { messages } };
}

export const handler = oneShot(exec);
