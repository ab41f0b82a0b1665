import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';
import { settingsOptions, settingsParams, type SettingsArgs } from '../settings.js';

export const command = 'create <group>';
export const desc = 'Create a room; you own it, but nobody is a member yet, not even you';
export interface Args extends Omit<SettingsArgs, 'public'> {
  group: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  settingsOptions(y.positional('group', { type: 'string', demandOption: true, describe: "the new group's name" }), false)
    .example('$0 --url ws://localhost:5000 --user alice create lobby', 'create the group lobby')
    .example('$0 --user alice create design --private --title "Design team" --capacity 20', 'a private room of at most 20, joined by invitation') as Argv<
    GlobalArgs & Args
  >;

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const params = settingsParams(args);
  const group = await ctx.client.createGroup(args.group, params);
  const g = ctx.style.cyan(`#${group.id}`);
  if (group.visibility === 'private') {
    return { lines: [`created private group ${g}; join it with: join ${group.id}, and let others in with: invite ${group.id} USER`], json: { group } };
  }
  return { lines: [`created group ${g}; join it with: join ${group.id}`], json: { group } };
}

export const handler = oneShot(exec);
