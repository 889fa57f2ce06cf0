import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PgliteStorage } from '../src/storage/pglite-storage.js';
import { StorageSetupError } from '../src/storage/storage-error.js';
import { runStorageContract } from './contracts/storage-contract.js';

const root = mkdtempSync(join(tmpdir(), 'so-pglite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// One directory for the whole contract: each test reopens it, which is also what a restart does.
const contractDir = join(root, 'contract');
runStorageContract('pglite', () => PgliteStorage.open({ dataDir: contractDir }), { durable: true });

describe('pglite data directory', () => {
  it('refuses a second open while the first holds the directory, naming what to do', async () => {
    const dir = join(root, 'locked');
    const first = await PgliteStorage.open({ dataDir: dir });
    try {
      await expect(PgliteStorage.open({ dataDir: dir })).rejects.toThrow(StorageSetupError);
      await expect(PgliteStorage.open({ dataDir: dir })).rejects.toThrow(/in use by process \d+.*SMOOTH_AGENT_STORAGE=postgres/);
    } finally {
      await first.close();
    }
    // Released on close: opening again works.
    await (await PgliteStorage.open({ dataDir: dir })).close();
  });

  it('takes over a directory whose holder died without releasing it', async () => {
    const dir = join(root, 'stale');
    await (await PgliteStorage.open({ dataDir: dir })).close();
    // A pid that cannot be running: the kernel's pid_max is far below it.
    writeFileSync(join(dir, 'smooth-operator.pid'), '2147483646');
    const reopened = await PgliteStorage.open({ dataDir: dir });
    expect(reopened.migration?.applied).toEqual([]);
    await reopened.close();
  });

  it('migrates a new directory once and reports it; verify mode accepts a current schema', async () => {
    const dir = join(root, 'fresh');
    const created = await PgliteStorage.open({ dataDir: dir });
    expect(created.migration?.applied).toEqual([1, 2]);
    expect(created.migration?.current).toBe(created.migration?.latest);
    await created.close();
    const verified = await PgliteStorage.open({ dataDir: dir, schema: 'verify' });
    expect(verified.migration).toBeUndefined();
    await verified.close();
  });

  it('verify mode on an unmigrated directory says to run `smooth-operator migrate`', async () => {
    await expect(PgliteStorage.open({ dataDir: join(root, 'never-migrated'), schema: 'verify' })).rejects.toThrow(/smooth-operator migrate/);
  });
});
