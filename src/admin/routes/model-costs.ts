import { z } from 'zod';
import { sendJson } from '../../server/http-io.js';
import { route } from '../route.js';

type Costs = Record<string, { inputCostPerToken: number | null; outputCostPerToken: number | null; tier: string | null; useCases: string[] }>;

/** Per app, so two servers in one process (tests, embedding hosts) never share a price list. */
const cache = new WeakMap<object, Costs>();

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

export const modelCostsRoute = route({
  method: 'GET',
  path: '/admin/model-costs',
  summary: "Per-token prices from the gateway's /model/info (cached after the first success; {} when unavailable).",
  minRole: 'public',
  response: { status: 200, schema: z.record(z.string(), z.unknown()), description: 'Model name → costs.' },
  async handle({ app, res }) {
    let cached = cache.get(app);
    if (!cached) {
      try {
        const headers: Record<string, string> = app.config.gateway.apiKey ? { authorization: `Bearer ${app.config.gateway.apiKey}` } : {};
        const response = await fetch(`${app.config.gateway.baseUrl}/model/info`, { headers, signal: AbortSignal.timeout(5000) });
        if (response.ok) {
          cached = toCosts(await response.json());
          cache.set(app, cached);
        }
      } catch {
        // An unreachable gateway is not an admin error: the answer is simply "no prices known".
      }
    }
    sendJson(res, 200, cached ?? {});
  },
});
