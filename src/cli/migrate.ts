import { ConfigError, loadConfig } from '../config/index.js';
import { settingsForStorage } from '../admin/settings-for-storage.js';
import { connectorStoresForStorage } from '../connectors/stores-for-storage.js';
import { agentsForStorage } from '../agents/agents-for-storage.js';
import { buildEmbedder } from '../knowledge/build-retrieval.js';
import { knowledgeForStorage } from '../knowledge/open-knowledge.js';
import { handoffStoreForStorage } from '../handoff/handoff-for-storage.js';
import { migrateStorage, StorageSetupError } from '../storage/index.js';
import { interactionsForStorage } from '../engine/interactions/index.js';
import { otpStoreForStorage } from '../otp/index.js';

export interface MigrateIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `smooth-operator migrate`: applies pending schema migrations (Postgres, PGlite) or creates the table
 * (DynamoDB) for the storage the environment selects, then exits. Safe to run from several places at
 * once: migrations take a database lock. Returns the exit code.
 */
export async function migrate(env: NodeJS.ProcessEnv, io: MigrateIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  let config;
  try {
    config = loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`smooth-operator: invalid configuration: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  try {
    // The knowledge, settings and connector tables live on the same database and are migrated with it.
    const opened = await migrateStorage(config, async (storage) => {
      await knowledgeForStorage(storage, { embedder: buildEmbedder(config), schema: 'apply' });
      await settingsForStorage(storage, 'apply');
      await connectorStoresForStorage(storage, 'apply');
      await agentsForStorage(storage, 'apply');
      await interactionsForStorage(storage, 'apply');
      await otpStoreForStorage(storage, 'apply');
      await handoffStoreForStorage(storage, 'apply');
    });
    if (config.storage === 'memory') {
      io.stdout.write('storage is memory (SMOOTH_AGENT_STORAGE unset or memory): nothing to migrate\n');
    } else if (opened.migration) {
      const { applied, current, latest } = opened.migration;
      const what = applied.length > 0 ? `applied migration(s) ${applied.join(', ')}` : 'schema already up to date';
      io.stdout.write(`${opened.description}: ${what} (schema version ${current}, this build knows ${latest})\n`);
    } else {
      io.stdout.write(`${opened.description}: ready\n`);
    }
    return 0;
  } catch (err) {
    if (err instanceof StorageSetupError) {
      io.stderr.write(`smooth-operator: storage unavailable: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
