import { ConfigError, readJsonObjectFile } from '../config/index.js';
import { parseWidgetPolicy, StaticWidgetPolicies, type WidgetPolicy } from './widget-policy.js';

const VARIABLE = 'WIDGET_AUTH_FILE';

/**
 * Reads `{ "<agentId>": { "allowed_origins": [...], "public_key"?: "...", "organization_id"?: "..." } }`
 * once at boot. Any problem stops the boot: running with half a policy table would silently open or
 * close agents nobody meant to.
 */
export async function loadWidgetPolicyFile(path: string): Promise<StaticWidgetPolicies> {
  const json = await readJsonObjectFile(VARIABLE, path, 'a JSON object keyed by agentId');
  const entries: Array<[string, WidgetPolicy]> = [];
  for (const [agentId, value] of Object.entries(json)) {
    const parsed = parseWidgetPolicy(value);
    if (!parsed.ok) throw new ConfigError(VARIABLE, `policy for agent "${agentId}" is invalid (${parsed.problem})`);
    entries.push([agentId, parsed.policy]);
  }
  return new StaticWidgetPolicies(entries);
}
