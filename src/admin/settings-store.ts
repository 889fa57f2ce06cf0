/** Per-organization agent settings an operator changes at run time through /admin/settings. */
export interface AgentSettings {
  organizationId: string;
  /** Unset means the server's configured default model. */
  model?: string;
  /** Unset means the built-in support prompt. */
  systemPrompt?: string;
  persona?: string;
  /** Tool names the agent may use; empty means every registered tool. */
  defaultTools: string[];
  updatedAt: string | null;
}

export interface SettingsStore {
  get(organizationId: string): Promise<AgentSettings>;
  put(settings: AgentSettings): Promise<AgentSettings>;
}

export class MemorySettingsStore implements SettingsStore {
  private readonly byOrg = new Map<string, AgentSettings>();

  async get(organizationId: string): Promise<AgentSettings> {
    const found = this.byOrg.get(organizationId);
    return found ? structuredClone(found) : { organizationId, defaultTools: [], updatedAt: null };
  }

  async put(settings: AgentSettings): Promise<AgentSettings> {
    this.byOrg.set(settings.organizationId, structuredClone(settings));
    return structuredClone(settings);
  }
}
