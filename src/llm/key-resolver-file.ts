import { ConfigError, readJsonObjectFile } from '../config/index.js';
import { MapKeyResolver } from './key-resolver.js';

const VARIABLE = 'SMOOTH_AGENT_GATEWAY_KEYS_FILE';

/**
 * Reads `{ "<organizationId>": "<gateway key>", ... }` once at boot. Errors name the file and the
 * organization, never a key: neither the values nor the JSON parser's message (which quotes the text).
 */
export async function loadGatewayKeysFile(path: string, fallback: string | undefined): Promise<MapKeyResolver> {
  const json = await readJsonObjectFile(VARIABLE, path, 'a JSON object mapping organization id to key');
  const keys: Array<[string, string]> = [];
  for (const [organizationId, key] of Object.entries(json)) {
    if (typeof key !== 'string' || key.trim() === '') {
      throw new ConfigError(VARIABLE, `the key for organization "${organizationId}" must be a non-empty string`);
    }
    keys.push([organizationId, key.trim()]);
  }
  return new MapKeyResolver(keys, fallback);
}
