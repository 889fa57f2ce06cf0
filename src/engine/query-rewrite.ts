import type { KnowledgeHit } from '../knowledge/index.js';
import type { ChatMessage, LlmProvider } from '../llm/index.js';
import type { Usage } from '../protocol/index.js';
import { smallTalk } from './retrieval-answer.js';

/**
 * The optional query rewrite of auto-retrieval (SMOOTH_AGENT_RETRIEVAL_QUERY_REWRITE): one short
 * model call turns a follow-up ("and how long does that take?") into a standalone search query
 * ("how long does a refund take"), so the turn's context block is about what the customer means.
 * Everything here degrades to "search with the message": the rewrite can only change what retrieval
 * finds, never fail or delay a turn past its own timeout.
 */

/** A query is a dozen words; a small cap bounds the call's cost and latency, and an answer that ran on is refused below. */
export const REWRITE_MAX_TOKENS = 64;
/** Longer than any query 64 tokens make; more means the model wrote prose, not a query. */
export const MAX_QUERY_CHARS = 300;
/** The recent turns that resolve what a follow-up refers to; older ones mostly add noise (and tokens). */
export const REWRITE_HISTORY_MESSAGES = 6;
/** Per replayed message: an assistant answer's opening names its topic; the rest is not needed to resolve "that". */
export const REWRITE_MESSAGE_CHARS = 400;
/** The new message itself, kept longer: it is what the query is about. */
export const REWRITE_INPUT_CHARS = 1_000;

export const REWRITE_SYSTEM_PROMPT = [
  "You turn a customer's latest message in a support conversation into one standalone search query for the help center.",
  'Use the earlier conversation only to resolve what the latest message refers to (pronouns, "that", "it", a left-out subject).',
  "Write the query in the language of the customer's latest message.",
  'Reply with the search query alone, on one line, at most 20 words: no quotes, no label, no explanation, no answer.',
].join(' ');

export interface QueryRewriteOptions {
  llm: LlmProvider;
  model: string;
  apiKey: string;
  /** The turn's replayed history (oldest first), before the new message. */
  history: readonly ChatMessage[];
  message: string;
  /** The turn's signal: a cancelled turn cancels the rewrite. */
  signal: AbortSignal;
  timeoutMs: number;
}

export interface QueryRewrite {
  /** Undefined when the call failed or its answer was unusable: search with the message. */
  query: string | undefined;
  /** What the call cost; zero when none was made or it failed before the gateway reported usage. */
  usage: Usage;
}

function clip(text: string, max: number): string {
  const chars = Array.from(text.trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max).join('')}…`;
}

/** The conversation as one transcript: replayed as chat turns, models tend to answer the question instead of rewriting it. */
export function rewriteUserMessage(history: readonly ChatMessage[], message: string): string {
  const recent = history
    .filter((m): m is Extract<ChatMessage, { role: 'user' | 'assistant' }> => (m.role === 'user' || m.role === 'assistant') && m.content.trim() !== '')
    .slice(-REWRITE_HISTORY_MESSAGES)
    .map((m) => `${m.role === 'user' ? 'Customer' : 'Assistant'}: ${clip(m.content, REWRITE_MESSAGE_CHARS)}`);
  return ['Conversation so far:', ...recent, '', `Latest message: ${clip(message, REWRITE_INPUT_CHARS)}`, '', 'Search query:'].join('\n');
}

/** The query in the model's answer, or undefined when the answer is not one (empty, several lines of prose, oversized). */
export function parseRewrite(text: string): string | undefined {
  const line = text
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (line === undefined) return undefined;
  const query = line
    .replace(/^(?:search\s+)?query\s*:\s*/i, '')
    .replace(/^["'“”«»`]+|["'“”«»`]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (query === '' || query.length > MAX_QUERY_CHARS) return undefined;
  return query;
}

const NO_USAGE: Usage = Object.freeze({ costUsd: 0, promptTokens: 0, completionTokens: 0 });

/**
 * One short completion on the turn's gateway and key. Never rejects: a timeout, a gateway error or
 * an unusable answer gives `query: undefined` (reported to `onError`, except the turn's own abort,
 * which is not a fault of the rewrite).
 */
export async function rewriteQuery(options: QueryRewriteOptions, onError: (err: unknown) => void = () => undefined): Promise<QueryRewrite> {
  if (options.signal.aborted) return { query: undefined, usage: { ...NO_USAGE } };
  try {
    const completion = await options.llm.complete({
      model: options.model,
      messages: [
        { role: 'system', content: REWRITE_SYSTEM_PROMPT },
        { role: 'user', content: rewriteUserMessage(options.history, options.message) },
      ],
      tools: [],
      maxTokens: REWRITE_MAX_TOKENS,
      apiKey: options.apiKey,
      signal: AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs)]),
      onText: () => undefined,
    });
    const usage = { costUsd: completion.costUsd, promptTokens: completion.promptTokens, completionTokens: completion.completionTokens };
    const query = parseRewrite(completion.text);
    if (query === undefined) onError(new Error(completion.text.trim() === '' ? 'the rewrite was empty' : 'the rewrite was not one short query'));
    return { query, usage };
  } catch (err) {
    if (!options.signal.aborted) onError(err);
    return { query: undefined, usage: { ...NO_USAGE } };
  }
}

/**
 * The rewritten query's hits first, then the message's own hits that add a passage, up to `limit`.
 * Confidence is comparable across queries, but a short vague follow-up matches some passage
 * completely (every one of its few words), so ranking the two lists by it would let the message's
 * noise push out what the rewrite found; filling the remaining places keeps the message's hits for
 * the cases the rewrite misses (a wrong guess, a message that was standalone already).
 */
export function fuseHits(rewritten: readonly KnowledgeHit[], original: readonly KnowledgeHit[], limit: number): KnowledgeHit[] {
  const seen = new Set<string>();
  const out: KnowledgeHit[] = [];
  for (const hit of [...rewritten, ...original]) {
    if (out.length >= limit) break;
    if (seen.has(hit.chunkId)) continue;
    seen.add(hit.chunkId);
    out.push(hit);
  }
  return out;
}

/**
 * Auto-retrieval with the rewrite: the rewritten query's hits filled up with the message's, or the
 * message's alone when the rewrite gave nothing. A first message is standalone and small talk
 * searches for nothing, so neither costs a call. `usage` is the rewrite's. Rejects only with the
 * turn's own abort.
 */
export async function searchWithRewrite(
  options: QueryRewriteOptions,
  search: (query: string) => Promise<KnowledgeHit[]>,
  limit: number,
  onError?: (err: unknown) => void,
): Promise<{ sources: KnowledgeHit[]; usage: Usage }> {
  if (options.history.length === 0 || smallTalk(options.message)) return { sources: await search(options.message), usage: { ...NO_USAGE } };
  const { query, usage } = await rewriteQuery(options, onError);
  if (options.signal.aborted) throw options.signal.reason;
  if (query === undefined || query.toLowerCase() === options.message.trim().toLowerCase()) return { sources: await search(options.message), usage };
  const [rewritten, original] = await Promise.all([search(query), search(options.message)]);
  return { sources: fuseHits(rewritten, original, limit), usage };
}
