import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config/settings-catalog.js';

// serve --help is complete by construction (test/cli-settings-catalog.test.ts); this keeps the longer
// reference, docs/configuration.md, naming every setting too.

const ROOT = resolve(import.meta.dirname, '..');
const configurationDoc = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');

describe('docs/configuration.md', () => {
  it('names every setting of the catalog', () => {
    const undocumented = SETTINGS.map((s) => s.name).filter((name) => !new RegExp(`\`${name}\``).test(configurationDoc));
    expect(undocumented, 'add a row (or a mention in a row) to docs/configuration.md').toEqual([]);
  });
});
