import { describe, expect, it } from 'vitest';
import { runKnowledgeContract } from '../../test/contracts/knowledge-contract.js';
import { chunkText } from './chunk-text.js';
import { DeterministicEmbedder } from './deterministic-embedder.js';
import { EmbedderMismatchError, type Embedder } from './embedder.js';
import { MemoryKnowledge } from './memory-knowledge.js';
import type { Reranker } from './reranker.js';
import { stem, terms } from './text-analysis.js';
import type { AccessContext } from './types.js';

runKnowledgeContract('memory', async () => new MemoryKnowledge(), {
  reopenWith: async (kb, embedder) => MemoryKnowledge.restore((kb as MemoryKnowledge).snapshot(), { embedder }),
});

const access: AccessContext = { organizationId: 'org', groups: [] };

/** Counts what reaches the embedder, to prove what is (not) re-embedded. */
function countingEmbedder(): Embedder & { texts: string[] } {
  const inner = new DeterministicEmbedder({ tokens: 'terms' });
  const texts: string[] = [];
  return {
    id: inner.id,
    dimensions: inner.dimensions,
    texts,
    async embed(batch) {
      texts.push(...batch);
      return inner.embed(batch);
    },
  };
}

describe('text analysis', () => {
  it('stems with Snowball English and drops stop words', () => {
    expect(stem('returns')).toBe('return');
    expect(stem('shipping')).toBe('ship');
    expect(stem('policies')).toBe(stem('policy'));
    expect(terms('What is the Return policy?')).toEqual(['return', 'polici']);
  });

  it('gives singular and plural, and verb forms, one stem (the -e words a suffix stripper gets wrong)', () => {
    for (const group of [
      ['device', 'devices'],
      ['price', 'prices'],
      ['code', 'codes'],
      ['invoice', 'invoices'],
      ['package', 'packages'],
      ['issue', 'issues'],
      ['change', 'changed', 'changes', 'changing'],
    ]) {
      expect(new Set(group.map(stem)), group.join('/')).toHaveProperty('size', 1);
    }
  });

  it('chunks long text into ~500 character pieces with overlap', () => {
    const paragraph = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const chunks = chunkText(`${paragraph}\n\nShort tail paragraph.`);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(600);
    expect(chunks.join(' ')).toContain('word119');
    expect(chunkText('  \n\n  ')).toEqual([]);
  });
});

