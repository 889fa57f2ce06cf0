import { describe, expect, it } from 'vitest';
import { CachedSettingsStore } from './settings-cache.js';
import { MemorySettingsStore, type AgentSettings, type SettingsStore } from './settings-store.js';

function counting(inner: SettingsStore): SettingsStore & { reads: number; failNext: boolean } {
  const store = {
    reads: 0,
    failNext: false,
    get(organizationId: string) {
      store.reads++;
      if (store.failNext) {
        store.failNext = false;
        return Promise.reject(new Error('database down'));
      }
      return inner.get(organizationId);
    },
    put: (s: AgentSettings) => inner.put(s),
  };
  return store;
}

const settings = (organizationId: string, model: string): AgentSettings => ({ organizationId, model, defaultTools: ['knowledge_search'], updatedAt: null });

describe('settings cache', () => {
  it('reads an organization once per TTL, sees its own writes at once and other writers after the TTL', async () => {
    const shared = new MemorySettingsStore();
    const inner = counting(shared);
    let now = 1_000;
    const cache = new CachedSettingsStore(inner, 2_000, () => now);
    await shared.put(settings('org-1', 'a'));
    expect((await cache.get('org-1')).model).toBe('a');
    expect((await Promise.all([cache.get('org-1'), cache.get('org-1')])).map((s) => s.model)).toEqual(['a', 'a']);
    expect(inner.reads).toBe(1);

    await cache.put(settings('org-1', 'b'));
    expect((await cache.get('org-1')).model).toBe('b');
    expect(inner.reads).toBe(1);

    // Another replica writes straight to the shared store: visible once the entry expires.
    await shared.put(settings('org-1', 'c'));
    expect((await cache.get('org-1')).model).toBe('b');
    now += 2_001;
    expect((await cache.get('org-1')).model).toBe('c');
    expect(inner.reads).toBe(2);
  });

  it('does not remember a failed read, and hands out copies', async () => {
    const inner = counting(new MemorySettingsStore());
    const cache = new CachedSettingsStore(inner, 60_000);
    inner.failNext = true;
    await expect(cache.get('org-1')).rejects.toThrow('database down');
    const first = await cache.get('org-1');
    first.defaultTools.push('mutated');
    first.model = 'mutated';
    const second = await cache.get('org-1');
    expect(second.defaultTools).toEqual([]);
    expect(second.model).toBeUndefined();
    expect(inner.reads).toBe(2);
  });
});
