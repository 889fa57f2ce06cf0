import { SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { MemoryKnowledge, type Tool } from '../../src/index.js';
import { TestClient } from '../support/ws-client.js';
import { describeWithChromium, launchChromium } from './support/chromium.js';
import { ConsolePage } from './support/console-page.js';
import { UI_TIMEOUT } from './support/widget-page.js';
import { WidgetServer } from './support/widget-server.js';

/** The operator console on its own: sign-in, the transcript's sources, tool steps and pending approval, knowledge. */
const secret = 'console-browser-secret-console-browser-secret';
const sign = (sub: string, role: string, name: string) =>
  new SignJWT({ org: 'default', role, name }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('30m').sign(new TextEncoder().encode(secret));
const env = { AUTH_MODE: 'jwt', AUTH_JWT_HS256_SECRET: secret, SMOOTH_AGENT_LOG_LEVEL: 'warn' };

let browser: Browser;
let server: WidgetServer | undefined;
const closers: Array<() => Promise<unknown> | void> = [];

async function knowledge(): Promise<MemoryKnowledge> {
  const kb = new MemoryKnowledge(() => new Date());
  await kb.upsert('default', [
    { id: 'returns', source: 'help/returns.md', title: 'Returns policy', url: 'https://help.example.com/returns', content: 'You can return any kettle within 30 days of delivery.' },
  ]);
  return kb;
}

const lookup: Tool = { name: 'lookup_order', description: 'Look up an order.', parameters: { type: 'object' }, execute: async () => 'Order A-1001: delivered.' };
const refund: Tool = {
  name: 'refund_order',
  description: 'Refund an order.',
  parameters: { type: 'object' },
  confirmation: 'Refund order {{orderId}} ({{amount}})',
  execute: async () => 'Refunded.',
};

describeWithChromium()('operator console (Chromium)', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    browser = await launchChromium();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    await server?.close();
    server = undefined;
  });

  it('refuses a wrong or Basic token, and signs in a Curator by keyboard', async () => {
    server = await WidgetServer.start([], { env });
    const context = await browser.newContext();
    closers.push(() => context.close());
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    await page.goto(`${server.baseUrl}/console`);
    const token = page.locator('smooth-operator-console #token');
    await token.fill('not-a-token');
    await token.press('Enter');
    await page.locator('smooth-operator-console .error').filter({ hasText: 'not accepted' }).waitFor();
    await token.fill(await sign('u-1', 'basic', 'Basil'));
    await token.press('Enter');
    await page.locator('smooth-operator-console .error').filter({ hasText: 'not a Curator' }).waitFor();
    const operator = await ConsolePage.open(browser, server.baseUrl, await sign('op-1', 'curator', 'Olga'));
    closers.push(() => operator.close());
    expect(await operator.el('.who').innerText()).toBe('Olga');
    expect(operator.foreignRequests()).toEqual([]);
    expect(operator.pageErrors).toEqual([]);
  });

  it("shows the transcript with the AI's sources and tool steps, and the approval the visitor is asked for", async () => {
    server = await WidgetServer.start(
      [
        { kind: 'toolCall', name: 'lookup_order', arguments: '{}' },
        { kind: 'text', text: 'You can return it within 30 days [1].' },
        { kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"A-1001","amount":"25 EUR"}' },
      ],
      { env: { ...env, SMOOTH_AGENT_CONFIRM_TOOLS: 'refund' }, knowledge: await knowledge(), tools: [lookup, refund] },
    );
    const operator = await ConsolePage.open(browser, server.baseUrl, await sign('op-1', 'curator', 'Olga'));
    closers.push(() => operator.close());
    const visitor = await TestClient.connect(`${server.baseUrl.replace('http', 'ws')}/ws`);
    closers.push(() => visitor.ws.terminate());
    const created = await visitor.request({ action: 'create_conversation_session', requestId: 'c' });
    const { sessionId } = created.data as { sessionId: string };
    visitor.send({ action: 'send_message', requestId: 't1', sessionId, message: 'Can I return my kettle?' });
    await visitor.untilTerminal();
    visitor.send({ action: 'send_message', requestId: 't2', sessionId, message: 'Refund order A-1001 please' });
    await visitor.nextOfType('write_confirmation_required');
    await visitor.request({ action: 'request_human', requestId: 'h', sessionId, reason: 'refund question' });

    const entry = operator.el('.entry[data-state="waiting"]');
    await entry.waitFor();
    expect(await entry.locator('.reason').innerText()).toBe('refund question');
    await entry.click();
    const answer = operator.el('.message[data-sender="ai-agent"]').first();
    await answer.waitFor();
    expect(await answer.locator('.tools li').allInnerTexts()).toEqual(['lookup_order']);
    expect(await answer.locator('.citations a').innerText()).toBe('[1] Returns policy');
    expect(await operator.el('.pending').innerText()).toContain('Refund order A-1001 (25 EUR)');
    expect(operator.pageErrors).toEqual([]);
  });

  it('lists documents, adds a dropped file, and searches as a chosen visitor', async () => {
    server = await WidgetServer.start([], { env, knowledge: await knowledge() });
    const operator = await ConsolePage.open(browser, server.baseUrl, await sign('op-1', 'curator', 'Olga'));
    closers.push(() => operator.close());
    await operator.el('nav button').filter({ hasText: 'Knowledge' }).click();
    await operator.el('.doc-list li').first().waitFor();
    expect(await operator.el('.doc-list li').allInnerTexts()).toEqual(['Returns policy help/returns.md']);

    // A real drop event carrying a file, as a browser produces it when a file is dragged in.
    const transfer = await operator.page.evaluateHandle(`(() => {
      const data = new DataTransfer();
      data.items.add(new File(['# Descaling\\n\\nDescale the kettle monthly with citric acid.'], 'descaling.md', { type: 'text/markdown' }));
      return data;
    })()`);
    await operator.el('.drop').dispatchEvent('drop', { dataTransfer: transfer });
    await operator.el('.doc-list li').filter({ hasText: 'descaling' }).waitFor();
    expect(await operator.el('.notice').innerText()).toBe('Added descaling.');

    await operator.el('#query').fill('how do I descale my kettle');
    await operator.el('#as').fill('visitor-7');
    await operator.el('#query').press('Enter');
    await operator.el('.results li').first().waitFor();
    expect(await operator.el('.results li strong').first().innerText()).toBe('descaling');
    expect(operator.foreignRequests()).toEqual([]);
    expect(operator.pageErrors).toEqual([]);
  });
});