describe('MemoryKnowledge', () => {
  it('still accepts a bare clock, as app.ts passes one', async () => {
    const kb = new MemoryKnowledge(() => new Date('2030-01-02T03:04:05.000Z'));
    const [doc] = await kb.upsert('org', [{ id: 'a', source: 'a', content: 'Alpha.' }]);
    expect(doc?.updatedAt).toBe('2030-01-02T03:04:05.000Z');
  });

  it('embeds only what changed: unchanged and relabelled documents reuse their vectors', async () => {
    const embedder = countingEmbedder();
    const kb = new MemoryKnowledge({ embedder });
    const doc = { id: 'a', source: 'a', content: 'Penguins waddle.' };
    await kb.upsert('org', [doc, { id: 'b', source: 'b', content: 'Seals swim.' }]);
    expect(embedder.texts).toEqual(['Penguins waddle.', 'Seals swim.']);
    const outcomes = await kb.upsert('org', [doc, { ...doc, title: 'Penguins' }, { id: 'b', source: 'b', content: 'Seals dive.' }]);
    expect(outcomes.map((d) => d.outcome)).toEqual(['unchanged', 'updated', 'updated']);
    expect(embedder.texts).toEqual(['Penguins waddle.', 'Seals swim.', 'Seals dive.']);
  });

  it('leaves the store untouched when embedding fails', async () => {
    const failing: Embedder = {
      id: 'failing',
      dimensions: 4,
      embed: async () => {
        throw new Error('gateway down');
      },
    };
    const kb = new MemoryKnowledge({ embedder: failing });
    await expect(kb.upsert('org', [{ id: 'a', source: 'a', content: 'Alpha.' }])).rejects.toThrow('gateway down');
    expect(await kb.list('org')).toEqual([]);
  });

  it('serialises writes, so a relabel planned before a concurrent rewrite cannot clobber it', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const inner = new DeterministicEmbedder({ tokens: 'terms' });
    const embedder: Embedder = {
      id: inner.id,
      dimensions: inner.dimensions,
      embed: async (texts) => {
        if (texts.some((t) => t.includes('Beavers'))) await gate;
        return inner.embed(texts);
      },
    };
    const kb = new MemoryKnowledge({ embedder });
    await kb.upsert('org', [{ id: 'a', source: 'a', content: 'Old text about otters.' }]);
    // The first batch relabels "a" (same text, new title) but then waits while "b" is embedded.
    const first = kb.upsert('org', [
      { id: 'a', source: 'a', title: 'Otters', content: 'Old text about otters.' },
      { id: 'b', source: 'b', content: 'Beavers build dams.' },
    ]);
    const second = kb.upsert('org', [{ id: 'a', source: 'a', content: 'New text about badgers.' }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    expect((await first).map((d) => d.outcome)).toEqual(['updated', 'created']);
    expect((await second).map((d) => d.outcome)).toEqual(['updated']);
    expect(await kb.get('org', 'a')).toMatchObject({ content: 'New text about badgers.' });
    expect((await kb.search('otters badgers', { access, limit: 3 })).map((h) => h.text)).toEqual(['New text about badgers.']);
  });

  it('finds a chunk through the dense arm alone when no stemmed term matches', async () => {
    // The keyword arm stems "colour" and "colours" alike but never maps "color" to "colour"; a
    // stand-in semantic embedder that does shows fusion surfaces dense-only hits.
    const semantic: Embedder = {
      id: 'toy-semantic',
      dimensions: 2,
      embed: async (texts) => texts.map((t) => Float32Array.of(/colou?r/i.test(t) ? 1 : 0, /colou?r/i.test(t) ? 0 : 1)),
    };
    const kb = new MemoryKnowledge({ embedder: semantic });
    await kb.upsert('org', [
      { id: 'paint', source: 'paint', content: 'Choose a colour for the walls.' },
      { id: 'floor', source: 'floor', content: 'Floors are oak.' },
    ]);
    const hits = await kb.search('which color options exist', { access, limit: 1 });
    expect(hits[0]?.documentId).toBe('paint');
  });

  it('snapshots and restores, refusing a different embedder', async () => {
    const kb = new MemoryKnowledge();
    await kb.upsert('org', [{ id: 'a', source: 'a', title: 'Alpha', content: 'Alpacas hum softly.', acl: { public: false, users: ['u'], groups: [] } }]);
    const snapshot = JSON.parse(JSON.stringify(kb.snapshot())) as ReturnType<MemoryKnowledge['snapshot']>;
    expect(snapshot.embedding).toEqual({ embedderId: 'deterministic-v1:terms', dimensions: 1024 });

    const restored = MemoryKnowledge.restore(snapshot);
    expect(await restored.list('org')).toEqual(await kb.list('org'));
    const hits = await restored.search('alpacas', { access: { ...access, userId: 'u' }, limit: 3 });
    expect(hits).toEqual(await kb.search('alpacas', { access: { ...access, userId: 'u' }, limit: 3 }));
    expect(await restored.search('alpacas', { access, limit: 3 })).toEqual([]);

    expect(() => MemoryKnowledge.restore(snapshot, { embedder: new DeterministicEmbedder() })).toThrow(EmbedderMismatchError);
    expect(() => MemoryKnowledge.restore(snapshot, { embedder: new DeterministicEmbedder({ tokens: 'terms', dimensions: 512 }) })).toThrow(
      'knowledge store was built with deterministic-v1:terms (1024 dims); configured embedder is deterministic-v1:terms (512 dims): re-index or switch back',
    );
    // An empty store has no vectors yet, so any embedder may adopt it.
    expect(() => MemoryKnowledge.restore(new MemoryKnowledge().snapshot(), { embedder: new DeterministicEmbedder({ dimensions: 8 }) })).not.toThrow();
  });

  it('reranks lexically when asked, keeping fused order for ties', async () => {
    const docs = [
      { id: 'long', source: 'long', content: `Battery ${'filler words about nothing in particular '.repeat(12)}` },
      { id: 'short', source: 'short', content: 'Battery battery life.' },
    ];
    const plain = new MemoryKnowledge();
    const lexical = new MemoryKnowledge({ reranker: 'lexical' });
    await plain.upsert('org', docs);
    await lexical.upsert('org', docs);
    const reranked = await lexical.search('battery', { access, limit: 2 });
    expect(reranked.map((h) => h.documentId)).toEqual(['short', 'long']);
    expect(reranked[0]!.score).toBeCloseTo((2 / 3.2) / (1 + Math.log(1 + 3)), 6);
    expect((await plain.search('battery', { access, limit: 2 })).map((h) => h.documentId)).toHaveLength(2);
  });

  it('falls back to the fused order when the reranker fails, and reports it', async () => {
    const errors: unknown[] = [];
    const broken: Reranker = {
      id: 'broken',
      rerank: async () => {
        throw new Error('rerank down');
      },
    };
    const kb = new MemoryKnowledge({ reranker: broken, onRerankError: (e) => errors.push(e) });
    const plain = new MemoryKnowledge();
    const docs = [
      { id: 'a', source: 'a', content: 'Kiwi birds are nocturnal.' },
      { id: 'b', source: 'b', content: 'Kiwi fruit is green. Kiwi kiwi.' },
    ];
    await kb.upsert('org', docs);
    await plain.upsert('org', docs);
    expect(await kb.search('kiwi', { access, limit: 2 })).toEqual(await plain.search('kiwi', { access, limit: 2 }));
    expect(errors).toHaveLength(1);
  });

  it('finds a rare term among many documents and forgets it once deleted', async () => {
    const kb = new MemoryKnowledge();
    await kb.upsert(
      'org',
      Array.from({ length: 300 }, (_, i) => ({ id: `d${i}`, source: `d${i}`, content: `Ordinary note number ${i} about topic ${i % 17}.` })),
    );
    await kb.upsert('org', [{ id: 'needle', source: 'needle', content: 'The narwhal tusk is a tooth.' }]);
    expect((await kb.search('narwhal tooth', { access, limit: 1 }))[0]?.documentId).toBe('needle');
    expect(await kb.delete('org', 'needle')).toBe(true);
    expect((await kb.search('narwhal tooth', { access, limit: 5 })).map((h) => h.documentId)).not.toContain('needle');
  });
});
