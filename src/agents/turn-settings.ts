import type { TurnSettings } from '../engine/turn-runner.js';
import type { AgentConfig, ToolAuthLevel } from './types.js';

/**
 * The turn settings of an agent over its organization's: the agent's instructions (with its
 * personality) replace the organization's prompt and persona, its model is the default model, its
 * tool list replaces the organization's default tools, and its document sets scope retrieval.
 */
export function agentTurnSettings(org: TurnSettings, agent: AgentConfig | undefined): TurnSettings {
  if (!agent) return org;
  const settings: TurnSettings = { ...org, agent, visibility: agent.visibility };
  if (agent.instructions) {
    settings.systemPrompt = agent.instructions;
    if (agent.personality) settings.persona = agent.personality;
    else delete settings.persona;
  }
  if (agent.model) settings.model = agent.model;
  if (agent.documentSets) settings.documentSets = agent.documentSets;
  const entries = agent.toolConfig?.enabledTools ?? [];
  if (entries.length > 0) {
    // A non-empty list is an allow-list even when nothing in it is enabled: then no tool is offered.
    settings.enabledTools = entries.filter((t) => t.enabled).map((t) => t.toolId);
    settings.toolsRestricted = true;
    const levels = new Map<string, ToolAuthLevel>();
    const configs = new Map<string, Readonly<Record<string, unknown>>>();
    for (const entry of entries) {
      if (!entry.enabled) continue;
      levels.set(entry.toolId, entry.authLevel);
      if (entry.config) configs.set(entry.toolId, entry.config);
    }
    settings.toolAuthLevels = levels;
    if (configs.size > 0) settings.toolConfigs = configs;
  }
  return settings;
}
