/**
 * Runs one command as a script would: connect (no reconnect), do it, print,
 * close. Errors are thrown to main.ts, which prints them and sets the exit code.
 */
import { NextChatClient } from '@next-chat/client';
import type { ArgumentsCamelCase } from 'yargs';
import type { CommandContext, GlobalArgs, Outcome } from './context.js';
import { CommandFailed, UsageError } from './errors-to-text.js';
import { makeStyle, shouldColor } from './format.js';

export type Exec<A> = (ctx: CommandContext, args: A) => Promise<Outcome>;

/** Where the hub and identity come from, checked before any network. */
export function identity(argv: Pick<GlobalArgs, 'url' | 'user' | 'token'>): { url: string; user: string; token: string } {
  if (!argv.url) throw new UsageError('no hub given; pass --url ws://HOST:5000 or set NEXT_CHAT_URL');
  if (!argv.user && !argv.token) throw new UsageError('no user given; pass --user NAME (or --token for JWT hubs) or set NEXT_CHAT_USER');
  const user = argv.user ?? 'you';
  return { url: argv.url, user, token: argv.token ?? user };
}

export function oneShot<A>(exec: Exec<A>): (argv: ArgumentsCamelCase<GlobalArgs & A>) => Promise<void> {
  return async (argv) => {
    const { url, token } = identity(argv);
    const me = argv.user;
    let client: NextChatClient;
    try {
      client = new NextChatClient({ url, token, reconnect: false, requestTimeoutMs: argv.timeout * 1000 });
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    await client.connect();
    try {
      const style = makeStyle(!argv.json && shouldColor(process.stdout, process.env, argv.color));
      let outcome: Outcome;
      try {
        outcome = await exec({ client, style, interactive: false, ...(me ? { me } : {}) }, argv as unknown as A);
      } catch (err) {
        // `who`: the other person of a command (invite, kick, dm, ...); `user` is the caller's --user.
        const { group, who } = argv as { group?: unknown; who?: unknown };
        throw new CommandFailed(err, typeof group === 'string' ? group : undefined, typeof who === 'string' ? who : undefined);
      }
      process.stdout.write(argv.json ? `${JSON.stringify(outcome.json, null, 2)}\n` : outcome.lines.map((l) => `${l}\n`).join(''));
    } finally {
      await client.close();
    }
  };
}
