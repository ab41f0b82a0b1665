import type { Argv } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from '../context.js';
import { oneShot } from '../one-shot.js';

export const command = 'decline <group>';
export const desc = 'Turn down an invitation to a room';
export interface Args {
  group: string;
}

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs & Args> =>
  y
    .positional('group', { type: 'string', demandOption: true, describe: 'the room you were invited to' })
    .example('$0 --user bob decline design', 'say no to the invitation to design');

export async function exec(ctx: CommandContext, args: Args): Promise<Outcome> {
  const declined = await ctx.client.declineInvitation(args.group);
  const g = ctx.style.cyan(`#${args.group}`);
  return { lines: [declined ? `declined the invitation to ${g}` : `there was no invitation to ${g} to decline; see yours with: invitations`], json: { declined } };
}

export const handler = oneShot(exec);
