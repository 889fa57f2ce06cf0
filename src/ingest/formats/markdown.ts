import type { Extractor } from './extracted.js';
import { firstHeading } from './markdown-title.js';
import { decodeText } from './text.js';

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?)\n---[ \t]*(?:\n|$)/;
const FRONT_MATTER_TITLE = /^title:[ \t]*(.+?)[ \t]*$/m;
const FENCE = /^ {0,3}(```|~~~)/;
const MDX_MODULE_LINE = /^(?:import|export)\s/;

/** MDX `import`/`export` lines are code, not prose a customer would ask about; code samples in fences stay. */
function dropMdxModuleLines(body: string): string {
  let fence: string | undefined;
  const kept: string[] = [];
  for (const line of body.split('\n')) {
    const opener = FENCE.exec(line)?.[1];
    if (opener !== undefined) {
      if (fence === undefined) fence = opener;
      else if (opener === fence) fence = undefined;
    }
    if (fence === undefined && opener === undefined && MDX_MODULE_LINE.test(line)) continue;
    kept.push(line);
  }
  return kept.join('\n');
}

function extract(bytes: Uint8Array, charset: string | undefined, mdx: boolean): { content: string; title?: string } {
  const text = decodeText(bytes, charset);
  const frontMatter = FRONT_MATTER.exec(text);
  const rest = frontMatter ? text.slice(frontMatter[0].length) : text;
  const body = mdx ? dropMdxModuleLines(rest) : rest;
  const declared = frontMatter?.[1] === undefined ? undefined : FRONT_MATTER_TITLE.exec(frontMatter[1])?.[1];
  const title = firstHeading(body) ?? declared?.replace(/^(['"])(.*)\1$/, '$2');
  return { content: body.trim(), ...(title ? { title } : {}) };
}

export const extractMarkdown: Extractor = async (bytes, { charset }) => extract(bytes, charset, false);

export const extractMdx: Extractor = async (bytes, { charset }) => extract(bytes, charset, true);
