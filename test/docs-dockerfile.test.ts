import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The container recipe cannot be built here (no container engine), so its load-bearing lines are
// checked statically: node runs the built entry point as PID 1 (exec form, so SIGTERM reaches the
// server), the Node major matches package.json, and what it copies exists after `npm ci`.

const ROOT = resolve(import.meta.dirname, '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n\s*/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.trim().startsWith('#'));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string }; scripts: Record<string, string> };

describe('Dockerfile', () => {
  it('starts node directly on the built CLI, in exec form', () => {
    const cmd = instructions.filter((l) => /^CMD\s/.test(l)).at(-1);
    expect(cmd, 'a CMD').toBeDefined();
    const argv = JSON.parse(cmd!.replace(/^CMD\s+/, '')) as string[];
    expect(argv).toEqual(['node', 'dist/cli/main.js', 'serve']);
    expect(existsSync(join(ROOT, argv[1]!)), `${argv[1]} is built by npm ci (prepare)`).toBe(true);
    expect(pkg.scripts.prepare).toContain('build');
    expect(instructions.some((l) => /^ENTRYPOINT\s/.test(l))).toBe(false);
  });

  it('uses the Node major the package supports, in every stage', () => {
    const major = /(\d+)/.exec(pkg.engines.node)![1];
    const bases = instructions.filter((l) => /^FROM\s/.test(l)).map((l) => l.split(/\s+/)[1]!);
    expect(bases.length).toBe(2);
    for (const base of bases) expect(base).toMatch(new RegExp(`^node:${major}(-|$)`));
  });

  it('copies only what exists after the build stage, and runs unprivileged', () => {
    const copied = instructions.filter((l) => /^COPY\s+--from=build\s/.test(l)).map((l) => l.split(/\s+/)[2]!.replace(/^\/app\//, ''));
    expect(copied.sort()).toEqual(['dist', 'node_modules', 'package.json']);
    for (const path of copied) expect(existsSync(join(ROOT, path)), path).toBe(true);
    expect(instructions).toContain('USER node');
  });

  it('.dockerignore keeps the host build and dependencies out of the context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', '.git']) expect(ignored).toContain(entry);
  });
});
