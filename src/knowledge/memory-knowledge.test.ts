import { describe, expect, it } from 'vitest';
import { runKnowledgeContract } from '../../test/contracts/knowledge-contract.js';
import { chunkText } from './chunk-text.js';
import { MemoryKnowledge } from './memory-knowledge.js';
import { stem, terms } from './text-analysis.js';

runKnowledgeContract('memory', async () => new MemoryKnowledge());

describe('text analysis', () => {
  it('stems common English suffixes and drops stop words', () => {
    expect(stem('returns')).toBe('return');
    expect(stem('shipping')).toBe('ship');
    expect(stem('policies')).toBe('policy');
    expect(terms('What is the Return policy?')).toEqual(['return', 'policy']);
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
