/**
 * next-chat-server: parse config once, start the hub, drain on SIGTERM.
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { ConfigError, configOptions, parseConfig, type Config, type ConfigOption } from './config.js';
import { startHub } from './app.js';
import { createLogger } from './observability/logger.js';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** The type line of an option in --help: `NEXT_CHAT_PORT, integer 0 to 65535`. */
function typeText(o: ConfigOption): string {
  if (o.type === 'integer') return `integer ${o.minimum} to ${o.maximum}`;
  if (o.type === 'enum') return `one of ${o.values!.join(', ')}`;
  return o.type === 'boolean' ? 'true or false' : 'string';
}

/** Every config error exits 2, an unknown or repeated flag included. */
function configFailure(message: string): never {
  process.stderr.write(`next-chat-server: ${message}\nRun next-chat-server --help for the options.\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  let cli = yargs(hideBin(process.argv))
    .scriptName('next-chat-server')
    .usage('$0 [options]\n\nRuns a Next Chat hub. Every option is also an environment variable (shown under it); flags win.')
    .example('$0', 'one self-contained hub on port 5000 (in-process engine)')
    .example('NEXT_CHAT_REDIS_URL=redis://localhost:6379 NEXT_CHAT_MYSQL_URL=mysql://root@localhost/nextchat $0 --port 5001', 'a hub of a cluster')
    // Values stay strings (an instance id `1.10` must not become 1.1): parseConfig checks and converts them.
    .parserConfiguration({ 'parse-numbers': false, 'parse-positional-numbers': false, 'duplicate-arguments-array': false })
    .strict()
    .fail((msg, err) => configFailure(msg ?? err?.message ?? 'bad arguments'))
    .version(false)
    .help()
    // Lines as wide as the terminal (at most 120); unwrapped when piped, for grep.
    .wrap(process.stdout.isTTY ? Math.min(120, yargs().terminalWidth()) : null);
  for (const o of configOptions()) {
    cli = cli.option(o.flag.slice(2), { describe: `${o.description}\n${o.env}, ${typeText(o)}`, defaultDescription: o.defaultText });
  }
  const flags = (await cli.parseAsync()) as Record<string, unknown>;

  let config: Config;
  try {
    config = parseConfig(process.env, flags);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`next-chat-server: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }

  const logger = createLogger({ level: config.logLevel, instanceId: config.instanceId });
  if (config.authMode === 'trust' && !isLoopback(config.host)) {
    logger.warn(
      { host: config.host },
      // No numbers in this sentence: scripts that scrape the start-up output for the listening port must not find one here.
      'auth mode is trust: any client that reaches this hub can claim any user id. Use NEXT_CHAT_AUTH_MODE=jwt outside development, or listen on loopback only (NEXT_CHAT_HOST).',
    );
  }
  if (config.authMode === 'jwt' && config.jwtSecret !== undefined && Buffer.byteLength(config.jwtSecret) < 32) {
    logger.warn('NEXT_CHAT_JWT_SECRET is shorter than 32 bytes: HS256 secrets that short can be guessed offline');
  }

  const hub = await startHub(config, { logger });
  // The one line scripts look for (NEXT_CHAT_PORT=0 prints the chosen port):
  // written directly so that the URL and port come first, before any
  // timestamp digits, while it stays a log record like the others.
  if (logger.isLevelEnabled('info')) {
    const record = { msg: 'listening', url: hub.url, port: hub.port, level: 'info', time: new Date().toISOString(), instance: config.instanceId, engine: hub.engine.name, auth: config.authMode, ...(hub.apiPort !== undefined ? { apiPort: hub.apiPort } : {}) };
    process.stdout.write(`${JSON.stringify(record)}\n`);
  }
  // For a person at a terminal, one plain line among the JSON logs.
  if (process.stderr.isTTY) {
    process.stderr.write(`Next Chat hub on ${hub.url} (${hub.engine.name} engine, ${config.authMode} auth). Try: npx next-chat --url ${hub.url} --user alice\n`);
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    hub
      .shutdown()
      .then(() => {
        logger.info('stopped');
        process.exitCode = 0;
        // Clients and adapters are closed; anything left (keep-alive timers
        // of libraries) must not hold the process.
        setTimeout(() => process.exit(0), 100).unref();
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'unclean shutdown');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`next-chat-server: failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
