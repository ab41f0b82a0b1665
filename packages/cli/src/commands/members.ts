import type { Member } from '@next-chat/client';
import type { Argv } from 'yargs';
import { MAX_PAGES, type CommandContext, type GlobalArgs, type Outcome } from '../context.js';
import { formatMember, plural } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'members <group>';
export const desc = 'List the members of a group (you must be a member)';
export interface Args {
  group: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the group' })
    .example('$0 --url ws://localhost:5000 --user alice members lobby', 'who is in lobby, and who is online');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const members: Member[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await ctx.client.members(args.group, { limit: 200, ...(after ? { after } : {}) });
    members.push(...r.members);
    if (r.next === null) break;
    after = r.next;
  }
  const online = members.filter((m) => m.online).length;
  const lines = [...members.map((m) => formatMember(m, ctx.style)), ctx.style.dim(`${plural(members.length, 'member')}, ${online} online`)];
  return { lines, json: { members } };
}

export const handler = oneShot(exec);
