import { createVerifier, type TokenVerifier } from './auth/index.js';
import { buildBackplane, type Backplane } from './backplane/index.js';
import type { SettingsStore } from './admin/settings-store.js';
import { settingsForStorage } from './admin/settings-for-storage.js';
import {
  environmentSecrets,
  Indexer,
  type ConnectorStore,
  type IndexingRunStore,
  type SecretResolver,
} from './connectors/index.js';
import { connectorStoresForStorage } from './connectors/stores-for-storage.js';
import { createWidgetPolicies } from './auth/widget-policies.js';
import type { WidgetPolicyProvider } from './auth/widget-policy.js';
import { SingleKeyResolver, type GatewayKeyResolver } from './llm/key-resolver.js';
import { loadGatewayKeysFile } from './llm/key-resolver-file.js';
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
import { buildEmbedder, buildReranker } from './knowledge/build-retrieval.js';
import { SEED_DOCUMENTS, type Knowledge } from './knowledge/index.js';
import { knowledgeForStorage } from './knowledge/open-knowledge.js';
import { OpenAiProvider, type LlmProvider } from './llm/index.js';
import {
  InteractionBroker,
  InteractionGate,
  interactionsForStorage,
  interactionTools,
  type InteractionStore,
} from './engine/interactions/index.js';
import { AuthGate, EmailOtpSender, otpStoreForStorage, OtpService, type OtpSender } from './otp/index.js';
import { createLogger, type Logger } from './server/logger.js';
import { TurnCancelled } from './server/turn-slot.js';
import { openStorage, type Storage } from './storage/index.js';
import type { AgentStore } from './agents/agent-store.js';
import { agentsForStorage } from './agents/agents-for-storage.js';
import { loadAgentsFile } from './agents/load-agents-file.js';
import { agentTurnSettings } from './agents/turn-settings.js';

/** Seams a host may supply instead of the ones configuration would choose. */
export interface AppDeps {
  storage?: Storage;
  knowledge?: Knowledge;
  llm?: LlmProvider;
  /** Extra tools, registered after the built-ins and the tools file (same name replaces). */
  tools?: readonly Tool[];
  hooks?: readonly ToolHook[];
  logger?: Logger;
  backplane?: Backplane;
  settings?: SettingsStore;
  agents?: AgentStore;
  connectors?: ConnectorStore;
  indexingRuns?: IndexingRunStore;
  /** Resolves a github connector's `auth_ref` at run time; the process environment by default. */
  secrets?: SecretResolver;
  /** Replaces the verifier AUTH_MODE would choose (e.g. a host's own session tokens). */
  auth?: TokenVerifier;
  /** Replaces the widget embedding policies WIDGET_AUTH_FILE / WIDGET_AUTH_URL would choose. */
  widgetPolicies?: WidgetPolicyProvider;
  /** Replaces the per-organization gateway keys (SMOOTH_AGENT_GATEWAY_KEYS_FILE, then SMOOAI_GATEWAY_KEY). */
  gatewayKeys?: GatewayKeyResolver;
  now?: () => Date;
  fetch?: typeof fetch;
  systemPrompt?: string;
  /** Delivers OTP codes instead of the SMTP sender SMOOTH_AGENT_SMTP_URL would build (OTP is on with either). */
  otpSender?: OtpSender;
}

export interface App {
  readonly config: Config;
  readonly storage: Storage;
  readonly knowledge: Knowledge;
  readonly turns: TurnRunner;
  readonly approvals: ApprovalBroker;
  /** Turns parked on a Rich Interaction: the durable records and this process's waiters. */
  readonly interactions: { readonly store: InteractionStore; readonly broker: InteractionBroker };
  /** Absent when OTP is off (no SMTP server configured). */
  readonly otp: OtpService | undefined;
  readonly auth: TokenVerifier;
  readonly widgetPolicies: WidgetPolicyProvider;
  readonly gatewayKeys: GatewayKeyResolver;
  readonly backplane: Backplane;
  readonly settings: SettingsStore;
  readonly agents: AgentStore;
  readonly connectors: ConnectorStore;
  readonly indexingRuns: IndexingRunStore;
  readonly indexer: Indexer;
  readonly logger: Logger;
  readonly now: () => Date;
  close(): Promise<void>;
}

