import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { App } from '../app.js';
import type { Metrics } from '../observability/index.js';

const PROBE_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Readiness, unlike /health (liveness): can this process serve a turn now? Storage answers a read
 * and the backplane's bus is connected. Only ok/unavailable is said: the cause is in the log.
 */
export async function serveReadiness(app: App, res: ServerResponse, draining: boolean): Promise<void> {
  const storage = await withTimeout(app.storage.getSession('readiness-probe'), PROBE_TIMEOUT_MS).then(
    () => 'ok' as const,
    (err: unknown) => {
      app.logger.warn({ err: (err as Error).message }, 'readiness: storage check failed');
      return 'unavailable' as const;
    },
  );
  const backplane = (app.backplane.connected?.() ?? true) ? ('ok' as const) : ('unavailable' as const);
  const ready = !draining && storage === 'ok' && backplane === 'ok';
  const body = JSON.stringify({ status: ready ? 'ready' : draining ? 'draining' : 'unavailable', checks: { storage, backplane } });
  res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
}

function bearerMatches(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Prometheus text exposition; with a token configured, only for a scraper that presents it. */
export async function serveMetrics(metrics: Metrics, token: string | undefined, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (token !== undefined && !bearerMatches(req, token)) {
    res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8', 'www-authenticate': 'Bearer' }).end('unauthorized');
    return;
  }
  const { contentType, body } = await metrics.render();
  res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
}
