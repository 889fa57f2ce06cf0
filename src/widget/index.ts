/**
 * Entry of the browser bundle (`dist/widget/chat-widget.iife.js`, built by scripts/build-widget.mjs):
 * registers `<smooth-agent-chat>`. Loading the bundle twice must not throw, hence the guard.
 */
import { SmoothAgentChat } from './chat-element.js';

if (!customElements.get('smooth-agent-chat')) customElements.define('smooth-agent-chat', SmoothAgentChat);

export { SmoothAgentChat };

declare global {
  interface HTMLElementTagNameMap {
    'smooth-agent-chat': SmoothAgentChat;
  }
}
