import { css } from 'lit';

/** Transcript items: bubbles, rendered Markdown, typing indicator, tool chips, approval cards, sources, notes. */
export const messageStyles = css`
  .msg {
    max-width: 88%;
    display: flex;
    flex-direction: column;
    gap: 6px;
  }
  .msg.user {
    align-self: flex-end;
  }
  .msg.agent,
  .msg.human {
    align-self: flex-start;
  }
  .human .bubble {
    background: var(--_agent-bubble);
    border-left: 3px solid var(--_ok);
    border-bottom-left-radius: 4px;
    white-space: pre-wrap;
  }
  .sender {
    margin: 0;
    font-size: 12px;
    font-weight: 600;
    color: var(--_muted);
  }
  .contact {
    display: flex;
    flex-direction: column;
    gap: 6px;
    padding: 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .contact label {
    font-size: 13px;
    font-weight: 600;
  }
  .contact-row {
    display: flex;
    gap: 8px;
  }
  .contact input {
    flex: 1;
    min-width: 0;
    padding: 7px 10px;
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
  }
  .bubble {
    padding: 9px 13px;
    border-radius: var(--_radius);
    overflow-wrap: anywhere;
  }
  .user .bubble {
    background: var(--_accent);
    color: var(--_on-accent);
    border-bottom-right-radius: 4px;
    white-space: pre-wrap;
  }
  .agent .bubble {
    background: var(--_agent-bubble);
    border-bottom-left-radius: 4px;
  }
  .md > :first-child {
    margin-top: 0;
  }
  .md > :last-child {
    margin-bottom: 0;
  }
  .md p,
  .md ul,
  .md ol,
  .md pre,
  .md blockquote,
  .md table {
    margin: 0 0 0.6em;
  }
  .md ul,
  .md ol {
    padding-left: 1.3em;
  }
  .md a {
    color: var(--_link);
  }
  .md code {
    padding: 0.1em 0.3em;
    border-radius: 4px;
    background: var(--_code-bg);
    font-size: 0.9em;
  }
  .md pre {
    padding: 8px 10px;
    overflow-x: auto;
    border-radius: 8px;
    background: var(--_code-bg);
  }
  .md pre code {
    padding: 0;
    background: none;
  }
  .md blockquote {
    padding-left: 10px;
    border-left: 3px solid var(--_border);
    color: var(--_muted);
  }
  .md table {
    border-collapse: collapse;
  }
  .md th,
  .md td {
    padding: 3px 8px;
    border: 1px solid var(--_border);
  }

  .typing {
    display: inline-flex;
    gap: 4px;
    padding: 12px 14px;
    border-radius: var(--_radius);
    background: var(--_agent-bubble);
  }
  .typing span {
    width: 7px;
    height: 7px;
    border-radius: 50%;
    background: var(--_muted);
    animation: blink 1.2s infinite ease-in-out;
  }
  .typing span:nth-child(2) {
    animation-delay: 0.2s;
  }
  .typing span:nth-child(3) {
    animation-delay: 0.4s;
  }
  @keyframes blink {
    0%,
    80%,
    100% {
      opacity: 0.25;
    }
    40% {
      opacity: 1;
    }
  }

  .tools {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .tool {
    display: inline-flex;
    align-items: center;
    gap: 5px;
    padding: 2px 9px;
    border: 1px solid var(--_border);
    border-radius: 999px;
    color: var(--_muted);
    font-size: 12px;
  }
  .tool[data-state='done'] .tool-state {
    color: var(--_ok);
  }
  .tool[data-state='failed'] .tool-state {
    color: var(--_danger);
  }
  .tool code {
    font-size: 12px;
  }

  .approval {
    padding: 12px;
    border: 1px solid var(--_accent);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .approval p {
    margin: 0 0 8px;
  }
  .approval .approval-title {
    font-weight: 600;
  }
  .approval .approval-action {
    overflow-wrap: anywhere;
  }
  .approval-actions {
    display: flex;
    gap: 8px;
  }
  .button {
    padding: 7px 14px;
    border: 1px solid var(--_border);
    border-radius: 8px;
    background: var(--_surface);
    cursor: pointer;
  }
  .button.primary {
    border-color: var(--_accent);
    background: var(--_accent);
    color: var(--_on-accent);
  }
  .button:disabled {
    opacity: 0.55;
    cursor: default;
  }
  .approval-outcome {
    font-size: 13px;
    color: var(--_muted);
  }
  .approval-outcome[data-state='approved'] {
    color: var(--_ok);
  }
  .approval-outcome[data-state='denied'] {
    color: var(--_danger);
  }

  .sources {
    margin: 0;
    padding: 0;
    list-style: none;
    font-size: 13px;
  }
  .sources-label {
    margin: 0 0 2px;
    font-size: 12px;
    color: var(--_muted);
  }
  .sources li {
    margin: 2px 0;
  }
  .sources a {
    color: var(--_link);
  }
  .note {
    margin: 0;
    font-size: 13px;
    color: var(--_muted);
  }
  .note.error,
  .notice.error {
    color: var(--_danger);
  }
  .notice {
    align-self: center;
    max-width: 90%;
    margin: 0;
    font-size: 13px;
    text-align: center;
    color: var(--_muted);
  }
`;

/** The composer: input and the Send / Stop button. */
export const composerStyles = css`
  form {
    display: flex;
    align-items: flex-end;
    gap: 8px;
    padding: 10px 12px 12px;
    border-top: 1px solid var(--_border);
    background: var(--_surface);
  }
  textarea {
    flex: 1;
    min-height: 42px;
    max-height: 140px;
    padding: 10px 12px;
    resize: none;
    border: 1px solid var(--_border);
    border-radius: 10px;
    background: var(--_surface-alt);
    line-height: 1.4;
  }
  textarea::placeholder {
    color: var(--_muted);
  }
  .send,
  .stop {
    display: grid;
    place-items: center;
    width: 42px;
    height: 42px;
    border: 0;
    border-radius: 10px;
    background: var(--_accent);
    color: var(--_on-accent);
    cursor: pointer;
  }
  .stop {
    background: var(--_text);
    color: var(--_surface);
  }
  .send:disabled {
    opacity: 0.45;
    cursor: default;
  }
  .send svg,
  .stop svg {
    width: 20px;
    height: 20px;
  }
`;
