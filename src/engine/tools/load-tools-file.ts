import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../../config/index.js';
import { webhookTool, webhookToolDefinition } from './webhook-tool.js';
import type { Tool } from './tool.js';

/** Loads SMOOTH_AGENT_TOOLS_FILE; any problem stops the boot with a message naming the variable. */
export async function loadToolsFile(path: string, fetchImpl?: typeof fetch): Promise<Tool[]> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError('SMOOTH_AGENT_TOOLS_FILE', `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError('SMOOTH_AGENT_TOOLS_FILE', `${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = z.array(webhookToolDefinition).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError('SMOOTH_AGENT_TOOLS_FILE', `${path}: [${issue?.path.join('.') ?? ''}] ${issue?.message ?? 'invalid'}`);
  }
  const names = new Set<string>();
  for (const def of parsed.data) {
    if (names.has(def.name)) throw new ConfigError('SMOOTH_AGENT_TOOLS_FILE', `${path}: duplicate tool name "${def.name}"`);
    names.add(def.name);
  }
  return parsed.data.map((def) => webhookTool(def, fetchImpl));
}
