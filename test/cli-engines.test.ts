import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm ci` on the oldest Node the package claims (package.json engines) must print no EBADENGINE:
// every package in the lockfile, dev dependencies included, has to accept that version. This catches a
// dependency bump that needs a newer Node (as @nats-io/nuid 3 did) without running an install.

const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[]; optional?: boolean; os?: string[]; cpu?: string[] }>;
};

type Version = [number, number, number];

/** A partial version: `22.x`, `20.19`, `>= 18` → missing parts are wildcards (undefined). */
function partial(text: string): (number | undefined)[] {
  const parts = text.replace(/^v/, '').split('.');
  if (parts.length > 3 || parts.some((p) => !/^(\d+|x|X|\*)$/.test(p))) throw new Error(`unsupported version "${text}"`);
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : undefined));
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

function floor(p: (number | undefined)[]): Version {
  return [p[0] ?? 0, p[1] ?? 0, p[2] ?? 0];
}

/** One comparator (`>=20.19`, `^20.19.0`, `22.x`, `*`) against a concrete version. */
function satisfiesComparator(version: Version, comparator: string): boolean {
  const m = /^(\^|~|>=|<=|>|<|=)?(.*)$/.exec(comparator)!;
  const op = m[1] ?? '';
  if (m[2] === '*' || m[2] === '') return true;
  const p = partial(m[2]!);
  const low = floor(p);
  const c = compare(version, low);
  switch (op) {
    case '>=':
      return c >= 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '<':
      return c < 0;
    case '^': {
      // Same leftmost non-zero part, at or above the floor.
      const lead = low[0] !== 0 ? 0 : low[1] !== 0 ? 1 : 2;
      return c >= 0 && version.slice(0, lead + 1).every((v, i) => v === low[i]);
    }
    case '~':
      return c >= 0 && version[0] === low[0] && (p[1] === undefined || version[1] === low[1]);
    default:
      // `22.x`, `20.19` or `=20.19.0`: every given part must match.
      return p.every((part, i) => part === undefined || part === version[i]);
  }
}

function satisfies(versionText: string, range: string): boolean {
  const version = floor(partial(versionText));
  return range.split('||').some((set) => {
    const comparators = set.trim().replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/).filter((c) => c !== '');
    return comparators.every((c) => satisfiesComparator(version, c));
  });
}

const OLDEST = /^>=\s*(\d+\.\d+(?:\.\d+)?)$/.exec(pkg.engines.node)?.[1];

describe('engines', () => {
  it('the range checker reads the forms the lockfile uses', () => {
    expect(satisfies('20.19.0', '>= 22.x')).toBe(false);
    expect(satisfies('22.0.0', '>= 22.x')).toBe(true);
    expect(satisfies('20.19.0', '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies('20.18.0', '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies('20.19.0', '^10 || ^12 || >=14')).toBe(true);
    expect(satisfies('20.19.0', '^8.16.0 || ^10.6.0')).toBe(false);
    expect(satisfies('20.19.0', '*')).toBe(true);
    expect(satisfies('20.19.0', '>=14.16')).toBe(true);
    expect(() => satisfies('20.19.0', '>=twenty')).toThrow(/unsupported/);
  });

  it('package.json states a lowest Node version', () => {
    expect(OLDEST, `engines.node is "${pkg.engines.node}"`).toBeDefined();
  });

  it(`every locked package accepts Node ${OLDEST ?? '?'} (no EBADENGINE on npm ci)`, () => {
    const refusing = Object.entries(lock.packages)
      .filter(([path]) => path !== '')
      .map(([path, entry]) => ({ path, range: Array.isArray(entry.engines) ? undefined : entry.engines?.node }))
      .filter((row): row is { path: string; range: string } => row.range !== undefined && !satisfies(OLDEST!, row.range))
      .map((row) => `${row.path} wants node ${row.range}`);
    expect(refusing).toEqual([]);
  });
});
