import type { SqlDatabase } from '../../storage/sql/sql-client.js';
import { prepareConnectorSchema } from './connector-schema.js';
import { SqlConnectorStore } from './sql-connector-store.js';
import { SqlIndexingRunStore } from './sql-indexing-run-store.js';

/**
 * Both connector stores on one SQL database (the storage's own handle: a PGlite directory admits one
 * instance, and a replica should hold one pool), after bringing the `connectors` track up to date.
 */
export async function openSqlConnectorStores(db: SqlDatabase, schema: 'apply' | 'verify' = 'apply'): Promise<{ connectors: SqlConnectorStore; runs: SqlIndexingRunStore }> {
  await prepareConnectorSchema(db, schema);
  return { connectors: new SqlConnectorStore(db), runs: new SqlIndexingRunStore(db) };
}
