import { StringDecoder } from 'node:string_decoder';
import type { Pool } from 'undici';

/** One streamed chat-completion response, whatever carried it. */
export interface GatewayResponse {
  readonly status: number;
  header(name: string): string | undefined;
  /** The body as UTF-8 text pieces (multi-byte characters never split across pieces). */
  readonly body: AsyncIterable<string>;
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

/** Keep-alive sockets to one gateway origin; the request timeouts are the provider's own. */
export function poolTransport(pool: Pool, path: string): GatewayTransport {
  return {
    async send(body, apiKey, signal) {
      const res = await pool.request({ method: 'POST', path, headers: headers(apiKey), body, signal, headersTimeout: 0, bodyTimeout: 0 });
      // undici's body yields Buffers whatever the encoding; a StringDecoder keeps characters whole.
      async function* text(): AsyncIterable<string> {
        const decoder = new StringDecoder('utf8');
        // Leaving the loop early ([DONE] before the body's end) must not destroy the body: that
        // would throw the keep-alive socket away. close() drains what is left instead.
        for await (const bytes of res.body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
          const piece = decoder.write(bytes);
          if (piece !== '') yield piece;
        }
        const rest = decoder.end();
        if (rest !== '') yield rest;
      }
      return {
        status: res.statusCode,
        header: (name) => {
          const value = res.headers[name];
          return Array.isArray(value) ? value[0] : value;
        },
        body: text(),
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
      async function* text(): AsyncIterable<string> {
        if (!stream) return;
        const decoder = new TextDecoder();
        for await (const bytes of stream as unknown as AsyncIterable<Uint8Array>) {
          const piece = decoder.decode(bytes, { stream: true });
          if (piece !== '') yield piece;
        }
        const rest = decoder.decode();
        if (rest !== '') yield rest;
      }
      return {
        status: res.status,
        header: (name) => res.headers.get(name) ?? undefined,
        body: text(),
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
