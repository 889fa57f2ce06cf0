import { createApp } from '../app.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { startServer } from '../server/http-server.js';
import { createLogger } from '../server/logger.js';
import { StorageSetupError } from '../storage/index.js';
import { BackplaneUnavailableError } from '../backplane/index.js';
import { printStartup } from './print-startup.js';

/** `smooth-operator serve`: configuration from the environment only. */
export async function serve(env: NodeJS.ProcessEnv): Promise<void> {
  let config;
  try {
    config = loadConfig(env, { widgetDefault: 'loopback' });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`smooth-operator: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let app;
  try {
    app = await createApp(config, { logger });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`smooth-operator: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    // Unreachable database, schema behind with auto-migration off, data directory in use: say what, not a stack.
    if (err instanceof StorageSetupError) {
      process.stderr.write(`smooth-operator: storage unavailable: ${err.message}\n`);
      process.exit(1);
    }
    if (err instanceof BackplaneUnavailableError) {
      process.stderr.write(`smooth-operator: backplane unavailable: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  let server;
  try {
    server = await startServer(app);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const why = code === 'EADDRINUSE' ? 'the address is already in use' : code === 'EACCES' ? 'permission denied' : 'no such local address';
      process.stderr.write(
        `smooth-operator: cannot listen on ${config.bind}:${config.port}: ${why} (change SMOOTH_AGENT_PORT or SMOOTH_AGENT_BIND)\n`,
      );
      await app.close();
      process.exit(1);
    }
    throw err;
  }
  // The listening line is written now; the summary lines follow once the documents are counted.
  void printStartup(app, server);
  if (!config.gateway.apiKey && !config.gateway.keysFile) {
    logger.warn(
      config.requireLlm
        ? 'SMOOAI_GATEWAY_KEY is not set and SMOOTH_AGENT_REQUIRE_LLM=1: send_message will answer LLM_UNAVAILABLE'
        : 'SMOOAI_GATEWAY_KEY is not set: replies quote the knowledge base without a language model',
    );
  }
  if (config.authMode === 'none') {
    logger.warn('AUTH_MODE=none: any bearer token is an admin. Use this for local development only.');
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
