import type { Group } from '@next-chat/client';
import type { Argv } from 'yargs';
import { MAX_PAGES, type CommandContext, type GlobalArgs, type Outcome } from '../context.js';
import { formatGroup, plural } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'list [prefix]';
export const desc = 'List the groups, or those whose name starts with prefix';
export interface Args {
  prefix?: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('prefix', { type: 'string', describe: 'only groups whose name starts with this' })
    .example('$0 --url ws://localhost:5000 --user alice list', 'every group')
    .example('$0 --url ws://localhost:5000 --user alice --json list team-', 'groups starting with team-, as JSON');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const groups: Group[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await ctx.client.listGroups({ limit: 200, ...(args.prefix ? { prefix: args.prefix } : {}), ...(after ? { after } : {}) });
    groups.push(...r.groups);
    if (r.next === null) break;
    after = r.next;
  }
  const lines =
    groups.length > 0
      ? [...groups.map((g) => formatGroup(g, ctx.style)), ctx.style.dim(plural(groups.length, 'group'))]
      : [args.prefix ? `no group starts with '${args.prefix}'; create one with: create ${args.prefix}NAME` : 'there are no groups yet; create one with: create NAME'];
  return { lines, json: { groups } };
}

export const handler = oneShot(exec);
