import { describe, expect, it } from 'vitest';
import { barProgress } from './bar-progress.js';
import { emptyTally } from './progress.js';

function capture(columns = 120) {
  const stream = { columns, text: '', write(chunk: string) { this.text += chunk; return true; } };
  return stream;
}

describe('barProgress', () => {
  it('draws one line of counts, prints problems and output above it, and ends with a newline', () => {
    const err = capture();
    const out = capture();
    let clock = 0;
    const progress = barProgress(err, out, () => clock);
    const tally = { ...emptyTally(), discovered: 4, processed: 2, documents: 1, chunks: 3 };
    progress.report({ type: 'loaded', source: 'a.md' }, tally);
    expect(err.text).toBe(`\r\x1b[K[${'█'.repeat(12)}${'░'.repeat(12)}] 2/4 | documents 1 | chunks 3 | skipped 0 | failed 0`);

    err.text = '';
    clock += 10;
    progress.report({ type: 'loaded', source: 'b.md' }, { ...tally, processed: 3 });
    expect(err.text).toBe('');

    progress.report({ type: 'failed', source: 'c.pdf', reason: 'corrupt' }, { ...tally, processed: 4, failed: 1 });
    expect(err.text).toMatch(/^\r\x1b\[Kfailed c\.pdf: corrupt\n\r\x1b\[K\[█+\] 4\/4 .* failed 1$/);

    progress.print('c.md\t1 chunk');
    expect(out.text).toBe('c.md\t1 chunk\n');

    err.text = '';
    progress.stop();
    expect(err.text).toMatch(/^\r\x1b\[K\[.*failed 1\n$/);
  });

  it('never draws wider than the terminal, so a redraw never wraps', () => {
    const err = capture(30);
    barProgress(err, capture()).report({ type: 'discovered' }, { ...emptyTally(), discovered: 1000 });
    expect(err.text.replace('\r\x1b[K', '')).toHaveLength(29);
  });
});
