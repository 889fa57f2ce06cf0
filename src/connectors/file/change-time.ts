import type { Stats } from 'node:fs';

/**
 * When a file last changed, for the cursor. The later of mtime and ctime: a file moved or renamed
 * into the tree, or unpacked with its original mtime (`tar`, `cp -p`), keeps an old mtime, but its
 * ctime is set by the kernel to the moment it arrived and can't be back-dated.
 */
export function changeTimeMs(stats: Stats): number {
  return Math.floor(Math.max(stats.mtimeMs, stats.ctimeMs));
}

/** The cursor is the newest change time seen, as an ISO timestamp; anything unreadable means "no cursor". */
export function parseFileCursor(cursor: string | null): number | undefined {
  if (cursor === null) return undefined;
  const ms = Date.parse(cursor);
  return Number.isFinite(ms) ? ms : undefined;
}
