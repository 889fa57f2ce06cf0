import { Command } from 'commander';
import { ConfigError, loadConfig } from '../config/index.js';
import type { CliIo } from '../ingest/cli/ingest-command.js';
import { renderEffectiveConfig } from './effective-config.js';

/** `smooth-operator config`: the configuration `serve` would run with, secrets masked. */
export function configCommand(io: CliIo): Command {
  return new Command('config')
    .description('Print the effective configuration (every setting, from the environment or its default; secrets masked), then exit')
    .action(() => {
      try {
        io.stdout.write(renderEffectiveConfig(loadConfig(io.env, { widgetDefault: 'loopback' }), io.env));
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        io.stderr.write(`smooth-operator: invalid configuration: ${err.message}\n`);
        process.exitCode = 2;
      }
    });
}
