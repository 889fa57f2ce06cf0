import { access, constants, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from '../config/index.js';
import type { Env } from '../config/load-config.js';
import { redactBusUrl } from '../backplane/backplane-error.js';
import { redactKey } from '../llm/key-resolver.js';
import { loadGatewayKeysFile } from '../llm/key-resolver-file.js';
import { redactUrl } from '../storage/redact-url.js';

export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  readonly name: 'configuration' | 'storage' | 'pgvector' | 'backplane' | 'gateway' | 'key';
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about a warn or fail. */
  readonly fix?: string;
}

export interface DoctorOptions {
  /** Per probe; a service that does not answer within it counts as unreachable. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function reason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return reason(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const cause = err.cause instanceof Error ? `: ${reason(err.cause)}` : '';
    return `${err.message || code || err.name}${cause}`;
  }
  return String(err);
}

async function withTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The data directory, or the nearest ancestor that exists when it does not yet, must be a writable directory. */
async function checkPglite(config: Config): Promise<CheckResult> {
  const dir = resolve(config.dataDir);
  let target = dir;
  let info = await stat(target).catch(() => undefined);
  while (!info && dirname(target) !== target) {
    target = dirname(target);
    info = await stat(target).catch(() => undefined);
  }
  const fix = 'set SMOOTH_AGENT_DATA_DIR to a directory this user can write';
  if (!info?.isDirectory()) return { name: 'storage', status: 'fail', detail: `pglite: ${target} is not a directory`, fix };
  try {
    await access(target, constants.W_OK);
  } catch {
    return { name: 'storage', status: 'fail', detail: `pglite: ${target} is not writable`, fix };
  }
  return { name: 'storage', status: 'ok', detail: target === dir ? `pglite ${dir} (writable)` : `pglite ${dir} (created at first start)` };
}

interface PostgresFindings {
  storage: CheckResult;
  pgvector: CheckResult;
}

async function checkPostgres(config: Config, timeoutMs: number): Promise<PostgresFindings> {
  const url = config.databaseUrl ?? '';
  const where = redactUrl(url);
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    const skipped: CheckResult = { name: 'pgvector', status: 'skip', detail: 'database not reachable' };
    return {
      storage: {
        name: 'storage',
        status: 'fail',
        detail: `postgres ${where}: ${redactKey(reason(err), url)}`,
        fix: 'start PostgreSQL, or correct SMOOTH_AGENT_DATABASE_URL (or DATABASE_URL): host, port, user, database',
      },
      pgvector: skipped,
    };
  }
  try {
    const version = await client.query<{ server_version: string }>('SHOW server_version');
    const storage: CheckResult = { name: 'storage', status: 'ok', detail: `postgres ${where} (PostgreSQL ${version.rows[0]?.server_version ?? '?'})` };
    const ext = await client.query<{ default_version: string | null; installed_version: string | null }>(
      "SELECT default_version, installed_version FROM pg_available_extensions WHERE name = 'vector'",
    );
    const row = ext.rows[0];
    let pgvector: CheckResult;
    if (!row) {
      pgvector = {
        name: 'pgvector',
        status: 'fail',
        detail: 'the vector extension is not installed on this server (the knowledge store needs it)',
        fix: 'install pgvector for this PostgreSQL: on Debian `sudo scripts/install-pgvector.sh`, elsewhere the postgresql-<major>-pgvector package',
      };
    } else if (row.installed_version) {
      pgvector = { name: 'pgvector', status: 'ok', detail: `vector ${row.installed_version} enabled in this database` };
    } else {
      pgvector = {
        name: 'pgvector',
        status: 'warn',
        detail: `vector ${row.default_version ?? ''} is available but not yet created in this database; the first start creates it`,
        fix: 'start once with a role allowed to CREATE EXTENSION, or have a superuser run `CREATE EXTENSION vector;` in this database',
      };
    }
    return { storage, pgvector };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkDynamo(config: Config, timeoutMs: number): Promise<CheckResult> {
  const { DynamoDBClient, DescribeTableCommand, ResourceNotFoundException } = await import('@aws-sdk/client-dynamodb');
  const { table, region, endpoint } = config.dynamodb;
  const client = new DynamoDBClient({ ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}), maxAttempts: 1 });
  const where = `dynamodb table ${table}${endpoint ? ` at ${endpoint}` : ''}`;
  try {
    const described = await client.send(new DescribeTableCommand({ TableName: table }), { abortSignal: AbortSignal.timeout(timeoutMs) });
    return { name: 'storage', status: 'ok', detail: `${where} (${described.Table?.TableStatus ?? 'unknown status'})` };
  } catch (err) {
    if (err instanceof ResourceNotFoundException) {
      return { name: 'storage', status: 'warn', detail: `${where} does not exist yet; the first start creates it`, fix: 'run `smooth-operator migrate` to create it now' };
    }
    return {
      name: 'storage',
      status: 'fail',
      detail: `${where}: ${reason(err)}`,
      fix: 'check AWS credentials and region (SMOOTH_AGENT_DDB_REGION / AWS_REGION), or SMOOTH_AGENT_DDB_ENDPOINT for a local DynamoDB',
    };
  } finally {
    client.destroy();
  }
}

