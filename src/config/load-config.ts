import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import type { QueryRewriteConfig, RetrievalConfig } from './config.js';
import type { AuthMode, Config, DynamoConfig, JwtConfig, ObservabilityConfig, OtpConfig, StorageKind, WidgetAuthConfig } from './config.js';
import { ConfigError } from './config-error.js';
import { backplaneConfig } from './backplane-config.js';
import { delimiter, isAbsolute } from 'node:path';
import type { HandoffConfig } from './config.js';
import { parseBusinessHours, type BusinessHours } from '../handoff/business-hours.js';

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULTS = Object.freeze({
  bind: '127.0.0.1',
  port: 8787,
  gatewayUrl: 'https://llm.smoo.ai/v1',
  model: 'claude-haiku-4-5',
  maxIterations: 20,
  maxTokens: 8192,
  approvalTimeoutMs: 300_000,
  llmMaxRetries: 3,
  llmIdleTimeoutMs: 120_000,
  llmFirstTokenTimeoutMs: 60_000,
  maxPayloadBytes: 1024 * 1024,
  maxBufferedBytes: 4 * 1024 * 1024,
  drainTimeoutMs: 30_000,
  historyLimit: 50,
  defaultOrgId: 'default',
  devOrgId: 'dev-org',
  storage: 'memory' as StorageKind,
  dataDir: './.smooth-operator',
  dbPoolMax: 10,
  ddbTable: 'smooth-operator',
  widgetAuthTtlSecs: 60,
  maxFramesPerSec: 20,
  frameBurst: 40,
  rateLimitCloseAfter: 20,
  maxConnectionsPerIp: 20,
  githubApiUrl: 'https://api.github.com',
  interactionTimeoutMs: 900_000,
  otpMaxSendsPerSession: 3,
  otpMaxSendsPerAddress: 5,
  otpSendWindowMs: 3_600_000,
  queryRewriteTimeoutMs: 3_000,
});

function otpConfig(env: Env): OtpConfig {
  const smtpUrl = text(env, 'SMOOTH_AGENT_SMTP_URL');
  const from = text(env, 'SMOOTH_AGENT_OTP_FROM');
  if (smtpUrl !== undefined) {
    let scheme: string;
    try {
      scheme = new URL(smtpUrl).protocol;
    } catch {
      // The URL may carry a password, so it is never quoted back.
      throw new ConfigError('SMOOTH_AGENT_SMTP_URL', 'not a valid URL (expected smtp://host:port or smtps://…)');
    }
    if (scheme !== 'smtp:' && scheme !== 'smtps:') throw new ConfigError('SMOOTH_AGENT_SMTP_URL', 'must use smtp:// or smtps://');
    if (from === undefined) throw new ConfigError('SMOOTH_AGENT_OTP_FROM', 'required when SMOOTH_AGENT_SMTP_URL is set');
  }
  return Object.freeze({
    ...(smtpUrl !== undefined ? { smtpUrl } : {}),
    ...(from !== undefined ? { from } : {}),
    maxSendsPerSession: integer(env, 'SMOOTH_AGENT_OTP_MAX_SENDS_PER_SESSION', DEFAULTS.otpMaxSendsPerSession, 1, 1000),
    maxSendsPerAddress: integer(env, 'SMOOTH_AGENT_OTP_MAX_SENDS_PER_ADDRESS', DEFAULTS.otpMaxSendsPerAddress, 1, 1000),
    sendWindowMs: integer(env, 'SMOOTH_AGENT_OTP_SEND_WINDOW_MS', DEFAULTS.otpSendWindowMs, 1000, 86_400_000),
  });
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function flag(env: Env, name: string, fallback = false): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === '0' || raw === 'false' || raw === 'no') return false;
  if (raw === '1' || raw === 'true' || raw === 'yes') return true;
  throw new ConfigError(name, `expected 1/0/true/false, got "${raw}"`);
}

