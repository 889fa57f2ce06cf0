import { createVerifier, type TokenVerifier } from './auth/index.js';
import { buildBackplane, type Backplane } from './backplane/index.js';
import type { SettingsStore } from './admin/settings-store.js';
import { settingsForStorage } from './admin/settings-for-storage.js';
import { CachedSettingsStore } from './admin/settings-cache.js';
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
import { CachedKeyResolver, SingleKeyResolver, type GatewayKeyResolver } from './llm/key-resolver.js';
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
import { buildEmbedder, buildReranker, buildRetrievalOptions } from './knowledge/build-retrieval.js';
import { DEFAULT_MIN_CONFIDENCE } from './knowledge/field-ranking.js';
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
import { Availability } from './handoff/availability.js';
import { handoffStoreForStorage } from './handoff/handoff-for-storage.js';
import { HandoffService } from './handoff/handoff-service.js';
import type { HandoffStore } from './handoff/handoff-store.js';
import { requestHumanTool } from './handoff/request-human-tool.js';
import { llmSummarizer } from './handoff/summary.js';
import { describeAction } from './engine/action-description.js';
import { TurnCancelled } from './server/turn-slot.js';
import { openStorage, type Storage } from './storage/index.js';
import { assertAdminExposure } from './auth/admin-exposure.js';
import { connectorConfinement } from './connectors/confinement.js';
import { BusBackplane } from './backplane/bus-backplane.js';
import { watchApprovalResolution } from './server/approval-notices.js';
import { startExpirySweep } from './engine/approval-sweep.js';
import { Metrics, NO_TELEMETRY, startTracing, Telemetry, traceLogFields } from './observability/index.js';
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
  handoffStore?: HandoffStore;
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
  /** Replaces the metrics and tracing configuration would build. */
  telemetry?: Telemetry;
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
  /** Who answers each conversation: the AI, or a person (src/handoff). */
  readonly handoff: HandoffService;
  /** How an approval card words a call of this tool (its `confirmation` template, else its arguments). */
  describeAction(toolName: string, rawArguments: string): string;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Metrics and traces; a no-op unless SMOOTH_AGENT_METRICS or OTEL_EXPORTER_OTLP_ENDPOINT is set. */
  readonly telemetry: Telemetry;
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
    retrieval: buildRetrievalOptions(config),
    ...(reranker ? { reranker } : {}),
    onRerankError: (err) => logger.warn({ err: (err as Error).message }, 'reranker failed; serving fused order'),
    schema: config.autoMigrate ? 'apply' : 'verify',
  });
}

