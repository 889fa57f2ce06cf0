#!/usr/bin/env node
import { Command } from 'commander';
import { ingestCommand } from '../ingest/cli/ingest-command.js';
import { migrate } from './migrate.js';
import { serve } from './serve.js';

const program = new Command('smooth-operator').description('Self-hostable AI customer-support agent server');

program
  .command('serve')
  .description('Start the server; configuration comes from environment variables (see docs/configuration.md)')
  .action(() => serve(process.env));

program
  .command('migrate')
  .description('Apply pending storage schema migrations (or create the DynamoDB table) for SMOOTH_AGENT_STORAGE, then exit')
  .action(async () => {
    process.exitCode = await migrate(process.env);
  });

program.addCommand(ingestCommand({ env: process.env, stdout: process.stdout, stderr: process.stderr }));

await program.parseAsync(process.argv);
