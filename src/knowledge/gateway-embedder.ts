import { createRequire } from 'node:module';
import type OpenAI from 'openai';
import { checkEmbeddings, type Embedder } from './embedder.js';

/** OpenAI-compatible gateways commonly cap a single embeddings request; 64 stays under all we know of. */
const MAX_BATCH = 64;

export interface GatewayEmbedderOptions {
  /** The gateway's API root, e.g. `https://gateway.example.com/v1`; requests go to `{baseUrl}/embeddings`. */
  baseUrl: string;
  apiKey: string;
  /** e.g. `text-embedding-3-small`. */
  model: string;
  /** Vector width; it is recorded with the index, so changing it later means re-indexing. */
  dimensions: number;
  /**
   * Whether to send `dimensions` in the request (default true). Turn off for fixed-width models that
   * reject the parameter, such as `text-embedding-ada-002`.
   */
  sendDimensions?: boolean;
  /** Inputs per request, at most 64 (default 64). */
  batchSize?: number;
  /** Retries of 408/409/429/5xx and connection errors, honouring `retry-after(-ms)` (default 3). */
  maxRetries?: number;
  timeoutMs?: number;
}

/** Embeds through an OpenAI-compatible `POST /embeddings`, e.g. the SmooAI gateway or LiteLLM. */
export class GatewayEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly sendDimensions: boolean;
  private readonly batchSize: number;

  constructor(options: GatewayEmbedderOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) {
      throw new RangeError(`embedding dimensions must be a positive integer, got ${options.dimensions}`);
    }
    this.id = `gateway:${options.model}`;
    this.model = options.model;
    this.dimensions = options.dimensions;
    this.sendDimensions = options.sendDimensions ?? true;
    this.batchSize = Math.min(Math.max(Math.trunc(options.batchSize ?? MAX_BATCH), 1), MAX_BATCH);
    // Required here, not imported at the top: a server on the offline embedder never loads the SDK (~2 MB of heap).
    const { OpenAI: Client } = createRequire(import.meta.url)('openai') as typeof import('openai');
    this.client = new Client({
      baseURL: options.baseUrl.replace(/\/+$/, ''),
      apiKey: options.apiKey,
      maxRetries: options.maxRetries ?? 3,
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize);
      out.push(...(await this.embedBatch(batch, signal)));
    }
    return checkEmbeddings(this, texts.length, out);
  }

  private async embedBatch(input: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const response = await this.client.embeddings.create(
      {
        model: this.model,
        input,
        ...(this.sendDimensions ? { dimensions: this.dimensions } : {}),
        // Explicit floats: the SDK would otherwise ask for base64, which not every compatible gateway implements.
        encoding_format: 'float',
      },
      signal ? { signal } : undefined,
    );
    const rows = [...response.data].sort((a, b) => a.index - b.index);
    if (rows.length !== input.length || rows.some((row, i) => row.index !== i)) {
      throw new Error(`embeddings gateway answered indexes [${rows.map((r) => r.index).join(',')}] for ${input.length} inputs`);
    }
    return rows.map((row) => Float32Array.from(row.embedding));
  }
}
