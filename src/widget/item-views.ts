import { html, nothing, type TemplateResult } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { Citation } from '../client/events.js';
import { completeMarkdown, renderMarkdown } from './markdown.js';
import { toolLabel } from './tool-labels.js';
import type { AgentItem, Approval, ContactItem, ToolStep, TranscriptItem } from './transcript.js';
import { interactionViews, type InteractionActions } from './interaction-views.js';

/** Templates for transcript items. Pure functions of the item; actions are passed in. */
export interface ItemActions {
  decide(agentId: string, approvalId: string, approved: boolean): void;
  interactions?: InteractionActions;
  leaveContact(contactId: string, email: string): void;
}

/**
 * Markdown is re-rendered on every streamed token; caching by item keeps unrelated re-renders
 * (another item changed, the draft changed) from re-parsing every message in the log.
 */
const markdownCache = new WeakMap<AgentItem, TemplateResult>();

function markdown(item: AgentItem): TemplateResult {
  let rendered = markdownCache.get(item);
  if (!rendered) {
    // Sanitized by renderMarkdown (DOMPurify); unsafeHTML only inserts it.
    // While tokens stream, unfinished emphasis, code and links are completed so no raw `**` flashes.
    const streaming = item.status === 'waiting' || item.status === 'streaming';
    rendered = html`${unsafeHTML(renderMarkdown(streaming ? completeMarkdown(item.text) : item.text))}`;
    markdownCache.set(item, rendered);
  }
  return rendered;
}

const TOOL_STATE_LABEL: Record<ToolStep['state'], string> = { running: 'running', done: 'done', failed: 'failed' };
const TOOL_STATE_MARK: Record<ToolStep['state'], string> = { running: '…', done: '✓', failed: '✕' };

function toolSteps(tools: ToolStep[]): TemplateResult | typeof nothing {
  if (tools.length === 0) return nothing;
  return html`<ul class="tools" aria-label="Tools used">
    ${tools.map(
      (tool) =>
        html`<li class="tool" data-state=${tool.state}>
          <span class="tool-name" title=${tool.name}>${toolLabel(tool.name)}</span><span class="tool-state" aria-label=${TOOL_STATE_LABEL[tool.state]}>${TOOL_STATE_MARK[tool.state]}</span>
        </li>`,
    )}
  </ul>`;
}

const OUTCOME: Record<Approval['state'], string> = {
  pending: '',
  sending: '',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'No longer waiting for an answer',
};

function approvalCard(item: AgentItem, approval: Approval, actions: ItemActions): TemplateResult {
  const titleId = `${approval.id}-title`;
  const open = approval.state === 'pending' || approval.state === 'sending';
  return html`<div class="approval" role="group" aria-labelledby=${titleId} data-state=${approval.state}>
    <p class="approval-title" id=${titleId}>Allow this action?</p>
    <p class="approval-action">${approval.description}</p>
    ${open
      ? html`<div class="approval-actions">
          <button class="button primary approve" ?disabled=${approval.state === 'sending'} @click=${() => actions.decide(item.id, approval.id, true)}>
            Approve
          </button>
          <button class="button deny" ?disabled=${approval.state === 'sending'} @click=${() => actions.decide(item.id, approval.id, false)}>Deny</button>
        </div>`
      : html`<p class="approval-outcome" data-state=${approval.state}>${OUTCOME[approval.state]}</p>`}
  </div>`;
}

function isWebUrl(url: string | undefined): url is string {
  return url !== undefined && /^https?:\/\//i.test(url);
}

function sources(citations: Citation[]): TemplateResult | typeof nothing {
  if (citations.length === 0) return nothing;
  return html`<div class="citations">
    <p class="sources-label">Sources</p>
    <ol class="sources">
      ${citations.map((citation, index) => {
        const label = `[${index + 1}] ${citation.title}`;
        // Only http(s) addresses become links: a document's source is not trusted to be a safe URL.
        return html`<li>
          ${isWebUrl(citation.url)
            ? html`<a class="source" href=${citation.url} target="_blank" rel="noopener noreferrer" title=${citation.snippet}>${label}</a>`
            : html`<span class="source" title=${citation.snippet}>${label}</span>`}
        </li>`;
      })}
    </ol>
  </div>`;
}

function agentMessage(item: AgentItem, actions: ItemActions): TemplateResult {
  const streaming = item.status === 'waiting' || item.status === 'streaming';
  return html`<article class="msg agent" data-status=${item.status} aria-busy=${streaming ? 'true' : 'false'} aria-label="Assistant">
    ${toolSteps(item.tools)}
    ${item.approvals.map((approval) => approvalCard(item, approval, actions))}
    ${item.text !== '' ? html`<div class="bubble md">${markdown(item)}</div>` : nothing}
    ${item.status === 'waiting' && item.text === ''
      ? html`<div class="typing" role="status" aria-label="The assistant is typing"><span></span><span></span><span></span></div>`
      : nothing}
    ${interactionViews(item, actions.interactions)}
    ${sources(item.citations)}
    ${item.status === 'stopped' ? html`<p class="note">Stopped.</p>` : nothing}
    ${item.status === 'failed' ? html`<p class="note error" role="alert">${item.error ?? 'Something went wrong.'}</p>` : nothing}
  </article>`;
}

function contactForm(item: ContactItem, actions: ItemActions): TemplateResult {
  if (item.state === 'saved') return html`<p class="notice info" role="status">Thanks! We will reply to your email.</p>`;
  const inputId = `${item.id}-email`;
  const submit = (event: Event) => {
    event.preventDefault();
    const input = (event.currentTarget as HTMLFormElement).querySelector('input');
    if (input && input.value.trim() !== '') actions.leaveContact(item.id, input.value);
  };
  return html`<form class="contact" @submit=${submit} aria-label="Leave your email">
    <label for=${inputId}>Your email</label>
    <div class="contact-row">
      <input id=${inputId} type="email" autocomplete="email" required ?disabled=${item.state === 'sending'} />
      <button class="button primary" type="submit" ?disabled=${item.state === 'sending'}>Send</button>
    </div>
    ${item.error ? html`<p class="note error" role="alert">${item.error}</p>` : nothing}
  </form>`;
}

export function transcriptItem(item: TranscriptItem, actions: ItemActions): TemplateResult {
  switch (item.kind) {
    case 'user':
      // Plain text: lit escapes it, so what the visitor typed is shown exactly, never interpreted.
      return html`<article class="msg user" aria-label="You"><div class="bubble">${item.text}</div></article>`;
    case 'notice':
      return html`<p class="notice ${item.tone}" role=${item.tone === 'error' ? 'alert' : 'status'}>${item.text}</p>`;
    case 'agent':
      return agentMessage(item, actions);
    case 'human':
      // An operator's text is shown as typed (lit escapes it), under their name.
      return html`<article class="msg human" aria-label=${`${item.name} (support team)`}>
        <p class="sender">${item.name}<span class="badge">Team</span></p>
        <div class="bubble">${item.text}</div>
      </article>`;
    case 'contact':
      return contactForm(item, actions);
  }
}
