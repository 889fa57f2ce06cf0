import { css } from 'lit';
import { composerStyles, messageStyles } from './message-styles.js';

/**
 * Public theming surface: the `--smooth-agent-*` custom properties (set them on the element or any
 * ancestor). Everything else reads the private `--_*` copies, whose defaults depend on the theme.
 * System fonts only: the widget must not fetch anything (offline intranets).
 */
const light = css`
  --_surface: var(--smooth-agent-surface, #ffffff);
  --_surface-alt: var(--smooth-agent-surface-alt, #f3f4f6);
  --_text: var(--smooth-agent-text, #111827);
  --_muted: var(--smooth-agent-muted, #5b6472);
  --_border: var(--smooth-agent-border, #d9dce1);
  --_agent-bubble: var(--smooth-agent-agent-bubble, #f3f4f6);
  --_code-bg: rgba(0, 0, 0, 0.06);
  --_danger: var(--smooth-agent-danger, #b42318);
  --_ok: var(--smooth-agent-success, #067647);
  --_shadow: 0 12px 40px rgba(17, 24, 39, 0.18);
  --_link: var(--smooth-agent-link, #2447c9);
  /* Amber 700: 5:1 on white, so the focus ring reads (WCAG asks 3:1). */
  --_focus: var(--smooth-agent-focus-ring, #b45309);
`;

const dark = css`
  --_surface: var(--smooth-agent-surface, #16181d);
  --_surface-alt: var(--smooth-agent-surface-alt, #1f232b);
  --_text: var(--smooth-agent-text, #e7e9ee);
  --_muted: var(--smooth-agent-muted, #a0a7b4);
  --_border: var(--smooth-agent-border, #2e333d);
  --_agent-bubble: var(--smooth-agent-agent-bubble, #232831);
  --_code-bg: rgba(255, 255, 255, 0.08);
  --_danger: var(--smooth-agent-danger, #f97066);
  --_ok: var(--smooth-agent-success, #47cd89);
  --_shadow: 0 12px 40px rgba(0, 0, 0, 0.5);
  /* Light blue: 7:1 on the dark bubble (the accent itself is under 3:1 there). */
  --_link: var(--smooth-agent-link, #93b4ff);
  --_focus: var(--smooth-agent-focus-ring, #fbbf24);
`;

