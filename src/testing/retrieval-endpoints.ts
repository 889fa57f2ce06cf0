import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the scripted gateway recorded for an /embeddings or /rerank call. */
export interface RetrievalRequest {
  path: '/v1/embeddings' | '/v1/rerank';
  body: Record<string, unknown>;
}

const DEFAULT_DIMENSIONS = 64;

/**
 * A stand-in embedding: each lower-cased word adds to one hashed dimension, so texts sharing words
 * are close in cosine terms. Deterministic, so tests can rely on rankings.
 */
export function scriptedEmbedding(text: string, dimensions: number): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2)) {
    const h = createHash('sha1').update(word).digest().readUInt32BE(0);
    v[h % dimensions]! += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

function overlap(query: string, document: string): number {
  const q = new Set(query.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w.length > 2));
  const d = document.toLowerCase().split(/[^a-z0-9]+/);
  return d.filter((w) => q.has(w)).length / (d.length || 1);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
}

function json(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Serves OpenAI-style `/v1/embeddings` and Cohere-style `/v1/rerank`; returns false for other paths. */
export async function handleRetrievalEndpoint(
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  record: (r: RetrievalRequest) => void,
): Promise<boolean> {
  if (req.method !== 'POST' || (path !== '/v1/embeddings' && path !== '/v1/rerank')) return false;
  const body = await readBody(req);
  record({ path, body });
  if (path === '/v1/embeddings') {
    const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')];
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : DEFAULT_DIMENSIONS;
    json(res, {
      object: 'list',
      model: body.model,
      // Reversed on purpose: clients must order results by `index`, not by position.
      data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: scriptedEmbedding(text, dimensions) })).reverse(),
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    });
    return true;
  }
  const query = String(body.query ?? '');
  const documents = Array.isArray(body.documents) ? body.documents.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))) : [];
  const results = documents
    .map((doc, index) => ({ index, relevance_score: overlap(query, doc) }))
    .sort((a, b) => b.relevance_score - a.relevance_score)
    .slice(0, typeof body.top_n === 'number' ? body.top_n : documents.length);
  json(res, { results });
  return true;
}
