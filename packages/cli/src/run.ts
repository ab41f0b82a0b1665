/**
 * The yargs program. `run` parses, runs one command, and returns the exit
 * code; it never calls process.exit, so tests can call it and main.ts only
 * sets process.exitCode.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv, type CommandModule } from 'yargs';
import { RpcError } from '@next-chat/client';
import { commands } from './commands/index.js';
import { EPILOGUE, type GlobalArgs } from './context.js';
import { CommandFailed, ExitCode, UsageError, errorToText, exitCodeFor } from './errors-to-text.js';
import { makeStyle, shouldColor } from './format.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** `list`: the command modules (tests pass stand-ins whose handlers only record their argv). */
export function buildParser(argv: string[], env: NodeJS.ProcessEnv = process.env, list: readonly unknown[] = commands): Argv<GlobalArgs> {
  let y = yargs(argv)
    .scriptName('next-chat')
    .usage('$0 [command] [options]\n\nThe Next Chat console client: chat interactively, or run one command from a script.')
    .option('url', {
      type: 'string',
      describe: 'the hub, e.g. ws://localhost:5000 (the path /next-chat is added)',
      default: env.NEXT_CHAT_URL || undefined,
      defaultDescription: '$NEXT_CHAT_URL',
    })
    .option('user', {
      type: 'string',
      describe: 'your user id (in trust mode it is also the token)',
      default: env.NEXT_CHAT_USER || undefined,
      defaultDescription: '$NEXT_CHAT_USER',
    })
    .option('token', {
      type: 'string',
      describe: 'a JWT, for hubs in jwt mode',
      default: env.NEXT_CHAT_TOKEN || undefined,
      defaultDescription: '$NEXT_CHAT_TOKEN',
    })
    .option('json', { type: 'boolean', default: false, describe: 'print results as JSON (one-shot commands)' })
    .option('color', { type: 'boolean', describe: 'force colours on or off (default: on a terminal, unless NO_COLOR is set)' })
    .option('timeout', { type: 'number', default: 10, describe: 'seconds to wait for the hub to answer' })
    .option('max-reconnect-delay', { type: 'number', default: 30, describe: 'longest wait between reconnect attempts, in seconds' })
    .group(['url', 'user', 'token'], 'Connection:')
    // Keep every word as typed: `say lobby 007` must not become "7", and
    // words after `--` (text starting with a dash) arrive verbatim in argv['--'].
    .parserConfiguration({ 'populate--': true, 'parse-numbers': false, 'parse-positional-numbers': false })
    .strict()
    .epilogue(EPILOGUE)
    .alias('h', 'help')
    .version(VERSION)
    .wrap(Math.min(110, process.stdout.columns || 80))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg);
    }) as unknown as Argv<GlobalArgs>;
  for (const c of list) y = y.command(c as CommandModule<GlobalArgs, GlobalArgs>);
  return y;
}

/** Runs the program with `argv` (no node, no script path); resolves with the exit code. */
export async function run(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const json = argv.includes('--json');
  try {
    await buildParser(argv, env).parseAsync();
    return ExitCode.Ok;
  } catch (err) {
    const code = exitCodeFor(err);
    const text = errorToText(err);
    if (json) {
      const cause = err instanceof CommandFailed ? err.cause : err;
      const detail = cause instanceof RpcError ? { code: cause.code, reason: cause.reason } : {};
      process.stderr.write(`${JSON.stringify({ error: { message: text, exitCode: code, ...detail } })}\n`);
    } else {
      const st = makeStyle(shouldColor(process.stderr, env));
      const hint = err instanceof UsageError ? `\n${st.dim('Run next-chat --help for the usage.')}` : '';
      process.stderr.write(`${st.red(`next-chat: ${text}`)}${hint}\n`);
    }
    return code;
  }
}
