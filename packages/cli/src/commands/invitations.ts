import type { Group, Invitation } from '@next-chat/client';
import type { Argv } from 'yargs';
import { collectPages, type CommandContext, type GlobalArgs, type Outcome } from '../context.js';
import { formatInvitation, plural } from '../format.js';
import { oneShot } from '../one-shot.js';

export const command = 'invitations';
export const desc = 'List the invitations waiting for you';
export type Args = Record<never, never>;

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y.example('$0 --url ws://localhost:5000 --user bob invitations', 'the rooms bob is invited to');

export async function exec(ctx: CommandContext, _args: Args): Promise<Outcome> {
  const invitations = await collectPages<{ invitation: Invitation; group: Group }>(async (after) => {
    const r = await ctx.client.invitations({ limit: 200, ...(after ? { after } : {}) });
    return { items: r.invitations, next: r.next };
  });
  const lines =
    invitations.length > 0
      ? [...invitations.map((i) => formatInvitation(i, ctx.style)), ctx.style.dim(plural(invitations.length, 'invitation'))]
      : ['no invitations are waiting for you'];
  return { lines, json: { invitations } };
}

export const handler = oneShot(exec);
