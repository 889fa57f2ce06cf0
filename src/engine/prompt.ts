import type { KnowledgeHit } from '../knowledge/index.js';

export const DEFAULT_SYSTEM_PROMPT = [
  'You are a customer-support assistant for this organization.',
  'Answer accurately and briefly. For anything specific to the organization (policies, prices, orders, products),',
  'rely on the knowledge provided to you or call knowledge_search, and base your answer on what it returns.',
  'If the knowledge base does not contain the answer, say so plainly instead of guessing.',
  'Remember what the customer told you earlier in this conversation.',
  'Before an action that changes something, the customer may be asked to approve it; if they decline, acknowledge it.',
].join(' ');

export const FINAL_ITERATION_REMINDER =
  'You have reached the maximum number of steps for this turn. Do not call any more tools: answer the customer now ' +
  'with what you already know, and say what you could not finish.';

/** The `[Relevant knowledge]` block injected before the user's message. */
export function knowledgeContext(hits: KnowledgeHit[]): string | undefined {
  if (hits.length === 0) return undefined;
  const lines = hits.map((h) => `- (source=${h.source}, score=${h.score.toFixed(2)}): ${h.text}`);
  return `[Relevant knowledge]\n${lines.join('\n')}`;
}

/**
 * Told to the model when retrieval found nothing confident, so it neither invents an answer nor
 * cites a source it was not given.
 */
export const NOTHING_FOUND_CONTEXT =
  '[Relevant knowledge]\nThe knowledge base has nothing relevant to this message. If it asks for facts specific to this ' +
  'organization, say you could not find them and suggest rephrasing or contacting the team; do not guess and do not cite a source.';

/** Told on a conversation's first turn only, so the agent greets once and not on every reply. */
export function greetingSection(greeting: string): string {
  return [
    '<GreetingAwareness>',
    'This is the start of the conversation. Open your reply with a short, natural greeting in the spirit of:',
    greeting,
    'Adapt it rather than copying it word for word, then go on to answer the customer. Do not greet or introduce yourself again later.',
    '</GreetingAwareness>',
  ].join('\n');
}

/** The base prompt with its optional personality section (the reference's `<Personality>` block). */
export function withPersonality(base: string, personality: string | undefined): string {
  return personality ? `${base}\n\n<Personality>\n${personality}\n</Personality>` : base;
}

/** Sections of the system prompt in the reference's order (base, greeting, workflow), blank-line separated. */
export function joinPromptSections(sections: ReadonlyArray<string | undefined>): string {
  return sections.filter((s): s is string => s !== undefined && s !== '').join('\n\n');
}
