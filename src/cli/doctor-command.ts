import { Command } from 'commander';
import type { CliIo } from '../ingest/cli/ingest-command.js';
import { renderDoctor, runDoctor } from './doctor.js';
import { integerIn } from '../ingest/cli/parse-options.js';

/** `smooth-operator doctor`: exit 0 when nothing failed (warnings allowed), 1 otherwise. */
export function doctorCommand(io: CliIo): Command {
  return new Command('doctor')
    .description('Check the configuration, storage, pgvector, backplane, gateway and key the environment selects, with a fix for each problem')
    .option('--timeout <ms>', 'how long each service may take to answer', integerIn(100, 120_000), 5_000)
    .action(async (flags: { timeout: number }) => {
      const results = await runDoctor(io.env, { timeoutMs: flags.timeout });
      io.stdout.write(renderDoctor(results));
      process.exitCode = results.some((r) => r.status === 'fail') ? 1 : 0;
    });
}
