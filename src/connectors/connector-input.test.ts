import { describe, expect, it } from 'vitest';
import { connectorInput } from './connector-input.js';

function firstIssue(body: unknown): string {
  const parsed = connectorInput.safeParse(body);
  if (parsed.success) return 'ok';
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.')}: ${issue.message}`;
}

describe('connector input', () => {
  it('accepts each kind case-insensitively, with defaults', () => {
    expect(connectorInput.parse({ name: ' docs ', kind: 'FILE', config: { path: './docs' } })).toEqual({
      name: 'docs',
      kind: 'file',
      enabled: true,
      config: { path: './docs' },
    });
    expect(connectorInput.parse({ name: 'gh', kind: 'GitHub', config: { owner: 'acme', repo: 'docs' }, enabled: false })).toMatchObject({
      kind: 'github',
      enabled: false,
      config: { owner: 'acme', repo: 'docs', visibility: 'public' },
    });
    expect(connectorInput.parse({ name: 'site', kind: 'web', config: { url: 'https://help.example.com', depth: 1, maxPages: 10 } })).toMatchObject({
      kind: 'web',
      config: { url: 'https://help.example.com', depth: 1, maxPages: 10 },
    });
  });

  it("uses the reference's messages for unknown kinds and missing fields", () => {
    expect(firstIssue({ name: 'x', kind: 'Dropbox', config: {} })).toBe("kind: unknown connector kind 'Dropbox'");
    expect(firstIssue({ name: 'x', kind: 'web', config: {} })).toBe("config.url: web connector config requires a 'url' field");
    expect(firstIssue({ name: 'x', kind: 'file' })).toBe("config.path: file connector config requires a 'path' field");
    expect(firstIssue({ name: 'x', kind: 'github', config: { repo: 'r' } })).toBe("config.owner: github connector config requires a 'owner' field");
    expect(firstIssue({ name: 'x', kind: 'github', config: { owner: 'o' } })).toBe("config.repo: github connector config requires a 'repo' field");
  });

  it('names the field for other mistakes', () => {
    expect(firstIssue({ kind: 'web', config: { url: 'https://a.example' } })).toMatch(/^name: /);
    expect(firstIssue({ name: 'x', kind: 'web', config: { url: 'ftp://a.example' } })).toBe('config.url: expected an http(s) URL');
    expect(firstIssue({ name: 'x', kind: 'web', config: { url: 'https://a.example', depht: 2 } })).toMatch(/^config: .*depht/);
    expect(firstIssue({ name: 'x', kind: 'github', config: { owner: 'o', repo: 'r', visibility: 'secret' } })).toBe(
      "config.visibility: expected 'public' or 'private'",
    );
    expect(firstIssue({ name: 'x', kind: 'github', config: { owner: 'o', repo: 'r', visibility: 'private' } })).toBe(
      "config.auth_ref: github connector config requires a 'auth_ref' field for a private repository",
    );
  });

  it("refuses an auth_ref naming the server's own secrets", () => {
    expect(firstIssue({ name: 'x', kind: 'github', config: { owner: 'o', repo: 'r', auth_ref: 'SMOOAI_GATEWAY_KEY' } })).toMatch(/^config\.auth_ref: names one of the server's own/);
    expect(firstIssue({ name: 'x', kind: 'github', config: { owner: 'o', repo: 'r', auth_ref: 'AUTH_JWT_HS256_SECRET' } })).toMatch(/^config\.auth_ref/);
    expect(firstIssue({ name: 'x', kind: 'github', config: { owner: 'o', repo: 'r', auth_ref: 'not a name' } })).toMatch(/^config\.auth_ref/);
    expect(firstIssue({ name: 'x', kind: 'github', config: { owner: 'o', repo: 'r', auth_ref: 'GITHUB_TOKEN' } })).toBe('ok');
  });
});
