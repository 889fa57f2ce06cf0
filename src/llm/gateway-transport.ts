import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { Pool } from 'undici';

/** One streamed chat-completion response, whatever carried it. */
export interface GatewayResponse {
  readonly status: number;
  header(name: string): string | undefined;
  /**
   * Reads the body as UTF-8 text pieces (multi-byte characters never split across pieces) until it
   * ends or `onText` returns true (seen enough). Rejects on a transport error, or with what
   * `onText` throws. Push-style: a streamed reply is dozens of small pieces, and an async iterator
   * would cost a few promises each.
   */
  read(onText: (piece: string) => boolean): Promise<void>;
  /** Reads and drops at most `limit` bytes of the body (a refused request's error text). */
  discard(limit: number): Promise<void>;
  /**
   * Releases the connection whether or not the body was read to its end: `reusable` (the reply was
   * complete) lets what is left drain so the socket stays alive; otherwise the body is destroyed.
   */
  close(reusable: boolean): void;
}

export interface GatewayTransport {
  send(body: string, apiKey: string, signal: AbortSignal): Promise<GatewayResponse>;
}

function headers(apiKey: string): Record<string, string> {
  return { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${apiKey}` };
}

/** How long a body that outlives `[DONE]` may take to end before its socket is given up on. */
const TAIL_MS = 5_000;
const TAIL_BYTES = 64 * 1024;

class BodyClosed extends Error {}

function readBody(body: Readable, onText: (piece: string) => boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    // undici's body yields Buffers whatever the encoding; a StringDecoder keeps characters whole.
    const decoder = new StringDecoder('utf8');
    let settled = false;
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', finish);
      body.off('close', onClose);
      // Leaving early ([DONE] before the body's end) must not destroy the body: that would throw the
      // keep-alive socket away. The caller's close() drains what is left instead.
      if (err === undefined) resolve();
      else reject(err);
    };
    const onData = (bytes: Buffer): void => {
      try {
        const piece = decoder.write(bytes);
        if (piece !== '' && onText(piece)) {
          body.pause();
          finish();
        }
      } catch (err) {
        finish(err);
      }
    };
    const onEnd = (): void => {
      try {
        const rest = decoder.end();
        if (rest !== '') onText(rest);
        finish();
      } catch (err) {
        finish(err);
      }
    };
    const onClose = (): void => finish(new BodyClosed('the response body closed before it ended'));
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', finish);
    body.on('close', onClose);
  });
}

/** Keep-alive sockets to one gateway origin; the request timeouts are the provider's own. */
export function poolTransport(pool: Pool, path: string): GatewayTransport {
  return {
    async send(body, apiKey, signal) {
      const res = await pool.request({ method: 'POST', path, headers: headers(apiKey), body, signal, headersTimeout: 0, bodyTimeout: 0 });
      return {
        status: res.statusCode,
        header: (name) => {
          const value = res.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        read: (onText) => readBody(res.body, onText),
        discard: async (limit) => {
          await res.body.dump({ limit }).catch(() => undefined);
        },
        close: (reusable) => {
          const body = res.body;
          if (body.destroyed || body.readableEnded) return;
          if (!reusable) {
            body.destroy();
            return;
          }
          // Normally only the final empty chunk is still on its way; a gateway that holds the stream
          // open after [DONE] loses the socket after a while instead of keeping it forever.
          const tail = setTimeout(() => body.destroy(), TAIL_MS);
          tail.unref();
          body
            .dump({ limit: TAIL_BYTES })
            .catch(() => undefined)
            .finally(() => clearTimeout(tail));
        },
      };
    },
  };
}

/** The same over an injected fetch (a host routing or observing its HTTP). */
export function fetchTransport(fetchImpl: typeof fetch, url: string): GatewayTransport {
  return {
    async send(body, apiKey, signal) {
      const res = await fetchImpl(url, { method: 'POST', headers: headers(apiKey), body, signal });
      const stream = res.body;
      const read = async (onText: (piece: string) => boolean): Promise<void> => {
        if (!stream) return;
        const reader = stream.getReader();
        const decoder = new TextDecoder();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            const piece = decoder.decode(value, { stream: true });
            if (piece !== '' && onText(piece)) return;
          }
          const rest = decoder.decode();
          if (rest !== '') onText(rest);
        } finally {
          reader.releaseLock();
        }
      };
      return {
        status: res.status,
        header: (name) => res.headers.get(name) ?? undefined,
        read,
        discard: async () => {
          await stream?.cancel().catch(() => undefined);
        },
        close: () => {
          if (stream && !stream.locked) stream.cancel().catch(() => undefined);
        },
      };
    },
  };
}
