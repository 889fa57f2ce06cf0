import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageSetupError } from './storage-error.js';

const LOCK_FILE = 'smooth-operator.pid';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite is one Postgres inside one process; two processes writing the same directory would corrupt
 * it. A pid file claims the directory; a claim left by a killed process is taken over.
 */
export class DataDirLock {
  private constructor(private readonly path: string) {}

  static acquire(dir: string): DataDirLock {
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(path, String(process.pid), { flag: 'wx' });
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const holder = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
      if (Number.isInteger(holder) && holder > 0 && alive(holder)) {
        throw new StorageSetupError(
          `${dir} is in use by process ${holder}: PGlite serves one process. Stop that process, point ` +
            'SMOOTH_AGENT_DATA_DIR elsewhere, or use SMOOTH_AGENT_STORAGE=postgres to run several replicas',
        );
      }
      unlinkSync(path);
    }
    throw new StorageSetupError(`${dir}: could not claim ${LOCK_FILE} (another process keeps re-creating it)`);
  }

  release(): void {
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
