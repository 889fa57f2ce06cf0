import { describe, expect, it } from 'vitest';
import { DEFAULT_MIN_CONFIDENCE } from './field-ranking.js';
import { MemoryKnowledge } from './memory-knowledge.js';
import { QueryAnalyzer, queryWords } from './query-expansion.js';

const ORG = 'acme';
const access = { organizationId: ORG, groups: [] };

const DOCUMENTS = [
  { id: 'reset.md', source: 'reset.md', title: 'Resetting a forgotten password', content: 'Open the sign-in page and choose "Forgot password". We email you a link to set a new password.' },
  { id: 'wifi.md', source: 'wifi.md', title: "Device won't connect to Wi-Fi", content: 'Restart the router, move the device closer and check the network name.' },
  { id: 'refund.md', source: 'refund.md', title: 'When will I get my refund?', content: 'Refunds reach your card within 5 to 10 business days after we receive the return.' },
  { id: 'plans.md', source: 'plans.md', title: 'Plans compared', content: 'The premium plan keeps recordings for 60 days; the basic plan for 7 days.' },
];

async function store(): Promise<MemoryKnowledge> {
  const kb = new MemoryKnowledge();
  await kb.upsert(ORG, DOCUMENTS);
  return kb;
}

describe('query words', () => {
  it('drops what contractions leave behind, typed with or without the apostrophe', () => {
    expect(queryWords("whats up, my camera won't connect and I'm stuck")).toEqual(['camera', 'connect', 'stuck']);
    expect(queryWords('isnt working, dont know why')).toEqual(['working', 'know']);
    // "won" on its own is a word, not the debris of "won't".
    expect(queryWords('who won the match')).toEqual(['won', 'match']);
  });

  it('maps a customer phrase onto the support vocabulary through the default synonym list', () => {
    const terms = new QueryAnalyzer().analyze("I can't remember my password");
    expect(terms.map((t) => t.term)).toEqual(expect.arrayContaining(['rememb', 'password', 'forgot']));
    const forgot = terms.find((t) => t.term === 'forgot')!;
    expect(forgot.weight).toBeLessThan(1);
    expect(forgot.group).toBe(terms.find((t) => t.term === 'rememb')!.group);
  });
});

describe('confidence', () => {
  it('declines a question about something the knowledge base has no words for', async () => {
    const kb = await store();
    const hits = await kb.search('what is the weather like in sydney tomorrow', { access, limit: 3 });
    expect(hits.every((h) => (h.confidence ?? 0) < DEFAULT_MIN_CONFIDENCE)).toBe(true);
    expect(await kb.search('what is the weather like in sydney tomorrow', { access, limit: 3, minConfidence: DEFAULT_MIN_CONFIDENCE })).toEqual([]);
  });

  it('keeps the answering document when some of the question\'s words are only in other articles', async () => {
    const kb = await store();
    // "premium plan" is only in plans.md; refund.md contains half of the question's words.
    const hits = await kb.search('refund of my premium plan to my card', { access, limit: 3, minConfidence: DEFAULT_MIN_CONFIDENCE });
    expect(hits.map((h) => h.documentId)).toContain('refund.md');
  });

  it('ranks the answering document above one that shares a single word', async () => {
    const kb = await store();
    const hits = await kb.search('forgot my password, need a new one', { access, limit: 3 });
    expect(hits[0]?.documentId).toBe('reset.md');
    const other = hits.find((h) => h.documentId !== 'reset.md');
    if (other) expect(other.confidence!).toBeLessThan(hits[0]!.confidence!);
  });

  it('is blended from the document and from the candidates: a word no candidate has lowers every hit', async () => {
    const kb = await store();
    const [known] = await kb.search('premium plan recordings', { access, limit: 1 });
    const [diluted] = await kb.search('premium plan recordings zyxwv', { access, limit: 1 });
    expect(known?.documentId).toBe('plans.md');
    expect(diluted?.documentId).toBe('plans.md');
    expect(diluted!.confidence!).toBeLessThan(known!.confidence!);
  });
});