/** Opens the configured backend (migrating its schema when allowed) and says in the log where data lives. */
async function buildStorage(config: Config, logger: Logger): Promise<Storage> {
  const opened = await openStorage(config, { onIdleError: (err) => logger.warn({ err: err.message }, 'idle database connection failed') });
  logger.info({ storage: opened.description, migrationsApplied: opened.migration?.applied ?? [] }, 'storage ready');
  return opened.storage;
}

/** The configured embedder and reranker over the storage's backend (memory, SQL or DynamoDB). */
async function buildKnowledge(config: Config, storage: Storage, logger: Logger, now: () => Date): Promise<Knowledge> {
  const reranker = buildReranker(config);
  return knowledgeForStorage(storage, {
    now,
    embedder: buildEmbedder(config),
    ...(reranker ? { reranker } : {}),
    onRerankError: (err) => logger.warn({ err: (err as Error).message }, 'reranker failed; serving fused order'),
    schema: config.autoMigrate ? 'apply' : 'verify',
  });
}

/** The composition root: builds every seam once from configuration and hands them down. */
export async function createApp(config: Config, deps: AppDeps = {}): Promise<App> {
  const now = deps.now ?? (() => new Date());
  const logger = deps.logger ?? createLogger(config.logLevel);
  const llm =
    deps.llm ??
    new OpenAiProvider({
      baseUrl: config.gateway.baseUrl,
      maxRetries: config.gateway.maxRetries,
      idleTimeoutMs: config.gateway.idleTimeoutMs,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  const fileTools = config.toolsFile ? await loadToolsFile(config.toolsFile, deps.fetch) : [];
  const fileAgents = config.agentsFile ? await loadAgentsFile(config.agentsFile, config.defaultOrgId) : [];
  const approvals = new ApprovalBroker();
  const widgetPolicies =
    deps.widgetPolicies ??
    (await createWidgetPolicies(config.widgetAuth, {
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      onLookupFailed: (agentId, reason) => logger.warn({ agentId, reason }, 'widget policy lookup failed; treating the agent as having no policy'),
    }));
  const gatewayKeys =
    deps.gatewayKeys ??
    (config.gateway.keysFile ? await loadGatewayKeysFile(config.gateway.keysFile, config.gateway.apiKey) : new SingleKeyResolver(config.gateway.apiKey));
  // Opened after the file-based configuration has loaded, so a bad tools or keys file fails the boot
  // without leaving a database pool or a PGlite directory lock behind.
  const storage = deps.storage ?? (await buildStorage(config, logger));
  // Knowledge and settings live where the storage does, on its database handle or table.
  let knowledge: Knowledge;
  let settings: SettingsStore;
  let agents: AgentStore;
  let connectors: ConnectorStore;
  let indexingRuns: IndexingRunStore;
  let backplane: Backplane;
  let interactionStore: InteractionStore;
  let otp: OtpService | undefined;
  let emailSender: EmailOtpSender | undefined;
  try {
    knowledge = deps.knowledge ?? (await buildKnowledge(config, storage, logger, now));
    settings = deps.settings ?? (await settingsForStorage(storage, config.autoMigrate ? 'apply' : 'verify'));
    agents = deps.agents ?? (await agentsForStorage(storage, config.autoMigrate ? 'apply' : 'verify'));
    // The file is configuration: at every boot its agents replace stored ones of the same id.
    for (const agent of fileAgents) await agents.put(agent);
    // Connector configs and indexing runs too: a run's cursor must outlive the process for the next run to be incremental.
    const connectorStores = await connectorStoresForStorage(storage, config.autoMigrate ? 'apply' : 'verify');
    connectors = deps.connectors ?? connectorStores.connectors;
    indexingRuns = deps.indexingRuns ?? connectorStores.runs;
    interactionStore = await interactionsForStorage(storage, config.autoMigrate ? 'apply' : 'verify');
    const otpStore = await otpStoreForStorage(storage, config.autoMigrate ? 'apply' : 'verify');
    emailSender =
      !deps.otpSender && config.otp.smtpUrl && config.otp.from ? new EmailOtpSender({ smtpUrl: config.otp.smtpUrl, from: config.otp.from }) : undefined;
    const sender = deps.otpSender ?? emailSender;
    otp = sender
      ? new OtpService({
          store: otpStore,
          sender,
          now,
          maxSendsPerSession: config.otp.maxSendsPerSession,
          maxSendsPerAddress: config.otp.maxSendsPerAddress,
          sendWindowMs: config.otp.sendWindowMs,
        })
      : undefined;
    if (config.seedKb) await knowledge.upsert(config.defaultOrgId, [...SEED_DOCUMENTS]);
    // Last, so an unreachable Redis/NATS (a boot error) still closes the storage opened above.
    backplane = deps.backplane ?? (await buildBackplane(config.backplane, logger));
  } catch (err) {
    // pgvector missing, embedder changed, …: fail the boot without keeping the pool or the PGlite lock.
    if (!deps.storage) await storage.close().catch(() => undefined);
    throw err;
  }
  const indexer = new Indexer({
    knowledge,
    runs: indexingRuns,
    logger,
    environment: { githubApiUrl: config.githubApiUrl, secrets: deps.secrets ?? environmentSecrets, now, ...(deps.fetch ? { fetch: deps.fetch } : {}) },
  });
  const gate = new ApprovalGate({
    patterns: config.confirmToolPatterns,
    timeoutMs: config.approvalTimeoutMs,
    storage,
    broker: approvals,
    now,
    // A parked turn survives its socket and its process: only the user's own cancel discards it.
    keepOnAbort: (reason) => !(reason instanceof TurnCancelled && reason.why === 'cancel'),
  });
  const interactionBroker = new InteractionBroker();
  const interactionGate = new InteractionGate({
    store: interactionStore,
    broker: interactionBroker,
    storage,
    timeoutMs: config.interactionTimeoutMs,
    now,
    keepOnAbort: (reason) => !(reason instanceof TurnCancelled && reason.why === 'cancel'),
  });
  const authGate = new AuthGate({
    storage,
    ...(otp ? { otp } : {}),
    onOtpError: (err) => logger.warn({ err: (err as Error).message }, 'sending an OTP code failed'),
  });
  const turns = new TurnRunner({
    storage,
    knowledge,
    llm,
    tools: [knowledgeSearchTool(knowledge), ...interactionTools(), ...fileTools, ...(deps.tools ?? [])],
    hooks: [authGate, ...(deps.hooks ?? []), interactionGate, gate],
    model: config.model,
    maxIterations: config.maxIterations,
    maxTokens: config.maxTokens,
    historyLimit: config.historyLimit,
    ...(deps.systemPrompt ? { systemPrompt: deps.systemPrompt } : {}),
    judgeModel: config.judgeModel,
    onJudgeError: (err) => logger.warn({ err: (err as Error).message }, 'workflow judge failed; the session stays on its step'),
    settingsFor: async (organizationId, agentId) => {
      const [s, agent] = await Promise.all([settings.get(organizationId), agentId === undefined ? undefined : agents.get(organizationId, agentId)]);
      return agentTurnSettings({
        ...(s.model ? { model: s.model } : {}),
        ...(s.systemPrompt ? { systemPrompt: s.systemPrompt } : {}),
        ...(s.persona ? { persona: s.persona } : {}),
        enabledTools: s.defaultTools,
      }, agent);
    },
    now,
    onRetrievalError: (err) => logger.warn({ err }, 'knowledge retrieval failed; answering without context'),
  });
  return {
    config,
    storage,
    knowledge,
    turns,
    approvals,
    interactions: { store: interactionStore, broker: interactionBroker },
    otp,
    auth: deps.auth ?? createVerifier(config),
    widgetPolicies,
    gatewayKeys,
    backplane,
    settings,
    agents,
    connectors,
    indexingRuns,
    indexer,
    logger,
    now,
    close: async () => {
      emailSender?.close();
      // A judge that is still deciding writes its step pointer before the storage goes away.
      await turns.settle();
      await backplane.close();
      await storage.close();
    },
  };
}
