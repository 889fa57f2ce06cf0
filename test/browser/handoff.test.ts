import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { LocalServerOptions } from '../../src/index.js';
import { probeRedis, REDIS_TEST_URL } from '../backplane-services.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from '../storage-services.js';
import { describeWithChromium, launchChromium } from './support/chromium.js';
import { ConsolePage } from './support/console-page.js';
import { pixelDifference, waitUntil, WidgetPage } from './support/widget-page.js';
import { WidgetServer } from './support/widget-server.js';

/**
 * The acceptance path of issue 14, in two Chromium pages through the real server: the visitor's
 * widget and the operator console.
 */
const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'images');
const secret = 'handoff-browser-secret-handoff-browser-secret';
const sign = (sub: string, org: string, role: string, name: string) =>
  new SignJWT({ org, role, name }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('30m').sign(new TextEncoder().encode(secret));

const redisDown = await probeRedis();
const pg = await createTestDatabase();

let browser: Browser;
const servers: WidgetServer[] = [];
const pages: Array<WidgetPage | ConsolePage> = [];

async function saveScreenshot(name: string, png: Buffer): Promise<void> {
  const path = join(IMAGES, name);
  if (existsSync(path) && (await pixelDifference(browser, await readFile(path), png)) < 0.001) return;
  await writeFile(path, png);
}

const ANSWER = 'Orders ship within 2 working days.';

/**
 * Visitor on `visitorServer`, operator on `consoleServer` (the same one, or another replica).
 */
async function acceptance(visitorServer: WidgetServer, consoleServer: WidgetServer, screenshot: boolean): Promise<void> {
  const token = await sign('op-olga', 'default', 'curator', 'Olga');
  const operator = await ConsolePage.open(browser, consoleServer.baseUrl, token);
  pages.push(operator);
  const visitor = await WidgetPage.create(browser, visitorServer.baseUrl);
  pages.push(visitor);
  await visitor.goto();
  await visitor.open();
  const modelCalls = () => [...new Set([visitorServer, consoleServer])].reduce((n, s) => n + s.gateway.requests.length, 0);

  // Visitor asks for a person → the console shows it waiting, with its wait time.
  await visitor.widget('button.talk').click();
  await visitor.widget('.notice').filter({ hasText: 'Connecting you with a person' }).waitFor();
  const entry = operator.el('.entry[data-state="waiting"]');
  await entry.waitFor();
  expect(await entry.locator('.wait').innerText()).toMatch(/^waiting \d+s$/);

  // The operator takes over (keyboard: focus the entry, Enter) and replies.
  await entry.focus();
  await entry.press('Enter');
  await operator.el('button.takeover').click();
  await operator.el('.summary').waitFor();
  await visitor.widget('.notice').filter({ hasText: 'Olga joined the conversation' }).waitFor();
  await operator.el('#reply').fill('Hi, this is Olga. How can I help?');
  await operator.el('button.send').click();

  // The visitor sees the reply under the operator's name.
  const human = visitor.widget('article.msg.human');
  await human.waitFor();
  expect(await human.locator('.sender').innerText()).toContain('Olga');
  expect(await human.locator('.bubble').innerText()).toBe('Hi, this is Olga. How can I help?');

  // While Olga owns the conversation the AI stays silent: the visitor's message reaches her, the model is never called.
  await visitor.ask('Where is my parcel?');
  await operator.el('.message[data-direction="inbound"]').filter({ hasText: 'Where is my parcel?' }).waitFor();
  await waitUntil(async () => !(await visitor.widget('article.msg.agent').count()), 'no AI answer bubble');
  await visitor.page.waitForTimeout(300);
  expect(await visitor.agentMessages.count()).toBe(0);
  expect(modelCalls()).toBe(0);

  if (screenshot) {
    await operator.page.evaluate('document.activeElement?.blur()');
    await saveScreenshot('console.png', await operator.page.screenshot());
  }

  // Hand back → the AI answers the next question.
  await operator.el('button.handback').click();
  await visitor.widget('.notice').filter({ hasText: 'AI assistant again' }).waitFor();
  await visitor.ask('When will it ship?');
  const answer = await visitor.waitForAnswer(1);
  expect(await answer.locator('.bubble').innerText()).toBe(ANSWER);
  expect(modelCalls()).toBe(1);
  await waitUntil(async () => (await operator.el('.entry').count()) === 0, 'the queue to empty');

  for (const page of [visitor, operator]) {
    expect(page.foreignRequests()).toEqual([]);
    expect(page.pageErrors).toEqual([]);
  }
}

function options(env: Record<string, string> = {}): LocalServerOptions {
  return {
    env: { AUTH_MODE: 'jwt', AUTH_JWT_HS256_SECRET: secret, SMOOTH_AGENT_LOG_LEVEL: 'warn', ...env },
  };
}

describeWithChromium()('handoff between the widget and the operator console', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(IMAGES, { recursive: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    if (!('unavailable' in pg)) await pg.drop();
  });
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
    for (const server of servers.splice(0)) await server.close();
  });

  it('visitor asks for a person, the operator takes over and replies, the AI stays silent, hand back, the AI answers', async () => {
    const server = await WidgetServer.start([{ kind: 'text', text: ANSWER }], options());
    servers.push(server);
    await acceptance(server, server, true);
  });

  it('with nobody online the visitor is told so and leaves an email the operator sees; a reload keeps them with the person', async () => {
    const server = await WidgetServer.start([], options());
    servers.push(server);
    const visitor = await WidgetPage.create(browser, server.baseUrl);
    pages.push(visitor);
    await visitor.goto();
    await visitor.open();
    await visitor.widget('button.talk').click();
    await visitor.widget('.notice').filter({ hasText: 'Nobody from the team is available right now' }).waitFor();
    // Bad input first, as visitors type it.
    const email = visitor.widget('form.contact input[type="email"]');
    await email.fill('vera@');
    await email.press('Enter');
    expect(await visitor.widget('form.contact').count()).toBe(1);
    await email.fill('vera@example.com');
    await email.press('Enter');
    await visitor.widget('.notice').filter({ hasText: 'We will reply to your email' }).waitFor();

    // An operator signs in later: the queue shows the address.
    const operator = await ConsolePage.open(browser, server.baseUrl, await sign('op-olga', 'default', 'curator', 'Olga'));
    pages.push(operator);
    const entry = operator.el('.entry[data-state="waiting"]');
    await entry.waitFor();
    expect(await entry.locator('.email').innerText()).toBe('vera@example.com');
    await entry.click();
    await operator.el('button.takeover').click();
    await visitor.widget('.notice').filter({ hasText: 'Olga joined the conversation' }).waitFor();
    await operator.el('#reply').fill('Hi Vera, Olga here.');
    await operator.el('#reply').press('Control+Enter');
    await visitor.widget('article.msg.human').waitFor();

    // After a reload the visitor is still with Olga: her message under her name, no "Talk to a person".
    await visitor.page.reload();
    await visitor.page.waitForFunction("customElements.get('smooth-agent-chat') !== undefined");
    await visitor.open();
    await visitor.widget('article.msg.human').waitFor();
    expect(await visitor.widget('article.msg.human .sender').innerText()).toContain('Olga');
    await visitor.widget('.notice').filter({ hasText: 'You are chatting with Olga' }).waitFor();
    expect(await visitor.widget('button.talk').count()).toBe(0);
    expect(server.gateway.requests).toHaveLength(0);
    expect(visitor.pageErrors).toEqual([]);
  });

  whenAvailable('postgres + redis', 'unavailable' in pg ? pg.unavailable : redisDown, () => {
    it('the same over two replicas on Postgres with Redis: visitor on one, console on the other', async () => {
      const env = {
        SMOOTH_AGENT_STORAGE: 'postgres',
        SMOOTH_AGENT_DATABASE_URL: (pg as TestDatabase).url,
        SMOOTH_AGENT_BACKPLANE: 'redis',
        SMOOTH_AGENT_BACKPLANE_URL: REDIS_TEST_URL,
      };
      const a = await WidgetServer.start([{ kind: 'text', text: ANSWER }], options(env));
      servers.push(a);
      const b = await WidgetServer.start([], options(env));
      servers.push(b);
      await acceptance(a, b, false);
    });
  });
});
