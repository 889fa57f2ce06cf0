import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** Generous: a 2-core CI machine runs Chromium, the server and the gateway at once. */
export const UI_TIMEOUT = 20_000;

/**
 * Drives `<smooth-agent-chat>` on the server's own host page (`GET /`). Locators are CSS, which
 * playwright resolves through open shadow roots.
 */
export class WidgetPage {
  /** Every URL the page asked for: the widget must not reach anything but its own server. */
  readonly requests: string[] = [];
  readonly pageErrors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
  ) {
    page.on('request', (request) => this.requests.push(request.url()));
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }

  static async create(browser: Browser, baseUrl: string, viewport = { width: 1280, height: 800 }): Promise<WidgetPage> {
    const context = await browser.newContext({ viewport, colorScheme: 'light', reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    return new WidgetPage(context, page, baseUrl);
  }

  widget(selector: string): Locator {
    return this.page.locator(`smooth-agent-chat ${selector}`);
  }

  get launcher(): Locator {
    return this.widget('.launcher');
  }

  get input(): Locator {
    return this.widget('textarea');
  }

  get agentMessages(): Locator {
    return this.widget('article.msg.agent');
  }

  get lastAgent(): Locator {
    return this.agentMessages.last();
  }

  async goto(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/`, { waitUntil: 'load' });
    await this.page.waitForFunction("customElements.get('smooth-agent-chat') !== undefined");
  }

  async open(): Promise<void> {
    await this.launcher.click();
    await this.waitOnline();
  }

  async waitOnline(): Promise<void> {
    await this.widget('.presence[data-state="open"]').waitFor();
  }

  async ask(text: string): Promise<void> {
    await this.input.fill(text);
    await this.widget('button.send:not([disabled])').waitFor();
    await this.input.press('Enter');
  }

  /** Waits until the `n`-th (1-based) answer has reached `status`. */
  async waitForAnswer(n: number, status: 'done' | 'stopped' | 'failed' = 'done'): Promise<Locator> {
    const answer = this.agentMessages.nth(n - 1);
    await waitUntil(async () => (await answer.getAttribute('data-status', { timeout: UI_TIMEOUT })) === status, `answer ${n} to be ${status}`);
    return answer;
  }

  /** Requests that left the server's origin. */
  foreignRequests(): string[] {
    return this.requests.filter((url) => !url.startsWith(this.baseUrl) && !url.startsWith('data:') && url !== 'about:blank');
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

/** Polls `check` until it holds; for conditions a single locator cannot express. */
export async function waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = UI_TIMEOUT): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Share of pixels that differ between two PNGs of the same size (1 when the sizes differ). */
export async function pixelDifference(browser: Browser, a: Buffer, b: Buffer): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const script = `(async (a, b) => {
      const pixels = async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d');
        ctx.drawImage(img, 0, 0);
        return ctx.getImageData(0, 0, canvas.width, canvas.height);
      };
      const [x, y] = [await pixels(a), await pixels(b)];
      if (x.width !== y.width || x.height !== y.height) return 1;
      let differing = 0;
      for (let i = 0; i < x.data.length; i += 4) {
        if (x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] || x.data[i + 2] !== y.data[i + 2]) differing++;
      }
      return differing / (x.width * x.height);
    })`;
    const url = (png: Buffer) => JSON.stringify(`data:image/png;base64,${png.toString('base64')}`);
    return await page.evaluate(`${script}(${url(a)}, ${url(b)})`);
  } finally {
    await context.close();
  }
}

/**
 * Decodes a PNG in a scratch page (the browser is the PNG decoder, so no image library is needed)
 * and reports how varied it is: a blank or single-colour screenshot has one or two colours.
 */
export async function screenshotStats(browser: Browser, png: Buffer): Promise<{ width: number; height: number; colours: number }> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const script = `(async (src) => {
      const img = new Image();
      img.src = src;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const colours = new Set();
      for (let i = 0; i < data.length; i += 4 * 7) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return { width: canvas.width, height: canvas.height, colours: colours.size };
    })`;
    return await page.evaluate(`${script}(${JSON.stringify(`data:image/png;base64,${png.toString('base64')}`)})`);
  } finally {
    await context.close();
  }
}
