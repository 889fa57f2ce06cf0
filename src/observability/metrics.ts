import { createRequire } from 'node:module';

type PromClient = typeof import('prom-client');
let promClient: PromClient | undefined;
/** prom-client is required when metrics are first built: a server without SMOOTH_AGENT_METRICS never loads it. */
function prom(): PromClient {
  return (promClient ??= createRequire(import.meta.url)('prom-client') as PromClient);
}

/** Sources read when /metrics is scraped, so nothing is counted on the hot path for them. */
export interface GaugeSources {
  parkedApprovals(): number;
  parkedInteractions?(): number;
}

const PREFIX = 'smooth_operator_';

/** The Prometheus series the server exposes on GET /metrics. Built only when SMOOTH_AGENT_METRICS=1. */
export class Metrics {
  readonly registry = new (prom().Registry)();
  readonly turns = new (prom().Counter)({
    name: `${PREFIX}turns_total`,
    help: 'Turns finished, by outcome (completed, failed, cancelled, released) and error code ("" when none).',
    labelNames: ['outcome', 'code'] as const,
    registers: [this.registry],
  });
  readonly turnDuration = new (prom().Histogram)({
    name: `${PREFIX}turn_duration_seconds`,
    help: 'Wall time of a turn from start to its terminal event.',
    labelNames: ['outcome'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly timeToFirstToken = new (prom().Histogram)({
    name: `${PREFIX}turn_time_to_first_token_seconds`,
    help: 'Time from the start of a turn to its first streamed token.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly toolCalls = new (prom().Counter)({
    name: `${PREFIX}tool_calls_total`,
    help: 'Tool calls run, by tool and outcome (ok, error).',
    labelNames: ['tool', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly backplanePublishFailures = new (prom().Counter)({
    name: `${PREFIX}backplane_publish_failures_total`,
    help: 'Publishes that reached local sockets but could not be sent to other replicas.',
    registers: [this.registry],
  });
  readonly storageErrors = new (prom().Counter)({
    name: `${PREFIX}storage_errors_total`,
    help: 'Storage operations that failed, by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });
  readonly openSockets = new (prom().Gauge)({
    name: `${PREFIX}open_sockets`,
    help: 'WebSocket connections open now.',
    registers: [this.registry],
  });
  readonly gatewayRetries = new (prom().Counter)({
    name: `${PREFIX}gateway_retries_total`,
    help: 'Extra HTTP attempts to the LLM gateway beyond the first, per model call.',
    registers: [this.registry],
  });

  constructor(sources: GaugeSources) {
    new (prom().Gauge)({
      name: `${PREFIX}parked`,
      help: 'Turns parked in this process waiting for a human, by kind (approval, interaction).',
      labelNames: ['kind'] as const,
      registers: [this.registry],
      collect() {
        this.set({ kind: 'approval' }, sources.parkedApprovals());
        this.set({ kind: 'interaction' }, sources.parkedInteractions?.() ?? 0);
      },
    });
    prom().collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
