import type { KnowledgeDocumentInput } from '../knowledge/index.js';

/** A document a source produced; the id is always set so the next run replaces it instead of adding a copy. */
export type SourceDocument = KnowledgeDocumentInput & { id: string };

/** What a source reports while it pulls, in the order it happens. */
export type PullItem =
  | { kind: 'document'; document: SourceDocument }
  /** Seen, but not changed since the cursor, so not even read. */
  | { kind: 'unchanged'; source: string }
  /** Seen, but not usable (empty, unsupported, unreadable). */
  | { kind: 'skipped'; source: string; reason: string }
  /** The source says this document no longer exists. */
  | { kind: 'deleted'; id: string };

/**
 * One connector's content. `pull` yields what changed since `cursor` (everything when null) and
 * returns the cursor the next run should resume from. Throwing fails the run; nothing after the
 * last yielded item is assumed to have been seen.
 */
export interface Source {
  pull(cursor: string | null): AsyncGenerator<PullItem, string | null, undefined>;
}

/** The connector's configuration is fine, but it can't run here (e.g. its token variable is unset): a 400, not a failed run. */
export class SourceSetupError extends Error {
  constructor(
    /** The config field at fault, e.g. `auth_ref`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SourceSetupError';
  }
}
