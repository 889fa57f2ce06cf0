import type { Config } from '../config/index.js';
import type { Env } from '../config/load-config.js';
import { formatValue, SETTINGS, type Setting } from '../config/settings-catalog.js';
import { redactBusUrl } from '../backplane/backplane-error.js';

export interface EffectiveSetting {
  readonly name: string;
  /** Safe to print: secrets are masked here, never later. */
  readonly value: string;
  readonly source: 'environment' | 'default';
}

function isSet(env: Env, name: string): boolean {
  return (env[name]?.trim() ?? '') !== '';
}

function mask(setting: Setting, value: string): string {
  if (value === 'unset' || !setting.secret) return value;
  // A URL keeps its host so a wrong address is visible; its password, user token and query are masked.
  return setting.secretUrl ? redactBusUrl(value) : '****** (set)';
}

/**
 * One line per catalog setting: what the server will use. Values come from the validated `Config`
 * where the setting lands in it (so derived values such as AUTH_MODE's show as resolved), else from
 * the environment; aliases that lost to another variable are still reported as set.
 */
export function effectiveSettings(config: Config, env: Env, settings: readonly Setting[] = SETTINGS): EffectiveSetting[] {
  return settings.map((setting) => {
    const source = isSet(env, setting.name) ? 'environment' : 'default';
    const raw = setting.effective ? formatValue(setting.effective(config)) : source === 'environment' ? (env[setting.name] ?? '').trim() : setting.default;
    return { name: setting.name, value: mask(setting, raw), source };
  });
}

export function renderEffectiveConfig(config: Config, env: Env): string {
  const rows = effectiveSettings(config, env);
  const width = Math.max(...rows.map((r) => r.name.length + 1 + r.value.length));
  const lines = rows.map((r) => `${`${r.name}=${r.value}`.padEnd(width)}  # ${r.source}`);
  return `# smooth-operator effective configuration (secrets masked)\n${lines.join('\n')}\n`;
}
