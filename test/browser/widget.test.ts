import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { MemoryKnowledge, type LocalServerOptions, type Tool } from '../../src/index.js';
import type { ScriptStep } from '../../src/testing/index.js';
import { describeWithChromium, launchChromium } from './support/chromium.js';
import { pixelDifference, screenshotStats, UI_TIMEOUT, waitUntil, WidgetPage } from './support/widget-page.js';
import { WidgetServer } from './support/widget-server.js';

const IMAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'images');
const RETURNS_URL = 'https://help.example.com/returns';

/** A knowledge base whose returns article has a web address, so its citation becomes a link. */
async function knowledgeWithUrls(): Promise<MemoryKnowledge> {
  const knowledge = new MemoryKnowledge(() => new Date());
  await knowledge.upsert('default', [
    {
      id: 'returns',
      source: 'help-center/returns.md',
      title: 'Returns policy',
      url: RETURNS_URL,
      content: 'You can return any item within 30 days of delivery. Refunds go back to the original payment method.',
    },
  ]);
  return knowledge;
}

function refundTool(calls: string[]): Tool {
  return {
    name: 'refund_order',
    description: 'Refund an order in full.',
    parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] },
    async execute(args) {
      calls.push(String(args.orderId));
      return `Refund of order ${String(args.orderId)} issued.`;
    },
  };
}

/**
 * Writes a screenshot under docs/images, unless the one there already shows the same picture
 * (PNG bytes can differ for identical pixels), so a test run does not dirty the work tree for nothing.
 */
async function saveScreenshot(browser: Browser, name: string, png: Buffer): Promise<void> {
  const path = join(IMAGES, name);
  if (existsSync(path) && (await pixelDifference(browser, await readFile(path), png)) < 0.001) return;
  await writeFile(path, png);
}

const ANSWER = 'You can return **any item** within 30 days of delivery [1]. Refunds go to the original payment method.';

let browser: Browser;
let server: WidgetServer | undefined;
let widget: WidgetPage | undefined;