/** A PATH-style list (`:` separated; `;` on Windows); unset or empty means "not configured". */
function pathList(env: Env, name: string): readonly string[] | undefined {
  const entries = text(env, name)?.split(delimiter).map((p) => p.trim()).filter((p) => p !== '');
  if (entries === undefined || entries.length === 0) return undefined;
  for (const entry of entries) if (!isAbsolute(entry)) throw new ConfigError(name, `entries must be absolute paths, got "${entry}"`);
  return Object.freeze(entries);
}

const STORAGE_KINDS: readonly StorageKind[] = ['memory', 'pglite', 'postgres', 'dynamodb'];

function storageKind(env: Env): StorageKind {
  const raw = text(env, 'SMOOTH_AGENT_STORAGE')?.toLowerCase() ?? DEFAULTS.storage;
  const kind = STORAGE_KINDS.find((k) => k === raw);
  if (!kind) throw new ConfigError('SMOOTH_AGENT_STORAGE', `unknown storage "${raw}"; use one of ${STORAGE_KINDS.join(', ')}`);
  return kind;
}

/** Only read for `postgres` (DATABASE_URL is often set for unrelated tools). The value is never echoed: it may hold a password. */
function databaseUrl(env: Env, kind: StorageKind): string | undefined {
  if (kind !== 'postgres') return undefined;
  const name = text(env, 'SMOOTH_AGENT_DATABASE_URL') !== undefined ? 'SMOOTH_AGENT_DATABASE_URL' : 'DATABASE_URL';
  const raw = text(env, name);
  if (raw === undefined) {
    throw new ConfigError('SMOOTH_AGENT_STORAGE', 'postgres needs SMOOTH_AGENT_DATABASE_URL (or DATABASE_URL), e.g. postgres://user@127.0.0.1:5432/db');
  }
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'not a valid URL (value not shown: it may contain a password)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ConfigError(name, `must be a postgres:// or postgresql:// URL, got "${parsed.protocol}"`);
  }
  return raw;
}

function dynamoConfig(env: Env): DynamoConfig {
  const table = text(env, 'SMOOTH_AGENT_DDB_TABLE') ?? DEFAULTS.ddbTable;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new ConfigError('SMOOTH_AGENT_DDB_TABLE', `"${table}" is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)`);
  }
  const region = text(env, 'SMOOTH_AGENT_DDB_REGION') ?? text(env, 'AWS_REGION') ?? text(env, 'AWS_DEFAULT_REGION');
  const endpoint = httpUrl(env, 'SMOOTH_AGENT_DDB_ENDPOINT');
  return Object.freeze({ table, ...(region ? { region } : {}), ...(endpoint ? { endpoint } : {}) });
}

/** A key that does not parse would otherwise fail on the first token, after the server reported it was up. */
function rs256PublicKey(env: Env): string | undefined {
  const pem = text(env, 'AUTH_JWT_RS256_PUBLIC_KEY')?.replace(/\\n/g, '\n');
  if (pem === undefined) return undefined;
  try {
    createPublicKey(pem);
  } catch {
    throw new ConfigError('AUTH_JWT_RS256_PUBLIC_KEY', 'not a PEM public key (-----BEGIN PUBLIC KEY----- …)');
  }
  return pem;
}

function jwtConfig(env: Env): JwtConfig {
  const pem = rs256PublicKey(env);
  httpUrl(env, 'AUTH_JWT_JWKS_URL');
  return Object.freeze({
    ...(text(env, 'AUTH_JWT_HS256_SECRET') ? { hs256Secret: text(env, 'AUTH_JWT_HS256_SECRET') } : {}),
    ...(pem ? { rs256PublicKey: pem } : {}),
    ...(text(env, 'AUTH_JWT_JWKS_URL') ? { jwksUrl: text(env, 'AUTH_JWT_JWKS_URL') } : {}),
    ...(text(env, 'AUTH_JWT_ISSUER') ? { issuer: text(env, 'AUTH_JWT_ISSUER') } : {}),
    ...(text(env, 'AUTH_JWT_AUDIENCE') ? { audience: text(env, 'AUTH_JWT_AUDIENCE') } : {}),
    clockToleranceSec: integer(env, 'AUTH_JWT_CLOCK_SKEW_SECS', 30, 0, 3600),
  });
}