async function checkBackplane(config: Config, timeoutMs: number): Promise<CheckResult> {
  const bus = config.backplane;
  if (bus.kind === 'memory') return { name: 'backplane', status: 'ok', detail: 'memory (events reach the sockets of this process only)' };
  const where = `${bus.kind} ${redactBusUrl(bus.url)}`;
  try {
    const backplane =
      bus.kind === 'nats'
        ? await (await import('../backplane/nats-backplane.js')).NatsBackplane.connect({ url: bus.url, connectTimeoutMs: timeoutMs })
        : await (await import('../backplane/redis-backplane.js')).RedisBackplane.connect({ url: bus.url, connectTimeoutMs: timeoutMs });
    await backplane.close();
    return { name: 'backplane', status: 'ok', detail: `${where} (connected)` };
  } catch (err) {
    return {
      name: 'backplane',
      status: 'fail',
      detail: `${where}: ${redactKey(reason(err), bus.url)}`,
      fix: `start the ${bus.kind === 'nats' ? 'NATS server' : 'Redis/Valkey server'}, or correct ${bus.urlVariable}; or use SMOOTH_AGENT_BACKPLANE=memory for a single replica`,
    };
  }
}

type Probe = { kind: 'answered'; status: number; body: string } | { kind: 'unreachable'; reason: string };

async function probe(doFetch: typeof fetch, url: string, init: RequestInit, timeoutMs: number): Promise<Probe> {
  try {
    const response = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return { kind: 'answered', status: response.status, body: (await response.text()).slice(0, 300) };
  } catch (err) {
    return { kind: 'unreachable', reason: reason(err) };
  }
}

/**
 * Reachability, then the key: `GET /models` is free on OpenAI-compatible gateways; one that lacks it
 * is asked for a one-token completion of the configured model, which also proves the model exists.
 */
async function checkGateway(config: Config, timeoutMs: number, doFetch: typeof fetch): Promise<CheckResult[]> {
  const key = config.gateway.apiKey;
  const base = config.gateway.baseUrl;
  if (!key) {
    const note = config.gateway.keysFile ? ' (per-organization keys only: nothing to probe without a default key)' : '';
    const detail = config.requireLlm ? 'no key: send_message answers LLM_UNAVAILABLE (SMOOTH_AGENT_REQUIRE_LLM=1)' : 'no key: the LLM is off and replies quote the knowledge base';
    return [
      { name: 'gateway', status: 'skip', detail: `not contacted without a key${note}` },
      { name: 'key', status: config.requireLlm ? 'fail' : 'warn', detail, fix: 'set SMOOAI_GATEWAY_KEY (and SMOOAI_GATEWAY_URL for another OpenAI-compatible gateway, including /v1)' },
    ];
  }
  const headers = { authorization: `Bearer ${key}` };
  const clean = (text: string) => redactKey(text, key);
  let answer = await probe(doFetch, `${base}/models`, { headers }, timeoutMs);
  if (answer.kind === 'unreachable') {
    return [
      { name: 'gateway', status: 'fail', detail: `${base}: ${clean(answer.reason)}`, fix: 'check SMOOAI_GATEWAY_URL (an OpenAI-compatible base URL including /v1) and that this host can reach it' },
      { name: 'key', status: 'skip', detail: 'gateway not reachable' },
    ];
  }
  const gateway: CheckResult = { name: 'gateway', status: 'ok', detail: `${base} answered` };
  if (answer.status === 404 || answer.status === 405) {
    answer = await probe(
      doFetch,
      `${base}/chat/completions`,
      { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ model: config.model, max_tokens: 1, messages: [{ role: 'user', content: 'ping' }] }) },
      timeoutMs,
    );
    if (answer.kind === 'unreachable') return [gateway, { name: 'key', status: 'fail', detail: clean(answer.reason), fix: 'check SMOOAI_GATEWAY_URL' }];
  }
  if (answer.status === 401 || answer.status === 403) {
    return [gateway, { name: 'key', status: 'fail', detail: `the gateway refused the key (HTTP ${answer.status})`, fix: 'set SMOOAI_GATEWAY_KEY to a valid key for this gateway' }];
  }
  if (answer.status >= 200 && answer.status < 300) return [gateway, { name: 'key', status: 'ok', detail: `accepted (model ${config.model})` }];
  return [
    gateway,
    {
      name: 'key',
      status: 'fail',
      detail: `the gateway answered HTTP ${answer.status}: ${clean(answer.body.replace(/\s+/g, ' ').trim())}`,
      fix: 'check SMOOTH_AGENT_MODEL and SMOOAI_GATEWAY_URL (including /v1)',
    },
  ];
}

