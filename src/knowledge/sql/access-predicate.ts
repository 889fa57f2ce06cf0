import type { SqlParam } from '../../storage/sql/sql-client.js';
import type { AccessContext } from '../types.js';

/**
 * The SQL form of `canRead` and `inDocumentSets` over the labels copied onto `knowledge_chunks`
 * (alias `c`), with its parameters. It goes into each retrieval arm's WHERE clause, so a chunk the
 * caller may not read is never ranked. `first` is the number of the first placeholder it may use.
 */
export function accessPredicate(access: AccessContext, documentSets: readonly string[] | undefined, first: number): { sql: string; params: SqlParam[] } {
  const [org, user, groups, sets] = [first, first + 1, first + 2, first + 3].map((n) => `$${n}`);
  // Grants need a verified identity: an anonymous caller's group claims count for nothing.
  const userId = access.userId === undefined || access.userId === '' ? null : access.userId;
  return {
    sql: `c.organization_id = ${org}
      AND (c.acl_open OR (${user}::text IS NOT NULL AND (
        c.acl_users @> ARRAY[${user}::text] OR c.acl_groups && ARRAY(SELECT jsonb_array_elements_text(${groups}::jsonb)))))
      AND (${sets}::jsonb IS NULL OR c.document_sets && ARRAY(SELECT jsonb_array_elements_text(${sets}::jsonb)))`,
    params: [access.organizationId, userId, JSON.stringify(access.groups), documentSets === undefined ? null : JSON.stringify(documentSets)],
  };
}
