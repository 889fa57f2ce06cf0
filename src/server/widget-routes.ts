import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from './logger.js';
import { hostPageCsp, hostPageHtml } from './widget-host-page.js';

/**
 * Where `npm run build` writes the widget bundle. The same relative path works from `src/server`
 * (tests run the TypeScript sources) and from `dist/server` (the built package): both are two
 * levels below the package root.
 */
export const DEFAULT_WIDGET_BUNDLE = fileURLToPath(new URL('../../dist/widget/chat-widget.iife.js', import.meta.url));

export const WIDGET_BUNDLE_PATH = '/chat-widget.iife.js';

export interface WidgetRoutesOptions {
  /** Injected into the host page for the widget's connection; absent → no token. */
  token: string | undefined;
  logger: Logger;
  bundleFile?: string;
}

interface Bundle {
  body: Buffer;
  etag: string;
  version: string;
  mtimeMs: number;
}

export type WidgetRoute = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

/**
 * `GET /` (the host page) and `GET /chat-widget.iife.js` (the bundle). Returns false for any other
 * request so the caller's routing goes on.
 */
export function widgetRoutes(options: WidgetRoutesOptions): WidgetRoute {
  const file = options.bundleFile ?? DEFAULT_WIDGET_BUNDLE;
  let cached: Bundle | undefined;
  let warnedMissing = false;

  /** Re-reads the bundle only when its mtime changes, so a rebuild shows up without a restart. */
  async function loadBundle(): Promise<Bundle | undefined> {
    let mtimeMs: number;
    try {
      mtimeMs = (await stat(file)).mtimeMs;
    } catch {
      if (!warnedMissing) {
        warnedMissing = true;
        options.logger.warn({ file }, 'chat widget bundle not found; run `npm run build` to serve the widget');
      }
      return undefined;
    }
    if (cached?.mtimeMs === mtimeMs) return cached;
    const body = await readFile(file);
    const version = createHash('sha256').update(body).digest('hex').slice(0, 16);
    cached = { body, etag: `"${version}"`, version, mtimeMs };
    return cached;
  }

  async function serveBundle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bundle = await loadBundle();
    if (!bundle) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('chat widget bundle not built; run `npm run build`');
      return;
    }
    const requested = new URL(req.url ?? '/', 'http://localhost').searchParams.get('v');
    const headers = {
      'content-type': 'application/javascript; charset=utf-8',
      // A URL that names this exact build never changes; the bare URL is revalidated cheaply by ETag.
      'cache-control': requested === bundle.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300, must-revalidate',
      etag: bundle.etag,
      'x-content-type-options': 'nosniff',
    };
    if (req.headers['if-none-match'] === bundle.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': String(bundle.body.length) });
    res.end(req.method === 'HEAD' ? undefined : bundle.body);
  }

  async function serveHostPage(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bundle = await loadBundle();
    const nonce = randomBytes(16).toString('base64');
    const body = hostPageHtml({ nonce, token: options.token ?? '', bundleVersion: bundle?.version ?? 'missing' });
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      // The page may carry a token; it must not be stored by shared caches.
      'cache-control': 'no-store',
      'content-security-policy': hostPageCsp(nonce),
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'content-length': String(Buffer.byteLength(body)),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  return async (req, res, pathname) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (pathname === '/') {
      await serveHostPage(req, res);
      return true;
    }
    if (pathname === WIDGET_BUNDLE_PATH) {
      await serveBundle(req, res);
      return true;
    }
    return false;
  };
}
