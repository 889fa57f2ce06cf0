import { html, nothing, type TemplateResult } from 'lit';
import type { OtpPrompt } from './interaction-state.js';

export interface OtpActions {
  verifyOtp(agentId: string, code: string): void;
}

/** The one-time-code entry shown when a tool needs the visitor to prove who they are. */
export function otpView(agentId: string, otp: OtpPrompt, actions: OtpActions): TemplateResult {
  const id = `${agentId}-otp`;
  if (otp.state === 'verified') return html`<p class="otp-outcome" role="status" data-state="verified">${otp.message ?? 'Identity verified.'}</p>`;
  if (otp.state === 'requested') {
    return html`<p class="otp-outcome" role="status" data-state="requested">Identity verification is needed to continue.</p>`;
  }
  const busy = otp.state === 'verifying';
  const locked = otp.state === 'locked';
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    const code = new FormData(event.currentTarget as HTMLFormElement).get('code');
    if (typeof code === 'string' && code.trim() !== '') actions.verifyOtp(agentId, code.trim());
  };
  return html`<form class="otp" aria-labelledby="${id}-title" novalidate @submit=${submit}>
    <p class="interaction-title" id="${id}-title">Verify it's you</p>
    <label for="${id}-code">Enter the 6-digit code we sent to ${otp.maskedDestination ?? 'your email'}</label>
    <div class="otp-entry">
      <input
        id="${id}-code"
        name="code"
        inputmode="numeric"
        autocomplete="one-time-code"
        pattern="[0-9]*"
        maxlength="6"
        aria-invalid=${otp.message ? 'true' : 'false'}
        aria-describedby=${otp.message ? `${id}-error` : nothing}
        ?disabled=${busy || locked}
      />
      <button class="button primary verify" type="submit" ?disabled=${busy || locked}>${busy ? 'Checking…' : 'Verify'}</button>
    </div>
    ${otp.message ? html`<p class="field-error" id="${id}-error" role="alert">${otp.message}</p>` : nothing}
  </form>`;
}
