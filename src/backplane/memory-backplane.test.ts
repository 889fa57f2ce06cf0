import { describe, expect, it } from 'vitest';
import { MemoryBackplane } from './memory-backplane.js';

describe('MemoryBackplane', () => {
  it('delivers to associated connections only and forgets detached ones', async () => {
    const bp = new MemoryBackplane();
    const got: Record<string, object[]> = { a: [], b: [] };
    bp.attach('a', (e) => got.a!.push(e));
    bp.attach('b', (e) => got.b!.push(e));
    bp.associate('a', { type: 'session', id: 's1' });
    bp.associate('b', { type: 'org', id: 'o1' });
    bp.associate('a', { type: 'org', id: 'o1' });
    expect(await bp.publish({ type: 'session', id: 's1' }, { n: 1 })).toBe(1);
    expect(await bp.publish({ type: 'org', id: 'o1' }, { n: 2 })).toBe(2);
    expect(await bp.publish({ type: 'connection', id: 'b' }, { n: 3 })).toBe(1);
    expect(await bp.publish({ type: 'user', id: 'nobody' }, { n: 4 })).toBe(0);
    bp.detach('a');
    expect(await bp.publish({ type: 'org', id: 'o1' }, { n: 5 })).toBe(1);
    expect(got).toEqual({ a: [{ n: 1 }, { n: 2 }], b: [{ n: 2 }, { n: 3 }, { n: 5 }] });
  });
});
