import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config/index.js';

describe('storage configuration', () => {
  it('defaults to memory with a local data directory and auto-migration on', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ storage: 'memory', dataDir: './.smooth-operator', autoMigrate: true, dbPoolMax: 10, databaseUrl: undefined });
    expect(config.dynamodb).toEqual({ table: 'smooth-operator' });
  });

  it('selects each backend by SMOOTH_AGENT_STORAGE (case-insensitive)', () => {
    expect(loadConfig({ SMOOTH_AGENT_STORAGE: 'PGlite', SMOOTH_AGENT_DATA_DIR: '/var/lib/so' })).toMatchObject({ storage: 'pglite', dataDir: '/var/lib/so' });
    expect(loadConfig({ SMOOTH_AGENT_STORAGE: 'postgres', DATABASE_URL: 'postgres://u@h/db' })).toMatchObject({
      storage: 'postgres',
      databaseUrl: 'postgres://u@h/db',
    });
    expect(
      loadConfig({
        SMOOTH_AGENT_STORAGE: 'dynamodb',
        SMOOTH_AGENT_DDB_TABLE: 'support.prod',
        AWS_REGION: 'eu-west-1',
        SMOOTH_AGENT_DDB_ENDPOINT: 'http://127.0.0.1:8000/',
      }).dynamodb,
    ).toEqual({ table: 'support.prod', region: 'eu-west-1', endpoint: 'http://127.0.0.1:8000' });
  });

  it('prefers SMOOTH_AGENT_DATABASE_URL over DATABASE_URL, and ignores both unless postgres is selected', () => {
    const both = { SMOOTH_AGENT_DATABASE_URL: 'postgresql://a@h/one', DATABASE_URL: 'postgres://b@h/two' };
    expect(loadConfig({ ...both, SMOOTH_AGENT_STORAGE: 'postgres' }).databaseUrl).toBe('postgresql://a@h/one');
    expect(loadConfig({ ...both, DATABASE_URL: 'mysql://not-ours' }).databaseUrl).toBeUndefined();
  });

  it.each([
    [{ SMOOTH_AGENT_STORAGE: 'mongodb' }, 'SMOOTH_AGENT_STORAGE', /memory, pglite, postgres, dynamodb/],
    [{ SMOOTH_AGENT_STORAGE: 'postgres' }, 'SMOOTH_AGENT_STORAGE', /SMOOTH_AGENT_DATABASE_URL \(or DATABASE_URL\)/],
    [{ SMOOTH_AGENT_STORAGE: 'postgres', DATABASE_URL: 'mysql://u:pw@h/db' }, 'DATABASE_URL', /postgres:\/\//],
    [{ SMOOTH_AGENT_STORAGE: 'postgres', SMOOTH_AGENT_DATABASE_URL: 'not a url' }, 'SMOOTH_AGENT_DATABASE_URL', /not a valid URL/],
    [{ SMOOTH_AGENT_DB_POOL_MAX: '0' }, 'SMOOTH_AGENT_DB_POOL_MAX', /between/],
    [{ SMOOTH_AGENT_AUTO_MIGRATE: 'sometimes' }, 'SMOOTH_AGENT_AUTO_MIGRATE', /1\/0/],
    [{ SMOOTH_AGENT_DDB_TABLE: 'x' }, 'SMOOTH_AGENT_DDB_TABLE', /table name/],
    [{ SMOOTH_AGENT_DDB_ENDPOINT: 'ftp://h' }, 'SMOOTH_AGENT_DDB_ENDPOINT', /http/],
  ])('rejects %o naming %s', (env, variable, detail) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(`^${variable}: `));
    expect(() => loadConfig(env)).toThrow(detail);
  });

  it('never echoes a database password in a configuration error', () => {
    for (const url of ['mysql://u:hunter2@h/db', 'postgres://u:hunter2@h:notaport/db']) {
      try {
        loadConfig({ SMOOTH_AGENT_STORAGE: 'postgres', DATABASE_URL: url });
      } catch (err) {
        expect((err as Error).message).not.toContain('hunter2');
      }
    }
  });

  it('SMOOTH_AGENT_AUTO_MIGRATE=0 turns boot-time migration off', () => {
    expect(loadConfig({ SMOOTH_AGENT_AUTO_MIGRATE: '0' }).autoMigrate).toBe(false);
    expect(loadConfig({ SMOOTH_AGENT_AUTO_MIGRATE: 'yes' }).autoMigrate).toBe(true);
  });
});
