import { describe, expect, it } from 'vitest';
import { CachedKeyResolver, type GatewayKeyResolver } from './key-resolver.js';

describe('cached key resolver', () => {
  it('asks the host once per organization per TTL, shares a lookup in flight, and never keeps a failure', async () => {
    const calls: string[] = [];
    let fail = false;
    const host: GatewayKeyResolver = {
      resolve: async (org) => {
        calls.push(org);
        if (fail) throw new Error('vault unavailable');
        return `key-${org}-${calls.length}`;
      },
    };
    let now = 0;
    const cached = new CachedKeyResolver(host, 1_000, () => now);
    expect(await Promise.all([cached.resolve('a'), cached.resolve('a')])).toEqual(['key-a-1', 'key-a-1']);
    expect(await cached.resolve('b')).toBe('key-b-2');
    expect(await cached.resolve('a')).toBe('key-a-1');
    expect(calls).toEqual(['a', 'b']);
    now = 1_001;
    fail = true;
    await expect(cached.resolve('a')).rejects.toThrow('vault unavailable');
    fail = false;
    expect(await cached.resolve('a')).toBe('key-a-4');
    expect(calls).toEqual(['a', 'b', 'a', 'a']);
  });
});
