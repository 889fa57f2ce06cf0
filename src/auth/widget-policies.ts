import type { WidgetAuthConfig } from '../config/config.js';
import { HttpWidgetPolicies } from './widget-policy-http.js';
import { loadWidgetPolicyFile } from './widget-policy-file.js';
import { NoWidgetPolicies, type WidgetPolicyProvider } from './widget-policy.js';

export interface WidgetPolicySetup {
  fetch?: typeof fetch;
  onLookupFailed?: (agentId: string, reason: string) => void;
}

/** Chooses the policy source from configuration: the file, the policy service, or none at all. */
export async function createWidgetPolicies(config: WidgetAuthConfig, setup: WidgetPolicySetup = {}): Promise<WidgetPolicyProvider> {
  if (config.file) return loadWidgetPolicyFile(config.file);
  if (config.url) {
    return new HttpWidgetPolicies({
      url: config.url,
      ttlMs: config.ttlSecs * 1000,
      ...(config.bearer ? { bearer: config.bearer } : {}),
      ...(setup.fetch ? { fetch: setup.fetch } : {}),
      ...(setup.onLookupFailed ? { onLookupFailed: setup.onLookupFailed } : {}),
    });
  }
  return new NoWidgetPolicies();
}
