import type { Knowledge } from '../../knowledge/index.js';
import type { Tool } from './tool.js';

const DEFAULT_LIMIT = 3;
const MAX_LIMIT = 10;

export interface KnowledgeSearchToolOptions {
  /** Hits below this confidence are not returned (nor cited); see `SMOOTH_AGENT_RETRIEVAL_MIN_CONFIDENCE`. */
  minConfidence?: number;
}

/**
 * The built-in retrieval tool; its results are citations of the turn like the auto-injected context,
 * and it searches the same scope: the caller's access and the turn's document sets.
 */
export function knowledgeSearchTool(knowledge: Knowledge, options: KnowledgeSearchToolOptions = {}): Tool {
  return {
    name: 'knowledge_search',
    description:
      "Search the organization's knowledge base (policies, help articles, product docs). Use it for any " +
      'organization-specific fact and ground your answer in what it returns.',
    parameters: {
      type: 'object',
      properties: {
        query: { type: 'string', description: 'What to look for.' },
        limit: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, description: 'How many passages to return (default 3).' },
      },
      required: ['query'],
    },
    async execute(args, context) {
      const query = args.query;
      if (typeof query !== 'string' || query.trim() === '') {
        return { content: "error: knowledge_search requires a string 'query' argument", isError: true };
      }
      const requested = typeof args.limit === 'number' && Number.isFinite(args.limit) ? Math.trunc(args.limit) : DEFAULT_LIMIT;
      const limit = Math.min(Math.max(requested, 1), MAX_LIMIT);
      const hits = await knowledge.search(query, {
        access: context.access,
        limit,
        ...(context.documentSets ? { documentSets: context.documentSets } : {}),
        ...(options.minConfidence !== undefined ? { minConfidence: options.minConfidence } : {}),
        signal: context.signal,
      });
      context.recordSources(hits);
      if (hits.length === 0) return `No knowledge base results found for query: ${JSON.stringify(query)}`;
      const lines = hits.map(
        (h, i) => `${i + 1}. [source=${h.source} | id=${h.documentId} | relevance=${h.score.toFixed(2)}]\n${h.text}\n`,
      );
      return `Found ${hits.length} knowledge base result(s) for ${JSON.stringify(query)}:\n${lines.join('')}`;
    },
  };
}
