import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/index.js';
import { startHarness, type Harness } from './support/harness.js';
import { at } from './support/ws-client.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

describe('gateway embeddings and reranking', () => {
  it('embeds documents and queries through {gateway}/embeddings, reranks through {gateway}/rerank, and cites the result', async () => {
    harness = await startHarness([{ kind: 'text', text: 'Thirty days.' }], {
      config: {
        authMode: 'none',
        retrieval: { embeddings: 'gateway', embeddingModel: 'emb-test', embeddingDimensions: 64, rerank: 'gateway', rerankModel: 'rr-test' },
      },
    });
    const posted = await fetch(`${harness.server.httpUrl}/admin/knowledge/documents`, {
      method: 'POST',
      headers: { authorization: 'Bearer dev', 'content-type': 'application/json' },
      body: JSON.stringify({
        documents: [
          { id: 'returns', source: 'returns.md', content: 'Returns are accepted within thirty days of delivery.' },
          { id: 'warranty', source: 'warranty.md', content: 'The warranty covers manufacturing defects for two years.' },
        ],
      }),
    });
    expect(posted.status).toBe(201);
    const embedCalls = harness.gateway.retrievalRequests.filter((r) => r.path === '/v1/embeddings');
    expect(embedCalls.length).toBeGreaterThan(0);
    expect(embedCalls[0]!.body).toMatchObject({ model: 'emb-test' });

    const { client, sessionId } = await harness.session();
    client.send({ action: 'send_message', requestId: 'r', sessionId, message: 'within how many days are returns accepted?' });
    const frames = await client.untilTerminal();
    expect(at(frames.at(-1), 'data.data.citations.0.id')).toBe('returns');
    const rerank = harness.gateway.retrievalRequests.find((r) => r.path === '/v1/rerank');
    expect(rerank?.body).toMatchObject({ model: 'rr-test', query: 'within how many days are returns accepted?' });
    expect(String(harness.gateway.requests[0]!.headers.authorization)).toBe('Bearer test-key');
  });

  it('refuses gateway retrieval without a key, naming the variable', () => {
    expect(() => loadConfig({ SMOOTH_AGENT_EMBEDDINGS: 'gateway' })).toThrow(/^SMOOTH_AGENT_EMBEDDINGS: /);
    expect(() => loadConfig({ SMOOTH_AGENT_RERANK: 'gateway' })).toThrow(/^SMOOTH_AGENT_RERANK: /);
    expect(() => loadConfig({ SMOOTH_AGENT_RERANK: 'sometimes' })).toThrow(/^SMOOTH_AGENT_RERANK: /);
    expect(loadConfig({ SMOOTH_AGENT_RERANK: 'lexical' }).retrieval.rerank).toBe('lexical');
  });
});
