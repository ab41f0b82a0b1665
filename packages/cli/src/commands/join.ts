import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { formatMessage, plural } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'join <group>';
export const desc = 'Become a member of a group and show its latest messages';
export interface Args {
  group: string;
  last?: number;
}

/** Messages shown on join unless --last says otherwise. */
export const DEFAULT_LAST = 10;

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the group to join' })
    .option('last', { type: 'number', describe: 'how many recent messages to show (0-200)', default: DEFAULT_LAST })
    .example('$0 --url ws://localhost:5000 --user alice join lobby', 'join lobby, show the last 10 messages');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const r = await ctx.client.join(args.group, { limit: args.last ?? DEFAULT_LAST });
  const head = `joined ${ctx.style.cyan(`#${r.group.id}`)} (${plural(r.group.memberCount, 'member')})`;
  const lines = [r.history.length > 0 ? `${head}; recent messages:` : `${head}; no messages yet`];
  for (const m of r.history) lines.push(formatMessage(m, ctx.style, ctx.where?.(m.groupId)));
  return { lines, json: r };
}

export const handler = oneShot(exec);
