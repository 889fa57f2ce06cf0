import { randomUUID } from 'node:crypto';
import type { AccessContext, Knowledge, KnowledgeHit } from '../knowledge/index.js';
import type { ChatMessage, LlmProvider, ToolSpec } from '../llm/index.js';
import type { Citation, Usage } from '../protocol/index.js';
import type { Message, Session, Storage, TurnCheckpoint } from '../storage/index.js';
import { buildCitations } from './citations.js';
import type { ToolHook } from './hooks.js';
import { DEFAULT_SYSTEM_PROMPT, greetingSection, joinPromptSections, knowledgeContext, NOTHING_FOUND_CONTEXT, withPersonality } from './prompt.js';
import type { AgentConfig, AgentVisibility, ToolAuthLevel } from '../agents/types.js';
import { currentStep, judgeTurn, workflowSection } from './workflow/index.js';
import { retrievalAnswer, smallTalk, streamPieces } from './retrieval-answer.js';
import { searchWithRewrite } from './query-rewrite.js';
import { DENIED_BY_USER } from './approval-gate.js';
import { recordToolResult, runModelLoop, runToolCalls, toolContext, type LoopEnv, type LoopState } from './model-loop.js';
import { runTool } from './tool-executor.js';
import type { Tool } from './tools/tool.js';
import type { TurnEvent } from './turn-events.js';

export interface TurnRunnerOptions {
  storage: Storage;
  knowledge: Knowledge;
  llm: LlmProvider;
  tools: readonly Tool[];
  hooks: readonly ToolHook[];
  model: string;
  maxIterations: number;
  maxTokens: number;
  historyLimit: number;
  systemPrompt?: string;
  /** Operator settings of the session's organization, read at the start of every turn. */
  settingsFor?: (organizationId: string, agentId?: string) => Promise<TurnSettings>;
  /** The model the workflow judge runs on (SMOOTH_AGENT_JUDGE_MODEL); default: `model`. */
  judgeModel?: string;
  onJudgeError?: (err: unknown) => void;
  now: () => Date;
  onRetrievalError?: (err: unknown) => void;
  /** Document sets a turn retrieves from when its settings name none (SMOOTH_AGENT_DOCUMENT_SETS). */
  documentSets?: readonly string[];
  /** Hits below this confidence are not knowledge: not injected, not cited, not quoted. */
  minConfidence?: number;
  /** How a visitor reaches a person, offered by the no-LLM reply when nothing was found. */
  contact?: string;
  /**
   * SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE: with an LLM, a follow-up is rewritten into a standalone
   * search query for auto-retrieval (see query-rewrite.ts); `model` defaults to the turn's. Absent: off.
   */
  queryRewrite?: { model?: string; timeoutMs: number };
  onQueryRewriteError?: (err: unknown) => void;
}

