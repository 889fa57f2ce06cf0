import { pino, type DestinationStream, type Logger } from 'pino';
import { createRequire } from 'node:module';

export type { Logger };

/**
 * Logs go to stderr so stdout carries only the start-up lines. Anything that could hold a secret
 * is redacted by path as a second line of defence; the first is never logging it.
 */
export function createLogger(level: string, mixin?: () => object): Logger {
  return pino(
    {
      level,
      // Tracing on: every line logged inside a turn carries its trace id.
      ...(mixin ? { mixin } : {}),
      base: { service: 'smooth-operator' },
      redact: {
        paths: ['apiKey', 'token', 'authorization', 'headers.authorization', '*.apiKey', '*.token', 'sessionId', '*.sessionId'],
        censor: '[redacted]',
      },
    },
    logStream(),
  );
}

/** JSON for log collectors; readable lines (synchronous, no worker thread) when a person watches the terminal. */
function logStream(): DestinationStream {
  if (!process.stderr.isTTY) return pino.destination(2);
  // Required only for a terminal: a server logging JSON never loads the pretty-printer.
  const { PinoPretty } = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return PinoPretty({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' });
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
