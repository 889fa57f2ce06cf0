import type { Config } from '../config/index.js';
import { redactUrl } from '../storage/redact-url.js';

export interface StartupFacts {
  readonly config: Config;
  readonly wsUrl: string;
  /** `http://host:port/` when the chat page is served. */
  readonly chatUrl: string | undefined;
  /** Documents in the default organization, or undefined when they could not be counted in time. */
  readonly documents: number | undefined;
  readonly seeded: number;
}

export function storageSummary(config: Config): string {
  switch (config.storage) {
    case 'memory':
      return 'memory (nothing survives a restart; SMOOTH_AGENT_STORAGE=pglite keeps it on disk)';
    case 'pglite':
      return `pglite in ${config.dataDir}`;
    case 'postgres':
      return `postgres ${redactUrl(config.databaseUrl ?? '')}`;
    case 'dynamodb':
      return `dynamodb table ${config.dynamodb.table}${config.dynamodb.endpoint ? ` at ${config.dynamodb.endpoint}` : ''}`;
  }
}

function llmSummary(config: Config): string {
  if (config.gateway.apiKey || config.gateway.keysFile) return `on, model ${config.model} via ${config.gateway.baseUrl}`;
  if (config.requireLlm) return 'off: no SMOOAI_GATEWAY_KEY, so messages answer LLM_UNAVAILABLE (SMOOTH_AGENT_REQUIRE_LLM=1)';
  return 'off: replies quote the knowledge base (set SMOOAI_GATEWAY_KEY to answer with a model)';
}

function documentsSummary(facts: StartupFacts): string {
  const org = facts.config.defaultOrgId;
  const demo = facts.seeded > 0 ? `, including the ${facts.seeded} demo documents` : '';
  if (facts.documents === undefined) return `not counted (the store did not answer in time)${demo}`;
  const hint = facts.documents === 0 ? ': add some with `smooth-operator ingest <folder> --token <admin token>`' : '';
  return `${facts.documents} in organization ${org}${demo}${hint}`;
}

function adminSummary(config: Config): string {
  switch (config.authMode) {
    case 'disabled':
      return 'closed (set AUTH_MODE=local-token with AUTH_LOCAL_TOKEN, or AUTH_MODE=jwt)';
    case 'local-token':
      return 'open to the bearer token AUTH_LOCAL_TOKEN';
    case 'jwt':
      return 'JWT bearer tokens';
    case 'none':
      return 'AUTH_MODE=none: any bearer token is an admin (local development only)';
  }
}

/**
 * What a person starting the server needs to read, as plain lines for stdout. The first line keeps
 * its historical shape: scripts and tests wait for `listening on ws://…`.
 */
export function startupLines(facts: StartupFacts): string[] {
  const { config } = facts;
  const llm = config.gateway.apiKey || config.gateway.keysFile ? 'on' : 'off';
  return [
    `smooth-operator listening on ${facts.wsUrl} (model=${config.model}, llm=${llm})`,
    `  chat page: ${facts.chatUrl ?? 'not served (SMOOTH_AGENT_SERVE_WIDGET=1 serves it)'}`,
    `  storage:   ${storageSummary(config)}`,
    `  LLM:       ${llmSummary(config)}`,
    `  documents: ${documentsSummary(facts)}`,
    `  admin API: ${adminSummary(config)}`,
  ];
}
