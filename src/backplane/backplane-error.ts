import { redactUrl } from '../storage/redact-url.js';

/** The bus a multi-replica backplane needs could not be reached at boot; the message is safe to print. */
export class BackplaneUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackplaneUnavailableError';
  }
}

/** The secret a bus URL carries: its password, or a lone user part (NATS reads `nats://<token>@host` as a token). */
function secretOf(url: URL): string | undefined {
  const secret = url.password || url.username;
  return secret ? decodeURIComponent(secret) : undefined;
}

/** redactUrl, with a lone user part masked as well, since for NATS that is the token. */
export function redactBusUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return redactUrl(raw);
  }
  if (url.username && !url.password) url.username = '***';
  return redactUrl(url.toString());
}

/**
 * The boot error for `url`. The client's own message gives the reason (refused, auth failed, timed
 * out); the URL's secret is scrubbed from it in case a client ever echoes it.
 */
export function unavailable(what: string, url: string, cause: unknown): BackplaneUnavailableError {
  let reason = cause instanceof Error ? cause.message : String(cause);
  let secret: string | undefined;
  try {
    secret = secretOf(new URL(url));
  } catch {
    secret = undefined;
  }
  if (secret) reason = reason.split(secret).join('***');
  return new BackplaneUnavailableError(`cannot connect to ${what} at ${redactBusUrl(url)}: ${reason}`, { cause });
}
