import { z } from 'zod';
import { CONNECTOR_KINDS, type ConnectorDefinition, type ConnectorKind } from './types.js';

/**
 * The body of `POST` / `PUT /admin/connectors[/:id]`, validated per kind. Messages follow the
 * reference ("unknown connector kind 'x'", "<kind> connector config requires a '<field>' field") and
 * the router prefixes the field path, so every 400 names what to fix.
 */

function requiredText(kind: ConnectorKind, field: string, max: number) {
  const missing = `${kind} connector config requires a '${field}' field`;
  return z
    .string({ error: (issue) => (issue.input === undefined ? missing : 'expected a string') })
    .trim()
    .min(1, { error: missing })
    .max(max);
}

const name = z.string().trim().min(1).max(128);
const principalName = z.string().trim().min(1).max(256);

const documentSets = z.array(name).max(100).optional();

const acl = z.object({
  public: z.boolean(),
  users: z.array(principalName).max(1000).default([]),
  groups: z.array(principalName).max(1000).default([]),
});

const globs = z.array(z.string().trim().min(1).max(512)).max(100).optional();

const httpUrl = (kind: ConnectorKind, field: string) =>
  requiredText(kind, field, 2048).refine(
    (value) => URL.canParse(value) && ['http:', 'https:'].includes(new URL(value).protocol),
    { error: 'expected an http(s) URL' },
  );

// Environment variables the server itself reads. An admin could otherwise point auth_ref at the
// gateway key or the JWT secret and have the server present it to the GitHub API.
const SERVER_OWN_VARIABLES = /^(?:SMOOAI_|SMOOTH_AGENT_|AUTH_|WIDGET_AUTH_|AWS_|DATABASE_URL$)/;

const authRef = z
  .string()
  .trim()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { error: 'expected the name of an environment variable (letters, digits, _)' })
  .refine((value) => !SERVER_OWN_VARIABLES.test(value), { error: "names one of the server's own variables; use a dedicated one such as GITHUB_TOKEN" });

const fileConfig = z.strictObject({
  path: requiredText('file', 'path', 4096),
  include: globs,
  exclude: globs,
  acl: acl.optional(),
  documentSets,
});

const webConfig = z.strictObject({
  url: httpUrl('web', 'url'),
  depth: z.number().int().min(0).max(10).optional(),
  maxPages: z.number().int().min(1).max(100_000).optional(),
  acl: acl.optional(),
  documentSets,
});

const githubConfig = z
  .strictObject({
    owner: requiredText('github', 'owner', 100).regex(/^[A-Za-z0-9][A-Za-z0-9-]*$/, { error: 'expected a GitHub user or organization name' }),
    repo: requiredText('github', 'repo', 100).regex(/^[A-Za-z0-9._-]+$/, { error: 'expected a GitHub repository name' }),
    ref: z.string().trim().min(1).max(256).optional(),
    visibility: z.enum(['public', 'private'], { error: "expected 'public' or 'private'" }).default('public'),
    auth_ref: authRef.optional(),
    issues: z.boolean().optional(),
    documentSets,
  })
  .superRefine((config, ctx) => {
    if (config.visibility === 'private' && config.auth_ref === undefined) {
      ctx.addIssue({ code: 'custom', path: ['auth_ref'], message: "github connector config requires a 'auth_ref' field for a private repository" });
    }
  });

const CONFIG_SCHEMAS = { file: fileConfig, web: webConfig, github: githubConfig } satisfies Record<ConnectorKind, z.ZodType>;

function isKind(value: string): value is ConnectorKind {
  return (CONNECTOR_KINDS as readonly string[]).includes(value);
}

export type ConnectorInput = ConnectorDefinition & { name: string; enabled: boolean };

export const connectorInput: z.ZodType<ConnectorInput, unknown> = z
  .object({
    name,
    kind: z
      .string()
      .trim()
      .refine((kind) => isKind(kind.toLowerCase()), { error: (issue) => `unknown connector kind '${String(issue.input)}'` })
      .describe('file, web or github (case-insensitive)'),
    config: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        'file: {path, include?, exclude?, acl?, documentSets?}; web: {url, depth? (default 2), maxPages? (default 200), acl?, documentSets?}; ' +
          "github: {owner, repo, ref?, visibility: public|private (default public), auth_ref? (env var name; required when private), issues? (default true), documentSets?}",
      ),
    enabled: z.boolean().default(true),
  })
  .transform((input, ctx): ConnectorInput => {
    const kind = input.kind.toLowerCase() as ConnectorKind;
    const parsed = CONFIG_SCHEMAS[kind].safeParse(input.config);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ['config', ...issue.path] } as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }
    // The schema table is keyed by kind, so the parsed config belongs to `kind`; TypeScript can't follow the lookup.
    return { name: input.name, enabled: input.enabled, kind, config: parsed.data } as ConnectorInput;
  });
