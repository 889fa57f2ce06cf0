import { html, nothing, type TemplateResult } from 'lit';
import type { Json } from '../client/events.js';
import type { InteractionCard, WithInteractions } from './interaction-state.js';
import { otpView, type OtpActions } from './otp-view.js';

export interface InteractionActions extends OtpActions {
  submitInteraction(agentId: string, cardId: string, answer: { values: Record<string, unknown> } | { declined: true }): void;
}

type IdentityKey = 'name' | 'email' | 'phone';

const FIELD: Record<IdentityKey, { label: string; type: string; autocomplete: string }> = {
  name: { label: 'Name', type: 'text', autocomplete: 'name' },
  email: { label: 'Email', type: 'email', autocomplete: 'email' },
  phone: { label: 'Phone (with country code)', type: 'tel', autocomplete: 'tel' },
};

const OUTCOME: Partial<Record<InteractionCard['state'], string>> = {
  submitted: 'Sent.',
  declined: 'You chose not to answer.',
  expired: 'No longer waiting for an answer.',
};

function isRecord(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: Json | undefined): Array<{ [key: string]: Json }> {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : '';
}

/** A stable, DOM-safe id fragment for a field key or a question header. */
function slug(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}`);
}

function errorFor(card: InteractionCard, field: string): string | undefined {
  return card.errors.find((e) => e.field === field)?.message;
}

function formValues(form: HTMLFormElement): FormData {
  return new FormData(form);
}

function identityForm(agentId: string, card: InteractionCard, actions: InteractionActions): TemplateResult {
  const fields = list(card.spec.fields).filter((f): f is { key: IdentityKey; required: boolean; label?: string } =>
    typeof f.key === 'string' && f.key in FIELD,
  );
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const data = formValues(event.currentTarget as HTMLFormElement);
    const values: Record<string, string> = {};
    for (const field of fields) {
      const value = data.get(field.key);
      if (typeof value === 'string' && value.trim() !== '') values[field.key] = value;
    }
    actions.submitInteraction(agentId, card.id, { values });
  };
  const busy = card.state === 'sending';
  return html`<form class="interaction identity" aria-labelledby="${card.id}-title" novalidate @submit=${submit}>
    <p class="interaction-title" id="${card.id}-title">${card.reason ? `Your details, ${card.reason}` : 'Your details'}</p>
    ${fields.map((field) => {
      const id = `${card.id}-${field.key}`;
      const error = errorFor(card, field.key);
      const meta = FIELD[field.key];
      return html`<div class="field">
        <label for=${id}>${field.label || meta.label}${field.required ? html` <span class="required">(required)</span>` : html` <span class="optional">(optional)</span>`}</label>
        <input
          id=${id}
          name=${field.key}
          type=${meta.type}
          autocomplete=${meta.autocomplete}
          ?required=${field.required}
          aria-required=${field.required ? 'true' : 'false'}
          aria-invalid=${error ? 'true' : 'false'}
          aria-describedby=${error ? `${id}-error` : nothing}
          ?disabled=${busy}
        />
        ${error ? html`<p class="field-error" id="${id}-error">${error}</p>` : nothing}
      </div>`;
    })}
    ${formErrors(card, fields.map((f) => f.key))}
    ${buttons(agentId, card, actions, 'Send')}
  </form>`;
}

/** Errors for fields the card does not show (e.g. a field the server did not expect), and the summary. */
function formErrors(card: InteractionCard, shown: readonly string[]): TemplateResult | typeof nothing {
  if (card.errors.length === 0) return nothing;
  const other = card.errors.filter((e) => !shown.includes(e.field));
  return html`<div class="form-error" role="alert">
    ${card.message ? html`<p>${card.message}</p>` : nothing} ${other.map((e) => html`<p>${e.field}: ${e.message}</p>`)}
  </div>`;
}

function buttons(agentId: string, card: InteractionCard, actions: InteractionActions, label: string): TemplateResult {
  const busy = card.state === 'sending';
  return html`<div class="interaction-actions">
    <button class="button primary submit" type="submit" ?disabled=${busy}>${busy ? 'Sending…' : label}</button>
    <button class="button decline" type="button" ?disabled=${busy} @click=${() => actions.submitInteraction(agentId, card.id, { declined: true })}>
      No thanks
    </button>
  </div>`;
}

function choicesForm(agentId: string, card: InteractionCard, actions: InteractionActions): TemplateResult {
  const questions = list(card.spec.questions);
  const busy = card.state === 'sending';
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const data = formValues(event.currentTarget as HTMLFormElement);
    const answers = questions.map((q) => {
      const header = text(q.header);
      const picked = data.getAll(`pick-${slug(header)}`).filter((v): v is string => typeof v === 'string');
      const other = data.get(`other-${slug(header)}`);
      return { header, ...(picked.length > 0 ? { options: picked } : {}), ...(typeof other === 'string' && other.trim() !== '' ? { other } : {}) };
    });
    actions.submitInteraction(agentId, card.id, { values: { answers } });
  };
  return html`<form class="interaction choices" aria-labelledby="${card.id}-title" novalidate @submit=${submit}>
    ${card.reason ? html`<p class="interaction-title" id="${card.id}-title">${card.reason}</p>` : html`<p class="interaction-title" id="${card.id}-title">A quick question</p>`}
    ${questions.map((q) => {
      const header = text(q.header);
      const key = `${card.id}-${slug(header)}`;
      const multi = q.multiSelect === true;
      const error = errorFor(card, header);
      return html`<fieldset class="question" aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? `${key}-error` : nothing}>
        <legend>${text(q.question)} ${multi ? html`<span class="hint">(choose any)</span>` : nothing}</legend>
        <div class="chips" role=${multi ? 'group' : 'radiogroup'}>
          ${list(q.options).map((o, i) => {
            const id = `${key}-opt-${i}`;
            const label = text(o.label);
            return html`<span class="chip">
              <input id=${id} type=${multi ? 'checkbox' : 'radio'} name="pick-${slug(header)}" .value=${label} ?disabled=${busy} />
              <label for=${id} title=${text(o.description) || nothing}>${label}</label>
            </span>`;
          })}
        </div>
        <label class="other-label" for="${key}-other">Or in your own words</label>
        <input class="other" id="${key}-other" name="other-${slug(header)}" type="text" ?disabled=${busy} />
        ${error ? html`<p class="field-error" id="${key}-error">${error}</p>` : nothing}
      </fieldset>`;
    })}
    ${formErrors(card, questions.map((q) => text(q.header)))} ${buttons(agentId, card, actions, 'Send answers')}
  </form>`;
}

function card(agentId: string, interaction: InteractionCard, actions: InteractionActions): TemplateResult {
  if (interaction.state === 'open' || interaction.state === 'sending') {
    if (interaction.kind === 'identity_intake') return identityForm(agentId, interaction, actions);
    if (interaction.kind === 'choices') return choicesForm(agentId, interaction, actions);
    // A kind this widget cannot render: say so rather than show nothing (the server only sends declared kinds).
    return html`<p class="interaction-outcome">The assistant asked for something this chat cannot show.</p>`;
  }
  return html`<p class="interaction-outcome" data-state=${interaction.state}>${OUTCOME[interaction.state] ?? ''}</p>`;
}

/** The interaction cards and OTP prompt of one answer, rendered under its text. */
export function interactionViews(item: WithInteractions, actions: InteractionActions | undefined): TemplateResult | typeof nothing {
  if (!actions || (!item.interactions?.length && !item.otp)) return nothing;
  return html`${(item.interactions ?? []).map((c) => card(item.id, c, actions))}${item.otp ? otpView(item.id, item.otp, actions) : nothing}`;
}
