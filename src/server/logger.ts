import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Logs go to stderr so stdout carries only the start-up line. Anything that could hold a secret
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
    pino.destination(2),
  );
}

export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
