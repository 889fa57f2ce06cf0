import type { Config } from './config.js';
import { DEFAULTS } from './load-config.js';

/**
 * Every environment variable `loadConfig` reads, with its default and meaning. `serve --help` and
 * `smooth-operator config` are generated from this list, and `test/cli-settings-catalog.test.ts` fails
 * when load-config (or a module it delegates to) reads a variable that is missing here, so the help
 * cannot fall behind the code.
 */
export type SettingGroup = 'server' | 'llm' | 'knowledge' | 'agents' | 'tools' | 'storage' | 'backplane' | 'auth' | 'widget' | 'observability' | 'limits';

export type EffectiveValue = string | number | boolean | undefined | readonly string[];

export interface Setting {
  readonly name: string;
  /** As a person reads it: a value, `unset`, `off`, or a short phrase when the default is derived. */
  readonly default: string;
  readonly description: string;
  /** Never print the value: keys, tokens, passwords. */
  readonly secret: boolean;
  /** A secret that is a URL: printed with its password (and query) masked instead of hidden whole. */
  readonly secretUrl?: boolean;
  readonly group: SettingGroup;
  /** Where the value ends up in `Config`; absent for a variable that only feeds another (e.g. an alias). */
  readonly effective?: (config: Config) => EffectiveValue;
  /** The default is a rule (depends on other settings), so it is not compared with `loadConfig({})`. */
  readonly derivedDefault?: boolean;
}

const s = (setting: Setting): Setting => Object.freeze(setting);

