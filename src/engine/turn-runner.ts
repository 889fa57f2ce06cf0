import { randomUUID } from 'node:crypto';
import type { AccessContext, Knowledge, KnowledgeHit } from '../knowledge/index.js';
import type { ChatMessage, LlmProvider, ToolSpec } from '../llm/index.js';
import type { Citation, Usage } from '../protocol/index.js';
import type { Message, Session, Storage } from '../storage/index.js';
import { buildCitations } from './citations.js';
import type { ToolHook } from './hooks.js';
import { DEFAULT_SYSTEM_PROMPT, FINAL_ITERATION_REMINDER, knowledgeContext } from './prompt.js';
import { retrievalAnswer, streamPieces } from './retrieval-answer.js';
import { executeToolCall } from './tool-executor.js';
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
  now: () => Date;
  onRetrievalError?: (err: unknown) => void;
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

export interface TurnOutcome {
  messageId: string;
  reply: string;
  citations: Citation[];
  /** Absent when no model was called. */
  usage: Usage | undefined;
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

  private async retrieve(query: string, access: AccessContext): Promise<KnowledgeHit[]> {
    try {
      return await this.options.knowledge.search(query, { access, limit: AUTO_CONTEXT_RESULTS });
    } catch (err) {
      // Retrieval trouble degrades the answer, it does not fail the turn.
      this.options.onRetrievalError?.(err);
      return [];
    }
  }

  async run(input: TurnInput): Promise<TurnOutcome> {
    const { storage, llm, now } = this.options;
    const { session, signal } = input;
    const history = await this.history(session);
    await storage.appendMessage(textMessage(session, 'inbound', input.message, now()));
    const sources: KnowledgeHit[] = await this.retrieve(input.message, input.access);
    if (input.apiKey === undefined) return this.answerFromKnowledge(input, sources);

    const messages: ChatMessage[] = [{ role: 'system', content: this.options.systemPrompt ?? DEFAULT_SYSTEM_PROMPT }, ...history];
    const context = knowledgeContext(sources);
    if (context) messages.push({ role: 'system', content: context });
    messages.push({ role: 'user', content: input.message });

    const usage: Usage = { costUsd: 0, promptTokens: 0, completionTokens: 0 };
    let reply = '';
    for (let iteration = 1; iteration <= this.options.maxIterations; iteration++) {
      const last = iteration === this.options.maxIterations;
      if (last && iteration > 1) messages.push({ role: 'system', content: FINAL_ITERATION_REMINDER });
      const completion = await llm.complete({
        model: input.model ?? this.options.model,
        messages,
        // On the final step the model gets no tools, so it has to answer.
        tools: last && iteration > 1 ? [] : this.toolSpecs,
        maxTokens: this.options.maxTokens,
        apiKey: input.apiKey,
        signal,
        onText: (text) => input.emit({ type: 'token', text }),
      });
      usage.costUsd += completion.costUsd;
      usage.promptTokens += completion.promptTokens;
      usage.completionTokens += completion.completionTokens;
      reply = completion.text;
      if (completion.toolCalls.length === 0 || last) break;

      messages.push({ role: 'assistant', content: completion.text, toolCalls: completion.toolCalls });
      for (const call of completion.toolCalls) {
        const result = await executeToolCall(
          call,
          {
            requestId: input.requestId,
            sessionId: session.sessionId,
            conversationId: session.conversationId,
            organizationId: session.organizationId,
            agentId: session.agentId,
            access: input.access,
            signal,
            emit: input.emit,
            recordSources: (hits) => sources.push(...hits),
          },
          {
            tools: this.toolsByName,
            hooks: this.options.hooks,
            announce: (c) => input.emit({ type: 'tool_call', name: c.name, arguments: c.arguments }),
          },
        );
        if (signal.aborted) throw signal.reason;
        input.emit({ type: 'tool_result', name: call.name, isError: result.isError, result: result.content });
        messages.push({ role: 'tool', toolCallId: call.id, content: result.content });
      }
    }

    return this.finish(input, reply, sources, usage);
  }

  private async answerFromKnowledge(input: TurnInput, sources: KnowledgeHit[]): Promise<TurnOutcome> {
    const reply = retrievalAnswer(sources);
    for (const piece of streamPieces(reply)) {
      if (input.signal.aborted) throw input.signal.reason;
      input.emit({ type: 'token', text: piece });
    }
    return this.finish(input, reply, sources, undefined);
  }

  private async finish(input: TurnInput, reply: string, sources: KnowledgeHit[], usage: Usage | undefined): Promise<TurnOutcome> {
    if (input.signal.aborted) throw input.signal.reason;
    let messageId: string = randomUUID();
    if (reply.trim() !== '') {
      messageId = (await this.options.storage.appendMessage(textMessage(input.session, 'outbound', reply, this.options.now()))).id;
    }
    return { messageId, reply, citations: buildCitations(sources), usage };
  }
}
