import type { ArgumentsCamelCase, Argv } from 'yargs';
import type { GlobalArgs } from '../context.js';
import { shouldColor } from '../format.js';
import { startRepl } from '../repl.js';

export const command = '$0';
export const desc = 'Interactive chat (the default); connects at once when --url and --user are given';

export const builder = (y: Argv<GlobalArgs>): Argv<GlobalArgs> =>
  y
    .example('$0', 'start a session, then type: connect ws://localhost:5000 alice')
    .example('$0 --url ws://localhost:5000 --user alice', 'start a session connected as alice')
    .example('NEXT_CHAT_URL=ws://chat:5000 NEXT_CHAT_TOKEN=eyJ... $0', 'connect with a JWT');

export async function handler(argv: ArgumentsCamelCase<GlobalArgs>): Promise<void> {
  await startRepl({
    input: process.stdin,
    output: process.stdout,
    color: shouldColor(process.stdout, process.env, argv.color),
    url: argv.url,
    user: argv.user,
    token: argv.token,
    requestTimeoutMs: argv.timeout * 1000,
    maxReconnectDelayMs: argv.maxReconnectDelay * 1000,
  });
}
