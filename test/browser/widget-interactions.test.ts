import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { LocalServerOptions, Tool } from '../../src/index.js';
import type { ScriptStep } from '../../src/testing/index.js';
import { codeIn, startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { describeWithChromium, launchChromium } from './support/chromium.js';
import { waitUntil, WidgetPage } from './support/widget-page.js';
import { WidgetServer } from './support/widget-server.js';

let browser: Browser;
let server: WidgetServer | undefined;
let widget: WidgetPage | undefined;
let smtp: SmtpSink | undefined;

const INTAKE = JSON.stringify({
  fields: [
    { key: 'name', required: false },
    { key: 'email', required: true },
  ],
  reason: 'to send you the quote',
});
const CHOICES = JSON.stringify({
  reason: 'to pick the right plan',
  questions: [
    { question: 'Which plan?', header: 'Plan', options: [{ label: 'Basic' }, { label: 'Pro', description: 'for teams' }] },
    { question: 'Which extras?', header: 'Extras', multiSelect: true, options: [{ label: 'Backup' }, { label: 'Support' }] },
  ],
});

const toolMessages = () =>
  server!.gateway.requests.flatMap((r) => r.body.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(String(m.content)) as unknown));

describeWithChromium()('<smooth-agent-chat> Rich Interactions and OTP in Chromium', { timeout: 90_000 }, () => {
  beforeAll(async () => {
    browser = await launchChromium();
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
    await smtp?.close();
    widget = undefined;
    server = undefined;
    smtp = undefined;
  });

  async function setUp(script: ScriptStep[], options: LocalServerOptions = {}) {
    server = await WidgetServer.start(script, options);
    widget = await WidgetPage.create(browser, server.baseUrl);
    await widget.goto();
    await widget.open();
    return widget;
  }

  it('renders the identity form with labelled fields, shows field errors from the server, and resumes the answer on a valid submit', async () => {
    const w = await setUp([
      { kind: 'toolCall', name: 'request_identity_intake', arguments: INTAKE },
      { kind: 'text', text: 'Thanks, the quote is on its way.' },
    ]);
    await w.ask('send me a quote');
    const form = w.widget('form.interaction.identity');
    await form.waitFor();
    expect(await form.locator('.interaction-title').textContent()).toContain('to send you the quote');
    // Accessible: every input has a label (getByLabel resolves it), the required one says so.
    const email = w.page.getByLabel(/^Email/);
    const name = w.page.getByLabel(/^Name/);
    expect(await email.getAttribute('aria-required')).toBe('true');
    expect(await name.getAttribute('aria-required')).toBe('false');
    expect(await email.getAttribute('type')).toBe('email');

    // The server's validator is the judge: a bad address comes back as a field error on the card.
    await email.fill('not-an-email');
    await email.press('Enter');
    const error = form.locator('.field-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('valid email');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    expect(await email.getAttribute('aria-describedby')).toBe(await error.getAttribute('id'));

    await name.fill('Alice Example');
    await email.fill('alice@example.com');
    await form.locator('button.submit').click();
    const answer = await w.waitForAnswer(1);
    expect(await answer.locator('.bubble').textContent()).toContain('the quote is on its way');
    expect(await answer.locator('.interaction-outcome').textContent()).toContain('Sent');
    expect(toolMessages()).toEqual([{ status: 'submitted', values: { name: 'Alice Example', email: 'alice@example.com' } }]);
  });

  it('"No thanks" declines the form', async () => {
    const w = await setUp([
      { kind: 'toolCall', name: 'request_identity_intake', arguments: INTAKE },
      { kind: 'text', text: 'No problem.' },
    ]);
    await w.ask('quote?');
    await w.widget('form.interaction button.decline').click();
    await w.waitForAnswer(1);
    expect(toolMessages()).toEqual([{ status: 'declined', message: expect.any(String) }]);
  });

  it('renders choice chips as keyboard-operable radios and checkboxes and submits the picks', async () => {
    const w = await setUp([
      { kind: 'toolCall', name: 'request_choices', arguments: CHOICES },
      { kind: 'text', text: 'Pro with backup it is.' },
    ]);
    await w.ask('which plan?');
    const form = w.widget('form.interaction.choices');
    await form.waitFor();
    const plan = form.locator('fieldset').nth(0);
    expect(await plan.locator('legend').textContent()).toContain('Which plan?');
    expect(await plan.locator('.chips').getAttribute('role')).toBe('radiogroup');
    expect(await form.locator('fieldset').nth(1).locator('.chips').getAttribute('role')).toBe('group');
    expect(await form.locator('.chip label').allTextContents()).toEqual(['Basic', 'Pro', 'Backup', 'Support']);

    // Submitting with a question unanswered: the server says which one.
    await plan.locator('label', { hasText: 'Pro' }).click();
    await form.locator('button.submit').click();
    const error = form.locator('fieldset').nth(1).locator('.field-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('answer');

    // Keyboard: Tab to the Backup chip and toggle it with Space.
    await w.page.getByRole('checkbox', { name: 'Backup' }).focus();
    await w.page.keyboard.press('Space');
    expect(await w.page.getByRole('checkbox', { name: 'Backup' }).isChecked()).toBe(true);
    expect(await w.page.getByRole('radio', { name: 'Pro' }).isChecked()).toBe(true);
    await form.locator('button.submit').click();
    await w.waitForAnswer(1);
    expect(toolMessages()).toEqual([
      { status: 'submitted', values: { answers: [{ header: 'Plan', options: ['Pro'] }, { header: 'Extras', options: ['Backup'] }] } },
    ]);
  });

  it('asks for the OTP code, reports a wrong one with the attempts left, and after a right one runs the tool', async () => {
    smtp = await startSmtpSink();
    const dir = mkdtempSync(join(tmpdir(), 'so-widget-otp-'));
    const agents = join(dir, 'agents.json');
    writeFileSync(
      agents,
      JSON.stringify([
        {
          agentId: '11111111-1111-4111-8111-111111111111',
          visibility: 'public',
          toolConfig: {
            enabledTools: [
              { toolId: 'lookup_account', enabled: true, authLevel: 'end_user' },
              { toolId: 'request_identity_intake', enabled: true, authLevel: 'none' },
            ],
          },
        },
      ]),
    );
    const ran: string[] = [];
    const lookup: Tool = { name: 'lookup_account', description: 'd', parameters: { type: 'object' }, execute: async () => (ran.push('x'), 'gold tier') };
    const w = await setUp(
      [
        { kind: 'toolCall', name: 'request_identity_intake', arguments: JSON.stringify({ fields: [{ key: 'email', required: true }], reason: 'to verify you' }) },
        { kind: 'toolCall', name: 'lookup_account', arguments: '{}' },
        { kind: 'text', text: 'Please enter the code I emailed you.' },
        { kind: 'toolCall', name: 'lookup_account', arguments: '{}' },
        { kind: 'text', text: 'You are on the gold tier.' },
      ],
      {
        tools: [lookup],
        config: { agentsFile: agents, otp: { smtpUrl: smtp.url, from: 'help@example.com', maxSendsPerSession: 3, maxSendsPerAddress: 3, sendWindowMs: 60_000 } },
      },
    );
    const agentId = await w.page.evaluate("document.querySelector('smooth-agent-chat').getAttribute('agent-id')");
    expect(agentId).toBe('11111111-1111-4111-8111-111111111111');
    await w.ask('what is my tier?');
    const email = w.page.getByLabel(/^Email/);
    await email.fill('visitor@example.com');
    await email.press('Enter');
    const otp = w.widget('form.otp');
    await otp.waitFor();
    const code = codeIn(await smtp.nextMail());
    const input = w.page.getByLabel(/6-digit code/);
    expect(await otp.locator('label').textContent()).toContain('v***@example.com');
    expect(await input.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await input.getAttribute('inputmode')).toBe('numeric');

    await input.fill(code === '000000' ? '111111' : '000000');
    await input.press('Enter');
    const error = otp.locator('.field-error');
    await error.waitFor();
    expect(await error.textContent()).toContain('4 attempt');
    expect(ran).toEqual([]);

    await input.fill(code);
    await w.widget('form.otp button.verify').click();
    await w.widget('.otp-outcome[data-state="verified"]').waitFor();
    // Verified: the widget asks again by itself and this time the tool runs.
    await w.waitForAnswer(2);
    await waitUntil(async () => ((await w.agentMessages.nth(1).locator('.bubble').textContent()) ?? '').includes('gold tier'), 'the retried answer');
    expect(ran).toEqual(['x']);
  });
});
