#!/usr/bin/env node
// Builds the browser chat widget into one self-contained IIFE: dist/widget/chat-widget.iife.js.
// `platform: 'browser'` makes esbuild fail on any Node built-in reaching the bundle, and the bundle is
// checked for absolute http(s) URLs that a browser might fetch (the widget must work offline).
import { build } from 'esbuild';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'widget', 'chat-widget.iife.js');

await mkdir(dirname(outfile), { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src', 'widget', 'index.ts')],
  outfile,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  // Evergreen browsers of the last few years; esbuild lowers anything newer (e.g. private class fields).
  target: 'es2020',
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  tsconfig: join(root, 'src', 'widget', 'tsconfig.json'),
});

const bundle = await readFile(outfile, 'utf8');
// Namespace URIs (SVG, XHTML, MathML) and licence/doc links inside comments are identifiers, not fetches.
const harmless = /^https?:\/\/(www\.w3\.org\/|github\.com\/|lit\.dev\/|opensource\.org\/|marked\.js\.org|cure53\.de)/;
const fetchable = [...bundle.matchAll(/["'`](https?:\/\/[^"'`\s]+)/g)].map((m) => m[1]).filter((url) => !harmless.test(url));
if (fetchable.length > 0) {
  console.error(`build-widget: the bundle references external URLs: ${[...new Set(fetchable)].join(', ')}`);
  process.exit(1);
}
const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? bundle.length;
console.log(`build-widget: ${outfile.slice(root.length + 1)} (${(bytes / 1024).toFixed(1)} KiB)`);

// The operator console (/console): the same toolchain and the same no-external-URL rule.
const consoleOut = join(root, 'dist', 'console', 'console.iife.js');
await mkdir(dirname(consoleOut), { recursive: true });
const consoleResult = await build({
  entryPoints: [join(root, 'src', 'console', 'index.ts')],
  outfile: consoleOut,
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  sourcemap: false,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  tsconfig: join(root, 'src', 'console', 'tsconfig.json'),
});
const consoleBundle = await readFile(consoleOut, 'utf8');
const consoleFetchable = [...consoleBundle.matchAll(/["'`](https?:\/\/[^"'`\s]+)/g)].map((m) => m[1]).filter((url) => !harmless.test(url));
if (consoleFetchable.length > 0) {
  console.error(`build-widget: the console bundle references external URLs: ${[...new Set(consoleFetchable)].join(', ')}`);
  process.exit(1);
}
const consoleBytes = Object.values(consoleResult.metafile.outputs)[0]?.bytes ?? consoleBundle.length;
console.log(`build-widget: ${consoleOut.slice(root.length + 1)} (${(consoleBytes / 1024).toFixed(1)} KiB)`);