/** The host, theme tokens, and the frame: launcher, panel, header, banner, log. */
export const frameStyles = css`
  :host {
    ${light}
    --_accent: var(--smooth-agent-accent, #2f5bea);
    --_on-accent: var(--smooth-agent-on-accent, #ffffff);
    --_radius: var(--smooth-agent-radius, 14px);
    --_font: var(--smooth-agent-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    position: fixed;
    inset: auto 20px 20px auto;
    z-index: var(--smooth-agent-z-index, 2147483000);
    font-family: var(--_font);
    font-size: 15px;
    line-height: 1.5;
    color: var(--_text);
  }
  :host([theme='dark']) {
    ${dark}
  }
  @media (prefers-color-scheme: dark) {
    :host(:not([theme='light'])) {
      ${dark}
    }
  }

  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button,
  textarea {
    font: inherit;
    color: inherit;
  }
  /* Visible focus for keyboard users, in a colour that reads on every surface. */
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  /* On the accent-coloured header the ring takes the header's text colour, which contrasts with it by design. */
  header :focus-visible {
    outline-color: var(--_on-accent);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }

  .launcher {
    display: grid;
    place-items: center;
    width: 58px;
    height: 58px;
    margin-left: auto;
    border: 0;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_on-accent);
    box-shadow: var(--_shadow);
    cursor: pointer;
  }
  .launcher svg {
    width: 28px;
    height: 28px;
  }

  .panel {
    display: flex;
    flex-direction: column;
    width: min(400px, calc(100vw - 40px));
    height: min(640px, calc(100vh - 120px));
    margin-bottom: 14px;
    overflow: hidden;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    box-shadow: var(--_shadow);
  }

  header {
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 14px 14px 14px 18px;
    background: var(--_accent);
    color: var(--_on-accent);
  }
  header h2 {
    flex: 1;
    margin: 0;
    font-size: 16px;
    font-weight: 600;
  }
  .presence {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    font-size: 12px;
    opacity: 0.92;
  }
  .presence::before {
    content: '';
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: #fbbf24;
  }
  .presence[data-state='open']::before {
    background: #4ade80;
  }
  .presence[data-state='closed']::before {
    background: #f87171;
  }
  .icon-button {
    display: grid;
    place-items: center;
    width: 34px;
    height: 34px;
    border: 0;
    border-radius: 8px;
    background: transparent;
    color: inherit;
    cursor: pointer;
  }
  .icon-button:hover {
    background: rgba(255, 255, 255, 0.16);
  }
  .icon-button svg {
    width: 20px;
    height: 20px;
  }

  .banner {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    padding: 8px 14px;
    background: var(--_surface-alt);
    border-bottom: 1px solid var(--_border);
    color: var(--_muted);
    font-size: 13px;
  }
  .link-button {
    border: 0;
    background: none;
    padding: 2px 4px;
    color: var(--_link);
    text-decoration: underline;
    cursor: pointer;
  }

  .log {
    flex: 1;
    overflow-y: auto;
    padding: 16px 14px;
    display: flex;
    flex-direction: column;
    gap: 12px;
    overscroll-behavior: contain;
  }
  .empty {
    margin: auto 12px;
    text-align: center;
    color: var(--_muted);
  }
  header .talk {
    color: inherit;
    font-size: 13px;
    white-space: nowrap;
  }
  header .talk:disabled {
    opacity: 0.7;
    cursor: default;
  }
  .welcome {
    margin: auto 8px;
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 6px;
    text-align: center;
  }
  .avatar {
    display: grid;
    place-items: center;
    width: 48px;
    height: 48px;
    border-radius: 50%;
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .avatar svg {
    width: 26px;
    height: 26px;
  }
  .welcome-name {
    margin: 4px 0 0;
    font-size: 17px;
    font-weight: 600;
  }
  .welcome-text {
    margin: 0;
    color: var(--_muted);
    font-size: 14px;
  }
  .badge {
    display: inline-block;
    margin-left: 6px;
    padding: 0 6px;
    border: 1px solid var(--_border);
    border-radius: 6px;
    color: var(--_muted);
    font-size: 11px;
    font-weight: 600;
    letter-spacing: 0.04em;
    vertical-align: middle;
  }
  .suggestions {
    display: flex;
    flex-direction: column;
    gap: 6px;
    width: 100%;
    margin: 10px 0 0;
    padding: 0;
    list-style: none;
  }
  .suggestion {
    width: 100%;
    padding: 8px 12px;
    border: 1px solid var(--_border);
    border-radius: 10px;
    background: var(--_surface);
    color: var(--_text);
    text-align: left;
    cursor: pointer;
  }
  .suggestion:hover:not(:disabled) {
    border-color: var(--_accent);
  }
`;

/** Small screens and reduced motion, last so they override the rules above. */
export const adaptiveStyles = css`
  /* Small screens: the open panel takes the whole viewport, and the launcher hides behind it. */
  @media (max-width: 520px) {
    :host([open]) {
      inset: 0;
    }
    :host([open]) .panel {
      width: 100vw;
      height: 100vh;
      height: 100dvh;
      margin: 0;
      border: 0;
      border-radius: 0;
    }
    :host([open]) .launcher {
      display: none;
    }
  }

  @media (prefers-reduced-motion: reduce) {
    .typing span {
      animation: none;
      opacity: 0.6;
    }
  }
`;

/** In cascade order: the adaptive rules must come last to win. */
export const widgetStyles = [frameStyles, messageStyles, composerStyles, adaptiveStyles];
