import type { Argv } from 'yargs';
import { collectPages, type CommandContext, type GlobalArgs, type Outcome } from '../context.js';
import { plural } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'blocked';
export const desc = 'List the users you block';
export type Args = Record<never, never>;

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> => y.example('$0 --user alice blocked', 'whom alice blocks');

export async function exec(ctx: CommandContext, _args: Args): Promise<Outcome> {
  const users = await collectPages<string>(async (after) => {
    const r = await ctx.client.blockedUsers({ limit: 200, ...(after ? { after } : {}) });
    return { items: r.users, next: r.next };
  });
  const lines = users.length > 0 ? [...users.map((u) => ctx.style.user(u)), ctx.style.dim(`${plural(users.length, 'user')} blocked`)] : ['you block nobody'];
  return { lines, json: { users } };
}

export const handler = oneShot(exec);
