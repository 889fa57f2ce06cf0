import { createVerifier, type TokenVerifier } from './auth/index.js';
import type { Config } from './config/index.js';
import {
  ApprovalBroker,
  ApprovalGate,
  knowledgeSearchTool,
  loadToolsFile,
  TurnRunner,
  type Tool,
  type ToolHook,
} from './engine/index.js';
import { MemoryKnowledge, SEED_DOCUMENTS, type Knowledge } from './knowledge/index.js';
import { OpenAiProvider, type LlmProvider } from './llm/index.js';
import { createLogger, type Logger } from './server/logger.js';
import { MemoryStorage, type Storage } from './storage/index.js';

/** Seams a host may supply instead of the ones configuration would choose. */
export interface AppDeps {
  storage?: Storage;
  knowledge?: Knowledge;
  llm?: LlmProvider;
  /** Extra tools, registered after the built-ins and the tools file (same name replaces). */
  tools?: readonly Tool[];
  hooks?: readonly ToolHook[];
  logger?: Logger;
  /** Replaces the verifier AUTH_MODE would choose (e.g. a host's own session tokens). */
  auth?: TokenVerifier;
  now?: () => Date;
  fetch?: typeof fetch;
  systemPrompt?: string;
}

export interface App {
  readonly config: Config;
  readonly storage: Storage;
  readonly knowledge: Knowledge;
  readonly turns: TurnRunner;
  readonly approvals: ApprovalBroker;
  readonly auth: TokenVerifier;
  readonly logger: Logger;
  readonly now: () => Date;
  close(): Promise<void>;
}

function buildStorage(config: Config): Storage {
  switch (config.storage) {
    case 'memory':
      return new MemoryStorage();
  }
}

/** The composition root: builds every seam once from configuration and hands them down. */
export async function createApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? createLogger(config.logLevel);
  const storage = deps.storage ?? buildStorage(config);
  const knowledge = deps.knowledge ?? new MemoryKnowledge(now);
  if (config.seedKb) await knowledge.upsert(config.defaultOrgId, [...SEED_DOCUMENTS]);
  const llm =
    deps.llm ??
    new OpenAiProvider({
      baseUrl: config.gateway.baseUrl,
      maxRetries: config.gateway.maxRetries,
      idleTimeoutMs: config.gateway.idleTimeoutMs,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  const fileTools = config.toolsFile ? await loadToolsFile(config.toolsFile, deps.fetch) : [];
  const approvals = new ApprovalBroker();
  const gate = new ApprovalGate({ patterns: config.confirmToolPatterns, timeoutMs: config.approvalTimeoutMs, storage, broker: approvals, now });
  const turns = new TurnRunner({
    storage,
    knowledge,
    llm,
    tools: [knowledgeSearchTool(knowledge), ...fileTools, ...(deps.tools ?? [])],
    hooks: [...(deps.hooks ?? []), gate],
    model: config.model,
    maxIterations: config.maxIterations,
    maxTokens: config.maxTokens,
    historyLimit: config.historyLimit,
    ...(deps.systemPrompt ? { systemPrompt: deps.systemPrompt } : {}),
    now,
    onRetrievalError: (err) => logger.warn({ err }, 'knowledge retrieval failed; answering without context'),
  });
  return {
    config,
    storage,
    knowledge,
    turns,
    approvals,
    auth: deps.auth ?? createVerifier(config),
    logger,
    now,
    close: () => storage.close(),
  };
}
