import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../src/index.js';

// README.md and docs/ stay navigable: every relative link points at a file that exists (and at a
// heading that exists when it has a #fragment), and every `§` reference names a heading of the file
// it refers to. Links to ../shared are allowed to be absent: that folder sits beside the repository.

const ROOT = resolve(import.meta.dirname, '..');

function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : name.endsWith('.md') ? [path] : [];
    });
  return [join(ROOT, 'README.md'), ...walk(docs)];
}

/** GitHub's heading anchors: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function withoutCode(markdown: string): string {
  return markdown.replace(/^([ \t]*)```[\s\S]*?^\1```/gm, '');
}

function headings(markdown: string): string[] {
  return [...withoutCode(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)].map((m) => m[1]!);
}

function normalizedWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter((w) => w !== '');
}

interface Problem {
  file: string;
  reference: string;
  why: string;
}

/** Markdown links and images with a relative target: `[text](path#anchor)`, `![alt](path)`. */
function linkProblems(file: string, markdown: string): Problem[] {
  const problems: Problem[] = [];
  const name = relative(ROOT, file);
  for (const m of withoutCode(markdown).matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = m[1]!;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined];
    if (pathPart === '') {
      if (anchor !== undefined && !headings(markdown).map(slug).includes(anchor)) problems.push({ file: name, reference: target, why: `no heading #${anchor} here` });
      continue;
    }
    const resolved = resolve(dirname(file), decodeURIComponent(pathPart));
    if (relative(ROOT, resolved).startsWith(`..${'/'}shared`)) continue;
    if (!existsSync(resolved)) {
      problems.push({ file: name, reference: target, why: 'no such file' });
      continue;
    }
    if (anchor !== undefined && resolved.endsWith('.md')) {
      const anchors = headings(readFileSync(resolved, 'utf8')).map(slug);
      if (!anchors.includes(anchor)) problems.push({ file: name, reference: target, why: `no heading #${anchor} in ${relative(ROOT, resolved)}` });
    }
  }
  return problems;
}

/**
 * `§` references: `§Heading words` refers to a heading of the file named just before it (a link or a
 * backticked path ending in .md), else of the file it is in. The heading must start with the words.
 */
function sectionProblems(file: string, markdown: string): Problem[] {
  const problems: Problem[] = [];
  const name = relative(ROOT, file);
  const text = withoutCode(markdown);
  for (const m of text.matchAll(/§\s*([\p{L}\p{N}][\p{L}\p{N} '-]*[\p{L}\p{N}])/gu)) {
    const before = text.slice(Math.max(0, m.index - 120), m.index);
    const named = [...before.matchAll(/(?:\]\(|`)([^)`\s]+\.md)(?:#[^)`]*)?[)`]\s*$/g)].at(-1)?.[1];
    const target = named ? resolve(dirname(file), named) : file;
    const targetText = named ? (existsSync(target) ? readFileSync(target, 'utf8') : undefined) : markdown;
    if (targetText === undefined) {
      problems.push({ file: name, reference: `${named} §${m[1]}`, why: 'the file it refers to is not in the repository' });
      continue;
    }
    // The reference runs on into the sentence, so it matches when its first words (two, or the whole
    // heading when shorter) are the heading's first words.
    const words = normalizedWords(m[1]!);
    const matches = (heading: string) => {
      const hw = normalizedWords(heading);
      const n = Math.min(2, hw.length, words.length);
      return words.slice(0, n).every((w, i) => w === hw[i]);
    };
    if (!headings(targetText).some(matches)) {
      problems.push({ file: name, reference: `§${m[1]}`, why: `no heading "${m[1]}" in ${named ?? 'this file'}` });
    }
  }
  return problems;
}

describe('the link checker itself', () => {
  const here = join(ROOT, 'docs', 'x.md');
  it('flags a missing file, a missing anchor and a § of an absent document, and accepts good ones', () => {
    const md = [
      '# Title',
      '## Good section',
      '[ok](storage.md) [ok](#good-section) [ok](../README.md#security) [web](https://example.com/x.md)',
      '[bad](nowhere.md) [bad](storage.md#no-such-heading)',
      'See `storage.md` §Which default and `GONE.md` §G and §Good section and §Missing part.',
      '```sh',
      '[not a link](inside-code.md)',
      '```',
    ].join('\n');
    expect(linkProblems(here, md).map((p) => p.reference)).toEqual(['nowhere.md', 'storage.md#no-such-heading']);
    expect(sectionProblems(here, md).map((p) => p.reference.replace(/ and$/, ''))).toEqual(['GONE.md §G', '§Missing part']);
  });

  it('slugs headings like GitHub', () => {
    expect(slug('Schema and migrations (Postgres, PGlite)')).toBe('schema-and-migrations-postgres-pglite');
    expect(slug('`serve --help`')).toBe('serve---help');
  });
});

describe('README.md and docs/', () => {
  const files = markdownFiles();
  it('are found', () => {
    expect(files.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['README.md', 'docs/configuration.md', 'docs/cli.md']));
  });
  it.each(files.map((f) => [relative(ROOT, f), f] as const))('%s: every relative link and anchor resolves', (_name, file) => {
    expect(linkProblems(file, readFileSync(file, 'utf8'))).toEqual([]);
  });
  it.each(files.map((f) => [relative(ROOT, f), f] as const))('%s: every § reference names a heading that exists', (_name, file) => {
    expect(sectionProblems(file, readFileSync(file, 'utf8'))).toEqual([]);
  });
});

describe('docs/knowledge.md: document ids with "/" are URL-encoded in admin paths', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ seedKb: true, config: { authMode: 'none' } });
  });
  afterAll(() => server.close());

  const call = (method: string, path: string) => fetch(`${server.httpUrl}${path}`, { method, headers: { authorization: 'Bearer dev' } });

  it('an encoded id reaches the document; the same id unencoded is another path (404)', async () => {
    const docs = readFileSync(join(ROOT, 'docs', 'knowledge.md'), 'utf8');
    expect(docs).toContain('policies%2Freturns.md');
    expect((await call('GET', '/admin/knowledge/documents/policies/returns.md')).status).toBe(404);
    expect((await call('DELETE', '/admin/knowledge/documents/policies/returns.md')).status).toBe(404);
    const found = await call('GET', `/admin/knowledge/documents/${encodeURIComponent('policies/returns.md')}`);
    expect(found.status).toBe(200);
    const deleted = await call('DELETE', `/admin/knowledge/documents/${encodeURIComponent('policies/returns.md')}`);
    expect(deleted.status).toBeLessThan(300);
    expect((await call('GET', `/admin/knowledge/documents/${encodeURIComponent('policies/returns.md')}`)).status).toBe(404);
  });
});
