import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { ConnectorConfinement } from '../confinement.js';

function within(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!isAbsolute(rel) && rel.split(sep)[0] !== '..');
}

/** Where file connectors may read, as real paths; a root that does not exist admits nothing. */
export async function realRoots(confinement: ConnectorConfinement): Promise<string[]> {
  const { fileRoots } = confinement;
  if (!Array.isArray(fileRoots)) throw new Error((fileRoots as { refused: string }).refused);
  const roots: string[] = [];
  for (const root of fileRoots as readonly string[]) {
    const real = await realpath(resolve(root)).catch(() => undefined);
    if (real !== undefined) roots.push(real);
  }
  return roots;
}

/**
 * The real path of a connector's configured path, once it is known to lie inside a root. `..` is
 * refused as written (it names a place by climbing out of another); everything else is judged after
 * symlinks are resolved, so a link inside a root that points outside it does not pass.
 */
export async function confinedStart(path: string, roots: readonly string[]): Promise<string> {
  if (path.split(/[\\/]/).includes('..')) throw new Error(`path "${path}" contains "..": name the directory directly`);
  const real = await realpath(resolve(path));
  if (!roots.some((root) => within(root, real))) {
    throw new Error(`path "${path}" is outside the directories file connectors may read (SMOOTH_AGENT_FILE_CONNECTOR_ROOTS)`);
  }
  return real;
}

/** Whether one file found under the start (possibly through a symlink) is still inside a root. */
export async function insideRoots(file: string, roots: readonly string[]): Promise<boolean> {
  const real = await realpath(file).catch(() => undefined);
  return real !== undefined && roots.some((root) => within(root, real));
}