export interface TurnSettings {
  model?: string;
  systemPrompt?: string;
  persona?: string;
  /** When non-empty, only these tools are offered to the model. */
  enabledTools?: readonly string[];
  /** `enabledTools` is an allow-list even when empty (an agent whose listed tools are all disabled). */
  toolsRestricted?: boolean;
  /** When present, the turn's retrieval (context block, knowledge_search, citations) is scoped to these sets. */
  documentSets?: readonly string[];
  /** The session's agent config, when one is configured (see src/agents/types.ts). */
  agent?: AgentConfig;
  /** The agent's visibility, for the auth gate. */
  visibility?: AgentVisibility;
  /** Each allowed tool's auth level by tool name; a tool not in it needs none. */
  toolAuthLevels?: ReadonlyMap<string, ToolAuthLevel>;
  /** Per-tool config by tool name; a tool receives its own as `ToolContext.toolConfig`. */
  toolConfigs?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

export interface TurnInput {
  session: Session;
  requestId: string;
  message: string;
  model?: string;
  /** Absent: no LLM is configured and the turn answers by quoting the knowledge base. */
  apiKey: string | undefined;
  access: AccessContext;
  signal: AbortSignal;
  emit: (event: TurnEvent) => void;
}

/** What finishing a parked turn needs: its checkpoint, the human's decision, and where to report. */
export interface ResumeInput {
  session: Session;
  checkpoint: TurnCheckpoint;
  approved: boolean;
  /** Stands in for the parked call's result (an answered interaction); `approved` is then ignored. */
  result?: { content: string; isError: boolean };
  apiKey: string;
  access: AccessContext;
  signal: AbortSignal;
  emit: (event: TurnEvent) => void;
}

export interface TurnOutcome {
  messageId: string;
  reply: string;
  citations: Citation[];
  /** Absent when no model was called. */
  usage: Usage | undefined;
  /** True when the visitor asked something the knowledge base had nothing for. */
  needsEscalation?: boolean;
  /**
   * Work that follows the answer (the workflow judge). The caller starts it once the answer is
   * sent, so it never delays the answer; it never rejects.
   */
  afterResponse?: () => Promise<void>;
}

/** What the workflow judge needs once the turn has answered. */
interface JudgeRequest {
  workflow: NonNullable<AgentConfig['conversationWorkflow']>;
  stepId: string | undefined;
  userMessage: string;
  apiKey: string;
}

const AUTO_CONTEXT_RESULTS = 3;

function textMessage(session: Session, direction: Message['direction'], text: string, at: Date): Message {
  const from = direction === 'inbound' ? session.userParticipantId : session.agentParticipantId;
  const to = direction === 'inbound' ? session.agentParticipantId : session.userParticipantId;
  return {
    id: randomUUID(),
    conversationId: session.conversationId,
    organizationId: session.organizationId,
    direction,
    content: { items: [{ type: 'text', text }], text },
    from: { id: from, type: direction === 'inbound' ? 'user' : 'ai-agent' },
    to: { id: to, type: direction === 'inbound' ? 'ai-agent' : 'user' },
    createdAt: at.toISOString(),
  };
}

/** One turn: history + prompt + retrieved context → model ⇄ tools loop → persisted reply. */
export class TurnRunner {
  private readonly toolsByName: ReadonlyMap<string, Tool>;
  private readonly toolSpecs: ToolSpec[];
  /** Judges still running per session: the session's next turn here waits for its step pointer. */
  private readonly judging = new Map<string, Promise<void>>();
  private readonly stopJudges = new AbortController();

