import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { UsageError } from '../errors-to-text.js';
import { describeSettings } from '../format.js';
import { oneShot } from '../one-shot.js';
import { settingsOptions, settingsParams, type SettingsArgs } from '../settings.js';

export const command = 'set <group>';
export const desc = "Change a room's title, topic, visibility or capacity (owner, admin)";
export interface Args extends SettingsArgs {
  group: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  settingsOptions(y.positional('group', { type: 'string', demandOption: true, describe: 'the room' }), true)
    .example('$0 --user alice set design --title "Design team" --topic "all things UI"', 'give design a title and a topic')
    .example('$0 --user alice set design --public --capacity 100', 'open design to everyone, up to 100 members') as Argv<GlobalArgs & Args>;

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const changes = settingsParams(args);
  if (Object.keys(changes).length === 0) throw new UsageError(`nothing to change; give --title, --topic, --private, --public or --capacity, e.g. set ${args.group} --title "..."`);
  const group = await ctx.client.updateGroup(args.group, changes);
  return { lines: [`updated ${ctx.style.cyan(`#${group.id}`)}: ${describeSettings(group)}`], json: { group } };
}

export const handler = oneShot(exec);
