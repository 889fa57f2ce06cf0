import { afterEach, describe, expect, it } from 'vitest';
import { MemoryKnowledge, type Knowledge } from '../src/knowledge/index.js';
import { ANSWER_LEAD } from '../src/engine/retrieval-answer.js';
import type { ScriptStep } from '../src/testing/index.js';
import { startHarness, tokensOf, type Harness } from './support/harness.js';
import { at } from './support/ws-client.js';

// The organization anonymous sessions live in with the default configuration.
const ORG = 'default';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const WARRANTY = [
  '# Warranty coverage',
  '',
  'All Acme kettles come with a **3-year limited warranty** covering defects in materials and workmanship.',
  '',
  '## How to claim',
  '',
  '1. Find your order number.',
  '2. Email a photo of the fault to the support team.',
].join('\n');

async function knowledgeWith(): Promise<Knowledge> {
  const kb = new MemoryKnowledge();
  await kb.upsert(ORG, [
    { id: 'returns.md', source: 'help/returns.md', title: 'Return window', content: '# Return window\n\nYou can return a kettle within **30 days** of delivery for a full refund.', documentSets: ['public-help'] },
    { id: 'gift-cards.md', source: 'help/gift-cards.md', title: 'Gift cards', content: '# Gift cards\n\nGift cards cannot be returned or refunded, and they never expire.', documentSets: ['public-help'] },
    { id: 'warranty.md', source: 'help/warranty.md', title: 'Warranty coverage', content: WARRANTY, documentSets: ['public-help'] },
    { id: 'staff-returns.md', source: 'internal/returns.md', title: 'Return window exceptions for staff', content: 'Staff may extend the return window to 90 days for kettle returns.', documentSets: ['internal'] },
  ]);
  return kb;
}

async function ask(message: string, options: { script?: ScriptStep[]; apiKey?: string | undefined; config?: object } = {}) {
  harness = await startHarness(
    options.script ?? [],
    { knowledge: await knowledgeWith(), config: { authMode: 'none', ...(options.config ?? {}) } },
    'apiKey' in options ? { apiKey: options.apiKey } : {},
  );
  const { client, sessionId } = await harness.session();
  client.send({ action: 'send_message', requestId: 'r', sessionId, message });
  const frames = await client.untilTerminal();
  const final = frames.at(-1)!;
  expect(final.type).toBe('eventual_response');
  expect(client.schemaViolations).toEqual([]);
  const citations = (at(final, 'data.data.citations') as Array<{ id: string }> | undefined) ?? [];
  return { reply: tokensOf(frames), final, citations: citations.map((c) => c.id), escalate: at(final, 'data.data.needsEscalation') };
}

