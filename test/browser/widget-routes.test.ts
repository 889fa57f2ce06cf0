import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, startLocalServer, type LocalServer } from '../../src/index.js';
import { DEFAULT_WIDGET_BUNDLE } from '../../src/server/widget-routes.js';
import { scriptSafeJson } from '../../src/server/widget-host-page.js';

let server: LocalServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('widget routes', () => {
  it('are off unless asked for', async () => {
    server = await startLocalServer();
    expect((await fetch(`${server.httpUrl}/`)).status).toBe(404);
    expect((await fetch(`${server.httpUrl}/chat-widget.iife.js`)).status).toBe(404);
  });

  it('serve the bundle as JavaScript with validators and cache headers', async () => {
    expect(existsSync(DEFAULT_WIDGET_BUNDLE), 'run `npm run build` first: the widget bundle is missing').toBe(true);
    server = await startLocalServer({ serveWidget: true });
    const res = await fetch(`${server.httpUrl}/chat-widget.iife.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300, must-revalidate');
    const etag = res.headers.get('etag');
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const body = await res.text();
    expect(body).toContain('smooth-agent-chat');

    const again = await fetch(`${server.httpUrl}/chat-widget.iife.js`, { headers: { 'if-none-match': etag! } });
    expect(again.status).toBe(304);
    // The host page names the exact build, so that URL may be cached for good.
    const versioned = await fetch(`${server.httpUrl}/chat-widget.iife.js?v=${etag!.slice(1, -1)}`);
    expect(versioned.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    await versioned.arrayBuffer();
  });

  it('serve a host page with a nonce CSP and the token injected as inert JSON', async () => {
    const token = '</script><script>alert(1)</script>\u2028';
    server = await startLocalServer({ serveWidget: { token } });
    const res = await fetch(`${server.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).toContain('<smooth-agent-chat');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain(scriptSafeJson(token));
    expect(JSON.parse(scriptSafeJson({ token }))).toEqual({ token });
    // A fresh nonce per response.
    const second = await fetch(`${server.httpUrl}/`);
    expect(second.headers.get('content-security-policy')).not.toBe(csp);
    await second.text();
  });

  it('default on for `serve` bound to loopback, off otherwise, overridable', () => {
    const serve = { widgetDefault: 'loopback' } as const;
    expect(loadConfig({}).serveWidget).toBe(false);
    expect(loadConfig({}, serve).serveWidget).toBe(true);
    expect(loadConfig({ SMOOTH_AGENT_BIND: '::1' }, serve).serveWidget).toBe(true);
    expect(loadConfig({ SMOOTH_AGENT_BIND: '0.0.0.0' }, serve).serveWidget).toBe(false);
    expect(loadConfig({ SMOOTH_AGENT_BIND: '0.0.0.0', SMOOTH_AGENT_SERVE_WIDGET: '1' }, serve).serveWidget).toBe(true);
    expect(loadConfig({ SMOOTH_AGENT_SERVE_WIDGET: '0' }, serve).serveWidget).toBe(false);
    expect(loadConfig({ SMOOTH_AGENT_SERVE_WIDGET: 'yes', SMOOTH_AGENT_WIDGET_TOKEN: ' t ' }).widgetToken).toBe('t');
    expect(() => loadConfig({ SMOOTH_AGENT_SERVE_WIDGET: 'maybe' })).toThrow(ConfigError);
  });
});
