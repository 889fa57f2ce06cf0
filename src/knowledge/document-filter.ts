import type { AccessContext, DocumentAcl } from './types.js';

/**
 * Which documents (by the store's ordinal) each principal and document set reaches, so a search can
 * work out everything its caller may see from the caller's few principals, instead of reading every
 * document's ACL: at 100k documents that read alone cost more than ranking. The rule is `canRead`'s
 * (and `inDocumentSets`'s); a test holds the two to the same answers.
 */
export class DocumentFilter {
  private readonly reach = new Map<string, Set<number>>();
  private readonly keysOf: Array<string[] | undefined> = [];
  /** 1 where the document has no ACL or a public one. */
  private readonly open: number[] = [];

  set(ordinal: number, acl: DocumentAcl | undefined, documentSets: readonly string[]): void {
    this.clear(ordinal);
    const keys = [
      ...(acl && !acl.public ? [...acl.users.map((u) => `user:${u}`), ...acl.groups.map((g) => `group:${g}`)] : []),
      ...documentSets.map((s) => `set:${s}`),
    ];
    for (const key of keys) {
      let ordinals = this.reach.get(key);
      if (!ordinals) {
        ordinals = new Set();
        this.reach.set(key, ordinals);
      }
      ordinals.add(ordinal);
    }
    this.keysOf[ordinal] = keys;
    this.open[ordinal] = !acl || acl.public ? 1 : 0;
  }

  clear(ordinal: number): void {
    for (const key of this.keysOf[ordinal] ?? []) {
      const ordinals = this.reach.get(key);
      ordinals?.delete(ordinal);
      if (ordinals?.size === 0) this.reach.delete(key);
    }
    this.keysOf[ordinal] = undefined;
    this.open[ordinal] = 0;
  }

  /** 1 at each ordinal below `size` that `access` may read and that lies in one of `documentSets` (if given). */
  admissible(access: AccessContext, documentSets: readonly string[] | undefined, size: number): Uint8Array {
    const allowed = new Uint8Array(size);
    for (let o = 0; o < size; o++) allowed[o] = this.open[o] ?? 0;
    // Grants need a verified identity: an anonymous caller's group claims count for nothing.
    if (access.userId !== undefined && access.userId !== '') {
      this.mark(allowed, `user:${access.userId}`);
      for (const group of access.groups) this.mark(allowed, `group:${group}`);
    }
    if (documentSets === undefined) return allowed;
    const inSets = new Uint8Array(size);
    for (const set of documentSets) this.mark(inSets, `set:${set}`);
    for (let o = 0; o < size; o++) allowed[o]! &= inSets[o]!;
    return allowed;
  }

  private mark(target: Uint8Array, key: string): void {
    for (const ordinal of this.reach.get(key) ?? []) if (ordinal < target.length) target[ordinal] = 1;
  }
}
