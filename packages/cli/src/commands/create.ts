import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';

export const command = 'create <group>';
export const desc = 'Create a group (nobody is a member yet, not even you)';
export interface Args {
  group: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: "the new group's name" })
    .example('$0 --url ws://localhost:5000 --user alice create lobby', 'create the group lobby');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const group = await ctx.client.createGroup(args.group);
  return { lines: [`created group ${ctx.style.cyan(`#${group.id}`)}; join it with: join ${group.id}`], json: { group } };
}

export const handler = oneShot(exec);
