#!/usr/bin/env node
// Prints only each help-center article's file name, title and headings — never a body line — so the
// blind evaluation set (bench/fixtures/blind-questions.json) can be written without seeing the answers.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'helpcenter', 'docs');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
  const headings = readFileSync(join(dir, file), 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6}\s/.test(line));
  console.log(`${file}\n  ${headings.join('\n  ')}`);
}
