import type { AgentSettings, SettingsStore } from './settings-store.js';

/** How long another replica's settings change may take to reach this one's turns. */
export const SETTINGS_CACHE_TTL_MS = 2_000;

interface Entry {
  readonly value: Promise<AgentSettings>;
  readonly expiresAt: number;
}

/**
 * Every turn reads its organization's settings; a SQL or DynamoDB round trip per turn for a record
 * that changes a few times a year is waste. This keeps each organization's settings for a short
 * TTL. A write through this store replaces the entry at once, so this replica's turns see their
 * own admin's change immediately; other replicas see it within the TTL.
 */
export class CachedSettingsStore implements SettingsStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly inner: SettingsStore,
    private readonly ttlMs: number = SETTINGS_CACHE_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  get(organizationId: string): Promise<AgentSettings> {
    const now = this.clock();
    const hit = this.entries.get(organizationId);
    // Callers get their own copy: the cached record must not change under the next turn.
    if (hit && hit.expiresAt > now) return hit.value.then(copy);
    const value = this.inner.get(organizationId);
    // Concurrent turns of one organization share one read; a failed read is not remembered.
    this.remember(organizationId, value, now);
    value.catch(() => {
      if (this.entries.get(organizationId)?.value === value) this.entries.delete(organizationId);
    });
    return value.then(copy);
  }

  async put(settings: AgentSettings): Promise<AgentSettings> {
    // Dropped first, so a read racing the write cannot keep the old value for a whole TTL.
    this.entries.delete(settings.organizationId);
    const saved = await this.inner.put(settings);
    this.remember(settings.organizationId, Promise.resolve(copy(saved)), this.clock());
    return saved;
  }

  private remember(organizationId: string, value: Promise<AgentSettings>, now: number): void {
    // Bounded by organizations seen; expired entries are replaced on their next read.
    this.entries.set(organizationId, { value, expiresAt: now + this.ttlMs });
  }
}

function copy(s: AgentSettings): AgentSettings {
  return { ...s, defaultTools: [...s.defaultTools] };
}
