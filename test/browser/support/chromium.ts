import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

/** Debian's Chromium (`apt-get install chromium`). The suite never downloads a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];

/**
 * `describe` when Chromium is installed. Without it the suite must not pass silently: under CI=true
 * this throws (the file fails); elsewhere it warns loudly and skips.
 */
export function describeWithChromium(): typeof describe | typeof describe.skip {
  if (existsSync(CHROMIUM_PATH)) return describe;
  const message = `${CHROMIUM_PATH} not found: install it with \`apt-get install -y chromium\` (.ci/run does this)`;
  if (process.env.CI === 'true') throw new Error(`browser suite cannot run: ${message}`);
  console.warn(`\n*** SKIPPING the browser suite: ${message} ***\n`);
  return describe.skip;
}

/** A fresh headless Chromium; playwright gives every launch its own temporary user-data-dir. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ARGS, timeout: 60_000 });
}
