import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { toDocument } from '../documents.js';
import { extractorForExtension } from '../formats/index.js';
import { reasonOf } from '../reason.js';
import type { IngestItem } from '../types.js';
import type { PathFilter } from './globs.js';
import { walkFiles } from './walk.js';

/** Past this a file is almost certainly not a help article, and reading it would stall the run. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** One file under `root`, as a document whose id and source are `relative` (also used by the file connector). */
export async function loadFile(root: string, relative: string): Promise<IngestItem> {
  const extension = extname(relative).toLowerCase();
  const extract = extractorForExtension(extension);
  if (!extract) return { kind: 'failed', source: relative, reason: `unsupported file type "${extension || '(none)'}"` };
  const absolute = join(root, relative);
  let bytes: Uint8Array;
  try {
    const { size } = await stat(absolute);
    if (size > MAX_FILE_BYTES) return { kind: 'failed', source: relative, reason: `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` };
    bytes = await readFile(absolute);
  } catch (err) {
    return { kind: 'failed', source: relative, reason: `unreadable: ${reasonOf(err)}` };
  }
  try {
    const extracted = await extract(bytes, {});
    return toDocument({ id: relative, source: relative }, extracted, basename(relative, extname(relative)));
  } catch (err) {
    return { kind: 'failed', source: relative, reason: `could not extract text from ${extension.slice(1)}: ${reasonOf(err)}` };
  }
}

/**
 * Documents from one path argument. A directory is the ingest root of everything under it; a file
 * named directly is loaded whatever the globs say, with its own directory as the root. Ids are
 * paths relative to that root, so they stay the same wherever the tree is checked out.
 */
export async function* collectPath(argument: string, filter: PathFilter): AsyncGenerator<IngestItem> {
  const absolute = resolve(argument);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(absolute)).isDirectory();
  } catch (err) {
    yield { kind: 'failed', source: argument, reason: reasonOf(err) };
    return;
  }
  if (!isDirectory) {
    yield { kind: 'discovered', count: 1 };
    yield await loadFile(dirname(absolute), basename(absolute));
    return;
  }
  const files: string[] = [];
  for await (const entry of walkFiles(absolute, filter)) {
    if (entry.error === undefined) files.push(entry.path);
    else yield { kind: 'failed', source: entry.path || argument, reason: `unreadable directory: ${entry.error}` };
  }
  if (files.length === 0) yield { kind: 'note', message: `no matching files under ${argument}` };
  yield { kind: 'discovered', count: files.length };
  for (const file of files) yield await loadFile(absolute, file);
}
