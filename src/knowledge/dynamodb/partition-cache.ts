import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoTableAccess } from '../../storage/dynamodb/dynamo-storage.js';
import type { EmbeddingSpace } from '../embedder.js';
import { MemoryKnowledge, type LoadedDocument, type MemoryKnowledgeOptions } from '../memory-knowledge.js';
import { documentLabels } from './document-items.js';
import { knowledgeKeys } from './knowledge-keys.js';
import { queryPrefix } from './table-ops.js';
import { decodeVector } from './vector-codec.js';

interface Entry {
  version: number;
  /** Undefined when the partition holds no documents: a search has nothing to rank. */
  knowledge: MemoryKnowledge | undefined;
}

/** Organizations whose indexes stay loaded; the least recently searched goes first. */
const MAX_ORGANIZATIONS = 64;

/**
 * In-process indexes of organizations' partitions. A search reads the partition's change counter
 * (one consistent read) and reuses the loaded index while it is unchanged; any write, from any
 * replica, bumps the counter, and the next search loads the partition again. Ranking — BM25 and
 * cosine with ACL and document-set filtering before scoring — is the in-memory store's.
 */
export class PartitionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();

  constructor(
    private readonly access: DynamoTableAccess,
    private readonly space: EmbeddingSpace,
    private readonly options: MemoryKnowledgeOptions,
  ) {}

  /** The organization's index as of its current change counter; undefined when it has no documents. */
  async knowledgeOf(organizationId: string): Promise<MemoryKnowledge | undefined> {
    const version = await this.version(organizationId);
    const cached = this.entries.get(organizationId);
    if (cached && cached.version === version) {
      this.entries.delete(organizationId);
      this.entries.set(organizationId, cached);
      return cached.knowledge;
    }
    // Concurrent searches of one organization share one load.
    let pending = this.loading.get(organizationId);
    if (!pending) {
      pending = this.load(organizationId, version).finally(() => this.loading.delete(organizationId));
      this.loading.set(organizationId, pending);
    }
    const entry = await pending;
    this.entries.delete(organizationId);
    this.entries.set(organizationId, entry);
    while (this.entries.size > MAX_ORGANIZATIONS) this.entries.delete(this.entries.keys().next().value!);
    return entry.knowledge;
  }

  private async version(organizationId: string): Promise<number> {
    const { Item } = await this.access.doc.send(
      new GetCommand({ TableName: this.access.table, Key: knowledgeKeys.version(organizationId), ConsistentRead: true }),
    );
    return Number(Item?.version ?? 0);
  }

  /**
   * Reads the partition at (or after) `version`: a write landing during the read bumps the counter
   * past it, so the next search loads again rather than trusting a half-seen write.
   */
  private async load(organizationId: string, version: number): Promise<Entry> {
    const { doc, table } = this.access;
    const partition = knowledgeKeys.partition(organizationId);
    const documents = new Map<string, LoadedDocument & { generation: string }>();
    for await (const item of queryPrefix(doc, table, partition, knowledgeKeys.documentPrefix, ['body', 'gen', 'rev'])) {
      const { document, generation } = documentLabels(item);
      documents.set(document.id, { document: { ...document, content: '' }, chunks: [], generation });
    }
    for await (const item of queryPrefix(doc, table, partition, knowledgeKeys.chunkPrefix)) {
      const owner = documents.get(String(item.docId));
      // A chunk of another generation belongs to a write that was superseded or never completed.
      if (!owner || owner.generation !== item.gen) continue;
      const bytes = item.vector instanceof Uint8Array ? item.vector : undefined;
      const headings = Array.isArray(item.headings) ? item.headings.map(String) : [];
      owner.chunks.push({ text: String(item.text), headings, ...(bytes ? { vector: decodeVector(bytes, this.space.dimensions) } : {}) });
    }
    return { version, knowledge: documents.size === 0 ? undefined : MemoryKnowledge.load(this.space, documents.values(), this.options) };
  }
}
