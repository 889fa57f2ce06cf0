import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// scripts/install-pgvector.sh takes its Debian mirror from the system's own apt sources. Its functions
// are exercised here by sourcing the script (which then defines them without running anything) against
// fixture source files and a scratch apt directory: no apt-get, no network, nothing outside the scratch dir.

const ROOT = resolve(import.meta.dirname, '..');
const SCRIPT = join(ROOT, 'scripts', 'install-pgvector.sh');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'apt-sources');
const scratch = mkdtempSync(join(tmpdir(), 'so-apt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function sourced(body: string, env: Record<string, string> = {}) {
  const run = spawnSync('bash', ['-c', `source "$1"; ${body}`, 'bash', SCRIPT], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', PGVECTOR_RELEASE_CODENAME: 'bookworm', ...env },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function mirrorOf(...files: string[]): string {
  const run = sourced(`debian_mirror bookworm ${files.map((f) => `"${join(FIXTURES, f)}"`).join(' ')}`);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

describe('debian_mirror: the Debian archive the system is configured with', () => {
  it('deb822: the first archive entry, passing over the security archive, with its keyring', () => {
    expect(mirrorOf('corp-mirror.sources')).toBe('https://mirror.corp.example/debian\t/etc/apt/keyrings/corp-debian.gpg\n');
  });

  it("Debian's own default (archive first, security after): exactly one entry", () => {
    expect(mirrorOf('debian-default.sources')).toBe('http://deb.debian.org/debian\t/usr/share/keyrings/debian-archive-keyring.gpg\n');
  });

  it('one-line format: options, comments and the security line handled; the first match wins', () => {
    expect(mirrorOf('one-line.list')).toBe('http://apt.corp.example/debian\t/etc/apt/keyrings/corp.gpg\n');
  });

  it('ignores third-party repositories, disabled entries and entries without main', () => {
    expect(mirrorOf('third-party.sources')).toBe('');
  });

  it('an embedded key is no keyring path (the default is used); files are read in the order given', () => {
    expect(mirrorOf('embedded-key.sources')).toBe('http://inline-key.example/debian\t\n');
    expect(mirrorOf('third-party.sources', 'one-line.list', 'corp-mirror.sources')).toBe('http://apt.corp.example/debian\t/etc/apt/keyrings/corp.gpg\n');
  });

  it('only suites of this release count', () => {
    const run = sourced(`debian_mirror trixie "${join(FIXTURES, 'corp-mirror.sources')}"`);
    expect(run.stdout).toBe('');
  });
});

describe('add_trixie_sources', () => {
  function aptDir(name: string, files: string[]): string {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'sources.list.d'), { recursive: true });
    for (const f of files) copyFileSync(join(FIXTURES, f), join(dir, f.endsWith('.list') ? 'sources.list' : join('sources.list.d', f)));
    return dir;
  }

  it('writes a deb-src entry for trixie on the configured mirror, once', () => {
    const dir = aptDir('corp', ['third-party.sources', 'corp-mirror.sources']);
    const first = sourced('add_trixie_sources', { PGVECTOR_APT_DIR: dir });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('from https://mirror.corp.example/debian');
    const written = join(dir, 'sources.list.d', 'pgvector-trixie-src.sources');
    expect(readFileSync(written, 'utf8')).toBe(
      'Types: deb-src\nURIs: https://mirror.corp.example/debian\nSuites: trixie\nComponents: main\nSigned-By: /etc/apt/keyrings/corp-debian.gpg\n',
    );
    const before = statSync(written).mtimeMs;
    const second = sourced('add_trixie_sources', { PGVECTOR_APT_DIR: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toBe('');
    expect(statSync(written).mtimeMs).toBe(before);
  });

  it('sources.list counts too, and its entry is rewritten when the system mirror changes', () => {
    const dir = aptDir('oneline', ['one-line.list']);
    const written = join(dir, 'sources.list.d', 'pgvector-trixie-src.sources');
    writeFileSync(written, 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\n');
    const run = sourced('add_trixie_sources', { PGVECTOR_APT_DIR: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(written, 'utf8')).toContain('URIs: http://apt.corp.example/debian\n');
  });

  it('never derives the mirror from its own entry, and says what to set when there is none', () => {
    const dir = aptDir('none', ['third-party.sources']);
    writeFileSync(join(dir, 'sources.list.d', 'pgvector-trixie-src.sources'), 'Types: deb-src\nURIs: http://old.example/debian\nSuites: bookworm\nComponents: main\n');
    const run = sourced('add_trixie_sources', { PGVECTOR_APT_DIR: dir });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('PGVECTOR_DEBIAN_MIRROR');
  });

  it('PGVECTOR_DEBIAN_MIRROR overrides the system sources', () => {
    const dir = aptDir('override', ['corp-mirror.sources']);
    const run = sourced('add_trixie_sources', { PGVECTOR_APT_DIR: dir, PGVECTOR_DEBIAN_MIRROR: 'http://override.example/debian' });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'sources.list.d', 'pgvector-trixie-src.sources'), 'utf8')).toContain(
      'URIs: http://override.example/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n',
    );
  });

  it('sourcing the script runs nothing', () => {
    const run = sourced('echo sourced');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('sourced\n');
  });
});
