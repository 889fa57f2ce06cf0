/**
 * Origin allowlist matching, as the reference defines it. Per pattern:
 * - `*` matches any origin, even a missing one (the server sees a missing Origin header as "");
 * - otherwise an exact string match;
 * - or `scheme://*.suffix`, which matches when the schemes are equal and the host is `suffix` itself
 *   or ends with `.suffix`. No other wildcarding.
 * An empty allowlist matches nothing.
 */
export function originAllowed(origin: string, allowedOrigins: readonly string[]): boolean {
  return allowedOrigins.some((pattern) => originMatches(origin, pattern));
}

const SCHEME_SEPARATOR = '://';

function splitOrigin(value: string): { scheme: string; host: string } | undefined {
  const at = value.indexOf(SCHEME_SEPARATOR);
  if (at <= 0) return undefined;
  return { scheme: value.slice(0, at), host: value.slice(at + SCHEME_SEPARATOR.length) };
}

export function originMatches(origin: string, pattern: string): boolean {
  if (pattern === '*') return true;
  if (origin === pattern) return true;
  const wanted = splitOrigin(pattern);
  if (!wanted?.host.startsWith('*.')) return false;
  const suffix = wanted.host.slice(2);
  const actual = splitOrigin(origin);
  if (!actual || suffix === '' || actual.scheme !== wanted.scheme) return false;
  // A real Origin is scheme://host[:port]; anything carrying a path, userinfo or query is not one,
  // and must not sneak a matching suffix in after a "/".
  if (/[/?#@\s]/.test(actual.host)) return false;
  return actual.host === suffix || actual.host.endsWith(`.${suffix}`);
}
