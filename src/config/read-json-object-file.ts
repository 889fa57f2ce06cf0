import { readFile } from 'node:fs/promises';
import { ConfigError } from './config-error.js';

/**
 * Reads a JSON-object file named by a configuration variable, once at boot. Errors name the variable
 * and the file but never quote its text: these files hold keys, and JSON.parse's message would echo them.
 */
export async function readJsonObjectFile(variable: string, path: string, expectation: string): Promise<Record<string, unknown>> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(variable, `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigError(variable, `${path} is not valid JSON`);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new ConfigError(variable, `${path} must be ${expectation}`);
  }
  return json as Record<string, unknown>;
}
