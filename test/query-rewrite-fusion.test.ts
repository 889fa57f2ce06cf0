import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fuseHits } from '../src/engine/query-rewrite.js';
import { DEFAULT_MIN_CONFIDENCE, MemoryKnowledge, type KnowledgeHit } from '../src/knowledge/index.js';

/**
 * Why auto-retrieval fills the rewritten query's hits up with the message's own (src/engine/query-rewrite.ts
 * `fuseHits`) rather than searching with the rewrite alone or ranking both lists by confidence.
 * test/fixtures/query-rewrite/follow-ups.json holds follow-ups on the help-center corpus, each with the
 * standalone query a model would write (two are topic changes, the last with a rewrite that drifted back
 * to the old topic). Each strategy is scored twice: with those rewrites, and with a weak rewriter that
 * only glues the previous question to the follow-up. Recall: the expected article among the distinct
 * documents of the 3 hits a turn injects, at the default confidence threshold.
 */
const HELP = join(import.meta.dirname, 'fixtures', 'helpcenter', 'docs');
const ORG = 'nimbra';
const access = { organizationId: ORG, groups: [] };
const LIMIT = 3;

interface FollowUp {
  previous: string;
  followUp: string;
  rewrite: string;
  expectedDoc: string;
}
const cases = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'query-rewrite', 'follow-ups.json'), 'utf8')) as FollowUp[];

type Strategy = (rewritten: KnowledgeHit[], original: KnowledgeHit[]) => KnowledgeHit[];
const strategies: Record<string, Strategy> = {
  'message only (rewrite off)': (_r, o) => o,
  'rewrite only': (r) => r,
  'both, ranked by confidence': (r, o) => {
    const best = new Map<string, KnowledgeHit>();
    for (const h of [...r, ...o]) if ((best.get(h.chunkId)?.confidence ?? -1) < (h.confidence ?? 0)) best.set(h.chunkId, h);
    return [...best.values()].sort((a, b) => (b.confidence ?? 0) - (a.confidence ?? 0)).slice(0, LIMIT);
  },
  'rewrite first, filled with the message (chosen)': (r, o) => fuseHits(r, o, LIMIT),
};

const kb = new MemoryKnowledge();
const search = (query: string) => kb.search(query, { access, limit: LIMIT, minConfidence: DEFAULT_MIN_CONFIDENCE });

beforeAll(async () => {
  await kb.upsert(
    ORG,
    readdirSync(HELP)
      .filter((f) => f.endsWith('.md'))
      .map((file) => ({ id: file, source: `help/${file}`, content: readFileSync(join(HELP, file), 'utf8') })),
  );
});

async function recall(rewriter: (c: FollowUp) => string): Promise<Record<string, number>> {
  const found: Record<string, number> = Object.fromEntries(Object.keys(strategies).map((k) => [k, 0]));
  for (const c of cases) {
    const [rewritten, original] = await Promise.all([search(rewriter(c)), search(c.followUp)]);
    for (const [name, fuse] of Object.entries(strategies)) {
      if (fuse(rewritten, original).some((h) => h.documentId === c.expectedDoc)) found[name]! += 1;
    }
  }
  return Object.fromEntries(Object.entries(found).map(([k, n]) => [k, n / cases.length]));
}

describe('fusing the rewritten query with the message', () => {
  it('the chosen fusion is at least as good as every alternative, with a good and with a weak rewriter', async () => {
    const good = await recall((c) => c.rewrite);
    const weak = await recall((c) => `${c.previous} ${c.followUp}`);
    console.log(
      `query-rewrite fusion, recall@${LIMIT} over ${cases.length} follow-ups\n` +
        Object.keys(strategies)
          .map((k) => `  ${k.padEnd(48)} model rewrite ${good[k]!.toFixed(2)}   glued rewrite ${weak[k]!.toFixed(2)}`)
          .join('\n'),
    );
    const chosen = 'rewrite first, filled with the message (chosen)';
    for (const figures of [good, weak]) {
      for (const [name, value] of Object.entries(figures)) expect(figures[chosen], name).toBeGreaterThanOrEqual(value);
    }
    // The rewrite is worth its call: the follow-ups alone miss most of their articles.
    expect(good[chosen]! - good['message only (rewrite off)']!).toBeGreaterThanOrEqual(0.25);
  });
});
