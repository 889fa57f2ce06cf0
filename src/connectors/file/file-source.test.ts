import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { PullItem, Source } from '../source.js';
import { fileSource } from './file-source.js';

async function drain(source: Source, cursor: string | null): Promise<{ items: PullItem[]; cursor: string | null }> {
  const items: PullItem[] = [];
  const pulling = source.pull(cursor);
  for (;;) {
    const step = await pulling.next();
    if (step.done) return { items, cursor: step.value };
    items.push(step.value);
  }
}

const confined = { fileRoots: [tmpdir()], allowPrivateAddresses: false };

const summary = (items: PullItem[]) =>
  items.map((i) => `${i.kind}:${i.kind === 'document' ? i.document.id : i.kind === 'deleted' ? i.id : i.source}`).sort();

describe('file source', () => {
  it('reports files older than its cursor unchanged without reading them, and notices renames', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'so-file-source-'));
    writeFileSync(join(dir, 'old.md'), '# Old\n\nWritten first.');
    await sleep(20);
    writeFileSync(join(dir, 'new.txt'), 'Written second.');
    const source = fileSource('kb', { path: dir, documentSets: ['s'] }, confined);

    const first = await drain(source, null);
    expect(summary(first.items)).toEqual(['document:kb/new.txt', 'document:kb/old.md']);
    expect(first.items[0]).toMatchObject({ document: { documentSets: ['s'], metadata: { connector: 'kb' } } });

    // The newest file sits exactly at the cursor and is read again; the older one is not.
    const second = await drain(source, first.cursor);
    expect(summary(second.items)).toEqual(['document:kb/new.txt', 'unchanged:kb/old.md']);
    expect(second.cursor).toBe(first.cursor);

    // mv keeps the mtime, but the kernel stamps a new ctime, so the renamed file counts as changed.
    await sleep(20);
    renameSync(join(dir, 'old.md'), join(dir, 'renamed.md'));
    const third = await drain(source, second.cursor);
    expect(summary(third.items)).toEqual(['document:kb/new.txt', 'document:kb/renamed.md']);
    const fourth = await drain(source, third.cursor);
    expect(summary(fourth.items)).toEqual(['document:kb/renamed.md', 'unchanged:kb/new.txt']);
  });

  it('skips files it cannot use and fails for a path that does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'so-file-source-'));
    writeFileSync(join(dir, 'empty.md'), '   \n');
    const { items } = await drain(fileSource('kb', { path: dir }, confined), null);
    expect(items).toEqual([{ kind: 'skipped', source: 'kb/empty.md', reason: 'no text content' }]);
    await expect(drain(fileSource('kb', { path: join(dir, 'nope') }, confined), null)).rejects.toThrow(/ENOENT/);
  });
});
