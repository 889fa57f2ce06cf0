import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

/**
 * Model output and retrieved documents are untrusted: they can contain HTML written to attack the
 * page (`<img src=x onerror=…>`, `javascript:` links). Two layers keep them inert:
 * 1. marked never passes raw HTML through: it is escaped and shown as text.
 * 2. DOMPurify then allows only the tags Markdown produces, and only http(s)/mailto links.
 * Images become links, so an answer cannot make the browser fetch anything by itself.
 */
function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const marked = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html: (token: Tokens.HTML | Tokens.Tag) => escapeHtml(token.text),
    image: (token: Tokens.Image) => `<a href="${escapeHtml(token.href)}">${escapeHtml(token.text || token.href)}</a>`,
  },
});

const ALLOWED_TAGS = [
  'a', 'p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'hr',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'input',
];

// A private instance: the hook below must not leak into a DOMPurify the host page may also use.
const purifier = DOMPurify(window);
purifier.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer nofollow');
  }
  // GFM task-list checkboxes are display-only.
  if (node.tagName === 'INPUT') {
    if (node.getAttribute('type') !== 'checkbox') node.remove();
    else node.setAttribute('disabled', '');
  }
});

/** Markdown → sanitized HTML, safe to insert into the widget's shadow DOM. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown) as string;
  return purifier.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR: ['href', 'title', 'start', 'align', 'type', 'checked', 'disabled'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:)/i,
  });
}

/**
 * Completes Markdown cut off mid-stream so the partial answer renders as it will end up, never as
 * raw syntax: an open code fence or inline code is closed, unmatched `**`/`*`/`~~` are closed, a
 * marker run at the very end is held back, and an unfinished link shows its text only.
 */
export function completeMarkdown(partial: string): string {
  const fences = partial.match(/^ {0,3}```/gm)?.length ?? 0;
  if (fences % 2 === 1) return `${partial}\n\`\`\``;
  let text = partial.replace(/(\*+|~+|`+|_+)$/, '');
  // An unfinished link: `[label](partial-url` or `[label` → label.
  text = text
    .replace(/\[([^\]\n]*)\]\([^)\n]*$/, '$1')
    .replace(/\[([^\]\n]*)\]$/, '$1')
    .replace(/\[([^\]\n]*)$/, '$1');
  const lastParagraph = text.slice(text.lastIndexOf('\n\n') + 1);
  const withoutCode = lastParagraph.replace(/`[^`\n]*`/g, '');
  let closing = '';
  if ((lastParagraph.match(/`/g)?.length ?? 0) % 2 === 1) return `${text}\``;
  // List bullets (`* item`) are not emphasis.
  const body = withoutCode.replace(/^\s*[*+-]\s/gm, '');
  if ((body.match(/~~/g)?.length ?? 0) % 2 === 1) closing = `~~${closing}`;
  const strong = body.match(/\*\*/g)?.length ?? 0;
  const single = (body.replace(/\*\*/g, '').match(/\*/g)?.length ?? 0) % 2 === 1;
  if (single) closing = `*${closing}`;
  if (strong % 2 === 1) closing = `**${closing}`;
  // Emphasis must hug text: trailing spaces before the closing marker would leave it literal.
  return closing === '' ? text : `${text.replace(/\s+$/, '')}${closing}`;
}