/** The composition root: builds every seam once from configuration and hands them down. */
export async function createApp(config: Config, deps: AppDeps = {}): Promise<App> {
  assertAdminExposure(config);
  const now = deps.now ?? (() => new Date());
  const { observability } = config;
  const logger = deps.logger ?? createLogger(config.logLevel, observability.otlpEndpoint ? traceLogFields : undefined);
  const fileAgents = config.agentsFile ? await loadAgentsFile(config.agentsFile, config.defaultOrgId) : [];
  const approvals = new ApprovalBroker();
  const telemetry =
    deps.telemetry ??
    (observability.metrics || observability.otlpEndpoint
      ? new Telemetry(
          observability.metrics ? new Metrics({ parkedApprovals: () => approvals.size, parkedInteractions: () => interactionBroker.size }) : undefined,
          observability.otlpEndpoint ? startTracing({ endpoint: observability.otlpEndpoint, serviceName: observability.serviceName }) : undefined,
        )
      : NO_TELEMETRY);
  const { metrics } = telemetry;
  const llm = telemetry.llm(
    deps.llm ??
      new OpenAiProvider({
        baseUrl: config.gateway.baseUrl,
        maxRetries: config.gateway.maxRetries,
        idleTimeoutMs: config.gateway.idleTimeoutMs,
        ...(config.gateway.firstTokenTimeoutMs !== undefined ? { firstTokenTimeoutMs: config.gateway.firstTokenTimeoutMs } : {}),
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
        ...(metrics ? { onRetry: () => metrics.gatewayRetries.inc() } : {}),
      }),
  );
  const fileTools = config.toolsFile ? await loadToolsFile(config.toolsFile, deps.fetch) : [];
  const widgetPolicies =
    deps.widgetPolicies ??
    (await createWidgetPolicies(config.widgetAuth, {
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      onLookupFailed: (agentId, reason) => logger.warn({ agentId, reason }, 'widget policy lookup failed; treating the agent as having no policy'),
    }));
  // The built-in resolvers are in-memory lookups; a host's may call out, so its answers are cached briefly.
  const gatewayKeys = deps.gatewayKeys
    ? new CachedKeyResolver(deps.gatewayKeys)
    : config.gateway.keysFile
      ? await loadGatewayKeysFile(config.gateway.keysFile, config.gateway.apiKey)
      : new SingleKeyResolver(config.gateway.apiKey);
  // Opened after the file-based configuration has loaded, so a bad tools or keys file fails the boot
  // without leaving a database pool or a PGlite directory lock behind.
  const storage = telemetry.storage(deps.storage ?? (await buildStorage(config, logger)));
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
  let handoffStore: HandoffStore;
  try {
    knowledge = deps.knowledge ?? (await buildKnowledge(config, storage, logger, now));
    // Read by every turn, so cached per organization for a short TTL; a host's own store is used as given.
    settings = deps.settings ?? new CachedSettingsStore(await settingsForStorage(storage, config.autoMigrate ? 'apply' : 'verify'));
    handoffStore = deps.handoffStore ?? (await handoffStoreForStorage(storage, config.autoMigrate ? 'apply' : 'verify'));
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
    if (metrics && backplane instanceof BusBackplane) backplane.onPublishFailure = () => metrics.backplanePublishFailures.inc();
  } catch (err) {
    // pgvector missing, embedder changed, …: fail the boot without keeping the pool or the PGlite lock.
    if (!deps.storage) await storage.close().catch(() => undefined);
    throw err;
  }
  const indexer = new Indexer({
    knowledge,
    runs: indexingRuns,
    logger,
    environment: {
      githubApiUrl: config.githubApiUrl,
      secrets: deps.secrets ?? environmentSecrets,
      now,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
      confinement: connectorConfinement({ ...config, cwd: process.cwd() }),
    },
  });
  const handoff = new HandoffService({
    store: handoffStore,
    storage,
    backplane,
    availability: new Availability({ store: handoffStore, hours: config.handoff.hours, presenceTtlMs: config.handoff.presenceTtlMs, now }),
    now,
    ...(config.handoff.summary === 'llm' ? { summarize: llmSummarizer({ llm, gatewayKeys, model: config.model }) } : {}),
    onError: (err, what) => logger.warn({ err: (err as Error).message }, `handoff: ${what} failed`),
  });
  const allTools: readonly Tool[] = [
    knowledgeSearchTool(knowledge, { minConfidence: config.retrieval.minConfidence ?? DEFAULT_MIN_CONFIDENCE }),
    requestHumanTool(handoff, storage),
    ...interactionTools(),
    ...fileTools,
    ...(deps.tools ?? []),
  ].map((tool) => telemetry.tool(tool));
  const toolsByName = new Map(allTools.map((t) => [t.name, t]));
  const gate = new ApprovalGate({
    patterns: config.confirmToolPatterns,
    timeoutMs: config.approvalTimeoutMs,
    storage,
    broker: approvals,
    now,
    // A parked turn survives its socket and its process: only the user's own cancel discards it.
    keepOnAbort: (reason) => !(reason instanceof TurnCancelled && reason.why === 'cancel'),
    describe: (call) => describeAction(toolsByName.get(call.name), call.name, call.arguments),
    watchResolution: watchApprovalResolution(backplane),
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
    tools: allTools,
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
    minConfidence: config.retrieval.minConfidence ?? DEFAULT_MIN_CONFIDENCE,
    ...(config.retrieval.documentSets ? { documentSets: config.retrieval.documentSets } : {}),
    ...(config.retrieval.queryRewrite?.enabled ? { queryRewrite: config.retrieval.queryRewrite } : {}),
    // The error's message only: it names the failure (timeout, gateway status), never the key or the conversation.
    onQueryRewriteError: (err) => logger.warn({ err: (err as Error).message }, 'retrieval query rewrite failed; searching with the message as written'),
    ...(config.contact ? { contact: config.contact } : {}),
  });
  const stopSweep = startExpirySweep({
    sweepers: [storage.sweepExpiredApprovals?.bind(storage), interactionStore.sweepExpired?.bind(interactionStore)],
    now,
    timeoutMs: Math.min(config.approvalTimeoutMs, config.interactionTimeoutMs),
    onSwept: (count) => logger.debug({ count }, 'swept expired approvals and interactions'),
    onError: (err) => logger.warn({ err: (err as Error).message }, 'sweeping expired approvals and interactions failed'),
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
    handoff,
    describeAction: (toolName, rawArguments) => describeAction(toolsByName.get(toolName), toolName, rawArguments),
    logger,
    now,
    telemetry,
    close: async () => {
      stopSweep();
      // A judge that is still deciding writes its step pointer before the storage goes away.
      await turns.settle();
      emailSender?.close();
      await backplane.close();
      await storage.close();
      // Only the provider built here; a host's own is the host's to close.
      if (!deps.llm) await llm.close?.();
      await telemetry.close();
    },
  };
}
