/** Entry of the operator console bundle (`dist/console/console.iife.js`, built by scripts/build-widget.mjs). */
import { OperatorConsole } from './console-element.js';

if (!customElements.get('smooth-operator-console')) customElements.define('smooth-operator-console', OperatorConsole);

export { OperatorConsole };

declare global {
  interface HTMLElementTagNameMap {
    'smooth-operator-console': OperatorConsole;
  }
}
