/** The agent id the demo page asks for, the same fixed id the reference server's page uses. */
export const HOST_PAGE_AGENT_ID = '11111111-1111-4111-8111-111111111111';

/**
 * JSON that is safe inside an inline <script>: `<`, `>` and `&` are escaped so a value containing
 * `</script>` or `<!--` cannot end the script element, and U+2028/U+2029 so older parsers that
 * treat them as line terminators cannot break the literal.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface HostPageInput {
  /** Per-response CSP nonce for the two script elements. */
  nonce: string;
  /** Injected for the widget's WebSocket connection; empty string when none is configured. */
  token: string;
  /** Cache-busting version of the bundle, so the bundle itself can be cached for good. */
  bundleVersion: string;
}

/**
 * `GET /`: a page that embeds the widget and connects it to this server's `/ws`. The WebSocket URL is
 * derived in the browser from `location`, so the server never reflects the request's Host header.
 */
export function hostPageHtml(input: HostPageInput): string {
  const config = scriptSafeJson({ token: input.token, agentId: HOST_PAGE_AGENT_ID });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>smooth-operator</title>
<link rel="icon" href="data:,">
<style>
  body { margin: 0; min-height: 100vh; font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; background: #f4f5f7; color: #1f2937; }
  main { max-width: 42rem; margin: 0 auto; padding: 4rem 1.5rem; }
  /* Keep the text clear of the open chat panel on wide screens. */
  @media (min-width: 960px) { main { margin: 0 460px 0 6vw; } }
  code { background: #e5e7eb; padding: 0.1em 0.35em; border-radius: 4px; font-size: 0.9em; }
  @media (prefers-color-scheme: dark) { body { background: #0f1115; color: #e5e7eb; } code { background: #1f2430; } }
</style>
</head>
<body>
<main>
  <h1>smooth-operator</h1>
  <p>This server is running. The support chat in the corner talks to it over <code>/ws</code>.</p>
  <p>Put the same chat on any page with one script tag and one element; see the project's README.</p>
</main>
<smooth-agent-chat id="smooth-agent-chat" title="Support"></smooth-agent-chat>
<script nonce="${input.nonce}">
(function () {
  var config = ${config};
  var chat = document.getElementById('smooth-agent-chat');
  chat.setAttribute('server', (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
  chat.setAttribute('agent-id', config.agentId);
  if (config.token) chat.setAttribute('token', config.token);
})();
</script>
<script nonce="${input.nonce}" src="/chat-widget.iife.js?v=${encodeURIComponent(input.bundleVersion)}"></script>
</body>
</html>
`;
}

/**
 * Scripts run only with the nonce; the widget may connect back to this origin and nothing else,
 * and images are limited to this origin so even a sanitizer bypass could not beacon data out.
 */
export function hostPageCsp(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // lit falls back to <style> elements where constructable stylesheets are missing.
    "style-src 'unsafe-inline'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