describe('answers without an LLM', () => {
  it('quotes only the passage that answers, with a neutral lead and no source suffix', async () => {
    const { reply, citations, escalate } = await ask('How long is the return window?', { apiKey: undefined });
    expect(reply.startsWith(ANSWER_LEAD)).toBe(true);
    expect(reply).toContain('within **30 days** of delivery');
    // Gift cards share the word "returned" but do not answer the question.
    expect(reply).not.toContain('Gift cards');
    expect(reply).not.toMatch(/\(source:|language model|assistant is running/i);
    expect(citations[0]).toBe('returns.md');
    expect(citations).not.toContain('gift-cards.md');
    expect(escalate).toBe(false);
  });

  it('keeps the Markdown structure of what it quotes: a heading and its body stay together', async () => {
    const { reply, citations } = await ask('what does the kettle warranty cover and how do I claim?', { apiKey: undefined });
    expect(citations[0]).toBe('warranty.md');
    expect(reply).toContain('# Warranty coverage\n\nAll Acme kettles come with a **3-year limited warranty**');
    expect(reply).toContain('## How to claim\n\n1. Find your order number.\n2. Email a photo');
  });

  it('answers greetings and thanks politely, without searching for them or escalating', async () => {
    for (const [message, expected] of [
      ['hi', /^Hello!/],
      ['Hello there', /^Hello!/],
      ['thanks a lot!', /^You're welcome!/],
      ['thank you', /^You're welcome!/],
    ] as const) {
      const { reply, citations, escalate } = await ask(message, { apiKey: undefined });
      expect(reply, message).toMatch(expected);
      expect(reply, message).not.toMatch(/couldn't find/);
      expect(citations).toEqual([]);
      expect(escalate).toBe(false);
      await harness?.close();
      harness = undefined;
    }
  });

  it('says it found nothing, suggests rephrasing, offers the configured contact and asks for escalation', async () => {
    const plain = await ask('how do I bake sourdough bread', { apiKey: undefined });
    expect(plain.reply).toMatch(/couldn't find anything about that in our help center/);
    expect(plain.reply).toMatch(/rephrase/);
    expect(plain.reply).not.toMatch(/reach our team/);
    expect(plain.citations).toEqual([]);
    expect(plain.escalate).toBe(true);
    await harness?.close();
    harness = undefined;
    const withContact = await ask('how do I bake sourdough bread', { apiKey: undefined, config: { contact: 'support@acme.example or +1 555 0100' } });
    expect(withContact.reply).toContain('support@acme.example or +1 555 0100');
    expect(withContact.escalate).toBe(true);
  });

  it('does not quote a document that merely shares a word with the question', async () => {
    // "cards" appears in the gift-card article, but the question is about something else entirely.
    const { reply, citations, escalate } = await ask('can I pay with a playing cards deck in the casino?', { apiKey: undefined });
    expect(citations).toEqual([]);
    expect(reply).toMatch(/couldn't find/);
    expect(escalate).toBe(true);
  });
});

describe('agent-scoped knowledge', () => {
  it('a turn retrieves, cites and quotes only from the configured document sets', async () => {
    const scoped = await ask('staff return window exceptions', { apiKey: undefined, config: { retrieval: { ...defaults(), documentSets: ['public-help'] } } });
    expect(scoped.citations).not.toContain('staff-returns.md');
    expect(scoped.reply).not.toContain('90 days');
    await harness?.close();
    harness = undefined;
    const internal = await ask('staff return window exceptions', { apiKey: undefined, config: { retrieval: { ...defaults(), documentSets: ['internal'] } } });
    expect(internal.citations).toEqual(['staff-returns.md']);
  });

  it('knowledge_search and the context block are scoped too', async () => {
    const { citations } = await ask('what are the staff exceptions to the return window?', {
      script: [
        { kind: 'toolCall', name: 'knowledge_search', arguments: JSON.stringify({ query: 'staff return window exceptions 90 days', limit: 5 }) },
        { kind: 'text', text: 'Thirty days.' },
      ],
      config: { retrieval: { ...defaults(), documentSets: ['public-help'] } },
    });
    expect(citations).not.toContain('staff-returns.md');
    const requests = harness!.gateway.requests;
    const context = requests[0]!.body.messages.filter((m) => m.role === 'system').map((m) => String(m.content)).join('\n');
    expect(context).not.toContain('Staff may extend');
    const toolResult = requests[1]!.body.messages.filter((m) => m.role === 'tool').map((m) => String(m.content)).join('\n');
    expect(toolResult).toMatch(/knowledge base result/);
    expect(toolResult).not.toContain('Staff may extend');
  });
});

describe('the confidence threshold with an LLM', () => {
  it('injects nothing, cites nothing and tells the model the knowledge base had nothing', async () => {
    const { citations, escalate } = await ask('who won the world cup in 2018?', { script: [{ kind: 'text', text: 'I do not know.' }] });
    expect(citations).toEqual([]);
    expect(escalate).toBe(true);
    const system = harness!.gateway.requests[0]!.body.messages.filter((m) => m.role === 'system').map((m) => String(m.content));
    expect(system.join('\n')).toMatch(/knowledge base has nothing relevant/);
    expect(system.join('\n')).not.toMatch(/source=/);
  });

  it('injects and cites a confident passage', async () => {
    const { citations, escalate } = await ask('How long is the return window?', { script: [{ kind: 'text', text: 'Thirty days.' }] });
    expect(citations[0]).toBe('returns.md');
    expect(escalate).toBe(false);
    const system = harness!.gateway.requests[0]!.body.messages.filter((m) => m.role === 'system').map((m) => String(m.content));
    expect(system.join('\n')).toContain('[Relevant knowledge]\n- (source=help/returns.md');
  });
});

function defaults() {
  return { embeddings: 'offline' as const, embeddingModel: 'x', embeddingDimensions: 1024, rerank: 'off' as const, rerankModel: 'x' };
}
