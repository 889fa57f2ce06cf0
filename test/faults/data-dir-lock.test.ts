import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLock } from '../../src/storage/data-dir-lock.js';
import { StorageSetupError } from '../../src/storage/storage-error.js';

// Finding 4: a live PID was taken as the holder whoever it was — our own PID (a container restarted
// after SIGKILL gets PID 1 again), PID 1, or an unrelated process that reused the number.
const root = mkdtempSync(join(tmpdir(), 'so-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function claimed(content: string): string {
  const dir = mkdtempSync(join(root, 'd-'));
  writeFileSync(join(dir, 'smooth-operator.pid'), content);
  return dir;
}

describe('PGlite data-dir lock takeover', () => {
  it('takes over a claim naming its own PID (restart in a container)', () => {
    const dir = claimed(String(process.pid));
    const lock = DataDirLock.acquire(dir);
    expect(readFileSync(join(dir, 'smooth-operator.pid'), 'utf8').split('\n')[0]).toBe(String(process.pid));
    lock.release();
  });

  it('takes over a claim naming PID 1 when PID 1 is not the process that wrote it', () => {
    // The claim's start time is one PID 1 cannot have: the number was reused by another process.
    const dir = claimed('1\n999999999999\n');
    const lock = DataDirLock.acquire(dir);
    lock.release();
  });

  it('takes over a legacy (pid-only) claim whose live PID is not a Node process', async () => {
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const dir = claimed(String(sleeper.pid));
      const lock = DataDirLock.acquire(dir);
      lock.release();
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('still refuses a claim held by another live smooth-operator-like process', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      const dir = claimed(String(holder.pid));
      expect(() => DataDirLock.acquire(dir)).toThrow(StorageSetupError);
      expect(() => DataDirLock.acquire(dir)).toThrow(new RegExp(`in use by process ${holder.pid}`));
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('refuses a second open of the same directory in this process', () => {
    const dir = mkdtempSync(join(root, 'twice-'));
    const lock = DataDirLock.acquire(dir);
    try {
      expect(() => DataDirLock.acquire(dir)).toThrow(/in use by process \d+/);
    } finally {
      lock.release();
    }
    DataDirLock.acquire(dir).release();
  });

  it('records a start time so a reused PID is recognised later', () => {
    const dir = mkdtempSync(join(root, 'ticks-'));
    const lock = DataDirLock.acquire(dir);
    const [pid, ticks] = readFileSync(join(dir, 'smooth-operator.pid'), 'utf8').split('\n');
    expect(pid).toBe(String(process.pid));
    expect(ticks).toMatch(/^\d+$/);
    lock.release();
  });
});
