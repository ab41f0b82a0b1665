import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; one logger per process, children per component. */
export function createLogger(opts: { level: string; instanceId: string }): Logger {
  return pino({
    level: opts.level,
    base: { instance: opts.instanceId },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** A logger that writes nothing, for tests of single components. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
