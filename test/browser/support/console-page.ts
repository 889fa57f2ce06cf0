import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { UI_TIMEOUT } from './widget-page.js';

/** Drives `<smooth-operator-console>` at `/console`. */
export class ConsolePage {
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

  static async open(browser: Browser, baseUrl: string, token: string): Promise<ConsolePage> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light', reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT);
    const console_ = new ConsolePage(context, page, baseUrl);
    await page.goto(`${baseUrl}/console`, { waitUntil: 'load' });
    await page.waitForFunction("customElements.get('smooth-operator-console') !== undefined");
    // Keyboard only: the token field, then Enter.
    await console_.el('#token').fill(token);
    await console_.el('#token').press('Enter');
    await console_.el('.live[data-state="live"]').waitFor();
    return console_;
  }

  el(selector: string): Locator {
    return this.page.locator(`smooth-operator-console ${selector}`);
  }

  foreignRequests(): string[] {
    return this.requests.filter((url) => !url.startsWith(this.baseUrl) && !url.startsWith(this.baseUrl.replace('http', 'ws')) && !url.startsWith('data:'));
  }

  close(): Promise<void> {
    return this.context.close();
  }
}
