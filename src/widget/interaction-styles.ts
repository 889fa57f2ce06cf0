import { css } from 'lit';

/** Interaction cards (identity form, choice chips) and the OTP code entry. */
export const interactionStyles = css`
  .interaction,
  .otp {
    display: grid;
    gap: 8px;
    margin: 0;
    padding: 12px;
    border: 1px solid var(--_accent);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .interaction-title {
    margin: 0;
    font-weight: 600;
  }
  .field {
    display: grid;
    gap: 4px;
  }
  .field label,
  .other-label,
  .otp label {
    font-size: 13px;
  }
  .required,
  .optional,
  .hint {
    color: var(--_muted);
    font-weight: normal;
  }
  .field input,
  .other,
  .otp input {
    padding: 7px 9px;
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
  }
  input[aria-invalid='true'],
  fieldset[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .field-error,
  .form-error p {
    margin: 0;
    font-size: 13px;
    color: var(--_danger);
  }
  .question {
    display: grid;
    gap: 6px;
    margin: 0;
    padding: 8px;
    border: 1px solid var(--_border);
    border-radius: 10px;
  }
  .question legend {
    padding: 0 4px;
    font-size: 14px;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
  }
  .chip {
    position: relative;
  }
  /* The native radio/checkbox stays in the accessibility tree and keyboard order; the label is the chip. */
  .chip input {
    position: absolute;
    opacity: 0;
    width: 1px;
    height: 1px;
  }
  .chip label {
    display: inline-block;
    padding: 5px 12px;
    border: 1px solid var(--_accent);
    border-radius: 999px;
    color: var(--_accent);
    cursor: pointer;
    font-size: 13px;
  }
  .chip input:checked + label {
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .chip input:focus-visible + label {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .interaction-actions,
  .otp-entry {
    display: flex;
    gap: 8px;
  }
  .otp input {
    width: 8em;
    letter-spacing: 0.2em;
  }
  .interaction-outcome,
  .otp-outcome {
    margin: 0;
    font-size: 13px;
    color: var(--_muted);
  }
  .otp-outcome[data-state='verified'] {
    color: var(--_ok);
  }
`;
