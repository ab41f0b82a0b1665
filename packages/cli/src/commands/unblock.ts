import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';

export const command = 'unblock <who>';
export const desc = 'Let a blocked user write to you directly again';
export interface Args {
  who: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('who', { type: 'string', demandOption: true, describe: 'the blocked user' })
    .example('$0 --user alice unblock mallory', 'mallory may write to alice directly again');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const unblocked = await ctx.client.unblock(args.who);
  return { lines: [unblocked ? `unblocked ${args.who}` : `${args.who} is not blocked; see whom you block with: blocked`], json: { unblocked } };
}

export const handler = oneShot(exec);
