import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config/settings-catalog.js';
import { runDoctor, type CheckResult } from '../src/cli/doctor.js';
import { startScriptedGateway, type ScriptedGateway } from '../src/testing/index.js';
import { createTestDatabase, startDynalite, whenAvailable, type TestDatabase } from './storage-services.js';
import { NATS_TEST_URL, probeNats, probeRedis, REDIS_TEST_URL } from './backplane-services.js';

// The CLI as a new user meets it: the built binary, a clean environment, real services where the
// check is about a service (PostgreSQL, Redis, NATS, dynalite) and the scripted gateway on loopback.

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only PATH and HOME from the outside: an ambient SMOOAI_GATEWAY_KEY must not change what is tested. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`smooth-operator ${args.join(' ')} did not exit within 30 s\n${stdout}\n${stderr}`));
    }, 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      ok({ code, stdout, stderr });
    });
  });
}

/** A loopback port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

function check(results: readonly CheckResult[], name: CheckResult['name']): CheckResult {
  const found = results.find((r) => r.name === name);
  if (!found) throw new Error(`no ${name} check in ${JSON.stringify(results)}`);
  return found;
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
});

describe('smooth-operator (no arguments, --version)', () => {
  it('prints usage listing every command and exits 0', async () => {
    const run = await cli([]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Usage: smooth-operator');
    for (const command of ['serve', 'migrate', 'ingest', 'config', 'doctor']) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('--version and -V print the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await cli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(VERSION);
    }
  });

  it('an unknown command still fails', async () => {
    const run = await cli(['serv']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/unknown command 'serv'/);
  });
});

describe('smooth-operator serve --help', () => {
  it('lists every setting with its default, without starting a server', async () => {
    const run = await cli(['serve', '--help'], { SMOOTH_AGENT_PORT: '1' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain('listening on');
    for (const s of SETTINGS) expect(run.stdout).toContain(`${s.name}  [default: ${s.default}]`);
    expect(run.stdout).toMatch(/SMOOTH_AGENT_PORT {2}\[default: 8787\]\n\s+port; 0 picks a free one/);
    expect(run.stdout).not.toContain('docs/configuration.md');
  });
});

describe('smooth-operator config', () => {
  const secrets = {
    SMOOAI_GATEWAY_KEY: 'sk-live-gatewaykey-0451',
    AUTH_MODE: 'local-token',
    AUTH_LOCAL_TOKEN: 'local-admin-token-9931',
    SMOOTH_AGENT_STORAGE: 'postgres',
    DATABASE_URL: 'postgres://app:db-password-7a@db.internal:5432/support?sslpassword=q-secret',
    SMOOTH_AGENT_BACKPLANE: 'nats',
    SMOOTH_AGENT_NATS_URL: 'nats://nats-token-55@bus.internal:4222',
    WIDGET_AUTH_BEARER: 'policy-bearer-1234',
    SMOOTH_AGENT_WIDGET_TOKEN: 'widget-token-777',
    AUTH_JWT_HS256_SECRET: 'hs256-secret-value-abc',
  };

  it('prints the effective value of every setting, with its source, secrets masked', async () => {
    const run = await cli(['config'], { ...secrets, SMOOTH_AGENT_PORT: '9911', SMOOTH_AGENT_SEED_KB: 'yes' });
    expect(run.code, run.stderr).toBe(0);
    for (const s of SETTINGS) expect(run.stdout).toMatch(new RegExp(`^${s.name}=`, 'm'));
    for (const value of ['sk-live-gatewaykey-0451', 'local-admin-token-9931', 'db-password-7a', 'q-secret', 'nats-token-55', 'policy-bearer-1234', 'widget-token-777', 'hs256-secret-value-abc']) {
      expect(run.stdout + run.stderr).not.toContain(value);
    }
    expect(run.stdout).toMatch(/^SMOOTH_AGENT_PORT=9911\s+# environment$/m);
    expect(run.stdout).toMatch(/^SMOOTH_AGENT_SEED_KB=on\s+# environment$/m);
    expect(run.stdout).toMatch(/^SMOOTH_AGENT_BIND=127\.0\.0\.1\s+# default$/m);
    expect(run.stdout).toMatch(/^SMOOAI_GATEWAY_KEY=\*+ \(set\)\s+# environment$/m);
    // URLs keep their host, so a wrong address is visible; the credentials are masked.
    expect(run.stdout).toMatch(/^SMOOTH_AGENT_DATABASE_URL=postgres:\/\/app:\*\*\*@db\.internal:5432\/support\s/m);
    expect(run.stdout).toMatch(/^SMOOTH_AGENT_BACKPLANE_URL=nats:\/\/\*\*\*@bus\.internal:4222\s/m);
    expect(run.stdout).toMatch(/^AUTH_MODE=local-token\s+# environment$/m);
  });

  it('shows what an unset AUTH_MODE resolves to', async () => {
    const run = await cli(['config']);
    expect(run.stdout).toMatch(/^AUTH_MODE=disabled\s+# default$/m);
  });

  it('refuses an invalid configuration with exit 2, naming the variable', async () => {
    const run = await cli(['config'], { SMOOTH_AGENT_PORT: 'eighty' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('SMOOTH_AGENT_PORT');
    expect(run.stdout).toBe('');
  });
});

describe('smooth-operator doctor', () => {
  let gateway: ScriptedGateway;
  beforeAll(async () => {
    gateway = await startScriptedGateway({ requireKey: 'sk-doctor-good', respond: () => ({ kind: 'text', text: 'p' }) });
  });
  afterAll(() => gateway.close());

  it('passes on the zero-config default without contacting anything, and exits 0', async () => {
    const run = await cli(['doctor']);
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^ok\s+storage\s+memory/m);
    expect(run.stdout).toMatch(/^ok\s+backplane\s+memory/m);
    expect(run.stdout).toMatch(/^skip\s+gateway\s+not contacted without a key/m);
    expect(run.stdout).toMatch(/^warn\s+key\s+no key.*\n\s+fix: set SMOOAI_GATEWAY_KEY/m);
    expect(run.stdout).toContain('doctor: no problems found');
  });

  it('reports a bad configuration instead of crashing (exit 1)', async () => {
    const run = await cli(['doctor'], { SMOOTH_AGENT_STORAGE: 'postgres' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^FAIL\s+configuration\s+.*SMOOTH_AGENT_DATABASE_URL/m);
    expect(run.stdout).toMatch(/fix: correct the variable/);
  });

  it('accepts a key the gateway accepts, with the configured model', async () => {
    const results = await runDoctor({ SMOOAI_GATEWAY_URL: gateway.url, SMOOAI_GATEWAY_KEY: 'sk-doctor-good', SMOOTH_AGENT_MODEL: 'doctor-model' });
    expect(check(results, 'gateway')).toMatchObject({ status: 'ok' });
    expect(check(results, 'key')).toMatchObject({ status: 'ok', detail: 'accepted (model doctor-model)' });
    const probe = gateway.requests.at(-1)!;
    expect(probe.body).toMatchObject({ model: 'doctor-model', max_tokens: 1 });
  });

  it('fails a key the gateway refuses, with a fix, without printing the key (exit 1)', async () => {
    const run = await cli(['doctor'], { SMOOAI_GATEWAY_URL: gateway.url, SMOOAI_GATEWAY_KEY: 'sk-doctor-wrong-3141' });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^ok\s+gateway\s/m);
    expect(run.stdout).toMatch(/^FAIL\s+key\s+the gateway refused the key \(HTTP 401\)\n\s+fix: set SMOOAI_GATEWAY_KEY/m);
    expect(run.stdout + run.stderr).not.toContain('sk-doctor-wrong-3141');
  });

  it('fails an unreachable gateway, storage and backplane, each with its fix', async () => {
    const port = await deadPort();
    const results = await runDoctor(
      {
        SMOOAI_GATEWAY_URL: `http://127.0.0.1:${port}/v1`,
        SMOOAI_GATEWAY_KEY: 'sk-x',
        SMOOTH_AGENT_STORAGE: 'postgres',
        SMOOTH_AGENT_DATABASE_URL: `postgres://u:pw-hidden@127.0.0.1:${port}/db`,
        SMOOTH_AGENT_BACKPLANE: 'redis',
        SMOOTH_AGENT_BACKPLANE_URL: `redis://:bus-pw-hidden@127.0.0.1:${port}`,
      },
      { timeoutMs: 2_000 },
    );
    expect(check(results, 'gateway')).toMatchObject({ status: 'fail', fix: expect.stringContaining('SMOOAI_GATEWAY_URL') });
    expect(check(results, 'key').status).toBe('skip');
    expect(check(results, 'storage')).toMatchObject({ status: 'fail', fix: expect.stringContaining('SMOOTH_AGENT_DATABASE_URL') });
    expect(check(results, 'pgvector').status).toBe('skip');
    expect(check(results, 'backplane')).toMatchObject({ status: 'fail', fix: expect.stringContaining('SMOOTH_AGENT_BACKPLANE_URL') });
    expect(JSON.stringify(results)).not.toMatch(/pw-hidden/);
  });

  it('a per-organization keys file that does not load fails, without quoting it', async () => {
    const file = join(tmpdir(), `so-doctor-keys-${process.pid}.json`);
    writeFileSync(file, '{"acme": "sk-acme-secret-42", "globex": ');
    try {
      const results = await runDoctor({ SMOOTH_AGENT_GATEWAY_KEYS_FILE: file });
      const keys = results.filter((r) => r.name === 'key');
      expect(keys.at(-1)).toMatchObject({ status: 'fail', detail: expect.stringContaining('not valid JSON'), fix: expect.stringContaining('SMOOTH_AGENT_GATEWAY_KEYS_FILE') });
      expect(JSON.stringify(results)).not.toContain('sk-acme-secret-42');
      writeFileSync(file, '{"acme": "sk-acme-secret-42"}');
      expect((await runDoctor({ SMOOTH_AGENT_GATEWAY_KEYS_FILE: file })).filter((r) => r.name === 'key').at(-1)).toMatchObject({ status: 'ok' });
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('pglite: a data directory that cannot be created (its parent is a file) fails with a fix', async () => {
    const results = await runDoctor({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: join(ROOT, 'package.json', 'data') });
    expect(check(results, 'storage')).toMatchObject({ status: 'fail', fix: expect.stringContaining('SMOOTH_AGENT_DATA_DIR') });
    expect(check(results, 'pgvector').status).toBe('ok');
    const fresh = await runDoctor({ SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: join(tmpdir(), `so-doctor-${process.pid}`, 'data') });
    expect(check(fresh, 'storage')).toMatchObject({ status: 'ok', detail: expect.stringContaining('created at first start') });
  });

  it('dynamodb: a table that does not exist yet is a warning pointing at migrate', async () => {
    const dynamo = await startDynalite();
    if ('unavailable' in dynamo) throw new Error(dynamo.unavailable);
    try {
      const run = await cli(['doctor'], {
        SMOOTH_AGENT_STORAGE: 'dynamodb',
        SMOOTH_AGENT_DDB_ENDPOINT: dynamo.endpoint,
        SMOOTH_AGENT_DDB_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^warn\s+storage\s+dynamodb table smooth-operator at http:\/\/127\.0\.0\.1:\d+ does not exist yet.*\n\s+fix: run `smooth-operator migrate`/m);
    } finally {
      await dynamo.close();
    }
  });
});

// Service-backed doctor checks: the machine's PostgreSQL, Redis and NATS (skipped loudly without them, failing under CI).
const database = await createTestDatabase();
whenAvailable('PostgreSQL', 'unavailable' in database ? database.unavailable : undefined, () => {
  const db = database as TestDatabase;
  afterAll(() => db.drop());
  it('postgres: reachable, pgvector available but not yet created in a fresh database', async () => {
    const run = await cli(['doctor'], { SMOOTH_AGENT_STORAGE: 'postgres', SMOOTH_AGENT_DATABASE_URL: db.url });
    expect(run.code, run.stdout).toBe(0);
    expect(run.stdout).toMatch(/^ok\s+storage\s+postgres .*\(PostgreSQL \d+/m);
    expect(run.stdout).toMatch(/^(warn\s+pgvector\s+vector [\d.]+ is available but not yet created|ok\s+pgvector\s+vector [\d.]+ enabled)/m);
  });
});

const redisDown = await probeRedis();
whenAvailable('Redis', redisDown, () => {
  it('redis backplane: connected', async () => {
    const results = await runDoctor({ SMOOTH_AGENT_BACKPLANE: 'redis', SMOOTH_AGENT_BACKPLANE_URL: REDIS_TEST_URL });
    expect(check(results, 'backplane')).toMatchObject({ status: 'ok', detail: expect.stringContaining('connected') });
  });
});

const natsDown = await probeNats();
whenAvailable('NATS', natsDown, () => {
  it('nats backplane: connected', async () => {
    const results = await runDoctor({ SMOOTH_AGENT_BACKPLANE: 'nats', SMOOTH_AGENT_NATS_URL: NATS_TEST_URL });
    expect(check(results, 'backplane')).toMatchObject({ status: 'ok', detail: expect.stringContaining('connected') });
  });
});