describeWithChromium()('<smooth-agent-chat> in Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    browser = await launchChromium();
    await mkdir(IMAGES, { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
  });

  afterEach(async () => {
    if (widget) {
      // Whatever a test did, the widget must never have fetched from anywhere but its server.
      expect(widget.foreignRequests()).toEqual([]);
      expect(widget.pageErrors).toEqual([]);
      await widget.close();
    }
    await server?.close();
    widget = undefined;
    server = undefined;
  });

  async function setUp(script: ScriptStep[], options: LocalServerOptions = {}, viewport?: { width: number; height: number }) {
    server = await WidgetServer.start(script, options);
    widget = await WidgetPage.create(browser, server.baseUrl, viewport);
    await widget.goto();
    return { server, widget };
  }

  it('is keyboard operable, streams the answer progressively and cites its source as a link', async () => {
    const { widget: w } = await setUp([{ kind: 'text', text: ANSWER, chunkSize: 3, delayMs: 40 }], { knowledge: await knowledgeWithUrls() });
    const page = w.page;

    // Keyboard only: from the page's text, Tab reaches the launcher; Enter opens the panel and
    // puts focus in the input.
    await page.locator('h1').click();
    await page.keyboard.press('Tab');
    await waitUntil(() => page.evaluate("document.activeElement?.localName === 'smooth-agent-chat'"), 'the launcher to take focus');
    await page.keyboard.press('Enter');
    await w.waitOnline();
    await waitUntil(
      () => page.evaluate("document.querySelector('smooth-agent-chat').shadowRoot.activeElement?.localName === 'textarea'"),
      'the input to take focus',
    );

    // Record every length the answer bubble passes through, from inside the page.
    await page.evaluate(`(() => {
      const root = document.querySelector('smooth-agent-chat').shadowRoot;
      window.__answerLengths = [];
      new MutationObserver(() => {
        const bubbles = root.querySelectorAll('article.msg.agent .bubble');
        const last = bubbles[bubbles.length - 1];
        if (last) window.__answerLengths.push(last.textContent.length);
      }).observe(root, { subtree: true, childList: true, characterData: true });
    })()`);
    await page.keyboard.type('How long do I have to return an item after delivery?');
    await page.keyboard.press('Enter');

    const answer = await w.waitForAnswer(1);
    expect(await answer.locator('.bubble').innerText()).toContain('You can return any item within 30 days of delivery');
    expect(await answer.locator('.bubble strong').innerText()).toBe('any item');
    const lengths = (await page.evaluate('window.__answerLengths')) as number[];
    const full = Math.max(...lengths);
    expect(new Set(lengths.filter((n) => n > 0 && n < full)).size).toBeGreaterThanOrEqual(3);

    const link = answer.locator('.sources a.source');
    expect(await link.getAttribute('href')).toBe(RETURNS_URL);
    expect(await link.innerText()).toBe('[1] Returns policy');
    expect(await link.getAttribute('rel')).toContain('noopener');
    expect(await w.widget('.log').getAttribute('aria-live')).toBe('polite');

    // Escape closes the panel and returns focus to the launcher.
    await page.keyboard.press('Escape');
    await w.widget('#panel').waitFor({ state: 'detached' });
    await waitUntil(
      () => page.evaluate("document.querySelector('smooth-agent-chat').shadowRoot.activeElement?.classList.contains('launcher') === true"),
      'focus back on the launcher',
    );
  });

  it('asks before a gated tool runs: Approve runs it and the result streams in', async () => {
    const calls: string[] = [];
    const { widget: w } = await setUp(
      [
        { kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"A-1001"}' },
        { kind: 'text', text: 'Done: order A-1001 has been refunded.', chunkSize: 4, delayMs: 10 },
      ],
      { tools: [refundTool(calls)], config: { confirmToolPatterns: ['refund'] } },
    );
    await w.open();
    await w.ask('Please refund order A-1001');

    const card = w.widget('.approval');
    await card.waitFor();
    expect(await card.innerText()).toContain('Refund order: order id A-1001');
    expect(calls).toEqual([]);
    await card.locator('button.approve').click();

    const answer = await w.waitForAnswer(1);
    expect(await answer.locator('.bubble').innerText()).toBe('Done: order A-1001 has been refunded.');
    expect(await answer.locator('.approval-outcome').innerText()).toBe('Approved');
    expect(await answer.locator('.tool[data-state="done"] .tool-name').innerText()).toBe('Refund order');
    expect(calls).toEqual(['A-1001']);
  });

  it('keeps an approval card answerable across a dropped connection: Approve after the reconnect streams the rest into the same answer', async () => {
    const calls: string[] = [];
    server = await WidgetServer.start(
      [
        { kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"A-1003"}' },
        { kind: 'text', text: 'Done: order A-1003 has been refunded.', chunkSize: 4, delayMs: 10 },
      ],
      { tools: [refundTool(calls)], config: { confirmToolPatterns: ['refund'] } },
    );
    const w = (widget = await WidgetPage.create(browser, server.baseUrl));
    // The widget's sockets go through playwright, so the test can cut one without stopping the server.
    const routes: Array<{ page: WebSocketRoute; server: WebSocketRoute }> = [];
    await w.page.routeWebSocket(/\/ws/, (route) => {
      routes.push({ page: route, server: route.connectToServer() });
    });
    await w.goto();
    await w.open();
    await w.ask('Please refund order A-1003');
    const card = w.widget('.approval');
    await card.locator('button.approve').waitFor();

    const first = routes.at(-1)!;
    await first.server.close();
    await first.page.close();
    await waitUntil(async () => routes.length >= 2, 'the widget to reconnect');
    await w.waitOnline();
    // Not expired: the server kept the turn parked on this approval.
    expect(await card.getAttribute('data-state')).toBe('pending');
    expect(calls).toEqual([]);
    await card.locator('button.approve').click();

    const answer = await w.waitForAnswer(1);
    expect(await w.agentMessages.count()).toBe(1);
    expect(await answer.locator('.bubble').innerText()).toBe('Done: order A-1003 has been refunded.');
    expect(await answer.locator('.approval-outcome').innerText()).toBe('Approved');
    expect(await answer.locator('.tool[data-state="done"] .tool-name').innerText()).toBe('Refund order');
    expect(calls).toEqual(['A-1003']);
  });

  it('Deny keeps the tool from running and the agent answers without it', async () => {
    const calls: string[] = [];
    const { widget: w, server: s } = await setUp(
      [
        { kind: 'toolCall', name: 'refund_order', arguments: '{"orderId":"A-1002"}' },
        { kind: 'text', text: 'Understood, I will not refund it.' },
      ],
      { tools: [refundTool(calls)], config: { confirmToolPatterns: ['refund'] } },
    );
    await w.open();
    await w.ask('Refund order A-1002');
    await w.widget('.approval button.deny').click();

    const answer = await w.waitForAnswer(1);
    expect(await answer.locator('.bubble').innerText()).toBe('Understood, I will not refund it.');
    expect(await answer.locator('.approval-outcome').innerText()).toBe('Denied');
    expect(await answer.locator('.tool[data-state="failed"] .tool-name').innerText()).toBe('Refund order');
    expect(calls).toEqual([]);
    const toolMessage = s.gateway.requests[1]?.body.messages.find((m) => m.role === 'tool');
    expect(String(toolMessage?.content)).toContain('denied');
  });

  it('Stop cancels the answer mid-stream, and the next question works', async () => {
    const { widget: w, server: s } = await setUp([{ kind: 'hang', text: 'Let me think about that for a long ' }, { kind: 'text', text: 'Second answer.' }]);
    await w.open();
    await w.ask('A slow question');
    await w.widget('article.msg.agent[data-status="streaming"] .bubble').waitFor();
    await w.widget('button.stop').click();

    const stopped = await w.waitForAnswer(1, 'stopped');
    expect(await stopped.locator('.note').innerText()).toBe('Stopped.');
    expect(await stopped.locator('.bubble').innerText()).toContain('Let me think');
    // The server really aborted the model call.
    await s.gateway.waitForClientClose(0, UI_TIMEOUT);

    await w.ask('Another question');
    const second = await w.waitForAnswer(2);
    expect(await second.locator('.bubble').innerText()).toBe('Second answer.');
  });

  it('reconnects after the server is killed and restarted, and the next question works', async () => {
    const { widget: w, server: s } = await setUp([
      { kind: 'text', text: 'Before the restart.' },
      { kind: 'text', text: 'After the restart.' },
    ]);
    await w.open();
    await w.ask('First question');
    await w.waitForAnswer(1);

    await s.stop();
    await w.widget('.banner').waitFor();
    expect(await w.widget('.presence').getAttribute('data-state')).not.toBe('open');

    // A fresh process: in-memory storage is gone, so the widget must start a new conversation by itself.
    await s.start();
    await w.waitOnline();
    await w.widget('.notice').waitFor();
    await w.ask('Second question');
    const answer = await w.waitForAnswer(2);
    expect(await answer.locator('.bubble').innerText()).toBe('After the restart.');
    await w.widget('.banner').waitFor({ state: 'detached' });
  });

  it('restores the conversation after a page reload', async () => {
    const { widget: w } = await setUp([{ kind: 'text', text: 'Our shipping takes **5 days**.' }]);
    await w.open();
    await w.ask('How long is shipping?');
    await w.waitForAnswer(1);
    const stored = await w.page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('smooth-agent-chat:session:')).length");
    expect(stored).toBe(1);

    await w.page.reload();
    await w.page.waitForFunction("customElements.get('smooth-agent-chat') !== undefined");
    await w.open();
    await w.agentMessages.first().waitFor();
    const texts = await w.widget('article.msg .bubble').allInnerTexts();
    expect(texts).toEqual(['How long is shipping?', 'Our shipping takes 5 days.']);
    expect(await w.widget('article.msg.agent .bubble strong').innerText()).toBe('5 days');
  });

  it('renders HTML and script in an answer inert', async () => {
    const hostile = [
      'Here is <img src=x onerror="window.__xss = 1"> an image',
      '<script>window.__xss = 2</script>',
      '[click me](javascript:window.__xss=3) and ![pixel](http://tracker.example/p.png)',
      '<a href="javascript:window.__xss=4">raw link</a>',
    ].join('\n\n');
    const { widget: w } = await setUp([{ kind: 'text', text: hostile }]);
    await w.open();
    await w.ask('<b>bold?</b> <img src=y onerror="window.__xss = 5">');
    const answer = await w.waitForAnswer(1);

    expect(await w.page.evaluate('window.__xss')).toBeUndefined();
    const counts = await w.page.evaluate(`(() => {
      const root = document.querySelector('smooth-agent-chat').shadowRoot;
      return {
        img: root.querySelectorAll('img').length,
        script: root.querySelectorAll('script').length,
        handlers: [...root.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length,
        jsLinks: [...root.querySelectorAll('a')].filter((a) => /^javascript:/i.test(a.getAttribute('href') || '')).length,
      };
    })()`);
    expect(counts).toEqual({ img: 0, script: 0, handlers: 0, jsLinks: 0 });
    // Raw HTML is shown as text, the visitor's own message exactly as typed.
    expect(await answer.locator('.bubble').innerText()).toContain('<img src=x onerror="window.__xss = 1">');
    expect(await w.widget('article.msg.user .bubble').innerText()).toBe('<b>bold?</b> <img src=y onerror="window.__xss = 5">');
    // The image became a plain link and was never fetched (afterEach checks the request log).
    expect(await answer.locator('a', { hasText: 'pixel' }).getAttribute('href')).toBe('http://tracker.example/p.png');
  });

  it('shows a failed answer as an error and lets the visitor ask again', async () => {
    const { widget: w } = await setUp([{ kind: 'error', status: 500 }, { kind: 'text', text: 'Back on track.' }]);
    await w.open();
    await w.ask('Will this fail?');
    const failed = await w.waitForAnswer(1, 'failed');
    expect(await failed.locator('.note.error').innerText()).toBe('The assistant could not answer right now. Please try again.');
    expect(await failed.locator('.note.error').getAttribute('role')).toBe('alert');
    await w.ask('And now?');
    expect(await (await w.waitForAnswer(2)).locator('.bubble').innerText()).toBe('Back on track.');
  });

  it('follows the theme attribute, the colour scheme and the brand colour custom properties', async () => {
    const { widget: w } = await setUp([]);
    const background = (selector: string) =>
      w.page.evaluate(`getComputedStyle(document.querySelector('smooth-agent-chat').shadowRoot.querySelector(${JSON.stringify(selector)})).backgroundColor`);
    await w.page.evaluate("document.querySelector('smooth-agent-chat').style.setProperty('--smooth-agent-accent', 'rgb(200, 30, 90)')");
    await w.open();
    expect(await background('.launcher')).toBe('rgb(200, 30, 90)');
    expect(await background('.panel')).toBe('rgb(255, 255, 255)');

    await w.page.evaluate("document.querySelector('smooth-agent-chat').setAttribute('theme', 'dark')");
    await waitUntil(async () => (await background('.panel')) === 'rgb(22, 24, 29)', 'the dark surface');

    // auto (the default) follows the visitor's colour scheme; light pins it.
    await w.page.evaluate("document.querySelector('smooth-agent-chat').setAttribute('theme', 'auto')");
    await w.page.emulateMedia({ colorScheme: 'dark' });
    await waitUntil(async () => (await background('.panel')) === 'rgb(22, 24, 29)', 'auto to follow a dark scheme');
    await w.page.evaluate("document.querySelector('smooth-agent-chat').setAttribute('theme', 'light')");
    await waitUntil(async () => (await background('.panel')) === 'rgb(255, 255, 255)', 'light to override the scheme');
  });

  it('writes non-blank screenshots of the open widget at desktop and mobile width', async () => {
    const script = [
      { kind: 'toolCall', name: 'lookup_order', arguments: '{"orderId":"A-1001"}' },
      { kind: 'text', text: ANSWER, chunkSize: 12 },
    ] as const;
    const lookup: Tool = {
      name: 'lookup_order',
      description: 'Look up an order.',
      parameters: { type: 'object' },
      execute: async () => 'Order A-1001: delivered 3 days ago.',
    };
    const options = { knowledge: await knowledgeWithUrls(), tools: [lookup] };

    const { widget: desktop } = await setUp([...script, ...script], options);
    await desktop.open();
    await desktop.ask('Can I still return order A-1001?');
    await desktop.waitForAnswer(1);
    await desktop.page.evaluate('document.activeElement.blur()');
    const desktopPng = await desktop.page.screenshot();
    await saveScreenshot(browser, 'widget-desktop.png', desktopPng);

    const mobile = await WidgetPage.create(browser, server!.baseUrl, { width: 390, height: 844 });
    try {
      await mobile.goto();
      await mobile.open();
      // Full screen on a phone: the panel covers the viewport.
      const box = await mobile.widget('#panel').boundingBox();
      expect(box).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
      await mobile.ask('Can I still return order A-1001?');
      await mobile.waitForAnswer(1);
      await mobile.page.evaluate('document.activeElement.blur()');
      const mobilePng = await mobile.page.screenshot();
      await saveScreenshot(browser, 'widget-mobile.png', mobilePng);

      for (const [png, width, height] of [
        [desktopPng, 1280, 800],
        [mobilePng, 390, 844],
      ] as const) {
        const stats = await screenshotStats(browser, png);
        expect(stats).toMatchObject({ width, height });
        expect(stats.colours).toBeGreaterThan(20);
      }
      expect(mobile.foreignRequests()).toEqual([]);
    } finally {
      await mobile.close();
    }
  });
});
