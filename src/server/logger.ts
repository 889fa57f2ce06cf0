import { pino, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

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
  return process.stderr.isTTY ? PinoPretty({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }) : pino.destination(2);
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
