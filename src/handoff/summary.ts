import type { GatewayKeyResolver } from '../llm/key-resolver.js';
import type { LlmProvider } from '../llm/index.js';
import type { Message } from '../storage/index.js';

const PROMPT =
  'Summarize this support conversation for a human agent who is taking it over, in at most three short sentences: ' +
  'what the visitor wants, what was already tried, and what is still open. Write plain text.';

/** The takeover summary written by the model, with the organization's gateway key. */
export function llmSummarizer(options: { llm: LlmProvider; gatewayKeys: GatewayKeyResolver; model: string }) {
  return async (messages: readonly Message[]): Promise<string> => {
    const first = messages[0];
    if (!first) return '';
    const apiKey = await options.gatewayKeys.resolve(first.organizationId);
    if (!apiKey) return '';
    const transcript = messages.map((m) => `${m.direction === 'inbound' ? 'Visitor' : (m.from?.name ?? 'Assistant')}: ${m.content.text}`).join('\n');
    const completion = await options.llm.complete({
      model: options.model,
      messages: [
        { role: 'system', content: PROMPT },
        { role: 'user', content: transcript },
      ],
      tools: [],
      maxTokens: 300,
      apiKey,
      signal: AbortSignal.timeout(20_000),
      onText: () => undefined,
    });
    return completion.text;
  };
}