  constructor(private readonly options: TurnRunnerOptions) {
    // Later tools replace earlier ones of the same name, so a host can override a built-in.
    this.toolsByName = new Map(options.tools.map((t) => [t.name, t]));
    this.toolSpecs = [...this.toolsByName.values()].map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }));
  }

  private async history(session: Session): Promise<ChatMessage[]> {
    if (this.options.historyLimit === 0) return [];
    const page = await this.options.storage.listMessages({
      conversationId: session.conversationId,
      order: 'desc',
      limit: this.options.historyLimit,
    });
    return page.messages
      .reverse()
      .filter((m) => m.content.text.trim() !== '')
      .map((m): ChatMessage => (m.direction === 'inbound' ? { role: 'user', content: m.content.text } : { role: 'assistant', content: m.content.text }));
  }

  private async retrieve(query: string, access: AccessContext, documentSets: readonly string[] | undefined): Promise<KnowledgeHit[]> {
    try {
      return await this.options.knowledge.search(query, {
        access,
        limit: AUTO_CONTEXT_RESULTS,
        ...(documentSets ? { documentSets } : {}),
        ...(this.options.minConfidence !== undefined ? { minConfidence: this.options.minConfidence } : {}),
      });
    } catch (err) {
      // Retrieval trouble degrades the answer, it does not fail the turn.
      this.options.onRetrievalError?.(err);
      return [];
    }
  }

  async run(input: TurnInput): Promise<TurnOutcome> {
    const { storage, now } = this.options;
    const { session, signal } = input;
    const history = await this.history(session);
    // Asked before the message is stored; without replayed history the store itself says whether it is empty.
    const firstTurn = history.length === 0 && (this.options.historyLimit > 0 || (await storage.countMessages(session.conversationId)) === 0);
    await storage.appendMessage(textMessage(session, 'inbound', input.message, now()));
    const settings: TurnSettings = (await this.options.settingsFor?.(session.organizationId, session.agentId)) ?? {};
    const documentSets = settings.documentSets ?? this.options.documentSets;
    const model = input.model ?? settings.model ?? this.options.model;
    const search = (query: string) => this.retrieve(query, input.access, documentSets);
    const rewrite = this.options.queryRewrite;
    const { sources, usage } =
      rewrite && input.apiKey !== undefined
        ? await searchWithRewrite(
            { llm: this.options.llm, model: rewrite.model ?? model, apiKey: input.apiKey, history, message: input.message, signal, timeoutMs: rewrite.timeoutMs },
            search,
            AUTO_CONTEXT_RESULTS,
            this.options.onQueryRewriteError,
          )
        : { sources: await search(input.message), usage: { costUsd: 0, promptTokens: 0, completionTokens: 0 } };
    if (input.apiKey === undefined) return this.answerFromKnowledge(input, sources);

    const basePrompt = settings.systemPrompt ?? this.options.systemPrompt ?? DEFAULT_SYSTEM_PROMPT;
    const workflow = settings.agent?.conversationWorkflow;
    const stepId = workflow ? await this.workflowStepOf(session) : undefined;
    const step = workflow && currentStep(workflow, stepId);
    const systemPrompt = joinPromptSections([
      withPersonality(basePrompt, settings.persona),
      firstTurn && settings.agent?.greeting ? greetingSection(settings.agent.greeting) : undefined,
      workflow && step ? workflowSection(workflow, step.step, step.index) : undefined,
    ]);
    const enabled =
      settings.enabledTools && (settings.enabledTools.length > 0 || settings.toolsRestricted) ? new Set(settings.enabledTools) : undefined;
    // Admin tools are never offered on a public agent; they stay callable only to be refused by the auth gate.
    const offered = (name: string) => (!enabled || enabled.has(name)) && !(settings.visibility !== 'internal' && settings.toolAuthLevels?.get(name) === 'admin');
    const toolSpecs = this.toolSpecs.filter((t) => offered(t.name));
    const tools = enabled ? new Map([...this.toolsByName].filter(([name]) => enabled.has(name))) : this.toolsByName;
    const messages: ChatMessage[] = [{ role: 'system', content: systemPrompt }, ...history];
    const context = knowledgeContext(sources) ?? (smallTalk(input.message) ? undefined : NOTHING_FOUND_CONTEXT);
    if (context) messages.push({ role: 'system', content: context });
    messages.push({ role: 'user', content: input.message });

    const state: LoopState = {
      requestId: input.requestId,
      model,
      messages,
      sources,
      usage,
      tools,
      toolSpecs,
    };
    const reply = await runModelLoop(this.loopEnv(input, input.apiKey, settings, documentSets), state, 1);
    const judge = workflow ? { workflow, stepId, userMessage: input.message, apiKey: input.apiKey } : undefined;
    const outcome = await this.finish(input, reply, sources, state.usage, judge);
    // Nothing confident from auto-retrieval nor from knowledge_search, for a real question.
    return state.sources.length === 0 && !smallTalk(input.message) ? { ...outcome, needsEscalation: true } : outcome;
  }

  private loopEnv(
    input: Pick<TurnInput, 'session' | 'access' | 'signal' | 'emit'>,
    apiKey: string,
    settings: TurnSettings,
    documentSets: readonly string[] | undefined,
  ): LoopEnv {
    const { llm, hooks, maxIterations, maxTokens } = this.options;
    return {
      session: input.session,
      apiKey,
      access: input.access,
      ...(documentSets ? { documentSets } : {}),
      signal: input.signal,
      emit: input.emit,
      llm,
      hooks,
      maxIterations,
      maxTokens,
      ...(settings.toolConfigs ? { toolConfigs: settings.toolConfigs } : {}),
      ...(settings.toolAuthLevels ? { toolAuthLevels: settings.toolAuthLevels } : {}),
      ...(settings.visibility ? { visibility: settings.visibility } : {}),
    };
  }

  /**
   * For a shutdown that keeps step pointers: resolves when every running judge has landed, or, after
   * `graceMs`, aborts the rest (their sessions stay on their steps) and resolves when they are done.
   */
  async settle(graceMs = 5_000): Promise<void> {
    const all = Promise.all([...this.judging.values()]);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    if ((await Promise.race([all, late])) === 'late') this.stopJudges.abort();
    clearTimeout(timer);
    await all;
  }

  /** The session's step pointer, after any judge of its previous turn in this process has landed. */
  private async workflowStepOf(session: Session): Promise<string | undefined> {
    const pending = this.judging.get(session.sessionId);
    if (!pending) return session.workflowStepId;
    await pending;
    return (await this.options.storage.getSession(session.sessionId))?.workflowStepId;
  }

  /** Runs the judge on a finished turn and moves the session's step pointer; failures keep the step. */
  private judgeAfter(session: Session, reply: string, request: JudgeRequest): () => Promise<void> {
    const { storage, llm, onJudgeError } = this.options;
    const report = (err: unknown) => onJudgeError?.(err);
    return () => {
      const run = (async () => {
        const outcome = await judgeTurn(
          {
            llm,
            model: this.options.judgeModel ?? this.options.model,
            apiKey: request.apiKey,
            workflow: request.workflow,
            stepId: request.stepId,
            userMessage: request.userMessage,
            reply,
            signal: this.stopJudges.signal,
          },
          report,
        );
        // Written only when the step changes: staying (or failing) leaves the pointer as it was.
        const current = currentStep(request.workflow, request.stepId)?.step.id;
        if (outcome && outcome.stepId !== current) await storage.updateSession(session.sessionId, { workflowStepId: outcome.stepId });
      })()
        .catch(report)
        .finally(() => {
          if (this.judging.get(session.sessionId) === run) this.judging.delete(session.sessionId);
        });
      this.judging.set(session.sessionId, run);
      return run;
    };
  }

  /**
   * Finishes a turn that parked on an approval, from its checkpoint — in this process or another,
   * after a reconnect or a restart. The human's decision stands in for the approval hook on the
   * parked call; later calls and model steps run as they would have.
   */
  async resume(input: ResumeInput): Promise<TurnOutcome> {
    const { checkpoint, signal } = input;
    const settings: TurnSettings = (await this.options.settingsFor?.(input.session.organizationId, input.session.agentId)) ?? {};
    const offered = new Set(checkpoint.toolNames);
    const tools = new Map([...this.toolsByName].filter(([name]) => offered.has(name)));
    const state: LoopState = {
      requestId: checkpoint.requestId,
      model: checkpoint.model,
      messages: checkpoint.messages,
      sources: checkpoint.sources,
      usage: { ...checkpoint.usage },
      tools,
      toolSpecs: this.toolSpecs.filter((t) => tools.has(t.name)),
    };
    const env = this.loopEnv(input, input.apiKey, settings, settings.documentSets ?? this.options.documentSets);
    const call = checkpoint.toolCall;
    const result =
      input.result ??
      (input.approved ? await runTool(call, toolContext(env, state, call.name), tools) : { content: `blocked by hook: ${DENIED_BY_USER}`, isError: true });
    if (signal.aborted) throw signal.reason;
    recordToolResult(env, state, call, result);
    await runToolCalls(env, state, checkpoint.iteration, checkpoint.remainingToolCalls);
    const reply = await runModelLoop(env, state, Math.min(checkpoint.iteration + 1, this.options.maxIterations));
    const workflow = settings.agent?.conversationWorkflow;
    const userMessage = [...checkpoint.messages].reverse().find((m) => m.role === 'user')?.content;
    const judge =
      workflow && userMessage !== undefined
        ? { workflow, stepId: await this.workflowStepOf(input.session), userMessage, apiKey: input.apiKey }
        : undefined;
    return this.finish(input, reply, state.sources, state.usage, judge);
  }

  private async answerFromKnowledge(input: TurnInput, sources: KnowledgeHit[]): Promise<TurnOutcome> {
    const answer = retrievalAnswer(input.message, sources, this.options.contact ? { contact: this.options.contact } : {});
    for (const piece of streamPieces(answer.reply)) {
      if (input.signal.aborted) throw input.signal.reason;
      input.emit({ type: 'token', text: piece });
    }
    // Only what the reply quotes is cited.
    const outcome = await this.finish(input, answer.reply, answer.quoted, undefined);
    return answer.foundNothing ? { ...outcome, needsEscalation: true } : outcome;
  }

  private async finish(
    input: Pick<TurnInput, 'session' | 'signal'>,
    reply: string,
    sources: KnowledgeHit[],
    usage: Usage | undefined,
    judge?: JudgeRequest,
  ): Promise<TurnOutcome> {
    if (input.signal.aborted) throw input.signal.reason;
    let messageId: string = randomUUID();
    if (reply.trim() !== '') {
      messageId = (await this.options.storage.appendMessage(textMessage(input.session, 'outbound', reply, this.options.now()))).id;
    }
    return { messageId, reply, citations: buildCitations(sources), usage, ...(judge ? { afterResponse: this.judgeAfter(input.session, reply, judge) } : {}) };
  }
}
