import type { Tool } from './tools/tool.js';

/**
 * What an approval card says: the visitor must know what they allow. A tool's `confirmation`
 * template (`"Refund order {{orderId}} ({{amount}})"`) is filled from the call's arguments; without
 * one, the tool's name and arguments are written out in words. The text is shown as plain text by
 * clients, so argument values are never interpreted, only length-capped.
 */
const MAX_VALUE_CHARS = 120;
const MAX_DESCRIPTION_CHARS = 500;

function words(identifier: string): string {
  return identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
}

function valueText(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (value === null || value === undefined) text = '';
  else text = JSON.stringify(value);
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function parseArguments(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw === '' ? '{}' : raw);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function cap(text: string): string {
  return text.length > MAX_DESCRIPTION_CHARS ? `${text.slice(0, MAX_DESCRIPTION_CHARS - 1)}…` : text;
}

export function describeAction(tool: Pick<Tool, 'name' | 'confirmation'> | undefined, toolName: string, rawArguments: string): string {
  const args = parseArguments(rawArguments);
  if (tool?.confirmation && args) {
    return cap(tool.confirmation.replace(/\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g, (_, name: string) => valueText(args[name]) || '—'));
  }
  const action = words(toolName);
  const sentence = action.charAt(0).toUpperCase() + action.slice(1);
  if (!args) return cap(`${sentence} (arguments: ${valueText(rawArguments)})`);
  const parts = Object.entries(args)
    .filter(([, v]) => v !== undefined && v !== null && valueText(v) !== '')
    .map(([k, v]) => `${words(k)} ${valueText(v)}`);
  return cap(parts.length > 0 ? `${sentence}: ${parts.join(', ')}` : sentence);
}
