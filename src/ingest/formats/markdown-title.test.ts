import { describe, expect, it } from 'vitest';
import { firstHeading } from './markdown-title.js';

describe('firstHeading', () => {
  it('takes the first level-one ATX heading as plain text', () => {
    expect(firstHeading('intro\n\n## Not this\n# The *real* `title` ##\n# Later')).toBe('The real title');
    expect(firstHeading('# See [the guide](https://example.com)')).toBe('See the guide');
  });

  it('ignores headings inside fenced code, and lines that only look like headings', () => {
    expect(firstHeading('```sh\n# a shell comment\n```\n#hashtag\n# Real')).toBe('Real');
    expect(firstHeading('~~~\n# inside\n```\n# still inside\n~~~')).toBeUndefined();
  });
});
