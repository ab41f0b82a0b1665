/** Types shared by the commands, the one-shot runner and the REPL. */
import type { NextChatClient } from '@next-chat/client';
import type { Style } from './format.js';

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
