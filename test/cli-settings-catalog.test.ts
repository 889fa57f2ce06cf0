import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/index.js';
import { formatValue, SETTINGS } from '../src/config/settings-catalog.js';
import { settingsHelp } from '../src/cli/settings-help.js';

// The catalog drives `serve --help` and `smooth-operator config`; this keeps it complete. New settings
// added to load-config (or to a module it delegates env reading to) fail here until they are catalogued.

const CONFIG_DIR = resolve(import.meta.dirname, '..', 'src', 'config');

/** A string literal that is exactly an environment variable name: `'SMOOTH_AGENT_PORT'`, "AWS_REGION". */
const ENV_LITERAL = /(['"`])([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\1/g;
const LOCAL_IMPORT = /from\s+'(\.\/[^']+)\.js'/g;

function envNamesIn(source: string): Set<string> {
  return new Set([...source.matchAll(ENV_LITERAL)].map((m) => m[2]!));
}

/** load-config.ts and every src/config module it imports, transitively (types-only modules add nothing). */
function readerSources(entry = join(CONFIG_DIR, 'load-config.ts')): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const source = readFileSync(file, 'utf8');
    seen.set(file, source);
    for (const m of source.matchAll(LOCAL_IMPORT)) visit(join(dirname(file), `${m[1]!}.ts`));
  };
  visit(entry);
  return seen;
}

function namesReadByLoadConfig(): Set<string> {
  const names = new Set<string>();
  for (const source of readerSources().values()) for (const name of envNamesIn(source)) names.add(name);
  return names;
}

describe('settings catalog', () => {
  it('the scanner finds names however they are read, and ignores names inside sentences', () => {
    const found = envNamesIn(`text(env, 'SMOOTH_AGENT_NEW_THING'); read("X_Y"); ['A_URL', \`B_URL\`]; 'needs SMOOTH_AGENT_PORT set'`);
    expect([...found].sort()).toEqual(['A_URL', 'B_URL', 'SMOOTH_AGENT_NEW_THING', 'X_Y']);
  });

  it('follows load-config into the modules it delegates to', () => {
    const files = [...readerSources().keys()].map((f) => f.slice(CONFIG_DIR.length + 1));
    expect(files).toContain('load-config.ts');
    expect(files).toContain('backplane-config.ts');
    expect(namesReadByLoadConfig()).toContain('SMOOTH_AGENT_NATS_URL'); // only named in backplane-config.ts
  });

  it('has an entry for every variable load-config reads', () => {
    const catalogued = new Set(SETTINGS.map((s) => s.name));
    const missing = [...namesReadByLoadConfig()].filter((name) => !catalogued.has(name));
    expect(missing, 'add these to src/config/settings-catalog.ts (name, default, description, secret)').toEqual([]);
  });

  it('lists nothing load-config no longer reads, and nothing twice', () => {
    const read = namesReadByLoadConfig();
    expect(SETTINGS.map((s) => s.name).filter((name) => !read.has(name))).toEqual([]);
    expect(new Set(SETTINGS.map((s) => s.name)).size).toBe(SETTINGS.length);
  });

  it('states the defaults loadConfig really applies', () => {
    const config = loadConfig({});
    const wrong = SETTINGS.filter((s) => s.effective && !s.derivedDefault)
      .map((s) => ({ name: s.name, documented: s.default, actual: formatValue(s.effective!(config)) }))
      .filter((row) => row.documented !== row.actual);
    expect(wrong).toEqual([]);
  });

  it('marks every key, token and credential-bearing URL secret', () => {
    const looksSecret = SETTINGS.filter((s) => /(_KEY|_TOKEN|_SECRET|_BEARER|DATABASE_URL|BACKPLANE_URL|REDIS_URL|NATS_URL)$/.test(s.name) && !/PUBLIC_KEY|KEYS_FILE/.test(s.name));
    expect(looksSecret.length).toBeGreaterThan(5);
    expect(looksSecret.filter((s) => !s.secret).map((s) => s.name)).toEqual([]);
  });

  it('serve --help text names every setting with its default', () => {
    const help = settingsHelp();
    for (const s of SETTINGS) expect(help).toContain(`${s.name}  [default: ${s.default}]`);
  });
});
