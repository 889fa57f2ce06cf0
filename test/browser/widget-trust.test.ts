import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { MemoryKnowledge, type LocalServerOptions, type Tool } from '../../src/index.js';
import type { ScriptStep } from '../../src/testing/index.js';
import { describeWithChromium, launchChromium } from './support/chromium.js';
import { contrastRatio } from './support/contrast.js';
import { pixelDifference, waitUntil, WidgetPage } from './support/widget-page.js';
import { WidgetServer } from './support/widget-server.js';

/** The defects a visitor notices (issue 14), each pinned by what Chromium renders. */
const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'images');

async function knowledge(): Promise<MemoryKnowledge> {
  const kb = new MemoryKnowledge(() => new Date());
  await kb.upsert('default', [
    {
      id: 'returns',
      source: 'help-center/returns.md',
      title: 'Returns policy',
      url: 'https://help.example.com/returns',
      content: 'You can return any item within 30 days of delivery. Refunds go back to the original payment method.',
    },
  ]);
  return kb;
}

function refundTool(calls: string[]): Tool {
  return {
    name: 'refund_order',
    description: 'Refund an order.',
    parameters: { type: 'object', properties: { orderId: { type: 'string' }, amount: { type: 'string' } }, required: ['orderId'] },
    confirmation: 'Refund order {{orderId}} ({{amount}})',
    async execute(args) {
      calls.push(String(args.orderId));
      return `Refund of order ${String(args.orderId)} issued.`;
    },
  };
}

const lookupTool: Tool = {
  name: 'lookup_order',
  description: 'Look up an order.',
  parameters: { type: 'object' },
  execute: async () => 'Order A-1001: delivered 3 days ago.',
};

async function saveScreenshot(browser: Browser, name: string, png: Buffer): Promise<void> {
  const path = join(IMAGES, name);
  if (existsSync(path) && (await pixelDifference(browser, await readFile(path), png)) < 0.001) return;
  await writeFile(path, png);
}

let browser: Browser;
let server: WidgetServer | undefined;
let widget: WidgetPage | undefined;

async function setUp(script: ScriptStep[], options: LocalServerOptions = {}): Promise<WidgetPage> {
  server = await WidgetServer.start(script, options);
  widget = await WidgetPage.create(browser, server.baseUrl);
  await widget.goto();
  return widget;
}

const shadow = (expr: string) => `document.querySelector('smooth-agent-chat').shadowRoot${expr}`;

