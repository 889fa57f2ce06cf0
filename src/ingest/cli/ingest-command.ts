import { Command } from 'commander';
import type { DocumentAcl } from '../../knowledge/index.js';
import { ConfigError } from '../../config/index.js';
import { AdminClient } from '../admin-client.js';
import { openDirectTarget, type DirectTarget } from '../direct-target.js';
import { barProgress } from '../bar-progress.js';
import { lineProgress } from '../progress.js';
import { runIngest, summaryLine } from '../run-ingest.js';
import { collectName, collectRepeated, httpUrl, integerIn } from './parse-options.js';

export const TOKEN_ENV = 'SMOOTH_AGENT_ADMIN_TOKEN';
const DEFAULT_SERVER = 'http://127.0.0.1:8787';
/** The admin API takes at most 1000 documents per request. */
const MAX_BATCH = 1000;

interface IngestFlags {
  server: string;
  token?: string;
  set?: string[];
  public?: boolean;
  user?: string[];
  group?: string[];
  include?: string[];
  exclude?: string[];
  depth: number;
  maxPages: number;
  batchSize: number;
  dryRun?: boolean;
  direct?: boolean;
  org?: string;
}

export interface CliIo {
  env: Readonly<Record<string, string | undefined>>;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function aclOf(flags: IngestFlags): DocumentAcl | undefined {
  if (!flags.public && !flags.user?.length && !flags.group?.length) return undefined;
  return { public: flags.public === true, users: [...new Set(flags.user)], groups: [...new Set(flags.group)] };
}

function describePlacement(flags: IngestFlags, acl: DocumentAcl | undefined): string {
  const sets = flags.set?.length ? `sets: ${[...new Set(flags.set)].join(', ')}` : 'no document sets';
  const access = !acl
    ? 'readable by the whole organization'
    : [acl.public ? 'public' : '', ...acl.users.map((u) => `user ${u}`), ...acl.groups.map((g) => `group ${g}`)].filter(Boolean).join(', ');
  return `${sets}; ${access}`;
}

/** `smooth-operator ingest <path|url>…`: load documents locally and upload them through the admin API. */
export function ingestCommand(io: CliIo): Command {
  return new Command('ingest')
    .description(
      'Load Markdown, text, HTML, PDF and DOCX files or web pages and upload them to the knowledge base through the admin API. ' +
        `Documents go to the organization of the admin token (with AUTH_MODE=none, the server's AUTH_DEV_ORG_ID).`,
    )
    .argument('<sources...>', 'files, directories (walked recursively) or http(s) URLs (a sitemap URL ingests the pages it lists)')
    .option('--server <url>', 'base URL of the smooth-operator server', httpUrl, DEFAULT_SERVER)
    .option('--token <bearer>', `admin bearer token (default: $${TOKEN_ENV})`)
    .option('--set <name>', 'document set to put every document in (repeatable)', collectName)
    .option('--public', 'readable by anyone, signed in or not')
    .option('--user <id>', 'restrict reading to this user id (repeatable)', collectName)
    .option('--group <name>', 'restrict reading to this group (repeatable)', collectName)
    .option('--include <glob>', 'files to load when walking a directory (repeatable; default: every supported extension)', collectRepeated)
    .option('--exclude <glob>', 'files or directories to leave out (repeatable; node_modules and .git always are)', collectRepeated)
    .option('--depth <n>', 'follow same-origin links this many levels from each URL', integerIn(0, 100), 0)
    .option('--max-pages <n>', 'most pages fetched per URL argument', integerIn(1, 1_000_000), 200)
    .option('--batch-size <n>', 'documents per upload request', integerIn(1, MAX_BATCH), 50)
    .option('--dry-run', 'load and chunk everything and print what would be sent; send nothing')
    .option(
      '--direct',
      'write straight into the storage the environment configures (SMOOTH_AGENT_STORAGE=pglite|postgres|dynamodb), without a server',
    )
    .option('--org <id>', 'with --direct: the organization to ingest into (default: SMOOTH_AGENT_DEFAULT_ORG)')
    .action(async function (this: Command, sources: string[], flags: IngestFlags) {
      const token = flags.token ?? io.env[TOKEN_ENV];
      if (!flags.dryRun && !flags.direct && !token) this.error(`error: no admin token: pass --token or set ${TOKEN_ENV}`, { exitCode: 2 });
      if (flags.org !== undefined && !flags.direct) this.error('error: --org needs --direct (through the server, the token decides the organization)', { exitCode: 2 });
      const acl = aclOf(flags);
      const placement = { documentSets: [...new Set(flags.set)], ...(acl ? { acl } : {}) };
      let direct: DirectTarget | undefined;
      if (flags.direct && !flags.dryRun) {
        try {
          direct = await openDirectTarget(io.env, flags.org?.trim() || undefined);
        } catch (err) {
          const message = err instanceof ConfigError ? err.message : (err as Error).message;
          this.error(`error: cannot open the configured storage: ${message}`, { exitCode: 2 });
        }
      }
      const client = flags.dryRun || direct || !token ? undefined : new AdminClient(flags.server, token);
      const target = direct ? direct.description : flags.server;
      // A dry run's report is its output, so where it would have gone is part of it.
      if (flags.dryRun) io.stdout.write(`dry run: would send to ${target} (${describePlacement(flags, acl)})\n`);
      else io.stderr.write(`ingesting into ${target} (${describePlacement(flags, acl)})\n`);
      const progress = io.stderr.isTTY
        ? barProgress(io.stderr, io.stdout)
        : lineProgress(
            (line) => io.stdout.write(`${line}\n`),
            (line) => io.stderr.write(`${line}\n`),
          );
      const result = await runIngest(
        {
          sources,
          placement,
          batchSize: flags.batchSize,
          depth: flags.depth,
          maxPages: flags.maxPages,
          ...(flags.include ? { include: flags.include } : {}),
          ...(flags.exclude ? { exclude: flags.exclude } : {}),
          ...(client ? { upsert: (documents) => client.upsert(documents) } : {}),
          ...(direct ? { upsert: (documents) => direct.upsert(documents) } : {}),
        },
        progress,
      ).finally(() => direct?.close());
      io.stdout.write(`${summaryLine(result, flags.dryRun === true)}\n`);
      if (result.failed > 0) process.exitCode = 1;
    });
}