/** The per-organization keys file loads as `serve` would load it (its errors never quote a key). */
async function checkKeysFile(path: string, fallback: string | undefined): Promise<CheckResult> {
  try {
    await loadGatewayKeysFile(path, fallback);
    return { name: 'key', status: 'ok', detail: `per-organization keys file ${path} loads` };
  } catch (err) {
    const detail = err instanceof ConfigError ? err.message : reason(err);
    return { name: 'key', status: 'fail', detail, fix: 'fix SMOOTH_AGENT_GATEWAY_KEYS_FILE: a JSON object of organization id -> non-empty key string' };
  }
}

/** `smooth-operator doctor`: every check runs (none stops the others) and says what to do about a failure. */
export async function runDoctor(env: Env, options: DoctorOptions = {}): Promise<CheckResult[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let config: Config;
  try {
    config = loadConfig(env, { widgetDefault: 'loopback' });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return [{ name: 'configuration', status: 'fail', detail: err.message, fix: 'correct the variable named above; `smooth-operator serve --help` lists every setting' }];
  }
  const results: CheckResult[] = [{ name: 'configuration', status: 'ok', detail: 'environment parses' }];
  const guard = (what: string, work: Promise<CheckResult>) =>
    withTimeout(work, timeoutMs * 2, what).catch((err: unknown): CheckResult => ({ name: 'storage', status: 'fail', detail: reason(err) }));
  switch (config.storage) {
    case 'memory':
      results.push({ name: 'storage', status: 'ok', detail: 'memory (nothing survives a restart; SMOOTH_AGENT_STORAGE=pglite keeps it on disk)' });
      results.push({ name: 'pgvector', status: 'skip', detail: 'not used by memory storage' });
      break;
    case 'pglite':
      results.push(await guard('pglite check', checkPglite(config)));
      results.push({ name: 'pgvector', status: 'ok', detail: 'bundled with PGlite' });
      break;
    case 'postgres': {
      const found = await withTimeout(checkPostgres(config, timeoutMs), timeoutMs * 3, 'postgres').catch(
        (err: unknown): PostgresFindings => ({
          storage: { name: 'storage', status: 'fail', detail: redactKey(reason(err), config.databaseUrl), fix: 'start PostgreSQL or correct SMOOTH_AGENT_DATABASE_URL' },
          pgvector: { name: 'pgvector', status: 'skip', detail: 'database not reachable' },
        }),
      );
      results.push(found.storage, found.pgvector);
      break;
    }
    case 'dynamodb':
      results.push(await guard('dynamodb', checkDynamo(config, timeoutMs)));
      results.push({ name: 'pgvector', status: 'skip', detail: 'not used by dynamodb storage' });
      break;
  }
  results.push(await checkBackplane(config, timeoutMs));
  results.push(...(await checkGateway(config, timeoutMs, options.fetch ?? fetch)));
  if (config.gateway.keysFile) results.push(await checkKeysFile(config.gateway.keysFile, config.gateway.apiKey));
  return results;
}

const LABEL: Readonly<Record<CheckStatus, string>> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

export function renderDoctor(results: readonly CheckResult[]): string {
  const lines = results.flatMap((r) => [`${LABEL[r.status]}  ${r.name.padEnd(13)} ${r.detail}`, ...(r.fix ? [`      ${''.padEnd(13)} fix: ${r.fix}`] : [])]);
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push('', failed === 0 ? 'doctor: no problems found' : `doctor: ${failed} problem${failed === 1 ? '' : 's'} found`);
  return `${lines.join('\n')}\n`;
}
