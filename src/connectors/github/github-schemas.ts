import { z } from 'zod';

/** Only the fields the connector reads; GitHub sends many more, which are ignored. */

export const repository = z.object({
  html_url: z.string(),
  default_branch: z.string(),
  private: z.boolean(),
});

export const commit = z.object({ sha: z.string() });

export const tree = z.object({
  truncated: z.boolean().optional(),
  tree: z.array(z.object({ path: z.string(), type: z.string(), sha: z.string(), size: z.number().optional() })),
});

export const comparison = z.object({
  status: z.string(),
  files: z
    .array(z.object({ filename: z.string(), status: z.string(), sha: z.string().nullable().optional(), previous_filename: z.string().optional() }))
    .optional(),
});

export type ChangedFile = NonNullable<z.infer<typeof comparison>['files']>[number];

export const blob = z.object({ content: z.string(), encoding: z.string(), size: z.number().optional() });

export const issue = z.object({
  html_url: z.string(),
  number: z.number(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.string(),
  updated_at: z.string(),
  pull_request: z.unknown().optional(),
});

export type Issue = z.infer<typeof issue>;