describeWithChromium()('widget a visitor can trust (Chromium)', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(IMAGES, { recursive: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    if (widget) {
      expect(widget.foreignRequests()).toEqual([]);
      expect(widget.pageErrors).toEqual([]);
      await widget.close();
    }
    await server?.close();
    widget = undefined;
    server = undefined;
  });

  it('does not steal focus on load: an autofocus search box keeps its keystrokes, the closed launcher shows no focus ring', async () => {
    server = await WidgetServer.start([]);
    widget = await WidgetPage.create(browser, server.baseUrl);
    const page = widget.page;
    const host = `${server.baseUrl}/shop`;
    // A site owner's page: a search box with autofocus, then the embed snippet.
    await page.route(host, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><html><body><input id="search" autofocus placeholder="Search the shop">
          <smooth-agent-chat server="${server!.baseUrl.replace('http', 'ws')}/ws"></smooth-agent-chat>
          <script src="/chat-widget.iife.js"></script></body></html>`,
      }),
    );
    await page.goto(host, { waitUntil: 'load' });
    await page.waitForFunction("customElements.get('smooth-agent-chat') !== undefined");
    // Past the widget's first render and any microtask it could have used to grab focus.
    await page.waitForFunction(shadow(".querySelector('.launcher') !== null"));
    await page.waitForTimeout(200);
    expect(await page.evaluate('document.activeElement?.id')).toBe('search');
    expect(await page.evaluate(shadow('.activeElement?.className ?? null'))).toBeNull();
    expect(await page.evaluate(shadow(".querySelector('.launcher').matches(':focus-visible')"))).toBe(false);
    await page.keyboard.type('kettle');
    expect(await page.inputValue('#search')).toBe('kettle');
  });

  it('states the action in words on the approval card, before the final answer', async () => {
    const calls: string[] = [];
    const w = await setUp(
      [
        { kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"A-1001","amount":"25.00 EUR"}' },
        { kind: 'text', text: 'Done: order A-1001 has been refunded.', chunkSize: 4, delayMs: 10 },
      ],
      { tools: [refundTool(calls)], config: { confirmToolPatterns: ['refund'] } },
    );
    await w.open();
    await w.ask('Please refund order A-1001');
    const card = w.widget('.approval');
    await card.locator('button.approve').waitFor();
    expect(await card.locator('.approval-action').innerText()).toBe('Refund order A-1001 (25.00 EUR)');
    expect(await card.innerText()).not.toContain('refund_order');
    await w.page.evaluate('document.activeElement.blur()');
    const png = await w.widget('#panel').screenshot();
    await saveScreenshot(browser, 'approval-card.png', png);
    await card.locator('button.approve').click();
    const answer = await w.waitForAnswer(1);
    // The page reads in the order things happened: the action, then the answer that reports it.
    const order = await w.page.evaluate(
      shadow(".querySelector('article.msg.agent .approval').compareDocumentPosition(document.querySelector('smooth-agent-chat').shadowRoot.querySelector('article.msg.agent .bubble'))"),
    );
    expect(Number(order) & 4).toBe(4); // Node.DOCUMENT_POSITION_FOLLOWING: the bubble comes after the card.
    expect(await answer.locator('.bubble').innerText()).toBe('Done: order A-1001 has been refunded.');
    expect(calls).toEqual(['A-1001']);
  });

  it('keeps sources, tool steps and a pending approval across a reload, and the card still works', async () => {
    const calls: string[] = [];
    const w = await setUp(
      [
        { kind: 'toolCall', name: 'lookup_order', arguments: '{}' },
        { kind: 'text', text: 'You can return it within 30 days [1].' },
        { kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"A-1001","amount":"25.00 EUR"}' },
        { kind: 'text', text: 'Refunded.' },
      ],
      { knowledge: await knowledge(), tools: [lookupTool, refundTool(calls)], config: { confirmToolPatterns: ['refund'] } },
    );
    await w.open();
    await w.ask('How long do I have to return an item after delivery?');
    await w.waitForAnswer(1);
    await w.ask('Then refund order A-1001');
    await w.widget('.approval button.approve').waitFor();

    await w.page.reload();
    await w.page.waitForFunction("customElements.get('smooth-agent-chat') !== undefined");
    await w.open();
    const first = w.agentMessages.first();
    await first.locator('.sources a').waitFor();
    expect(await first.locator('.sources a').innerText()).toBe('[1] Returns policy');
    expect(await first.locator('.tool .tool-name').allInnerTexts()).toEqual(['Lookup order']);
    const card = w.widget('.approval');
    await card.locator('button.approve').waitFor();
    expect(await card.getAttribute('data-state')).toBe('pending');
    expect(await card.locator('.approval-action').innerText()).toBe('Refund order A-1001 (25.00 EUR)');
    expect(calls).toEqual([]);
    await card.locator('button.approve').click();
    await waitUntil(async () => (await w.agentMessages.last().locator('.bubble').count()) > 0, 'the resumed answer');
    await waitUntil(async () => (await w.agentMessages.last().locator('.bubble').innerText()) === 'Refunded.', 'the resumed answer text');
    expect(calls).toEqual(['A-1001']);
  });

  it('renders streaming Markdown without flashing raw syntax', async () => {
    const w = await setUp([{ kind: 'text', text: 'Our **return window** is *30 days*; see `returns` and [the policy](https://help.example.com/returns).', chunkSize: 2, delayMs: 15 }]);
    await w.open();
    // Every state the bubble passes through while tokens arrive.
    await w.page.evaluate(`(() => {
      window.__seen = [];
      const root = ${shadow('')};
      new MutationObserver(() => {
        for (const b of root.querySelectorAll('article.msg.agent .bubble')) window.__seen.push(b.textContent);
      }).observe(root, { subtree: true, childList: true, characterData: true });
    })()`);
    await w.ask('How long do I have to return?');
    const answer = await w.waitForAnswer(1);
    const seen = (await w.page.evaluate('window.__seen')) as string[];
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.filter((t) => /[*`[\]]/.test(t))).toEqual([]);
    expect(await answer.locator('.bubble strong').innerText()).toBe('return window');
    expect(await answer.locator('.bubble em').innerText()).toBe('30 days');
  });

  it('meets WCAG AA: links 4.5:1 on their bubble in both themes, the focus ring 3:1 on what surrounds it', async () => {
    const w = await setUp([{ kind: 'text', text: 'See [the returns policy](https://help.example.com/returns).' }]);
    const style = (selector: string, property: string) =>
      w.page.evaluate(`getComputedStyle(${shadow(`.querySelector(${JSON.stringify(selector)})`)}).${property}`) as Promise<string>;
    // Keyboard focus on the launcher: its ring against the host page behind it.
    await w.page.locator('h1').click();
    await w.page.keyboard.press('Tab');
    await waitUntil(() => w.page.evaluate(shadow(".querySelector('.launcher').matches(':focus-visible')")) as Promise<boolean>, 'keyboard focus on the launcher');
    const pageBackground = (await w.page.evaluate('getComputedStyle(document.body).backgroundColor')) as string;
    expect(contrastRatio(await style('.launcher', 'outlineColor'), pageBackground)).toBeGreaterThanOrEqual(3);
    await w.page.keyboard.press('Enter');
    await w.waitOnline();
    await w.ask('Where is the returns policy?');
    await w.waitForAnswer(1);
    const ratios: Record<string, number> = {};
    for (const theme of ['light', 'dark']) {
      await w.page.evaluate(`document.querySelector('smooth-agent-chat').setAttribute('theme', '${theme}')`);
      await w.page.waitForTimeout(50);
      ratios[`${theme} link`] = contrastRatio(await style('.md a', 'color'), await style('article.msg.agent .bubble', 'backgroundColor'));
      ratios[`${theme} source link`] = contrastRatio(await style('.sources a, .md a', 'color'), await style('.panel', 'backgroundColor'));
      // The input's ring sits on the panel surface.
      await w.input.focus();
      await w.page.keyboard.press('Shift+Tab');
      await w.page.keyboard.press('Tab');
      ratios[`${theme} focus ring`] = contrastRatio(await style('textarea', 'outlineColor'), await style('.panel', 'backgroundColor'));
      ratios[`${theme} header focus ring`] = contrastRatio(await style('header', 'color'), await style('header', 'backgroundColor'));
    }
    for (const [what, ratio] of Object.entries(ratios)) {
      expect(ratio, what).toBeGreaterThanOrEqual(what.includes('focus') ? 3 : 4.5);
    }
  });

  it('greets with a designed empty state: the agent name, an AI label and suggested questions that ask', async () => {
    const w = await setUp([{ kind: 'text', text: 'Orders ship within 2 days.' }]);
    await w.page.evaluate(`(() => {
      const chat = document.querySelector('smooth-agent-chat');
      chat.setAttribute('agent-name', 'Kettle Co assistant');
      chat.setAttribute('suggestions', JSON.stringify(['When will my order ship?', 'How do returns work?']));
    })()`);
    await w.open();
    expect(await w.widget('.welcome-name').innerText()).toContain('Kettle Co assistant');
    expect(await w.widget('.welcome .badge.ai').innerText()).toBe('AI');
    expect(await w.widget('.suggestion').allInnerTexts()).toEqual(['When will my order ship?', 'How do returns work?']);
    await w.widget('.suggestion').first().click();
    const answer = await w.waitForAnswer(1);
    expect(await w.widget('article.msg.user .bubble').innerText()).toBe('When will my order ship?');
    expect(await answer.locator('.bubble').innerText()).toBe('Orders ship within 2 days.');
  });
});
