import type { AccessContext, DocumentAcl } from './types.js';

/**
 * Readable iff the document has no ACL (organization-public), is public, names the user, or shares a
 * group with them. Without a user id the caller is anonymous, and group claims alone do not count:
 * they could not have come from a verified identity.
 */
export function canRead(acl: DocumentAcl | undefined, access: AccessContext): boolean {
  if (!acl || acl.public) return true;
  if (access.userId === undefined || access.userId === '') return false;
  if (acl.users.includes(access.userId)) return true;
  return access.groups.some((g) => acl.groups.includes(g));
}

/** With no filter every document matches; an explicit empty filter matches nothing (fail closed). */
export function inDocumentSets(documentSets: readonly string[], filter: readonly string[] | undefined): boolean {
  if (filter === undefined) return true;
  return documentSets.some((s) => filter.includes(s));
}
