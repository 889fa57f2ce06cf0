import type { BusinessHours } from '../handoff/business-hours.js';
/** The validated, frozen configuration every layer receives. Nothing else reads process.env. */
import type { BackplaneConfig } from './backplane-config.js';

export type StorageKind = 'memory' | 'pglite' | 'postgres' | 'dynamodb';
export type AuthMode = 'disabled' | 'none' | 'jwt' | 'local-token';

export interface JwtConfig {
  readonly hs256Secret?: string;
  readonly rs256PublicKey?: string;
  readonly jwksUrl?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly clockToleranceSec: number;
}

export interface GatewayConfig {
  /** OpenAI-compatible base URL including `/v1`; requests go to `{baseUrl}/chat/completions`. */
  readonly baseUrl: string;
  /** Absent means no LLM: send_message answers LLM_UNAVAILABLE. */
  readonly apiKey: string | undefined;
  readonly maxRetries: number;
  /** A stream that delivers nothing for this long is treated as dead. */
  readonly idleTimeoutMs: number;
  /** The whole wait for a completion's first token, retries included; past it the turn fails. */
  readonly firstTokenTimeoutMs?: number;
  /** JSON map organization → gateway key; an organization not in it uses `apiKey`. */
  readonly keysFile?: string;
}

/** Where widget embedding policies come from (at most one source) and what happens without one. */
export interface WidgetAuthConfig {
  /** JSON object keyed by agentId, read once at boot. */
  readonly file?: string;
  /** Policy service base URL; policies are fetched from `{url}/{agentId}`. */
  readonly url?: string;
  readonly bearer?: string;
  /** How long a fetched policy (or a 404) is reused before the service is asked again. */
  readonly ttlSecs: number;
  /** Refuse agents that have no policy instead of letting them embed anywhere. */
  readonly strict: boolean;
}

export interface DynamoConfig {
  readonly table: string;
  /** Unset: the AWS SDK resolves it (AWS_REGION, profile). */
  readonly region?: string;
  /** A DynamoDB-compatible endpoint (e.g. local); unset means AWS. */
  readonly endpoint?: string;
}

/** How knowledge is embedded and reranked; gateway modes call `{gateway}/embeddings` and `{gateway}/rerank`. */
export interface RetrievalConfig {
  readonly embeddings: 'offline' | 'gateway';
  readonly embeddingModel: string;
  readonly embeddingDimensions: number;
  readonly rerank: 'off' | 'lexical' | 'gateway';
  readonly rerankModel: string;
  /** Hits below this confidence (0–1, default 0.5) are not used as knowledge: not injected, not cited, not quoted. */
  readonly minConfidence?: number;
  /** Extra support synonyms (one group of comma-separated phrases per line) added to the built-in list. */
  readonly synonymsFile?: string;
  /** Also expand queries with WordNet synonyms (off: it did not help on the evaluation sets). */
  readonly wordnetSynonyms?: boolean;
  /** Document sets a turn retrieves from when its agent names none; absent: every set. */
  readonly documentSets?: readonly string[];
  /** With an LLM, rewrite a follow-up into a standalone query for auto-retrieval; absent: off. */
  readonly queryRewrite?: QueryRewriteConfig;
}

/** SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE and its model and timeout. */
export interface QueryRewriteConfig {
  readonly enabled: boolean;
  /** Unset: the turn's own model. */
  readonly model?: string;
  /** Past this the turn searches with the message as it was written. */
  readonly timeoutMs: number;
}

/** Prometheus /metrics and OpenTelemetry trace export; both off unless asked for. */
export interface ObservabilityConfig {
  /** Serve GET /metrics on the main port. */
  readonly metrics: boolean;
  /** When set, /metrics requires `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  /** OTLP/HTTP base URL; traces are exported only when set. */
  readonly otlpEndpoint?: string;
  readonly serviceName: string;
}

/** One-time-code identity verification for auth-gated tools; off unless an SMTP server is configured. */
export interface OtpConfig {
  /** `smtp://` or `smtps://` URL of the mail server (may hold a password: never log it). Unset: OTP is off. */
  readonly smtpUrl?: string;
  /** The From address of code mails; required with `smtpUrl`. */
  readonly from?: string;
  /** Codes sent to one session per window. */
  readonly maxSendsPerSession: number;
  /** Codes sent to one address per window, whichever sessions ask. */
  readonly maxSendsPerAddress: number;
  readonly sendWindowMs: number;
}

