import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { ChatController } from './chat-controller.js';
import { chatIcon, closeIcon, sendIcon, stopIcon } from './icons.js';
import { transcriptItem } from './item-views.js';
import { localSessionStore } from './session-store.js';
import { widgetStyles } from './styles.js';
import { interactionStyles } from './interaction-styles.js';

export type WidgetTheme = 'light' | 'dark' | 'auto';

const PRESENCE: Record<string, string> = { connecting: 'Connecting…', open: 'Online', reconnecting: 'Reconnecting…', closed: 'Offline' };

/**
 * `<smooth-agent-chat>`: a launcher button and a chat panel talking to a smooth-operator server.
 * Attributes: `server` (ws URL), `agent-id`, `token`, `title`, `placeholder`, `theme`
 * (light | dark | auto), `open`. Brand colours come from `--smooth-agent-*` custom properties.
 */
export class SmoothAgentChat extends LitElement {
  static override styles = [...widgetStyles, interactionStyles];

  static override properties = {
    server: { type: String },
    agentId: { type: String, attribute: 'agent-id' },
    token: { type: String },
    // `title` is also a global HTML attribute (see the empty title in render()).
    heading: { type: String, attribute: 'title' },
    placeholder: { type: String },
    theme: { type: String, reflect: true },
    open: { type: Boolean, reflect: true },
    agentName: { type: String, attribute: 'agent-name' },
    suggestions: { type: String },
    handoff: { type: String, attribute: 'handoff' },
    draft: { state: true },
  };

  declare server: string;
  declare agentId: string;
  declare token: string;
  declare heading: string;
  declare placeholder: string;
  declare theme: WidgetTheme;
  declare open: boolean;
  /** Shown in the empty state; defaults to the heading. */
  declare agentName: string;
  /** Suggested first questions: a JSON array of strings, or `|`-separated. */
  declare suggestions: string;
  /** `off` hides "Talk to a person". */
  declare handoff: string;
  declare draft: string;

  private controller: ChatController | undefined;
  private stickToBottom = true;
  private focusAfterRender: 'input' | 'launcher' | undefined;
  private readonly onOnline = () => this.controller?.reconnectNow();

  constructor() {
    super();
    this.server = '';
    this.agentId = '';
    this.token = '';
    this.heading = 'Support';
    this.placeholder = 'Ask a question…';
    this.theme = 'auto';
    this.open = false;
    this.agentName = '';
    this.suggestions = '';
    this.handoff = 'on';
    this.draft = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Back online after a network drop: skip the remaining backoff wait.
    window.addEventListener('online', this.onOnline);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('online', this.onOnline);
    this.controller?.dispose();
    this.controller = undefined;
  }

  /** Opens the panel (connecting on first open). */
  show(): void {
    this.open = true;
  }

  hide(): void {
    this.open = false;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const target = changed.has('server') || changed.has('agentId') || changed.has('token');
    if (target && this.controller) {
      // Pointed at another server or agent: start over with a fresh connection and session.
      this.controller.dispose();
      this.controller = undefined;
    }
    // Connect lazily, on first open, so a page view where nobody chats costs the server nothing.
    if (this.open && !this.controller && this.server !== '') {
      this.controller = new ChatController({
        server: this.server,
        agentId: this.agentId || undefined,
        token: this.token || undefined,
        store: localSessionStore(this.server, this.agentId),
        onChange: () => this.requestUpdate(),
      });
      this.controller.start();
    }
  }

  protected override updated(changed: PropertyValues<this>): void {
    // Focus moves only when the visitor opens or closes the panel, never on the first render: a
    // widget loading on a page must leave the host's focus (an autofocus search box) alone.
    if (changed.has('open') && changed.get('open') !== undefined) this.focusAfterRender ??= this.open ? 'input' : 'launcher';
    const log = this.renderRoot.querySelector<HTMLElement>('.log');
    if (log && this.stickToBottom) log.scrollTop = log.scrollHeight;
    if (this.focusAfterRender) {
      const selector = this.focusAfterRender === 'input' ? 'textarea' : '.launcher';
      this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
      this.focusAfterRender = undefined;
    }
  }

  protected override render(): TemplateResult {
    // The empty title stops the host's `title` attribute from showing as a tooltip over the whole widget.
    return html`<div class="root" title="">
      ${this.open ? this.panel() : nothing}
      <button
        class="launcher"
        type="button"
        aria-expanded=${this.open ? 'true' : 'false'}
        aria-controls="panel"
        aria-label=${this.open ? `Close ${this.heading}` : `Open ${this.heading}`}
        @click=${() => (this.open = !this.open)}
      >
        ${this.open ? closeIcon : chatIcon}
      </button>
    </div>`;
  }

