import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayEmbedder } from './gateway-embedder.js';
import { GatewayReranker } from './gateway-reranker.js';
import { MemoryKnowledge } from './memory-knowledge.js';

interface Recorded {
  method: string;
  path: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

type Responder = (req: Recorded, nth: number) => { status: number; body: unknown; headers?: Record<string, string> };

/** A real HTTP server on 127.0.0.1, so the SDK's own request, retry and parsing code is exercised. */
async function loopback(respond: Responder): Promise<{ baseUrl: string; requests: Recorded[]; server: Server }> {
  const requests: Recorded[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const recorded: Recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>),
      };
      requests.push(recorded);
      const { status, body, headers } = respond(recorded, requests.length);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, requests, server };
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** A recognisable vector per input: its first component is the input's number. */
function vectorFor(text: string, dims: number): number[] {
  return Array.from({ length: dims }, (_, i) => (i === 0 ? Number(text.replace(/\D/g, '')) : 0.5));
}

function embeddingsAnswer(req: Recorded, dims: number, shuffle = true): { status: number; body: unknown } {
  const input = req.body.input as string[];
  const data = input.map((text, index) => ({ object: 'embedding', index, embedding: vectorFor(text, dims) }));
  if (shuffle) data.reverse();
  return { status: 200, body: { object: 'list', model: req.body.model, data, usage: { prompt_tokens: 1, total_tokens: 1 } } };
}

describe('GatewayEmbedder', () => {
  it('posts batches of at most 64 to {baseUrl}/embeddings and restores input order by index', async () => {
    const gw = await loopback((req) => embeddingsAnswer(req, 3));
    const embedder = new GatewayEmbedder({ baseUrl: gw.baseUrl, apiKey: 'sk-test', model: 'text-embedding-3-small', dimensions: 3 });
    expect([embedder.id, embedder.dimensions]).toEqual(['gateway:text-embedding-3-small', 3]);

    const texts = Array.from({ length: 130 }, (_, i) => `text ${i}`);
    const vectors = await embedder.embed(texts);
    expect(vectors.map((v) => v[0])).toEqual(texts.map((_, i) => i));
    expect(gw.requests.map((r) => (r.body.input as string[]).length)).toEqual([64, 64, 2]);
    expect(gw.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/embeddings',
      authorization: 'Bearer sk-test',
      body: { model: 'text-embedding-3-small', dimensions: 3, encoding_format: 'float' },
    });
  });

  it('leaves out dimensions for fixed-width models', async () => {
    const gw = await loopback((req) => embeddingsAnswer(req, 2));
    const embedder = new GatewayEmbedder({ baseUrl: gw.baseUrl, apiKey: 'k', model: 'text-embedding-ada-002', dimensions: 2, sendDimensions: false });
    await embedder.embed(['1']);
    expect(gw.requests[0]!.body).not.toHaveProperty('dimensions');
  });

  it('retries 429 and 5xx, honouring retry-after-ms', async () => {
    const gw = await loopback((req, nth) => {
      if (nth === 1) return { status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after-ms': '5' } };
      if (nth === 2) return { status: 503, body: { error: { message: 'busy' } }, headers: { 'retry-after-ms': '5' } };
      return embeddingsAnswer(req, 2);
    });
    const embedder = new GatewayEmbedder({ baseUrl: gw.baseUrl, apiKey: 'k', model: 'm', dimensions: 2 });
    const [v] = await embedder.embed(['7']);
    expect(v?.[0]).toBe(7);
    expect(gw.requests).toHaveLength(3);
  });

  it('gives up after maxRetries and does not retry a 400', async () => {
    const busy = await loopback(() => ({ status: 500, body: { error: { message: 'boom' } }, headers: { 'retry-after-ms': '1' } }));
    const embedder = new GatewayEmbedder({ baseUrl: busy.baseUrl, apiKey: 'k', model: 'm', dimensions: 2, maxRetries: 2 });
    await expect(embedder.embed(['1'])).rejects.toThrow();
    expect(busy.requests).toHaveLength(3);

    const bad = await loopback(() => ({ status: 400, body: { error: { message: 'bad input' } } }));
    const strict = new GatewayEmbedder({ baseUrl: bad.baseUrl, apiKey: 'k', model: 'm', dimensions: 2 });
    await expect(strict.embed(['1'])).rejects.toThrow(/bad input/);
    expect(bad.requests).toHaveLength(1);
  });

  it('rejects answers of the wrong width or with missing rows', async () => {
    const wide = await loopback((req) => embeddingsAnswer(req, 4));
    await expect(new GatewayEmbedder({ baseUrl: wide.baseUrl, apiKey: 'k', model: 'm', dimensions: 2 }).embed(['1'])).rejects.toThrow(
      /4-dim vector; expected 2/,
    );
    const short = await loopback(() => ({ status: 200, body: { object: 'list', data: [], model: 'm', usage: {} } }));
    await expect(new GatewayEmbedder({ baseUrl: short.baseUrl, apiKey: 'k', model: 'm', dimensions: 2 }).embed(['1'])).rejects.toThrow(
      /for 1 inputs/,
    );
  });

  it('serves as the dense arm of a MemoryKnowledge', async () => {
    // Each text is embedded as [has "x", has "y"]; the query mentions neither word form the docs use.
    const gw = await loopback((req) => {
      const input = req.body.input as string[];
      const data = input.map((t, index) => ({ index, embedding: [/kitten|cat/i.test(t) ? 1 : 0, /puppy|dog/i.test(t) ? 1 : 0] }));
      return { status: 200, body: { object: 'list', data, model: 'm', usage: {} } };
    });
    const kb = new MemoryKnowledge({ embedder: new GatewayEmbedder({ baseUrl: gw.baseUrl, apiKey: 'k', model: 'toy', dimensions: 2 }) });
    await kb.upsert('org', [
      { id: 'cats', source: 'cats', content: 'Kitten care guide.' },
      { id: 'dogs', source: 'dogs', content: 'Puppy training guide.' },
    ]);
    const hits = await kb.search('what should I feed my cat', { access: { organizationId: 'org', groups: [] }, limit: 1 });
    expect(hits[0]?.documentId).toBe('cats');
  });
});

