import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../config/config-error.js';
import { agentFileEntry, toAgentConfig } from './agent-input.js';
import type { AgentConfig } from './types.js';

const VARIABLE = 'SMOOTH_AGENT_AGENTS_FILE';

/** Reads SMOOTH_AGENT_AGENTS_FILE (a JSON array of agents); any problem stops the boot naming the variable. */
export async function loadAgentsFile(path: string, defaultOrganizationId: string): Promise<AgentConfig[]> {
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
    throw new ConfigError(VARIABLE, `${path} is not valid JSON`);
  }
  const parsed = z.array(agentFileEntry).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(VARIABLE, `${path}: [${issue?.path.join('.') ?? ''}] ${issue?.message ?? 'invalid'}`);
  }
  const seen = new Set<string>();
  return parsed.data.map((entry) => {
    const organizationId = entry.organizationId ?? defaultOrganizationId;
    const key = `${organizationId}/${entry.agentId}`;
    if (seen.has(key)) throw new ConfigError(VARIABLE, `${path}: duplicate agent "${entry.agentId}" in organization "${organizationId}"`);
    seen.add(key);
    return toAgentConfig(entry, entry.agentId, organizationId);
  });
}
