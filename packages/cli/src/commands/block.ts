import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';

export const command = 'block <who>';
export const desc = 'Stop someone from opening or writing in a direct conversation with you';
export interface Args {
  who: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('who', { type: 'string', demandOption: true, describe: 'the user to block' })
    .example('$0 --user alice block mallory', 'mallory can no longer write to alice directly');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const blocked = await ctx.client.block(args.who);
  return { lines: [`blocked ${args.who}: they can no longer open or write in a direct conversation with you (rooms are not affected)`], json: { blocked } };
}

export const handler = oneShot(exec);
