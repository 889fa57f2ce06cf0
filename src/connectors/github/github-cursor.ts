/** Where a GitHub connector resumes: the commit last indexed, the newest issue update seen, and the repository's privacy then. */
export interface GithubCursor {
  commit?: string;
  issuesSince?: string;
  private?: boolean;
}

/** The run record keeps one string; an unreadable one means "start over", which is always safe. */
export function parseGithubCursor(cursor: string | null): GithubCursor {
  if (cursor === null) return {};
  try {
    const value: unknown = JSON.parse(cursor);
    if (typeof value !== 'object' || value === null) return {};
    const fields = value as Record<string, unknown>;
    return {
      ...(typeof fields.commit === 'string' && /^[0-9a-f]{7,64}$/i.test(fields.commit) ? { commit: fields.commit } : {}),
      ...(typeof fields.issuesSince === 'string' && Number.isFinite(Date.parse(fields.issuesSince)) ? { issuesSince: fields.issuesSince } : {}),
      ...(typeof fields.private === 'boolean' ? { private: fields.private } : {}),
    };
  } catch {
    return {};
  }
}

export function formatGithubCursor(cursor: GithubCursor): string {
  return JSON.stringify(cursor);
}
