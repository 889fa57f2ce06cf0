/** The validated, frozen configuration every layer receives. Nothing else reads process.env. */
export type StorageKind = 'memory';
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
}

export interface Config {
  readonly bind: string;
  readonly port: number;
  readonly gateway: GatewayConfig;
  readonly model: string;
  readonly maxIterations: number;
  readonly maxTokens: number;
  readonly seedKb: boolean;
  /** Reference behaviour: without a gateway key, send_message answers LLM_UNAVAILABLE instead of quoting the knowledge base. */
  readonly requireLlm: boolean;
  readonly confirmToolPatterns: readonly string[];
  readonly approvalTimeoutMs: number;
  readonly storage: StorageKind;
  readonly authMode: AuthMode;
  readonly jwt: JwtConfig;
  readonly localToken: string | undefined;
  /** Reject a WebSocket upgrade whose token is missing or invalid with 401, instead of serving it anonymously. */
  readonly strictAuth: boolean;
  readonly devOrgId: string;
  readonly defaultOrgId: string;
  readonly toolsFile: string | undefined;
  readonly maxPayloadBytes: number;
  readonly maxBufferedBytes: number;
  readonly drainTimeoutMs: number;
  readonly historyLimit: number;
  readonly logLevel: string;
}
