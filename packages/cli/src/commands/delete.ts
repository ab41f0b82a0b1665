import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { UsageError } from '../errors-to-text.js';
import { oneShot } from '../one-shot.js';

export const command = 'delete <group>';
export const desc = 'Delete a room for everyone, with all its messages (owner); needs --yes';
export interface Args {
  group: string;
  yes?: boolean;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room' })
    .option('yes', { type: 'boolean', describe: 'yes, delete it (required: this cannot be undone)' })
    .example('$0 --user alice delete old-room --yes', 'remove old-room, its members, bans and history');

function notConfirmed(group: string): UsageError {
  return new UsageError(`deleting #${group} removes it for everyone, with its members, invitations, bans and every message; if you mean it: delete ${group} --yes`);
}

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  if (!args.yes) {
    if (!ctx.confirm) throw notConfirmed(args.group);
    const ok = await ctx.confirm(`delete #${args.group} for everyone, with all its messages? This cannot be undone.`);
    if (!ok) return { lines: [`kept #${args.group}; nothing was deleted`], json: { deleted: false } };
  }
  const deleted = await ctx.client.deleteGroup(args.group);
  return { lines: [`deleted ${ctx.style.cyan(`#${args.group}`)}`], json: { deleted } };
}

const run = oneShot(exec);
/** Refuses before connecting when --yes is missing: a script never reaches the hub by mistake. */
export async function handler(argv: ArgumentsCamelCase<GlobalArgs & Args>): Promise<void> {
  if (!argv.yes) throw notConfirmed(argv.group);
  await run(argv);
}