export interface Config {
  readonly bind: string;
  readonly port: number;
  readonly gateway: GatewayConfig;
  readonly model: string;
  readonly maxIterations: number;
  readonly maxTokens: number;
  readonly seedKb: boolean;
  readonly retrieval: RetrievalConfig;
  /** How a visitor reaches a person (free text, e.g. an email address), offered when the knowledge base has nothing. */
  readonly contact?: string;
  /** Reference behaviour: without a gateway key, send_message answers LLM_UNAVAILABLE instead of quoting the knowledge base. */
  readonly requireLlm: boolean;
  readonly confirmToolPatterns: readonly string[];
  readonly approvalTimeoutMs: number;
  readonly storage: StorageKind;
  /** Where `pglite` keeps its database (`<dataDir>/pglite`). */
  readonly dataDir: string;
  /** `postgres` connection URL. May hold a password: log it only through redactUrl. */
  readonly databaseUrl: string | undefined;
  /** Connections one process may hold to Postgres. */
  readonly dbPoolMax: number;
  /** Apply pending schema migrations at boot (under a lock); off means an old schema stops the boot. */
  readonly autoMigrate: boolean;
  readonly dynamodb: DynamoConfig;
  readonly authMode: AuthMode;
  readonly jwt: JwtConfig;
  readonly localToken: string | undefined;
  /** Reject a WebSocket upgrade whose token is missing or invalid with 401, instead of serving it anonymously. */
  readonly strictAuth: boolean;
  readonly devOrgId: string;
  readonly defaultOrgId: string;
  readonly toolsFile: string | undefined;
  /** SMOOTH_AGENT_AGENTS_FILE: agent configs written to the agent store at boot. */
  readonly agentsFile: string | undefined;
  /** SMOOTH_AGENT_JUDGE_MODEL: the model judging workflow steps; default `model`. */
  readonly judgeModel: string;
  readonly maxPayloadBytes: number;
  readonly maxBufferedBytes: number;
  readonly drainTimeoutMs: number;
  readonly historyLimit: number;
  readonly logLevel: string;
  readonly widgetAuth: WidgetAuthConfig;
  /** Sustained inbound frames per second per connection (token bucket refill); 0 turns the limit off. */
  readonly maxFramesPerSec: number;
  /** Frames a connection may send back to back before the rate applies. */
  readonly frameBurst: number;
  /** Rate-limited frames within 10 s after which the socket is closed with 1008 (policy violation); 0 never closes. */
  readonly rateLimitCloseAfter: number;
  /** Concurrent WebSocket connections from one remote address; 0 turns the cap off. */
  readonly maxConnectionsPerIp: number;
  /** Serve the chat widget: `GET /` (a host page) and `GET /chat-widget.iife.js`. */
  readonly serveWidget: boolean;
  /** Token the host page hands the widget for its `/ws?token=`; it is visible to every page visitor. */
  readonly widgetToken: string | undefined;
  /** GitHub REST base for github connectors (GitHub Enterprise: `https://host/api/v3`). */
  readonly githubApiUrl: string;
  /** Cross-replica event fan-out: memory (one process) or a Redis/Valkey/NATS bus. */
  readonly backplane: BackplaneConfig;
  /** Let AUTH_MODE=none (everyone is an admin) listen on a non-loopback address. */
  readonly allowInsecureAdmin: boolean;
  /** Directories file connectors may index (real paths); unset: refused under jwt, the working directory otherwise. */
  readonly fileConnectorRoots: readonly string[] | undefined;
  /** Let web connectors reach loopback, private, link-local and metadata addresses (intranets, tests). */
  readonly connectorsAllowPrivate: boolean;
  readonly observability: ObservabilityConfig;
  /** How long a turn stays parked on a Rich Interaction (identity form, choices) before it resumes as unanswered. */
  readonly interactionTimeoutMs: number;
  readonly otp: OtpConfig;
  /** Handing conversations to a person: availability and triggers (docs/configuration.md, Handoff). */
  readonly handoff: HandoffConfig;
}

export interface HandoffConfig {
  /** Opening hours in `timeZone`; absent means operators are reachable whenever one is online. */
  readonly hours: BusinessHours | undefined;
  /** Ask for a person when a turn found nothing to answer from. */
  readonly onNoAnswer: boolean;
  /** `llm`: the takeover summary is written by the model; `transcript`: the last messages. */
  readonly summary: 'transcript' | 'llm';
  /** An operator counts as online this long after their console's last heartbeat. */
  readonly presenceTtlMs: number;
}
