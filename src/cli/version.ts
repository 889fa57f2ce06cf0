import { readFileSync } from 'node:fs';

/**
 * The package version, read from the package.json two levels up: `src/cli` and `dist/cli` both sit
 * there, and npm always ships package.json, so this works from a clone and from an installed package.
 */
export function packageVersion(): string {
  const raw = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const version = (JSON.parse(raw) as { version?: unknown }).version;
  return typeof version === 'string' ? version : '0.0.0';
}