describe('GatewayReranker', () => {
  it('posts {model, query, documents, top_n} to {baseUrl}/rerank and orders by relevance_score', async () => {
    const gw = await loopback(() => ({
      status: 200,
      body: { results: [{ index: 2, relevance_score: 0.9 }, { index: 0, relevance_score: 0.4 }, { index: 9, relevance_score: 1 }] },
    }));
    const reranker = new GatewayReranker({ baseUrl: `${gw.baseUrl}/`, apiKey: 'rk', model: 'rerank-v3.5' });
    const results = await reranker.rerank('q', ['a', 'b', 'c'], 2);
    expect(results).toEqual([
      { index: 2, score: 0.9 },
      { index: 0, score: 0.4 },
    ]);
    expect(gw.requests[0]).toEqual({
      method: 'POST',
      path: '/v1/rerank',
      authorization: 'Bearer rk',
      body: { model: 'rerank-v3.5', query: 'q', documents: ['a', 'b', 'c'], top_n: 2 },
    });
  });

  it('reorders MemoryKnowledge results, and falls back to the fused order when the gateway fails', async () => {
    let failing = false;
    const gw = await loopback((req) => {
      if (failing) return { status: 502, body: { error: 'upstream' } };
      const documents = req.body.documents as string[];
      // Prefer the document that mentions "gentle", whatever the fused order was.
      const results = documents.map((d, index) => ({ index, relevance_score: d.includes('gentle') ? 0.99 : 0.01 }));
      return { status: 200, body: { results } };
    });
    const errors: unknown[] = [];
    const reranked = new MemoryKnowledge({
      reranker: new GatewayReranker({ baseUrl: gw.baseUrl, apiKey: 'k', model: 'r' }),
      onRerankError: (e) => errors.push(e),
    });
    const plain = new MemoryKnowledge();
    const docs = [
      { id: 'loud', source: 'loud', content: 'Cleaning the lens: cleaning cleaning lens lens.' },
      { id: 'soft', source: 'soft', content: 'Cleaning the lens with a gentle cloth, plus other unrelated advice about mounting.' },
    ];
    await reranked.upsert('org', docs);
    await plain.upsert('org', docs);
    const access = { organizationId: 'org', groups: [] };
    const fused = await plain.search('cleaning lens', { access, limit: 2 });
    expect(fused[0]?.documentId).toBe('loud');

    const hits = await reranked.search('cleaning lens', { access, limit: 2 });
    expect(hits.map((h) => [h.documentId, h.score])).toEqual([
      ['soft', 0.99],
      ['loud', 0.01],
    ]);
    expect(gw.requests[0]!.body).toMatchObject({ query: 'cleaning lens', top_n: 2 });

    failing = true;
    expect(await reranked.search('cleaning lens', { access, limit: 2 })).toEqual(fused);
    expect(String(errors[0])).toMatch(/HTTP 502/);
  });
});
