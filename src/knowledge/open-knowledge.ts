import { SqlStorage } from '../storage/sql/sql-storage.js';
import { StorageSetupError } from '../storage/storage-error.js';
import type { Storage } from '../storage/storage.js';
import { EmbedderMismatchError, type Embedder } from './embedder.js';
import type { Knowledge } from './knowledge.js';
import { MemoryKnowledge, type RetrievalOptions } from './memory-knowledge.js';
import type { Reranker } from './reranker.js';

export interface KnowledgeForStorageOptions {
  embedder: Embedder;
  reranker?: Reranker;
  onRerankError?: (error: unknown) => void;
  now?: () => Date;
  retrieval?: RetrievalOptions;
  /** `apply` creates or migrates the knowledge schema; `verify` (auto-migration off) only checks it. */
  schema: 'apply' | 'verify';
}

/** What to do about an embedder mismatch, per backend, appended to the store's own message. */
function mismatchAdvice(err: EmbedderMismatchError, where: string, reindex: string): StorageSetupError {
  return new StorageSetupError(
    `${where}: ${err.message}. To switch back, configure the embedder the store was built with ` +
      `(SMOOTH_AGENT_EMBEDDINGS, SMOOTH_AGENT_EMBEDDING_MODEL, SMOOTH_AGENT_EMBEDDING_DIMENSIONS). To re-index with the new one, ${reindex}`,
    { cause: err },
  );
}

/**
 * The knowledge store that lives where the storage does: SQL tables on the storage's own database
 * handle (Postgres pool or PGlite instance), the storage's DynamoDB table, or process memory when the
 * storage is memory. An embedder mismatch stops the boot with what to do.
 */
export async function knowledgeForStorage(storage: Storage, options: KnowledgeForStorageOptions): Promise<Knowledge> {
  const common = {
    embedder: options.embedder,
    ...(options.reranker ? { reranker: options.reranker } : {}),
    ...(options.onRerankError ? { onRerankError: options.onRerankError } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.retrieval ? { retrieval: options.retrieval } : {}),
  };
  if (storage instanceof SqlStorage) {
    const { SqlKnowledge } = await import('./sql/sql-knowledge.js');
    try {
      return await SqlKnowledge.open(storage.database, { ...common, schema: options.schema });
    } catch (err) {
      if (!(err instanceof EmbedderMismatchError)) throw err;
      throw mismatchAdvice(
        err,
        storage.database.label,
        'empty the knowledge tables (`TRUNCATE knowledge_chunks, knowledge_documents;`), start the server (an empty store adopts ' +
          'the configured embedder) and ingest the documents again',
      );
    }
  }
  // Checked by shape first, so a server on SQL or memory never loads the AWS SDK.
  if ('tableAccess' in storage) {
    const { DynamoStorage } = await import('../storage/dynamodb/dynamo-storage.js');
    if (storage instanceof DynamoStorage) {
      const { DynamoKnowledge } = await import('./dynamodb/dynamo-knowledge.js');
      try {
        return await DynamoKnowledge.open(storage.tableAccess, common);
      } catch (err) {
        if (!(err instanceof EmbedderMismatchError)) throw err;
        throw mismatchAdvice(
          err,
          `dynamodb table ${storage.tableAccess.table}`,
          'delete the items whose pk starts with KNOW# and the item pk=KNOWLEDGE sk=EMBEDDING_SPACE, start the server and ingest again',
        );
      }
    }
  }
  return new MemoryKnowledge(common);
}
