import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { loadFile } from '../../ingest/files/collect-path.js';
import { pathFilter } from '../../ingest/files/globs.js';
import { walkFiles } from '../../ingest/files/walk.js';
import { placeDocument, type ConnectorPlacement } from '../placement.js';
import type { PullItem, Source } from '../source.js';
import type { FileConnectorConfig } from '../types.js';
import type { ConnectorConfinement } from '../confinement.js';
import { changeTimeMs, parseFileCursor } from './change-time.js';
import { confinedStart, insideRoots, realRoots } from './file-roots.js';

/** The files to consider, relative to `root`: the tree under a directory, or the one file named. */
async function* candidates(config: FileConnectorConfig, roots: readonly string[]): AsyncGenerator<{ root: string; relative: string } | PullItem> {
  // A missing or unreadable root, or one outside the allowed roots, fails the run: "succeeded,
  // 0 documents" would hide a typo (or an attempt).
  const absolute = await confinedStart(config.path, roots);
  const rootStats = await stat(absolute);
  if (!rootStats.isDirectory()) {
    yield { root: dirname(absolute), relative: basename(absolute) };
    return;
  }
  for await (const entry of walkFiles(absolute, pathFilter(config.include, config.exclude))) {
    if (entry.error === undefined) yield { root: absolute, relative: entry.path };
    else yield { kind: 'skipped', source: entry.path || config.path, reason: `unreadable directory: ${entry.error}` };
  }
}

/**
 * Files under a path, in every format `smooth-operator ingest` reads. Cursor: the newest change
 * time seen (ISO). A file whose change time is older than the cursor is reported unchanged without
 * being read; one at exactly the cursor is read again, since it may have changed within the same
 * millisecond after the last run looked. Document ids are `<connector name>/<relative path>`, so two
 * file connectors with the same layout don't overwrite each other. Deleted files are not noticed.
 */
export function fileSource(connectorName: string, config: FileConnectorConfig, confinement: ConnectorConfinement): Source {
  const placement: ConnectorPlacement = {
    connectorName,
    ...(config.documentSets ? { documentSets: config.documentSets } : {}),
    ...(config.acl ? { acl: config.acl } : {}),
  };
  return {
    async *pull(cursor) {
      const roots = await realRoots(confinement);
      const since = parseFileCursor(cursor);
      let newest = since;
      for await (const next of candidates(config, roots)) {
        if ('kind' in next) {
          yield next;
          continue;
        }
        const id = `${connectorName}/${next.relative}`;
        // A symlinked file is read only when what it points at is inside a root too.
        if (!(await insideRoots(resolve(next.root, next.relative), roots))) {
          yield { kind: 'skipped', source: id, reason: 'links outside the directories file connectors may read' };
          continue;
        }
        let changed: number;
        try {
          changed = changeTimeMs(await stat(resolve(next.root, next.relative)));
        } catch (err) {
          yield { kind: 'skipped', source: id, reason: (err as Error).message };
          continue;
        }
        newest = Math.max(newest ?? changed, changed);
        if (since !== undefined && changed < since) {
          yield { kind: 'unchanged', source: id };
          continue;
        }
        const item = await loadFile(next.root, next.relative);
        if (item.kind === 'document') {
          yield { kind: 'document', document: placeDocument({ ...item.document, id, source: id }, placement) };
        } else if (item.kind === 'failed' || item.kind === 'skipped') {
          yield { kind: 'skipped', source: id, reason: item.reason };
        }
      }
      return newest === undefined ? cursor : new Date(newest).toISOString();
    },
  };
}
