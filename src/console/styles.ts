import { css } from 'lit';

/** System fonts, no external resources; colours meet WCAG AA on their backgrounds. */
export const consoleStyles = css`
  :host {
    display: block;
    min-height: 100vh;
    font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    color: #111827;
    background: #f4f5f7;
  }
  * { box-sizing: border-box; }
  button, input, textarea { font: inherit; color: inherit; }
  :focus-visible { outline: 3px solid #b45309; outline-offset: 2px; }
  h1, h2, h3 { margin: 0; }
  h1 { font-size: 18px; }
  h2 { font-size: 16px; margin-bottom: 10px; }
  h3 { font-size: 14px; }
  .muted { color: #4b5563; }
  button { padding: 7px 12px; border: 1px solid #c4c9d1; border-radius: 8px; background: #fff; cursor: pointer; }
  button:disabled { opacity: 0.55; cursor: default; }
  button.primary { background: #2447c9; border-color: #2447c9; color: #fff; }
  button.link { border: 0; background: none; color: inherit; text-decoration: underline; }
  input, textarea { width: 100%; padding: 8px 10px; border: 1px solid #c4c9d1; border-radius: 8px; background: #fff; }
  label { display: block; margin: 8px 0 4px; font-size: 13px; font-weight: 600; }
  code { font-size: 0.9em; }

  .sign-in { display: grid; place-items: center; min-height: 100vh; }
  .sign-in form { width: min(380px, 92vw); padding: 24px; border-radius: 14px; background: #fff; box-shadow: 0 8px 30px rgba(17, 24, 39, 0.12); }
  .sign-in button { margin-top: 12px; width: 100%; }
  .error { color: #b42318; }

  header { display: flex; align-items: center; gap: 14px; padding: 12px 20px; background: #1f2a44; color: #fff; }
  header h1 { flex: 0 0 auto; }
  header :focus-visible { outline-color: #fbbf24; }
  nav { display: flex; gap: 6px; flex: 1; }
  nav button { background: transparent; border-color: transparent; color: #fff; }
  nav button[aria-current='page'] { background: rgba(255, 255, 255, 0.16); }
  .live::before { content: ''; display: inline-block; width: 8px; height: 8px; margin-right: 6px; border-radius: 50%; background: #fbbf24; }
  .live[data-state='live']::before { background: #4ade80; }
  .live[data-state='offline']::before { background: #f87171; }
  .notice { margin: 10px 20px 0; padding: 8px 12px; border-radius: 8px; background: #fff7e6; color: #7a4b00; }

  .columns { display: grid; grid-template-columns: minmax(260px, 340px) 1fr; gap: 16px; padding: 16px 20px; }
  section { padding: 16px; border-radius: 12px; background: #fff; box-shadow: 0 1px 3px rgba(17, 24, 39, 0.08); min-width: 0; }
  .count { display: inline-block; min-width: 22px; padding: 0 6px; border-radius: 999px; background: #e5e7eb; font-size: 12px; text-align: center; }
  .queue ul, .doc-list, .results { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
  .entry { width: 100%; display: grid; grid-template-columns: 1fr auto; gap: 2px 8px; text-align: left; }
  .entry[data-state='waiting'] { border-left: 4px solid #b45309; }
  .entry[data-state='human'] { border-left: 4px solid #067647; }
  .entry[aria-current='true'] { background: #eef2ff; }
  .entry .state { font-weight: 600; }
  .entry .wait { color: #4b5563; font-size: 13px; }
  .entry .reason, .entry .email { grid-column: 1 / -1; font-size: 13px; color: #374151; }

  .conversation-head { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; }
  .conversation-head .actions { margin-left: auto; display: flex; gap: 8px; }
  .badge { padding: 1px 8px; border-radius: 999px; background: #e5e7eb; font-size: 12px; font-weight: 600; }
  .badge[data-state='waiting'] { background: #fde68a; }
  .badge[data-state='human'] { background: #bbf7d0; }
  .summary, .pending { margin-top: 12px; padding: 10px 12px; border-radius: 10px; background: #f3f4f6; white-space: pre-wrap; }
  .pending { background: #fff7e6; }
  .summary p, .pending p { margin: 4px 0 0; }
  .transcript { list-style: none; margin: 14px 0; padding: 0; display: flex; flex-direction: column; gap: 8px; max-height: 50vh; overflow-y: auto; }
  .message { max-width: 80%; padding: 8px 12px; border-radius: 12px; background: #f3f4f6; }
  .message p { margin: 2px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .message[data-direction='inbound'] { align-self: flex-start; }
  .message[data-direction='outbound'] { align-self: flex-end; background: #e8edff; }
  .message[data-sender='human-agent'] { background: #dcfce7; }
  .tools, .citations { margin: 4px 0 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 4px 10px; font-size: 12px; color: #374151; }
  .tools li { padding: 0 8px; border: 1px solid #c4c9d1; border-radius: 999px; }
  .tools li[data-error='true'] { border-color: #b42318; color: #b42318; }
  .citations a { color: #2447c9; }
  .sender { font-size: 12px; font-weight: 600; color: #374151; }
  .reply .send { margin-top: 8px; }

  .drop { padding: 18px; border: 2px dashed #9ca3af; border-radius: 12px; text-align: center; margin-bottom: 12px; }
  .drop[data-active='true'] { border-color: #2447c9; background: #eef2ff; }
  .drop p { margin: 0 0 6px; }
  .file { display: inline-block; font-weight: 400; }
  .file input { width: auto; margin-left: 6px; }
  .search form { display: grid; gap: 2px; margin-bottom: 12px; }
  .search form button { margin-top: 10px; justify-self: start; }
  .results li p { margin: 2px 0 0; font-size: 13px; color: #374151; }
  .score { font-size: 12px; color: #4b5563; }

  @media (max-width: 760px) { .columns { grid-template-columns: 1fr; } }
`;
