import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { Logger } from './logger.js';

/** Where `npm run build` writes the console bundle; two levels below the package root from src/ and dist/. */
export const DEFAULT_CONSOLE_BUNDLE = fileURLToPath(new URL('../../dist/console/console.iife.js', import.meta.url));

function consolePage(nonce: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Operator console · smooth-operator</title>
<link rel="icon" href="data:,">
<style>html,body{margin:0;height:100%;background:#f4f5f7}</style>
</head>
<body>
<smooth-operator-console></smooth-operator-console>
<script nonce="${nonce}" src="/console/console.iife.js"></script>
</body>
</html>
`;
}

/**
 * `GET /console` (the operator console) and its bundle. The page holds no token: the operator signs
 * in with one, which stays in the tab's sessionStorage and goes out only as a bearer header and as
 * the console socket's `?token=`. Nothing may be fetched from elsewhere.
 */
export function consoleRoutes(options: { logger: Logger; bundleFile?: string }) {
  const file = options.bundleFile ?? DEFAULT_CONSOLE_BUNDLE;
  let cached: { body: Buffer; mtimeMs: number } | undefined;

  async function bundle(): Promise<Buffer | undefined> {
    try {
      const { mtimeMs } = await stat(file);
      if (cached?.mtimeMs !== mtimeMs) cached = { body: await readFile(file), mtimeMs };
      return cached.body;
    } catch {
      options.logger.warn({ file }, 'operator console bundle not found; run `npm run build`');
      return undefined;
    }
  }

  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (pathname === '/console' || pathname === '/console/') {
      const nonce = randomBytes(16).toString('base64');
      const body = consolePage(nonce);
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy': [
          "default-src 'none'",
          `script-src 'nonce-${nonce}'`,
          "style-src 'unsafe-inline'",
          "connect-src 'self'",
          "img-src 'self' data:",
          "base-uri 'none'",
          "form-action 'none'",
          "frame-ancestors 'none'",
        ].join('; '),
        'referrer-policy': 'no-referrer',
        'x-content-type-options': 'nosniff',
        'content-length': String(Buffer.byteLength(body)),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    if (pathname === '/console/console.iife.js') {
      const body = await bundle();
      if (!body) {
        res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('console bundle not built; run `npm run build`');
        return true;
      }
      res.writeHead(200, {
        'content-type': 'application/javascript; charset=utf-8',
        'cache-control': 'no-cache',
        'x-content-type-options': 'nosniff',
        'content-length': String(body.length),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return true;
    }
    return false;
  };
}