  private panel(): TemplateResult {
    const controller = this.controller;
    const state = controller?.connection.state ?? 'closed';
    return html`<section id="panel" class="panel" role="dialog" aria-modal="false" aria-labelledby="heading" @keydown=${this.onPanelKeydown}>
      <header>
        <h2 id="heading">${this.heading}</h2>
        <span class="presence" data-state=${state}>${PRESENCE[state]}</span>
        ${this.talkToPerson()}
        <button class="icon-button close" type="button" aria-label="Close chat" @click=${this.close}>${closeIcon}</button>
      </header>
      ${this.banner()}
      <div class="log" role="log" aria-live="polite" aria-relevant="additions text" aria-busy=${controller?.restoring ? 'true' : 'false'} @scroll=${this.onScroll}>
        ${controller && controller.items.length > 0
          ? controller.items.map((item) =>
              transcriptItem(item, {
                decide: (a, b, c) => void controller.decide(a, b, c),
                leaveContact: (id, email) => void controller.leaveContact(id, email),
                interactions: {
                  submitInteraction: (a, b, c) => void controller.submitInteraction(a, b, c),
                  verifyOtp: (a, b) => void controller.verifyOtp(a, b),
                },
              }),
            )
          : this.emptyState(controller?.restoring ?? false)}
      </div>
      ${this.composer()}
    </section>`;
  }

  private suggestionList(): string[] {
    const raw = this.suggestions.trim();
    if (raw === '') return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return parsed.filter((q): q is string => typeof q === 'string' && q.trim() !== '').slice(0, 4);
    } catch {
      // Not JSON: `|`-separated.
    }
    return raw
      .split('|')
      .map((q) => q.trim())
      .filter((q) => q !== '')
      .slice(0, 4);
  }

  private emptyState(restoring: boolean): TemplateResult {
    if (restoring) return html`<p class="empty">Loading your conversation…</p>`;
    const name = this.agentName.trim() || this.heading;
    const questions = this.suggestionList();
    const online = this.controller?.connection.state === 'open';
    return html`<div class="welcome">
      <div class="avatar" aria-hidden="true">${chatIcon}</div>
      <p class="welcome-name">${name} <span class="badge ai" title="Answers are written by an AI assistant">AI</span></p>
      <p class="welcome-text">Ask a question and the AI assistant answers from our help center. You can ask for a person at any time.</p>
      ${questions.length > 0
        ? html`<ul class="suggestions" aria-label="Suggested questions">
            ${questions.map(
              (q) => html`<li><button class="suggestion" type="button" ?disabled=${!online} @click=${() => this.ask(q)}>${q}</button></li>`,
            )}
          </ul>`
        : nothing}
    </div>`;
  }

  private ask(question: string): void {
    this.draft = question;
    this.submit();
  }

  private talkToPerson(): TemplateResult | typeof nothing {
    if (this.handoff === 'off') return nothing;
    const controller = this.controller;
    const state = controller?.handoff ?? 'bot';
    if (state === 'waiting' || state === 'human') return nothing;
    return html`<button class="link-button talk" type="button" ?disabled=${controller?.connection.state !== 'open'} @click=${() => void controller?.requestHuman()}>
      Talk to a person
    </button>`;
  }

  private banner(): TemplateResult | typeof nothing {
    if (this.server === '') return html`<div class="banner" role="alert">This chat is not configured: the <code>server</code> attribute is missing.</div>`;
    const state = this.controller?.connection.state;
    if (state !== 'reconnecting' && state !== 'closed') return nothing;
    return html`<div class="banner" role="status">
      <span>${state === 'closed' ? 'Offline.' : 'Connection lost. Reconnecting…'}</span>
      ${state === 'reconnecting' ? html`<button class="link-button" type="button" @click=${() => this.controller?.reconnectNow()}>Retry now</button>` : nothing}
    </div>`;
  }

  private composer(): TemplateResult {
    const controller = this.controller;
    const busy = controller?.busy ?? false;
    const online = controller?.connection.state === 'open';
    return html`<form @submit=${this.onSubmit}>
      <label class="visually-hidden" for="input">Message</label>
      <textarea
        id="input"
        rows="1"
        .value=${this.draft}
        placeholder=${this.placeholder}
        maxlength="10000"
        @input=${this.onInput}
        @keydown=${this.onInputKeydown}
      ></textarea>
      ${busy
        ? html`<button class="stop" type="button" aria-label="Stop the answer" @click=${() => controller?.stop()}>${stopIcon}</button>`
        : html`<button class="send" type="submit" aria-label="Send" ?disabled=${!online || this.draft.trim() === ''}>${sendIcon}</button>`}
    </form>`;
  }

  private readonly close = () => {
    this.open = false;
  };

  private readonly onPanelKeydown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.open = false;
    }
  };

  private readonly onScroll = (event: Event) => {
    const log = event.currentTarget as HTMLElement;
    // Follow new text only while the reader is at the bottom; scrolling up to re-read stops it.
    this.stickToBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  };

  private readonly onInput = (event: Event) => {
    const input = event.currentTarget as HTMLTextAreaElement;
    this.draft = input.value;
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight}px`;
  };

  private readonly onInputKeydown = (event: KeyboardEvent) => {
    // Enter sends, Shift+Enter is a new line; never while an input method is composing text.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.submit();
    }
  };

  private readonly onSubmit = (event: Event) => {
    event.preventDefault();
    this.submit();
  };

  private submit(): void {
    const controller = this.controller;
    if (!controller || controller.busy || controller.connection.state !== 'open' || this.draft.trim() === '') return;
    const text = this.draft;
    this.draft = '';
    const input = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea');
    if (input) input.style.height = 'auto';
    this.stickToBottom = true;
    void controller.send(text);
  }
}
