import type { AuthMode, Config, JwtConfig, StorageKind } from './config.js';
import { ConfigError } from './config-error.js';

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
  maxPayloadBytes: 1024 * 1024,
  maxBufferedBytes: 4 * 1024 * 1024,
  drainTimeoutMs: 30_000,
  historyLimit: 50,
  defaultOrgId: 'default',
  devOrgId: 'dev-org',
});

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

function flag(env: Env, name: string): boolean {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined || raw === '0' || raw === 'false' || raw === 'no') return false;
  if (raw === '1' || raw === 'true' || raw === 'yes') return true;
  throw new ConfigError(name, `expected 1/0/true/false, got "${raw}"`);
}

function storageKind(env: Env): StorageKind {
  const raw = text(env, 'SMOOTH_AGENT_STORAGE')?.toLowerCase() ?? 'memory';
  if (raw === 'memory') return 'memory';
  throw new ConfigError(
    'SMOOTH_AGENT_STORAGE',
    `"${raw}" is not available in this build; supported: memory (postgres, pglite and dynamodb are planned)`,
  );
}

function jwtConfig(env: Env): JwtConfig {
  const pem = text(env, 'AUTH_JWT_RS256_PUBLIC_KEY')?.replace(/\\n/g, '\n');
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

function patterns(env: Env, name: string): string[] {
  return (text(env, name) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** Reads, validates and freezes the configuration. Throws ConfigError naming the offending variable. */
export function loadConfig(env: Env): Config {
  const jwt = jwtConfig(env);
  const defaultOrgId = text(env, 'SMOOTH_AGENT_DEFAULT_ORG') ?? DEFAULTS.defaultOrgId;
  const config: Config = {
    bind: text(env, 'SMOOTH_AGENT_BIND') ?? DEFAULTS.bind,
    port: integer(env, 'SMOOTH_AGENT_PORT', DEFAULTS.port, 0, 65535),
    gateway: Object.freeze({
      baseUrl: gatewayUrl(env),
      apiKey: text(env, 'SMOOAI_GATEWAY_KEY'),
      maxRetries: integer(env, 'SMOOTH_AGENT_LLM_MAX_RETRIES', DEFAULTS.llmMaxRetries, 0, 10),
      idleTimeoutMs: integer(env, 'SMOOTH_AGENT_LLM_IDLE_TIMEOUT_MS', DEFAULTS.llmIdleTimeoutMs, 1, 3_600_000),
    }),
    model: text(env, 'SMOOTH_AGENT_MODEL') ?? DEFAULTS.model,
    maxIterations: integer(env, 'SMOOTH_AGENT_MAX_ITERATIONS', DEFAULTS.maxIterations, 1, 1000),
    maxTokens: integer(env, 'SMOOTH_AGENT_MAX_TOKENS', DEFAULTS.maxTokens, 1, 1_000_000),
    seedKb: flag(env, 'SMOOTH_AGENT_SEED_KB'),
    requireLlm: flag(env, 'SMOOTH_AGENT_REQUIRE_LLM'),
    confirmToolPatterns: Object.freeze(patterns(env, 'SMOOTH_AGENT_CONFIRM_TOOLS')),
    approvalTimeoutMs: integer(env, 'SMOOTH_AGENT_APPROVAL_TIMEOUT_MS', DEFAULTS.approvalTimeoutMs, 1, 86_400_000),
    storage: storageKind(env),
    authMode: authMode(env, jwt),
    jwt,
    localToken: text(env, 'AUTH_LOCAL_TOKEN'),
    strictAuth: flag(env, 'SMOOTH_AGENT_STRICT_AUTH'),
    devOrgId: text(env, 'AUTH_DEV_ORG_ID') ?? defaultOrgId,
    defaultOrgId,
    toolsFile: text(env, 'SMOOTH_AGENT_TOOLS_FILE'),
    maxPayloadBytes: integer(env, 'SMOOTH_AGENT_MAX_PAYLOAD_BYTES', DEFAULTS.maxPayloadBytes, 1024, 64 * 1024 * 1024),
    maxBufferedBytes: integer(env, 'SMOOTH_AGENT_MAX_BUFFERED_BYTES', DEFAULTS.maxBufferedBytes, 1024, 1024 * 1024 * 1024),
    drainTimeoutMs: integer(env, 'SMOOTH_AGENT_DRAIN_TIMEOUT_MS', DEFAULTS.drainTimeoutMs, 0, 3_600_000),
    historyLimit: integer(env, 'SMOOTH_AGENT_HISTORY_LIMIT', DEFAULTS.historyLimit, 0, 1000),
    logLevel: text(env, 'SMOOTH_AGENT_LOG_LEVEL') ?? 'info',
  };
  return Object.freeze(config);
}

/** Defaults for embedding: the same validation path with no environment at all. */
export function defaultConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({ ...loadConfig({}), ...overrides });
}
