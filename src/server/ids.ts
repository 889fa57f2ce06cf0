import { randomUUID } from 'node:crypto';

/**
 * A random UUID as a flat string. Node assembles `randomUUID()` from hex pieces, which V8 keeps as a
 * tree of ~16 cons-string nodes (~490 bytes of heap) until something flattens it; reading one
 * character flattens it in place (~70 bytes). Ids that live as long as a socket or a session — a
 * connection's, a session's and its conversation's — are held by several maps each.
 */
export function newId(): string {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}