export const SETTINGS: readonly Setting[] = Object.freeze([
  s({ group: 'server', name: 'SMOOTH_AGENT_BIND', default: DEFAULTS.bind, secret: false, description: 'address to listen on', effective: (c) => c.bind }),
  s({ group: 'server', name: 'SMOOTH_AGENT_PORT', default: String(DEFAULTS.port), secret: false, description: 'port; 0 picks a free one (the start-up lines print the real one)', effective: (c) => c.port }),
  s({ group: 'server', name: 'SMOOTH_AGENT_LOG_LEVEL', default: 'info', secret: false, description: 'pino level (fatal, error, warn, info, debug, trace, silent); anything else stops the boot; logs go to stderr', effective: (c) => c.logLevel }),
  s({ group: 'server', name: 'SMOOTH_AGENT_DRAIN_TIMEOUT_MS', default: String(DEFAULTS.drainTimeoutMs), secret: false, description: 'on SIGTERM/SIGINT, how long in-flight turns may run before they are aborted', effective: (c) => c.drainTimeoutMs }),
  s({ group: 'server', name: 'SMOOTH_AGENT_DEFAULT_ORG', default: DEFAULTS.defaultOrgId, secret: false, description: 'organization of anonymous sessions and of the demo documents', effective: (c) => c.defaultOrgId }),
  s({ group: 'server', name: 'SMOOTH_AGENT_HISTORY_LIMIT', default: String(DEFAULTS.historyLimit), secret: false, description: 'newest messages of a conversation replayed to the model', effective: (c) => c.historyLimit }),

  s({ group: 'llm', name: 'SMOOAI_GATEWAY_URL', default: DEFAULTS.gatewayUrl, secret: false, description: 'OpenAI-compatible base URL including /v1; requests go to {url}/chat/completions', effective: (c) => c.gateway.baseUrl }),
  s({ group: 'llm', name: 'SMOOAI_GATEWAY_KEY', default: 'unset', secret: true, description: 'gateway key; unset: replies quote the knowledge base without a language model', effective: (c) => c.gateway.apiKey }),
  s({ group: 'llm', name: 'SMOOTH_AGENT_GATEWAY_KEYS_FILE', default: 'unset', secret: false, description: 'JSON file: organization id -> gateway key (others use SMOOAI_GATEWAY_KEY)', effective: (c) => c.gateway.keysFile }),
  s({ group: 'llm', name: 'SMOOTH_AGENT_REQUIRE_LLM', default: 'off', secret: false, description: '1: without a key, send_message answers LLM_UNAVAILABLE', effective: (c) => c.requireLlm }),
  s({ group: 'llm', name: 'SMOOTH_AGENT_MODEL', default: DEFAULTS.model, secret: false, description: 'default chat model (send_message.model overrides it for one turn)', effective: (c) => c.model }),
  s({ group: 'llm', name: 'SMOOTH_AGENT_MAX_ITERATIONS', default: String(DEFAULTS.maxIterations), secret: false, description: 'model <-> tools rounds per turn', effective: (c) => c.maxIterations }),
  s({ group: 'llm', name: 'SMOOTH_AGENT_MAX_TOKENS', default: String(DEFAULTS.maxTokens), secret: false, description: 'max_tokens per model call', effective: (c) => c.maxTokens }),
  s({ group: 'llm', name: 'SMOOTH_AGENT_LLM_MAX_RETRIES', default: String(DEFAULTS.llmMaxRetries), secret: false, description: 'retries of 408/429/5xx/connection failures before the first token', effective: (c) => c.gateway.maxRetries }),
  s({ group: 'llm', name: 'SMOOTH_AGENT_LLM_IDLE_TIMEOUT_MS', default: String(DEFAULTS.llmIdleTimeoutMs), secret: false, description: 'a model stream silent this long ends the turn with AGENT_ERROR', effective: (c) => c.gateway.idleTimeoutMs }),
  s({ group: 'llm', name: 'SMOOTH_AGENT_FIRST_TOKEN_TIMEOUT_MS', default: String(DEFAULTS.llmFirstTokenTimeoutMs), secret: false, description: "the whole wait for a model call's first token, retries included; past it AGENT_ERROR", effective: (c) => c.gateway.firstTokenTimeoutMs }),

  s({ group: 'knowledge', name: 'SMOOTH_AGENT_SEED_KB', default: 'off', secret: false, description: '1: load the two demo policy documents (returns, shipping)', effective: (c) => c.seedKb }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_EMBEDDINGS', default: 'offline', secret: false, description: 'offline (feature hashing, no network) or gateway (needs the key)', effective: (c) => c.retrieval.embeddings }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_EMBEDDING_MODEL', default: 'text-embedding-3-small', secret: false, description: 'gateway embedding model', effective: (c) => c.retrieval.embeddingModel }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_EMBEDDING_DIMENSIONS', default: '1536', secret: false, description: 'gateway embedding width', effective: (c) => c.retrieval.embeddingDimensions }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_RERANK', default: 'off', secret: false, description: 'off, lexical or gateway', effective: (c) => c.retrieval.rerank }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_RERANK_MODEL', default: 'rerank-english-v3.0', secret: false, description: 'gateway rerank model', effective: (c) => c.retrieval.rerankModel }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_RETRIEVAL_MIN_CONFIDENCE', default: '0.5', secret: false, description: 'hits below this confidence (0-1) are not used: not injected, cited or quoted', effective: (c) => c.retrieval.minConfidence }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_RETRIEVAL_SYNONYMS_FILE', default: 'unset', secret: false, description: 'extra support synonyms, one group of comma-separated phrases per line', effective: (c) => c.retrieval.synonymsFile }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_RETRIEVAL_WORDNET', default: 'on', secret: false, description: '0: no WordNet synonyms in query expansion (they rank, they never raise confidence)', effective: (c) => c.retrieval.wordnetSynonyms }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE', default: 'off', secret: false, description: '1: with an LLM, one short model call rewrites a follow-up into a standalone search query for auto-retrieval', effective: (c) => c.retrieval.queryRewrite?.enabled }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_MODEL', default: "the turn's model", secret: false, derivedDefault: true, description: 'model of the query rewrite', effective: (c) => c.retrieval.queryRewrite?.model }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE_TIMEOUT_MS', default: String(DEFAULTS.queryRewriteTimeoutMs), secret: false, description: 'past this the rewrite is dropped and the turn searches with the message as written', effective: (c) => c.retrieval.queryRewrite?.timeoutMs }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_DOCUMENT_SETS', default: 'unset', secret: false, description: 'comma-separated document sets a turn searches when its agent names none; unset: every set', effective: (c) => c.retrieval.documentSets }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_GITHUB_API_URL', default: DEFAULTS.githubApiUrl, secret: false, description: 'GitHub REST base for github connectors (Enterprise: https://host/api/v3)', effective: (c) => c.githubApiUrl }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_FILE_CONNECTOR_ROOTS', default: 'unset', secret: false, derivedDefault: true, description: ':-separated absolute directories file connectors may read (real paths; .. refused); unset: refused under AUTH_MODE=jwt, the working directory otherwise', effective: (c) => c.fileConnectorRoots }),
  s({ group: 'knowledge', name: 'SMOOTH_AGENT_CONNECTORS_ALLOW_PRIVATE', default: 'off', secret: false, description: '1: web connectors may reach loopback, private, link-local and metadata addresses (the same-origin rule still holds)', effective: (c) => c.connectorsAllowPrivate }),

  s({ group: 'agents', name: 'SMOOTH_AGENT_AGENTS_FILE', default: 'unset', secret: false, description: 'JSON array of agent configs written to the agent store at every boot', effective: (c) => c.agentsFile }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_JUDGE_MODEL', default: 'SMOOTH_AGENT_MODEL', secret: false, derivedDefault: true, description: 'model of the workflow judge', effective: (c) => c.judgeModel }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_CONTACT', default: 'unset', secret: false, description: 'how a visitor reaches a person, offered when the knowledge base has nothing', effective: (c) => c.contact }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_INTERACTION_TIMEOUT_MS', default: String(DEFAULTS.interactionTimeoutMs), secret: false, description: 'an unanswered Rich Interaction (form, choices) resumes the turn as no_response after this long', effective: (c) => c.interactionTimeoutMs }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_HANDOFF_HOURS', default: 'unset', secret: false, description: 'opening hours for a human handoff, e.g. "mon-fri 09:00-17:00; sat 10:00-14:00"; unset: whenever an operator is online', effective: (c) => (c.handoff.hours ? 'set' : undefined) }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_HANDOFF_TIMEZONE', default: 'UTC', secret: false, description: 'IANA time zone of the hours, e.g. Europe/Berlin' }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_HANDOFF_ON_NO_ANSWER', default: 'off', secret: false, description: '1: a turn that found nothing in the knowledge base asks for a person', effective: (c) => c.handoff.onNoAnswer }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_HANDOFF_SUMMARY', default: 'transcript', secret: false, description: 'takeover summary: transcript (the last messages) or llm (written by the model)', effective: (c) => c.handoff.summary }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_HANDOFF_PRESENCE_TTL_MS', default: '45000', secret: false, description: "an operator counts as online this long after their console's last heartbeat", effective: (c) => c.handoff.presenceTtlMs }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_SMTP_URL', default: 'unset', secret: true, secretUrl: true, description: 'smtp:// or smtps:// mail server for OTP codes; unset: OTP is off', effective: (c) => c.otp.smtpUrl }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_OTP_FROM', default: 'unset', secret: false, description: 'From address of OTP mails (required with SMOOTH_AGENT_SMTP_URL)', effective: (c) => c.otp.from }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_OTP_MAX_SENDS_PER_SESSION', default: String(DEFAULTS.otpMaxSendsPerSession), secret: false, description: 'codes one session may be sent per window', effective: (c) => c.otp.maxSendsPerSession }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_OTP_MAX_SENDS_PER_ADDRESS', default: String(DEFAULTS.otpMaxSendsPerAddress), secret: false, description: 'codes one address may be sent per window, across sessions', effective: (c) => c.otp.maxSendsPerAddress }),
  s({ group: 'agents', name: 'SMOOTH_AGENT_OTP_SEND_WINDOW_MS', default: String(DEFAULTS.otpSendWindowMs), secret: false, description: 'the window those caps count in', effective: (c) => c.otp.sendWindowMs }),

  s({ group: 'tools', name: 'SMOOTH_AGENT_TOOLS_FILE', default: 'unset', secret: false, description: 'JSON array of webhook tools', effective: (c) => c.toolsFile }),
  s({ group: 'tools', name: 'SMOOTH_AGENT_CONFIRM_TOOLS', default: 'unset', secret: false, description: 'comma-separated tool-name substrings that need human approval', effective: (c) => c.confirmToolPatterns }),
  s({ group: 'tools', name: 'SMOOTH_AGENT_APPROVAL_TIMEOUT_MS', default: String(DEFAULTS.approvalTimeoutMs), secret: false, description: 'an unanswered approval is denied after this long', effective: (c) => c.approvalTimeoutMs }),

  s({ group: 'storage', name: 'SMOOTH_AGENT_STORAGE', default: DEFAULTS.storage, secret: false, description: 'memory, pglite (embedded, durable), postgres or dynamodb', effective: (c) => c.storage }),
  s({ group: 'storage', name: 'SMOOTH_AGENT_DATA_DIR', default: DEFAULTS.dataDir, secret: false, description: 'pglite data directory', effective: (c) => c.dataDir }),
  s({ group: 'storage', name: 'SMOOTH_AGENT_DATABASE_URL', default: 'unset', secret: true, secretUrl: true, description: 'postgres connection URL (postgres storage only)', effective: (c) => c.databaseUrl }),
  s({ group: 'storage', name: 'DATABASE_URL', default: 'unset', secret: true, secretUrl: true, description: 'used by postgres storage when SMOOTH_AGENT_DATABASE_URL is unset' }),
  s({ group: 'storage', name: 'SMOOTH_AGENT_DB_POOL_MAX', default: String(DEFAULTS.dbPoolMax), secret: false, description: 'Postgres connections per process', effective: (c) => c.dbPoolMax }),
  s({ group: 'storage', name: 'SMOOTH_AGENT_AUTO_MIGRATE', default: 'on', secret: false, description: 'apply pending schema migrations at boot; 0: an old schema stops the boot', effective: (c) => c.autoMigrate }),
  s({ group: 'storage', name: 'SMOOTH_AGENT_DDB_TABLE', default: DEFAULTS.ddbTable, secret: false, description: 'DynamoDB table', effective: (c) => c.dynamodb.table }),
  s({ group: 'storage', name: 'SMOOTH_AGENT_DDB_REGION', default: 'unset', secret: false, description: 'DynamoDB region (else AWS_REGION, AWS_DEFAULT_REGION, the SDK profile)', effective: (c) => c.dynamodb.region }),
  s({ group: 'storage', name: 'AWS_REGION', default: 'unset', secret: false, description: 'DynamoDB region when SMOOTH_AGENT_DDB_REGION is unset' }),
  s({ group: 'storage', name: 'AWS_DEFAULT_REGION', default: 'unset', secret: false, description: 'DynamoDB region when neither of the above is set' }),
  s({ group: 'storage', name: 'SMOOTH_AGENT_DDB_ENDPOINT', default: 'unset', secret: false, description: 'DynamoDB-compatible endpoint (unset: AWS)', effective: (c) => c.dynamodb.endpoint }),

  s({ group: 'backplane', name: 'SMOOTH_AGENT_BACKPLANE', default: 'memory', secret: false, description: 'memory (this process only), redis, valkey or nats', effective: (c) => c.backplane.kind }),
  s({ group: 'backplane', name: 'SMOOTH_AGENT_BACKPLANE_URL', default: 'unset', secret: true, secretUrl: true, description: 'bus URL for redis/valkey (redis://, rediss://) or nats (nats://, tls://)', effective: (c) => (c.backplane.kind === 'memory' ? undefined : c.backplane.url) }),
  s({ group: 'backplane', name: 'SMOOTH_AGENT_REDIS_URL', default: 'unset', secret: true, secretUrl: true, description: 'redis/valkey URL when SMOOTH_AGENT_BACKPLANE_URL is unset' }),
  s({ group: 'backplane', name: 'SMOOTH_AGENT_NATS_URL', default: 'unset', secret: true, secretUrl: true, description: 'nats URL when SMOOTH_AGENT_BACKPLANE_URL is unset' }),

  s({ group: 'auth', name: 'AUTH_MODE', default: 'unset', secret: false, derivedDefault: true, description: 'unset: jwt when JWT key material is set, else the admin API is closed; jwt; local-token (needs AUTH_LOCAL_TOKEN); none (any token is an admin: local use only)', effective: (c) => c.authMode }),
  s({ group: 'auth', name: 'SMOOTH_AGENT_AUTH_MODE', default: 'unset', secret: false, description: 'alias of AUTH_MODE, used when AUTH_MODE is unset' }),
  s({ group: 'auth', name: 'AUTH_LOCAL_TOKEN', default: 'unset', secret: true, description: 'the admin bearer token for AUTH_MODE=local-token', effective: (c) => c.localToken }),
  s({ group: 'auth', name: 'AUTH_JWT_HS256_SECRET', default: 'unset', secret: true, description: 'JWT HS256 shared secret', effective: (c) => c.jwt.hs256Secret }),
  s({ group: 'auth', name: 'AUTH_JWT_RS256_PUBLIC_KEY', default: 'unset', secret: false, description: 'JWT RS256 public key (PEM; \\n escapes allowed)', effective: (c) => (c.jwt.rs256PublicKey ? 'set (PEM)' : undefined) }),
  s({ group: 'auth', name: 'AUTH_JWT_JWKS_URL', default: 'unset', secret: false, description: 'JWKS URL (cached, refetched on an unknown kid)', effective: (c) => c.jwt.jwksUrl }),
  s({ group: 'auth', name: 'AUTH_JWT_ISSUER', default: 'unset', secret: false, description: 'required iss, when set', effective: (c) => c.jwt.issuer }),
  s({ group: 'auth', name: 'AUTH_JWT_AUDIENCE', default: 'unset', secret: false, description: 'required aud, when set', effective: (c) => c.jwt.audience }),
  s({ group: 'auth', name: 'AUTH_JWT_CLOCK_SKEW_SECS', default: '30', secret: false, description: 'tolerance for exp/nbf', effective: (c) => c.jwt.clockToleranceSec }),
  s({ group: 'auth', name: 'AUTH_DEV_ORG_ID', default: 'the default org', secret: false, derivedDefault: true, description: 'organization of the dev admin under AUTH_MODE=none', effective: (c) => c.devOrgId }),
  s({ group: 'auth', name: 'SMOOTH_AGENT_STRICT_AUTH', default: 'off', secret: false, description: '1: a /ws upgrade with a missing or invalid token gets HTTP 401', effective: (c) => c.strictAuth }),
  s({ group: 'auth', name: 'SMOOTH_AGENT_ALLOW_INSECURE_ADMIN', default: 'off', secret: false, description: '1: let AUTH_MODE=none (any token is an admin) listen on a non-loopback address', effective: (c) => c.allowInsecureAdmin }),

  s({ group: 'widget', name: 'SMOOTH_AGENT_SERVE_WIDGET', default: 'on when bound to loopback', secret: false, derivedDefault: true, description: 'serve the chat page GET / and GET /chat-widget.iife.js', effective: (c) => c.serveWidget }),
  s({ group: 'widget', name: 'SMOOTH_AGENT_WIDGET_TOKEN', default: 'unset', secret: true, description: 'token the chat page hands the widget (visible to every page visitor)', effective: (c) => c.widgetToken }),
  s({ group: 'widget', name: 'WIDGET_AUTH_FILE', default: 'unset', secret: false, description: 'JSON file: agentId -> embedding policy', effective: (c) => c.widgetAuth.file }),
  s({ group: 'widget', name: 'WIDGET_AUTH_URL', default: 'unset', secret: false, description: 'policy service: GET {url}/{agentId}', effective: (c) => c.widgetAuth.url }),
  s({ group: 'widget', name: 'WIDGET_AUTH_BEARER', default: 'unset', secret: true, description: 'bearer token sent to the policy service', effective: (c) => c.widgetAuth.bearer }),
  s({ group: 'widget', name: 'WIDGET_AUTH_TTL_SECS', default: String(DEFAULTS.widgetAuthTtlSecs), secret: false, description: 'how long a fetched policy (or a 404) is reused', effective: (c) => c.widgetAuth.ttlSecs }),
  s({ group: 'widget', name: 'WIDGET_AUTH_STRICT', default: 'off', secret: false, description: '1: an agent with no policy gets AGENT_NOT_AUTHORIZED', effective: (c) => c.widgetAuth.strict }),

  s({ group: 'observability', name: 'SMOOTH_AGENT_METRICS', default: 'off', secret: false, description: '1: serve GET /metrics (Prometheus) on the main port', effective: (c) => c.observability.metrics }),
  s({ group: 'observability', name: 'SMOOTH_AGENT_METRICS_TOKEN', default: 'unset', secret: true, description: 'when set, /metrics requires this bearer token', effective: (c) => c.observability.metricsToken }),
  s({ group: 'observability', name: 'OTEL_EXPORTER_OTLP_ENDPOINT', default: 'unset', secret: false, description: 'OTLP/HTTP base URL; traces are exported only when set', effective: (c) => c.observability.otlpEndpoint }),
  s({ group: 'observability', name: 'OTEL_SERVICE_NAME', default: 'smooth-operator', secret: false, description: 'service.name of exported traces', effective: (c) => c.observability.serviceName }),

  s({ group: 'limits', name: 'SMOOTH_AGENT_MAX_PAYLOAD_BYTES', default: String(DEFAULTS.maxPayloadBytes), secret: false, description: 'largest inbound WebSocket frame', effective: (c) => c.maxPayloadBytes }),
  s({ group: 'limits', name: 'SMOOTH_AGENT_MAX_BUFFERED_BYTES', default: String(DEFAULTS.maxBufferedBytes), secret: false, description: 'outbound bytes queued per client before it is dropped as a slow consumer', effective: (c) => c.maxBufferedBytes }),
  s({ group: 'limits', name: 'SMOOTH_AGENT_MAX_FRAMES_PER_SEC', default: String(DEFAULTS.maxFramesPerSec), secret: false, description: 'sustained inbound frames per second per connection; 0: no limit', effective: (c) => c.maxFramesPerSec }),
  s({ group: 'limits', name: 'SMOOTH_AGENT_FRAME_BURST', default: String(DEFAULTS.frameBurst), secret: false, description: 'frames a connection may send back to back', effective: (c) => c.frameBurst }),
  s({ group: 'limits', name: 'SMOOTH_AGENT_RATE_LIMIT_CLOSE_AFTER', default: String(DEFAULTS.rateLimitCloseAfter), secret: false, description: 'rate-limited frames within 10 s before the socket is closed; 0: never', effective: (c) => c.rateLimitCloseAfter }),
  s({ group: 'limits', name: 'SMOOTH_AGENT_MAX_CONNECTIONS_PER_IP', default: String(DEFAULTS.maxConnectionsPerIp), secret: false, description: 'concurrent WebSockets per remote address; 0: no cap', effective: (c) => c.maxConnectionsPerIp }),
]);

export const GROUP_TITLES: Readonly<Record<SettingGroup, string>> = Object.freeze({
  server: 'Server',
  llm: 'Language model',
  knowledge: 'Knowledge',
  agents: 'Agents, interactions and OTP',
  tools: 'Tools and approvals',
  storage: 'Storage',
  backplane: 'Backplane',
  auth: 'Authentication',
  widget: 'Chat widget',
  observability: 'Observability',
  limits: 'Limits',
});

/** How a value reads in help and in `config`: booleans as on/off, nothing as `unset`. */
export function formatValue(value: EffectiveValue): string {
  if (value === undefined) return 'unset';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return value;
  return value.length === 0 ? 'unset' : value.join(',');
}