function hasKeyMaterial(jwt: JwtConfig): boolean {
  return Boolean(jwt.hs256Secret ?? jwt.rs256PublicKey ?? jwt.jwksUrl);
}

function authMode(env: Env, jwt: JwtConfig): AuthMode {
  const raw = (text(env, 'AUTH_MODE') ?? text(env, 'SMOOTH_AGENT_AUTH_MODE'))?.toLowerCase();
  // Unset means "JWT if keys are configured, otherwise admin disabled" — never silently open.
  if (raw === undefined) return hasKeyMaterial(jwt) ? 'jwt' : 'disabled';
  if (raw === 'none') return 'none';
  if (raw === 'jwt') {
    if (!hasKeyMaterial(jwt)) {
      throw new ConfigError('AUTH_MODE', 'jwt needs key material: set AUTH_JWT_HS256_SECRET, AUTH_JWT_RS256_PUBLIC_KEY or AUTH_JWT_JWKS_URL');
    }
    return 'jwt';
  }
  if (raw === 'local-token') {
    if (!text(env, 'AUTH_LOCAL_TOKEN')) throw new ConfigError('AUTH_MODE', 'local-token needs AUTH_LOCAL_TOKEN');
    return 'local-token';
  }
  throw new ConfigError('AUTH_MODE', `unknown AUTH_MODE "${raw}"; use jwt, local-token or none (dev only), or leave it unset`);
}

function gatewayUrl(env: Env): string {
  const raw = text(env, 'SMOOAI_GATEWAY_URL') ?? DEFAULTS.gatewayUrl;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError('SMOOAI_GATEWAY_URL', 'not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError('SMOOAI_GATEWAY_URL', 'must be an http(s) URL');
  }
  // Trailing slashes would double up when the client appends `/chat/completions`.
  return raw.replace(/\/+$/, '');
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError(name, 'must be an http(s) URL');
  return raw.replace(/\/+$/, '');
}

function widgetAuthConfig(env: Env): WidgetAuthConfig {
  const file = text(env, 'WIDGET_AUTH_FILE');
  const url = httpUrl(env, 'WIDGET_AUTH_URL');
  // Two sources would need a precedence rule nobody asked for; refusing is clearer than guessing.
  if (file && url) throw new ConfigError('WIDGET_AUTH_URL', 'set WIDGET_AUTH_FILE or WIDGET_AUTH_URL, not both');
  const bearer = text(env, 'WIDGET_AUTH_BEARER');
  return Object.freeze({
    ...(file ? { file } : {}),
    ...(url ? { url } : {}),
    ...(bearer ? { bearer } : {}),
    ttlSecs: integer(env, 'WIDGET_AUTH_TTL_SECS', DEFAULTS.widgetAuthTtlSecs, 0, 86_400),
    strict: flag(env, 'WIDGET_AUTH_STRICT'),
  });
}

