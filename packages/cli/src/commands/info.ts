import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { formatGroupInfo } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'info <group>';
export const desc = "Show a group's settings, owner, size and your role in it";
export interface Args {
  group: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the group' })
    .example('$0 --url ws://localhost:5000 --user alice info design', 'who owns design, how full it is, your role');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const r = await ctx.client.getGroup(args.group);
  const peer = r.group.kind === 'direct' ? r.group.peers?.find((p) => p !== ctx.me) : undefined;
  return { lines: formatGroupInfo(r.group, r.role, ctx.style, peer), json: r };
}

export const handler = oneShot(exec);
