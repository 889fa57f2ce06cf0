import { StorageSetupError } from '../../storage/storage-error.js';

/** Postgres SQLSTATEs raised by `CREATE EXTENSION vector` when it cannot be done. */
const NOT_INSTALLED = new Set(['0A000', '58P01']);
const NOT_PERMITTED = '42501';

function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Turns a failed knowledge migration into an error that says what to do. The usual cause is a server
 * without pgvector: the store cannot work without it, so the boot stops and names the fix.
 */
export function knowledgeSchemaError(label: string, err: unknown): Error {
  if (err instanceof StorageSetupError) return err;
  const message = (err as Error).message;
  const state = sqlState(err);
  const missing = state !== undefined && NOT_INSTALLED.has(state) && /vector/.test(message);
  if (missing || (/extension "vector"/.test(message) && /not available|control file/.test(message))) {
    return new StorageSetupError(
      `${label}: the knowledge store needs the pgvector extension, which this server does not have (${message}). ` +
        'Install pgvector on the database server (Debian/Ubuntu, as root: scripts/install-pgvector.sh, or the ' +
        'postgresql-<major>-pgvector package; elsewhere see https://github.com/pgvector/pgvector#installation), then start again',
      { cause: err },
    );
  }
  if (state === NOT_PERMITTED && /extension/.test(message)) {
    return new StorageSetupError(
      `${label}: this database user may not create the pgvector extension (${message}); ` +
        'have a superuser run `CREATE EXTENSION vector;` in this database once, then start again',
      { cause: err },
    );
  }
  return new StorageSetupError(`${label}: knowledge schema: ${message}`, { cause: err });
}
