import type { App } from '../app.js';
import { SEED_DOCUMENTS } from '../knowledge/index.js';
import { startupLines } from './startup-summary.js';

/** Counting lists the default organization's documents; a slow store must not hold up the summary. */
const COUNT_BUDGET_MS = 3_000;

async function countDocuments(app: App): Promise<number | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), COUNT_BUDGET_MS)));
  const counted = app.knowledge.list(app.config.defaultOrgId).then(
    (documents) => documents.length,
    () => undefined,
  );
  try {
    return await Promise.race([counted, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The plain start-up lines on stdout (logs are on stderr). The listening line is written before this
 * returns its promise, so whoever waits for it is not held up by the count.
 */
export function printStartup(app: App, server: { wsUrl: string; host: string; port: number }, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  const { config } = app;
  const chatUrl = config.serveWidget ? `http://${server.host}:${server.port}/` : undefined;
  const facts = { config, wsUrl: server.wsUrl, chatUrl, seeded: config.seedKb ? SEED_DOCUMENTS.length : 0 };
  const [listening] = startupLines({ ...facts, documents: 0 });
  out.write(`${listening}\n`);
  return countDocuments(app).then((documents) => {
    const [, ...details] = startupLines({ ...facts, documents });
    out.write(`${details.join('\n')}\n`);
  });
}