function patterns(env: Env, name: string): string[] {
  return (text(env, name) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export interface LoadConfigOptions {
  /**
   * Default of SMOOTH_AGENT_SERVE_WIDGET when it is unset: `loopback` (what `smooth-operator serve`
   * uses) serves the widget only when bound to a loopback address, so a server exposed on a
   * network does not start publishing a chat page nobody asked for; `off` (embedding) never does.
   */
  widgetDefault?: 'off' | 'loopback';
}

function isLoopback(bind: string): boolean {
  const host = bind.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function serveWidget(env: Env, bind: string, options: LoadConfigOptions): boolean {
  if (text(env, 'SMOOTH_AGENT_SERVE_WIDGET') !== undefined) return flag(env, 'SMOOTH_AGENT_SERVE_WIDGET');
  return options.widgetDefault === 'loopback' && isLoopback(bind);
}

/** An IP literal (brackets allowed for IPv6) or a host name; anything else fails at listen with a DNS stack trace. */
function bindAddress(env: Env): string {
  const raw = text(env, 'SMOOTH_AGENT_BIND') ?? DEFAULTS.bind;
  const host = raw.replace(/^\[(.*)\]$/, '$1');
  const hostname = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
  // All-numeric names are malformed IPs (300.1.1.1), not host names.
  if (isIP(host) === 0 && (!hostname.test(host) || /^[\d.]+$/.test(host))) {
    throw new ConfigError('SMOOTH_AGENT_BIND', `"${raw}" is not an IP address or host name (e.g. 127.0.0.1, 0.0.0.0, ::)`);
  }
  return host;
}

function observabilityConfig(env: Env): ObservabilityConfig {
  const metricsToken = text(env, 'SMOOTH_AGENT_METRICS_TOKEN');
  const otlpEndpoint = httpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return Object.freeze({
    metrics: flag(env, 'SMOOTH_AGENT_METRICS'),
    ...(metricsToken ? { metricsToken } : {}),
    ...(otlpEndpoint ? { otlpEndpoint } : {}),
    serviceName: text(env, 'OTEL_SERVICE_NAME') ?? 'smooth-operator',
  });
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function choice<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(name, `expected one of ${allowed.join(', ')}, got "${raw}"`);
}

function retrievalConfig(env: Env): RetrievalConfig {
  const embeddings = choice(env, 'SMOOTH_AGENT_EMBEDDINGS', ['offline', 'gateway'] as const, 'offline');
  const rerank = choice(env, 'SMOOTH_AGENT_RERANK', ['off', 'lexical', 'gateway'] as const, 'off');
  const hasKey = text(env, 'SMOOAI_GATEWAY_KEY') !== undefined;
  if (embeddings === 'gateway' && !hasKey) throw new ConfigError('SMOOTH_AGENT_EMBEDDINGS', 'gateway embeddings need SMOOAI_GATEWAY_KEY');
  if (rerank === 'gateway' && !hasKey) throw new ConfigError('SMOOTH_AGENT_RERANK', 'gateway reranking needs SMOOAI_GATEWAY_KEY');
  return Object.freeze({
    embeddings,
    embeddingModel: text(env, 'SMOOTH_AGENT_EMBEDDING_MODEL') ?? 'text-embedding-3-small',
    embeddingDimensions: integer(env, 'SMOOTH_AGENT_EMBEDDING_DIMENSIONS', 1536, 8, 8192),
    rerank,
    rerankModel: text(env, 'SMOOTH_AGENT_RERANK_MODEL') ?? 'rerank-english-v3.0',
    minConfidence: fraction(env, 'SMOOTH_AGENT_RETRIEVAL_MIN_CONFIDENCE', 0.5),
    ...(text(env, 'SMOOTH_AGENT_RETRIEVAL_SYNONYMS_FILE') ? { synonymsFile: text(env, 'SMOOTH_AGENT_RETRIEVAL_SYNONYMS_FILE') } : {}),
    wordnetSynonyms: flag(env, 'SMOOTH_AGENT_RETRIEVAL_WORDNET', true),
    ...(text(env, 'SMOOTH_AGENT_DOCUMENT_SETS') !== undefined ? { documentSets: Object.freeze(nameList(env, 'SMOOTH_AGENT_DOCUMENT_SETS')) } : {}),
    queryRewrite: queryRewriteConfig(env),
  });
}

function queryRewriteConfig(env: Env): QueryRewriteConfig {
  const model = text(env, 'SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_MODEL');
  return Object.freeze({
    enabled: flag(env, 'SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE'),
    ...(model ? { model } : {}),
    // It runs before the first token: a bound of seconds, not the turn's minutes.
    timeoutMs: integer(env, 'SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_TIMEOUT_MS', DEFAULTS.queryRewriteTimeoutMs, 100, 60_000),
  });
}

/** A number in [0, 1]. */
function fraction(env: Env, name: string, fallback: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d*\.?\d+$/.test(raw) || !(value >= 0 && value <= 1)) throw new ConfigError(name, `expected a number between 0 and 1, got "${raw}"`);
  return value;
}

/** Comma-separated names, trimmed, empties dropped. */
function nameList(env: Env, name: string): string[] {
  return (text(env, name) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Reads, validates and freezes the configuration. Throws ConfigError naming the offending variable. */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const jwt = jwtConfig(env);
  const defaultOrgId = text(env, 'SMOOTH_AGENT_DEFAULT_ORG') ?? DEFAULTS.defaultOrgId;
  const storage = storageKind(env);
  const config: Config = {
    bind: bindAddress(env),
    port: integer(env, 'SMOOTH_AGENT_PORT', DEFAULTS.port, 0, 65535),
    gateway: Object.freeze({
      baseUrl: gatewayUrl(env),
      apiKey: text(env, 'SMOOAI_GATEWAY_KEY'),
      maxRetries: integer(env, 'SMOOTH_AGENT_LLM_MAX_RETRIES', DEFAULTS.llmMaxRetries, 0, 10),
      idleTimeoutMs: integer(env, 'SMOOTH_AGENT_LLM_IDLE_TIMEOUT_MS', DEFAULTS.llmIdleTimeoutMs, 1, 3_600_000),
      firstTokenTimeoutMs: integer(env, 'SMOOTH_AGENT_FIRST_TOKEN_TIMEOUT_MS', DEFAULTS.llmFirstTokenTimeoutMs, 1, 3_600_000),
      ...(text(env, 'SMOOTH_AGENT_GATEWAY_KEYS_FILE') ? { keysFile: text(env, 'SMOOTH_AGENT_GATEWAY_KEYS_FILE') } : {}),
    }),
    model: text(env, 'SMOOTH_AGENT_MODEL') ?? DEFAULTS.model,
    maxIterations: integer(env, 'SMOOTH_AGENT_MAX_ITERATIONS', DEFAULTS.maxIterations, 1, 1000),
    maxTokens: integer(env, 'SMOOTH_AGENT_MAX_TOKENS', DEFAULTS.maxTokens, 1, 1_000_000),
    seedKb: flag(env, 'SMOOTH_AGENT_SEED_KB'),
    retrieval: retrievalConfig(env),
    ...(text(env, 'SMOOTH_AGENT_CONTACT') ? { contact: text(env, 'SMOOTH_AGENT_CONTACT') } : {}),
    requireLlm: flag(env, 'SMOOTH_AGENT_REQUIRE_LLM'),
    confirmToolPatterns: Object.freeze(patterns(env, 'SMOOTH_AGENT_CONFIRM_TOOLS')),
    approvalTimeoutMs: integer(env, 'SMOOTH_AGENT_APPROVAL_TIMEOUT_MS', DEFAULTS.approvalTimeoutMs, 1, 86_400_000),
    storage,
    dataDir: text(env, 'SMOOTH_AGENT_DATA_DIR') ?? DEFAULTS.dataDir,
    databaseUrl: databaseUrl(env, storage),
    dbPoolMax: integer(env, 'SMOOTH_AGENT_DB_POOL_MAX', DEFAULTS.dbPoolMax, 1, 1000),
    autoMigrate: text(env, 'SMOOTH_AGENT_AUTO_MIGRATE') === undefined || flag(env, 'SMOOTH_AGENT_AUTO_MIGRATE'),
    dynamodb: dynamoConfig(env),
    authMode: authMode(env, jwt),
    jwt,
    localToken: text(env, 'AUTH_LOCAL_TOKEN'),
    strictAuth: flag(env, 'SMOOTH_AGENT_STRICT_AUTH'),
    devOrgId: text(env, 'AUTH_DEV_ORG_ID') ?? defaultOrgId,
    defaultOrgId,
    toolsFile: text(env, 'SMOOTH_AGENT_TOOLS_FILE'),
    agentsFile: text(env, 'SMOOTH_AGENT_AGENTS_FILE'),
    judgeModel: text(env, 'SMOOTH_AGENT_JUDGE_MODEL') ?? text(env, 'SMOOTH_AGENT_MODEL') ?? DEFAULTS.model,
    maxPayloadBytes: integer(env, 'SMOOTH_AGENT_MAX_PAYLOAD_BYTES', DEFAULTS.maxPayloadBytes, 1024, 64 * 1024 * 1024),
    maxBufferedBytes: integer(env, 'SMOOTH_AGENT_MAX_BUFFERED_BYTES', DEFAULTS.maxBufferedBytes, 1024, 1024 * 1024 * 1024),
    drainTimeoutMs: integer(env, 'SMOOTH_AGENT_DRAIN_TIMEOUT_MS', DEFAULTS.drainTimeoutMs, 0, 3_600_000),
    historyLimit: integer(env, 'SMOOTH_AGENT_HISTORY_LIMIT', DEFAULTS.historyLimit, 0, 1000),
    logLevel: choice(env, 'SMOOTH_AGENT_LOG_LEVEL', LOG_LEVELS, 'info'),
    widgetAuth: widgetAuthConfig(env),
    maxFramesPerSec: integer(env, 'SMOOTH_AGENT_MAX_FRAMES_PER_SEC', DEFAULTS.maxFramesPerSec, 0, 100_000),
    frameBurst: integer(env, 'SMOOTH_AGENT_FRAME_BURST', DEFAULTS.frameBurst, 1, 100_000),
    rateLimitCloseAfter: integer(env, 'SMOOTH_AGENT_RATE_LIMIT_CLOSE_AFTER', DEFAULTS.rateLimitCloseAfter, 0, 100_000),
    maxConnectionsPerIp: integer(env, 'SMOOTH_AGENT_MAX_CONNECTIONS_PER_IP', DEFAULTS.maxConnectionsPerIp, 0, 1_000_000),
    serveWidget: serveWidget(env, text(env, 'SMOOTH_AGENT_BIND') ?? DEFAULTS.bind, options),
    widgetToken: text(env, 'SMOOTH_AGENT_WIDGET_TOKEN'),
    githubApiUrl: httpUrl(env, 'SMOOTH_AGENT_GITHUB_API_URL') ?? DEFAULTS.githubApiUrl,
    backplane: backplaneConfig((name) => text(env, name)),
    allowInsecureAdmin: flag(env, 'SMOOTH_AGENT_ALLOW_INSECURE_ADMIN'),
    fileConnectorRoots: pathList(env, 'SMOOTH_AGENT_FILE_CONNECTOR_ROOTS'),
    connectorsAllowPrivate: flag(env, 'SMOOTH_AGENT_CONNECTORS_ALLOW_PRIVATE'),
    observability: observabilityConfig(env),
    interactionTimeoutMs: integer(env, 'SMOOTH_AGENT_INTERACTION_TIMEOUT_MS', DEFAULTS.interactionTimeoutMs, 1, 86_400_000),
    otp: otpConfig(env),
    handoff: handoffConfig(env),
  };
  return Object.freeze(config);
}

function handoffConfig(env: Env): HandoffConfig {
  const spec = text(env, 'SMOOTH_AGENT_HANDOFF_HOURS');
  const timeZone = text(env, 'SMOOTH_AGENT_HANDOFF_TIMEZONE') ?? 'UTC';
  let hours: BusinessHours | undefined;
  try {
    hours = spec === undefined ? undefined : parseBusinessHours(spec, timeZone);
  } catch (err) {
    throw new ConfigError(spec === undefined ? 'SMOOTH_AGENT_HANDOFF_TIMEZONE' : 'SMOOTH_AGENT_HANDOFF_HOURS', (err as Error).message);
  }
  const summary = text(env, 'SMOOTH_AGENT_HANDOFF_SUMMARY')?.toLowerCase() ?? 'transcript';
  if (summary !== 'transcript' && summary !== 'llm') throw new ConfigError('SMOOTH_AGENT_HANDOFF_SUMMARY', `expected transcript or llm, got "${summary}"`);
  return Object.freeze({
    hours,
    onNoAnswer: flag(env, 'SMOOTH_AGENT_HANDOFF_ON_NO_ANSWER'),
    summary,
    presenceTtlMs: integer(env, 'SMOOTH_AGENT_HANDOFF_PRESENCE_TTL_MS', 45_000, 1000, 3_600_000),
  });
}

/** Defaults for embedding: the same validation path with no environment at all. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...loadConfig({}), ...overrides });
}
