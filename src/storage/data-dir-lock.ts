import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StorageSetupError } from './storage-error.js';

const LOCK_FILE = 'smooth-operator.pid';

/** Directories this process holds: its own PID in a lock file means a double open, not a stale claim. */
const heldHere = new Set<string>();

interface Claim {
  pid: number;
  /** The holder's start time in clock ticks since boot (/proc/<pid>/stat field 22), when known. */
  startTicks?: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Undefined where there is no /proc (macOS) or the process is gone. */
function startTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after its closing ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

function parseClaim(text: string): Claim | undefined {
  const [pidLine, ticks] = text.trim().split('\n');
  const pid = Number.parseInt(pidLine ?? '', 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return ticks && /^\d+$/.test(ticks.trim()) ? { pid, startTicks: ticks.trim() } : { pid };
}

/**
 * Whether the process named in a claim still holds it. A PID is only an identity while the process
 * lives: after a SIGKILL the number is reused — in a container, typically by the restarted server
 * itself (PID 1 again) — so a live PID counts only when it is not us and is the same process that
 * wrote the claim (same start time), or, for a claim without one, looks like a Node process.
 */
function heldBy(claim: Claim): boolean {
  if (claim.pid === process.pid) return false;
  if (!alive(claim.pid)) return false;
  const ticks = startTicks(claim.pid);
  if (claim.startTicks !== undefined && ticks !== undefined) return ticks === claim.startTicks;
  const cmd = commandLine(claim.pid);
  if (cmd !== undefined) return /node|smooth-operator/.test(cmd);
  return true;
}

function ownClaim(): string {
  const ticks = startTicks(process.pid);
  return ticks === undefined ? `${process.pid}\n` : `${process.pid}\n${ticks}\n`;
}

/**
 * PGlite is one Postgres inside one process; two processes writing the same directory would corrupt
 * it. A pid file claims the directory; a claim whose holder is gone (or whose PID now names another
 * process) is taken over.
 */
export class DataDirLock {
  private constructor(
    private readonly path: string,
    private readonly key: string,
  ) {}

  static acquire(dir: string): DataDirLock {
    const key = resolve(dir);
    if (heldHere.has(key)) {
      throw new StorageSetupError(
        `${dir} is in use by process ${process.pid} (this one): PGlite serves one process and one open storage. Close the ` +
          'other storage, point SMOOTH_AGENT_DATA_DIR elsewhere, or use SMOOTH_AGENT_STORAGE=postgres to run several replicas',
      );
    }
    const path = join(dir, LOCK_FILE);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        writeFileSync(path, ownClaim(), { flag: 'wx' });
        heldHere.add(key);
        return new DataDirLock(path, key);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue; // Released between our write and our read.
      }
      const claim = parseClaim(text);
      if (claim && heldBy(claim)) {
        throw new StorageSetupError(
          `${dir} is in use by process ${claim.pid}: PGlite serves one process. Stop that process, point ` +
            'SMOOTH_AGENT_DATA_DIR elsewhere, or use SMOOTH_AGENT_STORAGE=postgres to run several replicas',
        );
      }
      DataDirLock.removeStale(path, text);
    }
    throw new StorageSetupError(`${dir}: could not claim ${LOCK_FILE} (another process keeps re-creating it)`);
  }

  /**
   * Moves the stale claim aside atomically and checks it is the one judged stale: two processes
   * taking over at once must not delete each other's fresh claim.
   */
  private static removeStale(path: string, judged: string): void {
    const aside = `${path}.${process.pid}.stale`;
    try {
      renameSync(path, aside);
    } catch {
      return; // Someone else moved it first.
    }
    const moved = readFileSync(aside, 'utf8');
    if (moved !== judged) {
      // A racer's fresh claim: put it back where it was.
      try {
        linkSync(aside, path);
      } catch {
        // The path is taken again; that claim wins and the next attempt reads it.
      }
    }
    unlinkSync(aside);
  }

  release(): void {
    heldHere.delete(this.key);
    try {
      unlinkSync(this.path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
