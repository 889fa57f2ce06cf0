#!/usr/bin/env node
import { Command } from 'commander';
import { ingestCommand } from '../ingest/cli/ingest-command.js';
import { configCommand } from './config-command.js';
import { doctorCommand } from './doctor-command.js';
import { migrate } from './migrate.js';
import { serve } from './serve.js';
import { settingsHelp } from './settings-help.js';
import { packageVersion } from './version.js';

const program = new Command('smooth-operator')
  .description('Self-hostable AI customer-support agent server')
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .addHelpText(
    'after',
    '\nStart here: `smooth-operator serve` (no services or keys needed), then open the chat page it prints.\n' +
      'Every setting and its default: `smooth-operator serve --help`.\n',
  );

program
  .command('serve')
  .description('Start the server; configuration comes from environment variables (listed below)')
  .addHelpText('after', settingsHelp())
  .action(() => serve(process.env));

program
  .command('migrate')
  .description('Apply pending storage schema migrations (or create the DynamoDB table) for SMOOTH_AGENT_STORAGE, then exit')
  .action(async () => {
    process.exitCode = await migrate(process.env);
  });

program.addCommand(ingestCommand({ env: process.env, stdout: process.stdout, stderr: process.stderr }));
program.addCommand(configCommand({ env: process.env, stdout: process.stdout, stderr: process.stderr }));
program.addCommand(doctorCommand({ env: process.env, stdout: process.stdout, stderr: process.stderr }));

// The bare command is how people ask what it does: a help request (exit 0), not an error. Anything
// else goes to commander, so a mistyped command still fails with "unknown command".
if (process.argv.length <= 2) program.outputHelp();
else await program.parseAsync(process.argv);
