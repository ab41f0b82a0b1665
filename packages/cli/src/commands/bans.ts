import type { Ban } from '@next-chat/client';
import type { Argv } from 'yargs';
import { collectPages, type CommandContext, type GlobalArgs, type Outcome } from '../context.js';
import { formatBan, plural } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'bans <group>';
export const desc = 'List the bans of a room (owner, admin)';
export interface Args {
  group: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
    .example('$0 --user alice bans lobby', 'who is banned from lobby, by whom, until when');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const bans = await collectPages<Ban>(async (after) => {
    const r = await ctx.client.bans(args.group, { limit: 200, ...(after ? { after } : {}) });
    return { items: r.bans, next: r.next };
  });
  const lines =
    bans.length > 0
      ? [...bans.map((b) => formatBan(b, ctx.style)), ctx.style.dim(plural(bans.length, 'ban'))]
      : [`nobody is banned from ${ctx.style.cyan(`#${args.group}`)}`];
  return { lines, json: { bans } };
}

export const handler = oneShot(exec);
