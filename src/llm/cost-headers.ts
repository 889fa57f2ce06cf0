/** Gateways report per-call cost under several header names; the first positive one wins. */
const COST_HEADERS = [
  'x-litellm-response-cost-margin-amount',
  'x-litellm-response-cost-original',
  'x-litellm-response-cost',
  'x-response-cost',
  'x-cost-usd',
];

export function costFromHeaders(headers: Headers): number {
  for (const name of COST_HEADERS) {
    const value = Number(headers.get(name));
    if (Number.isFinite(value) && value > 0) return value;
  }
  return 0;
}
