import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { PathFilter } from './globs.js';

export type WalkEntry = { path: string; error?: undefined } | { path: string; error: string };

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Relative (`/`-separated) paths of the files under `root` that the filter accepts, sorted so runs
 * are reproducible. A directory that can't be read is reported and the walk goes on. Symlinked
 * directories are not entered (a link back up the tree would never end); symlinked files are read.
 */
export async function* walkFiles(root: string, filter: PathFilter, relative = ''): AsyncGenerator<WalkEntry> {
  let entries;
  try {
    entries = await readdir(join(root, relative), { withFileTypes: true });
  } catch (err) {
    yield { path: relative, error: (err as Error).message };
    return;
  }
  entries.sort(byName);
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!filter.prunes(path)) yield* walkFiles(root, filter, path);
      continue;
    }
    const isFile =
      entry.isFile() ||
      (entry.isSymbolicLink() &&
        (await stat(join(root, path)).then(
          (s) => s.isFile(),
          () => false,
        )));
    if (isFile && filter.accepts(path)) yield { path };
  }
}
