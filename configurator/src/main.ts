/**
 * next-chat-configurator: creates or migrates the Next Chat MySQL schema,
 * then exits. Exit codes are in README.md; every failure prints one line an
 * operator can act on.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { configure, ConfiguratorError, ExitCode } from './configure.js';

export async function main(argv: string[], env: Record<string, string | undefined>): Promise<ExitCode> {
  const log = (line: string) => process.stderr.write(`next-chat-configurator: ${line}\n`);
  let args;
  try {
    args = await yargs(argv)
    .scriptName('next-chat-configurator')
    .usage('$0 [options]\n\nCreates the database if missing and applies the schema migrations; idempotent.')
    .option('mysql-url', {
      type: 'string',
      describe: 'mysql://USER:PASSWORD@HOST:PORT/DATABASE (default: $NEXT_CHAT_MYSQL_URL)',
    })
    .option('wait-timeout-ms', {
      type: 'number',
      describe: 'How long to wait for MySQL to accept connections (default: $NEXT_CHAT_CONFIGURATOR_WAIT_MS or 60000)',
    })
    .example('NEXT_CHAT_MYSQL_URL=mysql://root@127.0.0.1:3306/nextchat $0', 'create or migrate the schema')
    .example('$0 --mysql-url mysql://app:secret@db:3306/nextchat --wait-timeout-ms 120000', 'wait up to two minutes for the database')
    .epilogue('Exit codes: 0 ok, 2 bad configuration, 3 MySQL unreachable after waiting, 4 database creation or migration failed, 1 unexpected.')
    .strict()
    .exitProcess(false)
    .help()
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  } catch (err) {
    log(`${err instanceof Error ? err.message : String(err)}; see --help.`);
    return ExitCode.BadConfig;
  }
  if (args.help || args.version) return ExitCode.Ok;
  const rawWait = args['wait-timeout-ms'] ?? (env.NEXT_CHAT_CONFIGURATOR_WAIT_MS ? Number(env.NEXT_CHAT_CONFIGURATOR_WAIT_MS) : 60_000);
  if (!Number.isInteger(rawWait) || rawWait < 0 || rawWait > 3_600_000) {
    log(`the wait timeout must be an integer number of milliseconds from 0 to 3600000, got '${String(rawWait)}'.`);
    return ExitCode.BadConfig;
  }
  try {
    const r = await configure({ mysqlUrl: args['mysql-url'] ?? env.NEXT_CHAT_MYSQL_URL, waitTimeoutMs: rawWait, log });
    log(`done (${r.databaseCreated ? 'database created, ' : ''}${r.applied.length} migration(s) applied).`);
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof ConfiguratorError) {
      log(`error: ${err.message}`);
      return err.exitCode;
    }
    log(`unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return ExitCode.Unexpected;
  }
}

export async function run(): Promise<void> {
  process.exitCode = await main(hideBin(process.argv), process.env);
}
