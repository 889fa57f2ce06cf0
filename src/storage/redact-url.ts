/** A connection URL safe to log: the password (and any query string, which may carry one) is removed. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    url.search = '';
    return url.toString();
  } catch {
    // Not parseable means we cannot tell where a secret might be: say nothing about it.
    return '[unparseable url]';
  }
}
