import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../../storage/dynamodb/dynamo-storage.js';
import { assertSameEmbeddingSpace, checkEmbeddings, embeddingSpaceOf, type Embedder } from '../embedder.js';
import type { Knowledge } from '../knowledge.js';
import type { DocumentChunk } from '../chunk-text.js';
import type { MemoryKnowledgeOptions, RetrievalOptions } from '../memory-knowledge.js';
import type { Reranker } from '../reranker.js';
import type { KnowledgeDocument, KnowledgeDocumentInput, KnowledgeHit, SearchOptions, UpsertedDocument } from '../types.js';
import { planUpsert, upsertedDocument, type UpsertPlan } from '../upsert-plan.js';
import { documentItems, hasParts, storedDocument, type StoredDocument } from './document-items.js';
import { readEmbeddingSpace, recordEmbeddingSpace } from './embedding-space.js';
import { knowledgeKeys } from './knowledge-keys.js';
import { PartitionCache } from './partition-cache.js';
import { batchWrite, queryPrefix, type Item } from './table-ops.js';
import { encodeVector } from './vector-codec.js';

export interface DynamoKnowledgeOptions {
  embedder: Embedder;
  reranker?: 'off' | 'lexical' | Reranker;
  onRerankError?: (error: unknown) => void;
  now?: () => Date;
  /** How queries are analysed and ranked; the same options, and defaults, as the memory store's. */
  retrieval?: RetrievalOptions;
}

/** BatchGetItem's limit. */
const GET_BATCH = 100;
const MAX_ATTEMPTS = 5;

/** A document another writer changed after this upsert read it. */
class StaleRead extends Error {}

/**
 * Knowledge on DynamoDB, in the storage's table: one partition per organization (`KNOW#<org>`) holding
 * documents and chunk items with their embeddings. Search ranks in process over that partition (see
 * `PartitionCache`). A document is replaced by writing its new chunks under a fresh generation, then
 * swapping the document item with a condition on the revision it was planned against, then deleting
 * the old generation: readers never see old and new chunks mixed, and racing writers re-plan.
 */
