import type { SqlExecutor } from '../../storage/sql/sql-client.js';
import type { KnowledgeDocument } from '../types.js';
import type { DocumentChunk } from '../chunk-text.js';
import { terms } from '../text-analysis.js';
import type { UpsertPlan } from '../upsert-plan.js';
import { chunkLabels } from './document-rows.js';

/** Thrown inside the write transaction when a document changed after the upsert planned against it. */
export class StalePlanError extends Error {
  override readonly name = 'StalePlanError';
}

/** Chunks per INSERT: keeps one statement's parameter text to a few megabytes at 1024 dimensions. */
const CHUNKS_PER_INSERT = 200;

const DOCUMENT_VALUES = `($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $11, 1, $12)`;

function documentParams(d: KnowledgeDocument): Array<string | number | null> {
  return [
    d.organizationId,
    d.id,
    d.source,
    d.title ?? null,
    d.url ?? null,
    d.content,
    JSON.stringify(d.documentSets),
    d.acl ? JSON.stringify(d.acl) : null,
    JSON.stringify(d.metadata),
    d.contentHash,
    d.chunkCount,
    d.updatedAt,
  ];
}

const COLUMNS = `(organization_id, id, source, title, url, content, document_sets, acl, metadata, content_hash, chunk_count, revision, updated_at)`;

const UPDATE_FIELDS = `source = EXCLUDED.source, title = EXCLUDED.title, url = EXCLUDED.url, content = EXCLUDED.content,
  document_sets = EXCLUDED.document_sets, acl = EXCLUDED.acl, metadata = EXCLUDED.metadata, content_hash = EXCLUDED.content_hash,
  chunk_count = EXCLUDED.chunk_count, updated_at = EXCLUDED.updated_at, revision = knowledge_documents.revision + 1`;

/**
 * Locks the rows the plans were made against and checks that they are still what was read: the
 * same revision for each id that existed, still absent for each that did not. Sorted, so writers
 * with overlapping batches lock in the same order.
 */
export async function assertUnchangedSince(tx: SqlExecutor, organizationId: string, read: ReadonlyMap<string, number | undefined>): Promise<void> {
  const ids = [...read.keys()].sort();
  const rows = await tx.query<{ id: string; revision: string | number }>(
    `SELECT id, revision FROM knowledge_documents
     WHERE organization_id = $1 AND id IN (SELECT jsonb_array_elements_text($2::jsonb))
     ORDER BY id FOR UPDATE`,
    [organizationId, JSON.stringify(ids)],
  );
  const now = new Map(rows.map((r) => [r.id, Number(r.revision)]));
  for (const [id, revision] of read) {
    if (now.get(id) !== revision) throw new StalePlanError(`document ${id} changed while this upsert was planned`);
  }
}

/** Headings are stored as one text field, a heading per line. */
export const HEADING_SEPARATOR = '\n';

async function writeChunks(tx: SqlExecutor, document: KnowledgeDocument, chunks: readonly DocumentChunk[], vectors: ReadonlyMap<string, string | null>): Promise<void> {
  await tx.query('DELETE FROM knowledge_chunks WHERE organization_id = $1 AND document_id = $2', [document.organizationId, document.id]);
  const labels = chunkLabels(document);
  const title = document.title ?? '';
  const titleTerms = terms(title).length;
  for (let start = 0; start < chunks.length; start += CHUNKS_PER_INSERT) {
    const rows = chunks.slice(start, start + CHUNKS_PER_INSERT).map((chunk, i) => {
      const headings = chunk.headings.join(HEADING_SEPARATOR);
      return {
        ordinal: start + i,
        text: chunk.text,
        headings,
        heading_terms: terms(headings).length,
        body_terms: terms(chunk.text).length,
        embedding: vectors.get(chunk.text) ?? null,
      };
    });
    await tx.query(
      `INSERT INTO knowledge_chunks (organization_id, document_id, ordinal, text, embedding, acl_open, acl_users, acl_groups, document_sets,
         title, headings, title_terms, heading_terms, body_terms)
       SELECT $1, $2, c.ordinal, c.text, c.embedding::vector, $3,
         ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), ARRAY(SELECT jsonb_array_elements_text($5::jsonb)),
         ARRAY(SELECT jsonb_array_elements_text($6::jsonb)), $8, c.headings, $9, c.heading_terms, c.body_terms
       FROM jsonb_to_recordset($7::jsonb) AS c(ordinal integer, text text, headings text, heading_terms integer, body_terms integer, embedding text)`,
      [document.organizationId, document.id, labels.open, labels.users, labels.groups, labels.sets, JSON.stringify(rows), title, titleTerms],
    );
  }
}

/**
 * Applies one plan inside the caller's transaction. `vectors` maps each chunk text to its pgvector
 * text (null: no embedding). A plan that creates a document fails with `StalePlanError` if another
 * writer created it first, rather than silently overwriting it.
 */
export async function writePlan(tx: SqlExecutor, plan: UpsertPlan, vectors: ReadonlyMap<string, string | null>): Promise<void> {
  const document = plan.document;
  if (plan.kind === 'unchanged') return;
  if (plan.kind === 'reindex' && plan.created) {
    const inserted = await tx.query(`INSERT INTO knowledge_documents ${COLUMNS} VALUES ${DOCUMENT_VALUES} ON CONFLICT DO NOTHING RETURNING id`, documentParams(document));
    if (inserted.length === 0) throw new StalePlanError(`document ${document.id} was created by another writer`);
  } else {
    await tx.query(
      `INSERT INTO knowledge_documents ${COLUMNS} VALUES ${DOCUMENT_VALUES}
       ON CONFLICT (organization_id, id) DO UPDATE SET ${UPDATE_FIELDS}`,
      documentParams(document),
    );
  }
  if (plan.kind === 'reindex') {
    await writeChunks(tx, document, plan.chunks, vectors);
    return;
  }
  // Same text: the chunks and vectors stay, only their copies of the labels (access, title) change.
  const labels = chunkLabels(document);
  await tx.query(
    `UPDATE knowledge_chunks SET acl_open = $3, acl_users = ARRAY(SELECT jsonb_array_elements_text($4::jsonb)),
       acl_groups = ARRAY(SELECT jsonb_array_elements_text($5::jsonb)), document_sets = ARRAY(SELECT jsonb_array_elements_text($6::jsonb)),
       title = $7, title_terms = $8
     WHERE organization_id = $1 AND document_id = $2`,
    [document.organizationId, document.id, labels.open, labels.users, labels.groups, labels.sets, document.title ?? '', terms(document.title ?? '').length],
  );
}
