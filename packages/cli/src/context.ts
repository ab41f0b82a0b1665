/** Types shared by the commands, the one-shot runner and the REPL. */
import type { NextChatClient } from '@next-chat/client';
import type { Style } from './format.js';
import type { SessionShortIds } from './short-ids.js';

/** Options every command accepts (see main.ts for their documentation). */
export interface GlobalArgs {
  url?: string;
  user?: string;
  token?: string;
  json: boolean;
  color?: boolean;
  timeout: number;
  'max-reconnect-delay': number;
}

/** What a command runs against. */
export interface CommandContext {
  client: NextChatClient;
  style: Style;
  /** True in the REPL, where some confirmations are left to the live echo. */
  interactive: boolean;
  /** The user id given with --user / connect, when known (a JWT alone does not say). */
  me?: string;
  /**
   * Asks the person a yes/no question and waits for the answer; only in the
   * REPL on a terminal. Without it, destructive commands need --yes.
   */
  confirm?: (question: string) => Promise<boolean>;
  /** How to name a group on screen (`@bob` for a direct conversation the REPL knows); default `#id`. */
  where?: (groupId: string) => string;
  /**
   * The REPL's short ids, stable for the session: `history` names messages
   * with them and `edit`/`delete` look them up. One-shot commands have none
   * (short ids then resolve against the group's newest messages).
   */
  shortIds?: SessionShortIds;
}

/** What a command produced: lines for people, a value for --json. */
export interface Outcome {
  lines: string[];
  json: unknown;
}

/** Shared help text at the bottom of every usage page. */
export const EPILOGUE = [
  'Without a command, next-chat starts an interactive session (type help there).',
  'Environment: NEXT_CHAT_URL, NEXT_CHAT_USER, NEXT_CHAT_TOKEN stand in for --url, --user, --token.',
  'Exit codes: 0 ok, 1 refused by the hub, 2 usage error, 3 connection problem.',
].join('\n');

/** Most pages a listing command fetches, so a huge hub cannot hang it. */
export const MAX_PAGES = 50;

/**
 * Every item of a paged listing (`next` cursors), at most MAX_PAGES pages.
 * `fetch` gets the cursor of the page to fetch (undefined: the first).
 */
export async function collectPages<T>(fetch: (after: string | undefined) => Promise<{ items: readonly T[]; next: string | null }>): Promise<T[]> {
  const all: T[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await fetch(after);
    all.push(...r.items);
    if (r.next === null) break;
    after = r.next;
  }
  return all;
}