export class DynamoKnowledge implements Knowledge {
  private readonly cache: PartitionCache;
  private readonly now: () => Date;
  private spaceRecorded: boolean;
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly access: DynamoTableAccess,
    private readonly embedder: Embedder,
    options: DynamoKnowledgeOptions,
    spaceRecorded: boolean,
  ) {
    const memory: MemoryKnowledgeOptions = {
      embedder,
      ...(options.reranker ? { reranker: options.reranker } : {}),
      ...(options.onRerankError ? { onRerankError: options.onRerankError } : {}),
      ...(options.retrieval ? { retrieval: options.retrieval } : {}),
    };
    this.cache = new PartitionCache(access, embeddingSpaceOf(embedder), memory);
    this.now = options.now ?? (() => new Date());
    this.spaceRecorded = spaceRecorded;
  }

  /** Throws `EmbedderMismatchError` when the table's vectors come from another embedder. */
  static async open(access: DynamoTableAccess, options: DynamoKnowledgeOptions): Promise<DynamoKnowledge> {
    const stored = await readEmbeddingSpace(access);
    assertSameEmbeddingSpace(stored, options.embedder);
    return new DynamoKnowledge(access, options.embedder, options, stored !== undefined);
  }

  upsert(organizationId: string, inputs: KnowledgeDocumentInput[]): Promise<UpsertedDocument[]> {
    return this.exclusive(() => this.upsertNow(organizationId, inputs));
  }

  private exclusive<R>(write: () => Promise<R>): Promise<R> {
    const result = this.writes.then(write);
    this.writes = result.catch(() => undefined);
    return result;
  }

  private async upsertNow(organizationId: string, inputs: KnowledgeDocumentInput[]): Promise<UpsertedDocument[]> {
    const updatedAt = this.now().toISOString();
    const known = await this.readDocuments(organizationId, inputs.flatMap((i) => (i.id === undefined ? [] : [i.id])));
    const vectors = new Map<string, Float32Array>();
    // One embed call for everything the batch re-chunks, as planned against what was just read.
    await this.embedMissing(inputs.map((input) => planUpsert(organizationId, input, input.id === undefined ? undefined : known.get(input.id)?.document, updatedAt)), vectors);
    const results: UpsertedDocument[] = [];
    let changed = false;
    try {
      for (const input of inputs) {
        for (let attempt = 1; ; attempt++) {
          const previous = input.id === undefined ? undefined : known.get(input.id);
          const plan = planUpsert(organizationId, input, previous?.document, updatedAt);
          await this.embedMissing([plan], vectors);
          try {
            known.set(plan.document.id, await this.commit(plan, previous, vectors));
            results.push(upsertedDocument(plan));
            changed ||= plan.kind !== 'unchanged';
            break;
          } catch (err) {
            if (!(err instanceof StaleRead) || attempt >= MAX_ATTEMPTS) throw err;
            const fresh = (await this.readDocuments(organizationId, [plan.document.id])).get(plan.document.id);
            if (fresh) known.set(plan.document.id, fresh);
            else known.delete(plan.document.id);
          }
        }
      }
    } finally {
      // Tells every replica's search cache that this partition changed (even if a later input failed).
      if (changed) await this.bumpVersion(organizationId);
    }
    return results;
  }

  private async embedMissing(plans: UpsertPlan[], vectors: Map<string, Float32Array>): Promise<void> {
    const texts = [...new Set(plans.flatMap((p) => (p.kind === 'reindex' ? p.texts : [])))].filter((t) => !vectors.has(t));
    if (texts.length === 0) return;
    const embedded = checkEmbeddings(this.embedder, texts.length, await this.embedder.embed(texts));
    if (!this.spaceRecorded) {
      await recordEmbeddingSpace(this.access, this.embedder);
      this.spaceRecorded = true;
    }
    texts.forEach((text, i) => vectors.set(text, embedded[i]!));
  }

  /** Writes one plan; throws `StaleRead` (after removing what it wrote) if the document moved on. */
  private async commit(plan: UpsertPlan, previous: StoredDocument | undefined, vectors: Map<string, Float32Array>): Promise<StoredDocument> {
    if (plan.kind === 'unchanged') return previous!;
    const { doc, table } = this.access;
    const document = plan.document;
    const generation = plan.kind === 'reindex' ? randomUUID() : previous!.generation;
    const stored: StoredDocument = { document, generation, revision: (previous?.revision ?? 0) + 1 };
    const { item, parts } = documentItems(stored);
    // A relabel keeps the generation: same text, so its chunks and content parts stay valid as they are.
    const written: Item[] = plan.kind === 'reindex' ? [...parts, ...this.chunkItems(document, generation, plan.chunks, vectors)] : [];
    await batchWrite(doc, table, written.map((put) => ({ put })));
    try {
      await doc.send(
        new PutCommand({
          TableName: table,
          Item: item,
          ...(previous
            ? { ConditionExpression: 'rev = :rev', ExpressionAttributeValues: { ':rev': previous.revision } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      await this.deleteGeneration(document, generation, written);
      throw new StaleRead(`document ${document.id} changed while it was being written`);
    }
    if (previous && previous.generation !== generation) await this.deleteGeneration(previous.document, previous.generation);
    return stored;
  }

  private chunkItems(document: KnowledgeDocument, generation: string, chunks: readonly DocumentChunk[], vectors: Map<string, Float32Array>): Item[] {
    return chunks.map(({ text, headings }, ordinal) => {
      const vector = vectors.get(text);
      const bytes = vector && encodeVector(vector);
      return {
        ...knowledgeKeys.chunk(document.organizationId, document.id, generation, ordinal),
        entity: 'knowledge-chunk',
        docId: document.id,
        gen: generation,
        ordinal,
        text,
        ...(headings.length > 0 ? { headings } : {}),
        ...(bytes ? { vector: bytes } : {}),
      };
    });
  }

  /** Removes a generation's chunk and part items (`known`: the ones just written, saving the lookup). */
  private async deleteGeneration(document: KnowledgeDocument, generation: string, known?: Item[]): Promise<void> {
    const { doc, table } = this.access;
    let keys: Array<{ pk: string; sk: string }>;
    if (known) {
      keys = known.map((i) => ({ pk: String(i.pk), sk: String(i.sk) }));
    } else {
      keys = [];
      const partition = knowledgeKeys.partition(document.organizationId);
      for (const prefix of [knowledgeKeys.chunksOf(document.id), knowledgeKeys.partsOf(document.id)]) {
        for await (const item of queryPrefix(doc, table, partition, `${prefix}${generation}#`, ['pk', 'sk'])) {
          keys.push({ pk: String(item.pk), sk: String(item.sk) });
        }
      }
    }
    await batchWrite(doc, table, keys.map((key) => ({ delete: key })));
  }

  private async bumpVersion(organizationId: string): Promise<void> {
    await this.access.doc.send(
      new UpdateCommand({
        TableName: this.access.table,
        Key: knowledgeKeys.version(organizationId),
        UpdateExpression: 'ADD #v :one',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
  }

  /** The stored documents with these ids (content included), read consistently. */
  private async readDocuments(organizationId: string, ids: string[]): Promise<Map<string, StoredDocument>> {
    const { doc, table } = this.access;
    const unique = [...new Set(ids)];
    const items: Item[] = [];
    for (let start = 0; start < unique.length; start += GET_BATCH) {
      let keys: Array<Record<string, unknown>> = unique.slice(start, start + GET_BATCH).map((id) => knowledgeKeys.document(organizationId, id));
      for (let attempt = 0; keys.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
        const page = await doc.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: keys, ConsistentRead: true } } }));
        items.push(...(page.Responses?.[table] ?? []));
        keys = page.UnprocessedKeys?.[table]?.Keys ?? [];
      }
    }
    const found = new Map<string, StoredDocument>();
    for (const item of items) {
      const stored = storedDocument(item, hasParts(item) ? await this.parts(item) : []);
      found.set(stored.document.id, stored);
    }
    return found;
  }

  private async parts(item: Item): Promise<Item[]> {
    const { document, generation } = storedDocument(item);
    const parts: Item[] = [];
    const prefix = `${knowledgeKeys.partsOf(document.id)}${generation}#`;
    for await (const part of queryPrefix(this.access.doc, this.access.table, knowledgeKeys.partition(document.organizationId), prefix)) parts.push(part);
    return parts;
  }

  async search(query: string, options: SearchOptions): Promise<KnowledgeHit[]> {
    // The change counter is read on every search (another replica may have written); an organization
    // without documents stops there, before its query is analysed or embedded.
    const knowledge = await this.cache.knowledgeOf(options.access.organizationId);
    return knowledge ? knowledge.search(query, options) : [];
  }

  async get(organizationId: string, id: string): Promise<KnowledgeDocument | undefined> {
    return (await this.readDocuments(organizationId, [id])).get(id)?.document;
  }

  async list(organizationId: string): Promise<KnowledgeDocument[]> {
    const documents: KnowledgeDocument[] = [];
    const partition = knowledgeKeys.partition(organizationId);
    for await (const item of queryPrefix(this.access.doc, this.access.table, partition, knowledgeKeys.documentPrefix)) {
      documents.push(storedDocument(item, hasParts(item) ? await this.parts(item) : []).document);
    }
    return documents;
  }

  delete(organizationId: string, id: string): Promise<boolean> {
    return this.exclusive(async () => {
      const { doc, table } = this.access;
      const { Attributes } = await doc.send(new DeleteCommand({ TableName: table, Key: knowledgeKeys.document(organizationId, id), ReturnValues: 'ALL_OLD' }));
      if (!Attributes) return false;
      await this.bumpVersion(organizationId);
      const { document, generation } = storedDocument(Attributes);
      await this.deleteGeneration(document, generation);
      return true;
    });
  }
}
