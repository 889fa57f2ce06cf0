/** Gateways report per-call cost under several header names; the first positive one wins. */
const COST_HEADERS = [
  'x-litellm-response-cost-margin-amount',
  'x-litellm-response-cost-original',
  'x-litellm-response-cost',
  'x-response-cost',
  'x-cost-usd',
];

/** `header` looks a response header up by its lower-case name. */
export function costFromHeaders(header: (name: string) => string | null | undefined): number {
  for (const name of COST_HEADERS) {
    const raw = header(name);
    if (raw === null || raw === undefined) continue;
    const value = Number(raw);
    if (Number.isFinite(value) && value > 0) return value;
  }
  return 0;
}
