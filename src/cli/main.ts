#!/usr/bin/env node
import { Command } from 'commander';
import { serve } from './serve.js';

const program = new Command('smooth-operator').description('Self-hostable AI customer-support agent server');

program
  .command('serve')
  .description('Start the server; configuration comes from environment variables (see docs/configuration.md)')
  .action(() => serve(process.env));

await program.parseAsync(process.argv);
