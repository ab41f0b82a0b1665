import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { parseDuration } from '../duration.js';
import { banLength, clean } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'ban <group> <who>';
export const desc = 'Remove someone from a room and keep them out, for a while or until unbanned (owner, admin)';
export interface Args {
  group: string;
  who: string;
  for?: string;
  reason?: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
    .positional('who', { type: 'string', demandOption: true, describe: 'the user to ban (a member or not)' })
    .option('for', { type: 'string', describe: 'how long: 10m, 2h, 1d, 1h30m... (default: until unbanned)' })
    .option('reason', { type: 'string', describe: 'why, up to 200 characters (the user is not told)' })
    .example('$0 --user alice ban lobby carol --for 1d --reason spam', 'keep carol out of lobby for a day')
    .example('$0 --user alice ban lobby dave', 'ban dave until unbanned');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const durationSec = args.for === undefined ? undefined : parseDuration(String(args.for));
  const ban = await ctx.client.ban(args.group, args.who, {
    ...(durationSec !== undefined ? { durationSec } : {}),
    ...(args.reason !== undefined ? { reason: String(args.reason) } : {}),
  });
  const why = ban.reason ? ` (reason: ${clean(ban.reason)})` : '';
  return {
    lines: [`banned ${ban.userId} from ${ctx.style.cyan(`#${args.group}`)} ${banLength(durationSec, ban.until)}${why}; lift it with: unban ${args.group} ${ban.userId}`],
    json: { ban },
  };
}

export const handler = oneShot(exec);
