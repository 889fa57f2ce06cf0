const FENCE = /^ {0,3}(```|~~~)/;
const ATX_H1 = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/;

/** Plain text of the first level-one ATX heading, ignoring anything inside fenced code. */
export function firstHeading(markdown: string): string | undefined {
  let fence: string | undefined;
  for (const line of markdown.split(/\r?\n/)) {
    const opener = FENCE.exec(line)?.[1];
    if (opener !== undefined) {
      if (fence === undefined) fence = opener;
      else if (opener === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const heading = ATX_H1.exec(line)?.[1];
    if (heading !== undefined) {
      const plain = heading
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/[*`]/g, '')
        .trim();
      if (plain !== '') return plain;
    }
  }
  return undefined;
}
