import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { AdminApi, ApiError, type ConversationDetail, type DocumentSummary, type HandoffView, type Me, type SearchResult } from './api.js';
import { LiveQueue, type LiveEvent, type LiveState } from './live.js';
import { consoleStyles } from './styles.js';

const TOKEN_KEY = 'smooth-operator-console:token';
const MAX_UPLOAD_BYTES = 1024 * 1024;

type View = 'queue' | 'knowledge';

function waitText(handoff: HandoffView, now: number): string {
  if (handoff.state !== 'waiting' || !handoff.requestedAt) return handoff.operator ? `with ${handoff.operator.name}` : handoff.state;
  const seconds = Math.max(0, Math.floor((now - Date.parse(handoff.requestedAt)) / 1000));
  if (seconds < 60) return `waiting ${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  return minutes < 60 ? `waiting ${minutes}m ${seconds % 60}s` : `waiting ${Math.floor(minutes / 60)}h ${minutes % 60}m`;
}

function sortQueue(handoffs: HandoffView[]): HandoffView[] {
  return [...handoffs].sort((a, b) => {
    if (a.state !== b.state) return a.state === 'waiting' ? -1 : 1;
    return (a.requestedAt ?? a.updatedAt).localeCompare(b.requestedAt ?? b.updatedAt);
  });
}

function storedToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

/**
 * `<smooth-operator-console>`: the operator's screen. Sign in with a token; a live queue (waiting
 * first, with wait time); a conversation to take over, answer, hand back or close; the pending
 * approval of a conversation; the knowledge base (documents, search as a chosen visitor, add a file
 * by drag and drop or the file picker). Everything is a button, link or field: keyboard operable.
 */
export class OperatorConsole extends LitElement {
  static override styles = consoleStyles;

  static override properties = {
    token: { state: true },
    me: { state: true },
    signInError: { state: true },
    view: { state: true },
    queue: { state: true },
    live: { state: true },
    selected: { state: true },
    detail: { state: true },
    summary: { state: true },
    reply: { state: true },
    notice: { state: true },
    documents: { state: true },
    results: { state: true },
    dropActive: { state: true },
    now: { state: true },
  };

  declare token: string;
  declare me: Me | undefined;
  declare signInError: string;
  declare view: View;
  declare queue: HandoffView[];
  declare live: LiveState;
  declare selected: string | undefined;
  declare detail: ConversationDetail | undefined;
  declare summary: string;
  declare reply: string;
  declare notice: string;
  declare documents: DocumentSummary[];
  declare results: SearchResult[] | undefined;
  declare dropActive: boolean;
  declare now: number;

  private api: AdminApi | undefined;
  private liveQueue: LiveQueue | undefined;
  private clock: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.token = storedToken();
    this.me = undefined;
    this.signInError = '';
    this.view = 'queue';
    this.queue = [];
    this.live = 'offline';
    this.selected = undefined;
    this.detail = undefined;
    this.summary = '';
    this.reply = '';
    this.notice = '';
    this.documents = [];
    this.results = undefined;
    this.dropActive = false;
    this.now = Date.now();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.clock = setInterval(() => (this.now = Date.now()), 1000);
    if (this.token !== '') void this.signIn(this.token);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
    this.liveQueue?.stop();
  }

  private async signIn(token: string): Promise<void> {
    const api = new AdminApi(token);
    try {
      const me = await api.me();
      if (me.role === 'basic') throw new ApiError(403, 'this token is not a Curator or Admin token');
      this.api = api;
      this.me = me;
      this.token = token;
      this.signInError = '';
      try {
        sessionStorage.setItem(TOKEN_KEY, token);
      } catch {
        // Not remembered across reloads; the console still works.
      }
      this.liveQueue = new LiveQueue(token, (e) => this.onLive(e), (s) => (this.live = s));
      this.liveQueue.start();
      const { handoffs } = await api.handoffs();
      this.queue = sortQueue(handoffs);
    } catch (error) {
      this.signInError = error instanceof ApiError && error.status === 401 ? 'That token was not accepted.' : (error as Error).message;
      this.token = '';
    }
  }

  private signOut(): void {
    this.liveQueue?.stop();
    this.liveQueue = undefined;
    this.api = undefined;
    this.me = undefined;
    this.token = '';
    this.queue = [];
    this.selected = undefined;
    this.detail = undefined;
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Nothing stored.
    }
  }

  private onLive(event: LiveEvent): void {
    if (event.type === 'snapshot') {
      this.queue = sortQueue(event.handoffs);
      return;
    }
    if (event.type === 'handoff_update') {
      const h = event.handoff;
      const rest = this.queue.filter((q) => q.conversationId !== h.conversationId);
      this.queue = sortQueue(h.state === 'waiting' || h.state === 'human' ? [...rest, h] : rest);
      if (this.detail && this.detail.conversationId === h.conversationId) this.detail = { ...this.detail, handoff: h };
      return;
    }
    if (this.detail && this.detail.conversationId === event.conversationId && !this.detail.messages.some((m) => m.id === event.message.id)) {
      this.detail = { ...this.detail, messages: [...this.detail.messages, event.message] };
    }
  }

  private async open(conversationId: string): Promise<void> {
    if (!this.api) return;
    this.selected = conversationId;
    this.summary = '';
    this.notice = '';
    try {
      this.detail = await this.api.conversation(conversationId);
    } catch (error) {
      this.notice = (error as Error).message;
    }
  }

  private async act(work: (api: AdminApi, id: string) => Promise<void>): Promise<void> {
    const id = this.selected;
    if (!this.api || !id) return;
    this.notice = '';
    try {
      await work(this.api, id);
      this.detail = await this.api.conversation(id);
    } catch (error) {
      this.notice = (error as Error).message;
    }
  }

  private readonly takeover = () =>
    this.act(async (api, id) => {
      this.summary = (await api.takeover(id)).summary;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLTextAreaElement>('#reply')?.focus();
    });

  private readonly handback = () => this.act(async (api, id) => void (await api.handback(id)));
  private readonly closeConversation = () => this.act(async (api, id) => void (await api.close(id)));

  private readonly sendReply = (event: Event) => {
    event.preventDefault();
    const text = this.reply.trim();
    if (text === '') return;
    void this.act(async (api, id) => {
      await api.reply(id, text);
      this.reply = '';
    });
  };

  private async showKnowledge(): Promise<void> {
    this.view = 'knowledge';
    if (!this.api) return;
    try {
      this.documents = (await this.api.documents()).documents;
    } catch (error) {
      this.notice = (error as Error).message;
    }
  }

  private readonly search = async (event: Event) => {
    event.preventDefault();
    if (!this.api) return;
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const query = String(data.get('query') ?? '').trim();
    const userId = String(data.get('as') ?? '').trim();
    const groups = String(data.get('groups') ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter((g) => g !== '');
    if (query === '') return;
    try {
      this.results = (await this.api.search(query, userId ? { userId, groups } : undefined)).results;
    } catch (error) {
      this.notice = (error as Error).message;
    }
  };

  private async addFiles(files: FileList | null): Promise<void> {
    if (!this.api || !files || files.length === 0) return;
    const documents: Array<{ id: string; source: string; title: string; content: string }> = [];
    for (const file of [...files]) {
      if (file.size > MAX_UPLOAD_BYTES) {
        this.notice = `${file.name} is larger than 1 MiB; use the ingest CLI for large files.`;
        return;
      }
      const content = await file.text();
      const id = file.name.replace(/[^A-Za-z0-9._-]+/g, '-').toLowerCase();
      documents.push({ id, source: `console/${file.name}`, title: file.name.replace(/\.[^.]+$/, ''), content });
    }
    try {
      await this.api.addDocuments(documents);
      this.notice = `Added ${documents.map((d) => d.title).join(', ')}.`;
      this.documents = (await this.api.documents()).documents;
    } catch (error) {
      this.notice = (error as Error).message;
    }
  }

  private readonly onDrop = (event: DragEvent) => {
    event.preventDefault();
    this.dropActive = false;
    void this.addFiles(event.dataTransfer?.files ?? null);
  };

  protected override render(): TemplateResult {
    if (!this.me) return this.signInForm();
    return html`<div class="app">
      <header>
        <h1>Operator console</h1>
        <nav aria-label="Sections">
          <button type="button" aria-current=${this.view === 'queue' ? 'page' : 'false'} @click=${() => (this.view = 'queue')}>Queue</button>
          <button type="button" aria-current=${this.view === 'knowledge' ? 'page' : 'false'} @click=${() => void this.showKnowledge()}>Knowledge</button>
        </nav>
        <span class="live" data-state=${this.live} role="status">${this.live === 'live' ? 'Live' : this.live === 'connecting' ? 'Connecting…' : 'Offline'}</span>
        <span class="who">${this.me.displayName ?? this.me.userId}</span>
        <button type="button" class="link" @click=${() => this.signOut()}>Sign out</button>
      </header>
      ${this.notice ? html`<p class="notice" role="status">${this.notice}</p>` : nothing}
      ${this.view === 'queue' ? this.queueView() : this.knowledgeView()}
    </div>`;
  }

  private signInForm(): TemplateResult {
    const submit = (event: Event) => {
      event.preventDefault();
      const value = String(new FormData(event.currentTarget as HTMLFormElement).get('token') ?? '').trim();
      if (value !== '') void this.signIn(value);
    };
    return html`<main class="sign-in">
      <form @submit=${submit}>
        <h1>Operator console</h1>
        <label for="token">Access token (Curator or Admin)</label>
        <input id="token" name="token" type="password" autocomplete="off" required />
        <button type="submit" class="primary">Sign in</button>
        ${this.signInError ? html`<p class="error" role="alert">${this.signInError}</p>` : nothing}
      </form>
    </main>`;
  }

  private queueView(): TemplateResult {
    return html`<main class="columns">
      <section class="queue" aria-labelledby="queue-title">
        <h2 id="queue-title">Queue <span class="count">${this.queue.length}</span></h2>
        ${this.queue.length === 0
          ? html`<p class="muted">Nobody is waiting.</p>`
          : html`<ul>
              ${this.queue.map(
                (h) => html`<li>
                  <button
                    type="button"
                    class="entry"
                    data-state=${h.state}
                    data-conversation=${h.conversationId}
                    aria-current=${this.selected === h.conversationId ? 'true' : 'false'}
                    @click=${() => void this.open(h.conversationId)}
                  >
                    <span class="state">${h.state === 'waiting' ? 'Waiting' : 'With a person'}</span>
                    <span class="wait">${waitText(h, this.now)}</span>
                    <span class="reason">${h.reason ?? (h.trigger === 'visitor' ? 'Visitor asked for a person' : (h.trigger ?? ''))}</span>
                    ${h.visitorEmail ? html`<span class="email">${h.visitorEmail}</span>` : nothing}
                  </button>
                </li>`,
              )}
            </ul>`}
      </section>
      ${this.conversationView()}
    </main>`;
  }

  private conversationView(): TemplateResult {
    const detail = this.detail;
    if (!detail) return html`<section class="conversation empty"><p class="muted">Choose a conversation from the queue.</p></section>`;
    const state = detail.handoff?.state ?? 'bot';
    const mine = state === 'human' && detail.handoff?.operator?.id === this.me?.userId;
    return html`<section class="conversation" aria-labelledby="conversation-title">
      <div class="conversation-head">
        <h2 id="conversation-title">Conversation <code>${detail.conversationId.slice(0, 8)}</code></h2>
        <span class="badge" data-state=${state}>${state}</span>
        <div class="actions">
          ${mine ? nothing : html`<button type="button" class="primary takeover" ?disabled=${state === 'closed'} @click=${this.takeover}>Take over</button>`}
          <button type="button" class="handback" ?disabled=${state === 'bot'} @click=${this.handback}>Hand back to AI</button>
          <button type="button" class="close" ?disabled=${state === 'closed'} @click=${this.closeConversation}>Close</button>
        </div>
      </div>
      ${this.summary ? html`<div class="summary" role="note"><h3>Summary</h3><p>${this.summary}</p></div>` : nothing}
      ${detail.pendingApproval
        ? html`<div class="pending" role="note">
            <h3>Waiting for the visitor's approval</h3>
            <p>${detail.pendingApproval.description}</p>
            <p class="muted">Tool ${detail.pendingApproval.toolName}; expires ${new Date(detail.pendingApproval.expiresAt).toLocaleTimeString()}</p>
          </div>`
        : nothing}
      <ol class="transcript" aria-label="Transcript">
        ${detail.messages.map((m) => {
          const note = detail.notes?.find((n) => n.messageId === m.id);
          return html`<li class="message" data-direction=${m.direction} data-sender=${m.sender.type}>
            <span class="sender">${m.direction === 'inbound' ? 'Visitor' : m.sender.type === 'human-agent' ? (m.sender.name ?? 'Operator') : 'AI assistant'}</span>
            ${note && note.tools.length > 0
              ? html`<ul class="tools" aria-label="Tools used">
                  ${note.tools.map((t) => html`<li data-error=${t.isError ? 'true' : 'false'}>${t.name}${t.isError ? ' (failed)' : ''}</li>`)}
                </ul>`
              : nothing}
            <p>${m.text}</p>
            ${note && note.citations.length > 0
              ? html`<ol class="citations" aria-label="Sources">
                  ${note.citations.map(
                    (c, i) => html`<li title=${c.snippet}>
                      ${c.url && /^https?:\/\//i.test(c.url) ? html`<a href=${c.url} target="_blank" rel="noopener noreferrer">[${i + 1}] ${c.title}</a>` : html`[${i + 1}] ${c.title}`}
                    </li>`,
                  )}
                </ol>`
              : nothing}
          </li>`;
        })}
      </ol>
      <form class="reply" @submit=${this.sendReply}>
        <label for="reply">${mine ? 'Reply to the visitor' : 'Take the conversation over to reply'}</label>
        <textarea
          id="reply"
          rows="3"
          .value=${this.reply}
          ?disabled=${!mine}
          @input=${(e: Event) => (this.reply = (e.currentTarget as HTMLTextAreaElement).value)}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) this.sendReply(e);
          }}
        ></textarea>
        <button type="submit" class="primary send" ?disabled=${!mine || this.reply.trim() === ''}>Send</button>
      </form>
    </section>`;
  }

  private knowledgeView(): TemplateResult {
    return html`<main class="columns">
      <section class="documents" aria-labelledby="docs-title">
        <h2 id="docs-title">Documents <span class="count">${this.documents.length}</span></h2>
        <div
          class="drop"
          data-active=${this.dropActive ? 'true' : 'false'}
          @dragover=${(e: DragEvent) => {
            e.preventDefault();
            this.dropActive = true;
          }}
          @dragleave=${() => (this.dropActive = false)}
          @drop=${this.onDrop}
        >
          <p>Drop Markdown or text files here to add them</p>
          <label class="file">or choose files <input type="file" multiple accept=".md,.markdown,.txt,text/plain,text/markdown" @change=${(e: Event) => void this.addFiles((e.currentTarget as HTMLInputElement).files)} /></label>
        </div>
        <ul class="doc-list">
          ${this.documents.map((d) => html`<li><strong>${d.title ?? d.id}</strong> <span class="muted">${d.source}</span></li>`)}
        </ul>
      </section>
      <section class="search" aria-labelledby="search-title">
        <h2 id="search-title">Search as a visitor would</h2>
        <form @submit=${this.search}>
          <label for="query">Question</label>
          <input id="query" name="query" required />
          <label for="as">As user (empty: any visitor)</label>
          <input id="as" name="as" />
          <label for="groups">Groups (comma-separated)</label>
          <input id="groups" name="groups" />
          <button type="submit" class="primary">Search</button>
        </form>
        ${this.results === undefined
          ? nothing
          : this.results.length === 0
            ? html`<p class="muted">Nothing found: this visitor would get no sources.</p>`
            : html`<ol class="results">
                ${this.results.map((r) => html`<li><strong>${r.title ?? r.documentId}</strong> <span class="score">${r.score.toFixed(3)}</span><p>${r.text}</p></li>`)}
              </ol>`}
      </section>
    </main>`;
  }
}
