import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { UsageError } from '../errors-to-text.js';
import { formatMessage } from '../format.js';
import { oneShot } from '../one-shot.js';
import { DEFAULT_LAST } from './join.js';

export const command = 'dm <who>';
export const desc = 'Open the direct conversation with someone and show its latest messages';
export interface Args {
  who: string;
  last?: number;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('who', { type: 'string', demandOption: true, describe: 'the other person' })
    .option('last', { type: 'number', describe: 'how many recent messages to show (0-200)', default: DEFAULT_LAST })
    .example('$0 --user alice dm bob', 'the conversation of alice and bob; then: say <its id> TEXT');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  if (ctx.me !== undefined && args.who === ctx.me) throw new UsageError(`'${args.who}' is you; a direct conversation needs someone else: dm USER`);
  const r = await ctx.client.openDirect(args.who, { limit: args.last ?? DEFAULT_LAST });
  const where = `@${args.who}`;
  const head = `direct conversation with ${ctx.style.user(args.who)} (${r.group.id})`;
  const lines = [r.history.length > 0 ? `${head}; recent messages:` : `${head}; no messages yet`];
  for (const m of r.history) lines.push(formatMessage(m, ctx.style, where));
  // In the REPL the conversation is put in use: plain lines go to it.
  if (!ctx.interactive) lines.push(ctx.style.dim(`write with: say ${r.group.id} TEXT`));
  return { lines, json: r };
}

export const handler = oneShot(exec);
