import { z } from 'zod';
import { sendJson } from '../../server/http-io.js';
import type { App } from '../../app.js';
import { route } from '../route.js';

type Costs = Record<string, { inputCostPerToken: number | null; outputCostPerToken: number | null; tier: string | null; useCases: string[] }>;

/** How long an upstream answer is reused: prices change rarely, and an outage must not become a flood. */
export const MODEL_COSTS_SUCCESS_TTL_MS = 10 * 60_000;
export const MODEL_COSTS_FAILURE_TTL_MS = 60_000;

interface CachedCosts {
  readonly costs: Costs;
  readonly expiresAt: number;
}

/** Per app, so two servers in one process (tests, embedding hosts) never share a price list. */
const cache = new WeakMap<object, CachedCosts>();
/** One upstream call per app at a time: a burst of requests shares it. */
const inflight = new WeakMap<object, Promise<Costs>>();

function toCosts(body: unknown): Costs {
  const data = (body as { data?: unknown }).data;
  const out: Costs = {};
  if (!Array.isArray(data)) return out;
  for (const entry of data as Array<Record<string, unknown>>) {
    const name = entry.model_name;
    const info = (entry.model_info ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string') continue;
    out[name] = {
      inputCostPerToken: typeof info.input_cost_per_token === 'number' ? info.input_cost_per_token : null,
      outputCostPerToken: typeof info.output_cost_per_token === 'number' ? info.output_cost_per_token : null,
      tier: typeof info.tier === 'string' ? info.tier : null,
      useCases: Array.isArray(info.use_cases) ? info.use_cases.filter((u): u is string => typeof u === 'string') : [],
    };
  }
  return out;
}

async function fetchCosts(app: App): Promise<CachedCosts> {
  const now = Date.now();
  try {
    const headers: Record<string, string> = app.config.gateway.apiKey ? { authorization: `Bearer ${app.config.gateway.apiKey}` } : {};
    const response = await fetch(`${app.config.gateway.baseUrl}/model/info`, { headers, signal: AbortSignal.timeout(5000) });
    if (response.ok) return { costs: toCosts(await response.json()), expiresAt: now + MODEL_COSTS_SUCCESS_TTL_MS };
    await response.body?.cancel().catch(() => undefined);
  } catch {
    // An unreachable gateway is not an admin error: the answer is simply "no prices known".
  }
  return { costs: {}, expiresAt: now + MODEL_COSTS_FAILURE_TTL_MS };
}

function costsFor(app: App): Promise<Costs> {
  const hit = cache.get(app);
  if (hit && hit.expiresAt > Date.now()) return Promise.resolve(hit.costs);
  const pending = inflight.get(app);
  if (pending) return pending;
  const lookup = fetchCosts(app)
    .then((answer) => {
      cache.set(app, answer);
      return answer.costs;
    })
    .finally(() => inflight.delete(app));
  inflight.set(app, lookup);
  return lookup;
}

export const modelCostsRoute = route({
  method: 'GET',
  path: '/admin/model-costs',
  summary: `Per-token prices from the gateway's /model/info ({} when unavailable). The upstream answer is reused for ${MODEL_COSTS_SUCCESS_TTL_MS / 60_000} min, a failure for ${MODEL_COSTS_FAILURE_TTL_MS / 1000} s.`,
  // Each miss is an outbound call carrying the gateway key: not for anonymous callers.
  minRole: 'basic',
  response: { status: 200, schema: z.record(z.string(), z.unknown()), description: 'Model name → costs.' },
  async handle({ app, res }) {
    sendJson(res, 200, await costsFor(app));
  },
});
