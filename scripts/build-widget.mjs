#!/usr/bin/env node
// Builds the browser bundles, each one self-contained IIFE: the chat widget (dist/widget/chat-widget.iife.js)
// and the operator console (dist/console/console.iife.js). `platform: 'browser'` makes esbuild fail on any
// Node built-in reaching a bundle, and each bundle is checked for absolute http(s) URLs that a browser might
// fetch (both must work offline).
import { build } from 'esbuild';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Namespace URIs (SVG, XHTML, MathML) and licence/doc links inside comments are identifiers, not fetches.
const harmless = /^https?:\/\/(www\.w3\.org\/|github\.com\/|lit\.dev\/|opensource\.org\/|marked\.js\.org|cure53\.de)/;

async function bundle(label, folder, outfile) {
  await mkdir(dirname(outfile), { recursive: true });
  const result = await build({
    entryPoints: [join(root, 'src', folder, 'index.ts')],
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
    tsconfig: join(root, 'src', folder, 'tsconfig.json'),
  });
  const text = await readFile(outfile, 'utf8');
  const fetchable = [...text.matchAll(/["'`](https?:\/\/[^"'`\s]+)/g)].map((m) => m[1]).filter((url) => !harmless.test(url));
  if (fetchable.length > 0) {
    console.error(`build-widget: the ${label} bundle references external URLs: ${[...new Set(fetchable)].join(', ')}`);
    process.exit(1);
  }
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? text.length;
  console.log(`build-widget: ${outfile.slice(root.length + 1)} (${(bytes / 1024).toFixed(1)} KiB)`);
}

await bundle('widget', 'widget', join(root, 'dist', 'widget', 'chat-widget.iife.js'));
await bundle('console', 'console', join(root, 'dist', 'console', 'console.iife.js'));
