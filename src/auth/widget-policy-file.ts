import { readFile } from 'node:fs/promises';
import { ConfigError } from '../config/index.js';
import { parseWidgetPolicy, StaticWidgetPolicies, type WidgetPolicy } from './widget-policy.js';

const VARIABLE = 'WIDGET_AUTH_FILE';

/**
 * Reads `{ "<agentId>": { "allowed_origins": [...], "public_key"?: "...", "organization_id"?: "..." } }`
 * once at boot. Any problem stops the boot: running with half a policy table would silently open or
 * close agents nobody meant to.
 */
export async function loadWidgetPolicyFile(path: string): Promise<StaticWidgetPolicies> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(VARIABLE, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    // Not the parser's message: it quotes the file's text, and the file holds signing keys.
    throw new ConfigError(VARIABLE, `${path} is not valid JSON`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError(VARIABLE, `${path} must be a JSON object keyed by agentId`);
  }
  const entries: Array<[string, WidgetPolicy]> = [];
  for (const [agentId, value] of Object.entries(json)) {
    const parsed = parseWidgetPolicy(value);
    if (!parsed.ok) throw new ConfigError(VARIABLE, `policy for agent "${agentId}" is invalid (${parsed.problem})`);
    entries.push([agentId, parsed.policy]);
  }
  return new StaticWidgetPolicies(entries);
}
