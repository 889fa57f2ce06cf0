import { describe, expect, it } from 'vitest';
import { formatGithubCursor, parseGithubCursor } from './github-cursor.js';
import { isIndexablePath } from './indexable-path.js';

describe('github connector helpers', () => {
  it('indexes text and code, not binaries, hidden, vendored or generated files', () => {
    for (const path of ['README.md', 'docs/guide.mdx', 'src/index.ts', 'Dockerfile', 'LICENSE', 'cmd/main.go', 'config/app.yaml']) {
      expect(isIndexablePath(path), path).toBe(true);
    }
    for (const path of ['logo.png', 'dist/app.js', 'node_modules/x/index.js', '.github/workflows/ci.yml', 'package-lock.json', 'app.min.js', 'archive.zip']) {
      expect(isIndexablePath(path), path).toBe(false);
    }
  });

  it('round-trips its cursor and treats anything unreadable as no cursor', () => {
    const cursor = { commit: 'a'.repeat(40), issuesSince: '2026-01-01T00:00:00Z', private: true };
    expect(parseGithubCursor(formatGithubCursor(cursor))).toEqual(cursor);
    expect(parseGithubCursor(null)).toEqual({});
    expect(parseGithubCursor('not json')).toEqual({});
    expect(parseGithubCursor(JSON.stringify({ commit: 'zz', issuesSince: 'yesterday' }))).toEqual({});
  });
});
