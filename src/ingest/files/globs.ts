import picomatch from 'picomatch';
import { SUPPORTED_EXTENSIONS } from '../formats/index.js';

export const DEFAULT_INCLUDE: readonly string[] = [`**/*.{${SUPPORTED_EXTENSIONS.map((e) => e.slice(1)).join(',')}}`];
export const DEFAULT_EXCLUDE: readonly string[] = ['node_modules', '.git'];

export interface PathFilter {
  /** True when a directory (path relative to the root, `/`-separated) should not be entered. */
  prunes(directory: string): boolean;
  /** True when a file (path relative to the root, `/`-separated) should be loaded. */
  accepts(file: string): boolean;
}

function anyDepth(pattern: string): string {
  const relative = pattern.replace(/^\.\//, '');
  return relative.includes('/') ? relative : `**/${relative}`;
}

/**
 * `include` replaces the default (every supported extension); `exclude` adds to the default so
 * dependency and VCS folders stay out unless walked into explicitly. A pattern without a slash
 * matches a name at any depth, as in `.gitignore`, and an excluded directory excludes what it holds.
 */
export function pathFilter(include: readonly string[] = [], exclude: readonly string[] = []): PathFilter {
  // Hidden files are left out unless a pattern names the dot itself; exclusions must reach them too.
  const included = picomatch((include.length > 0 ? include : DEFAULT_INCLUDE).map(anyDepth), { dot: false });
  const excluded = picomatch([...DEFAULT_EXCLUDE, ...exclude].map(anyDepth), { dot: true });
  const excludedOrInside = (path: string): boolean => {
    const parts = path.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      if (excluded(parts.slice(0, depth).join('/'))) return true;
    }
    return false;
  };
  return {
    prunes: excludedOrInside,
    accepts: (file) => included(file) && !excludedOrInside(file),
  };
}
