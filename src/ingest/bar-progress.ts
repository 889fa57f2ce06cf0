import { describeEvent, type IngestProgress, type Tally } from './progress.js';

const CLEAR_LINE = '\r\x1b[K';
/** Redrawing on every file would spend more time painting than loading. */
const REDRAW_MS = 80;
const BAR_WIDTH = 24;

export interface TerminalStream {
  write(text: string): unknown;
  columns?: number;
}

function render(tally: Readonly<Tally>, columns: number): string {
  const ratio = tally.discovered === 0 ? 0 : Math.min(1, tally.processed / tally.discovered);
  const filled = Math.round(ratio * BAR_WIDTH);
  const bar = `[${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}]`;
  const counts = `${tally.processed}/${tally.discovered} | documents ${tally.documents} | chunks ${tally.chunks} | skipped ${tally.skipped} | failed ${tally.failed}`;
  // A line wider than the terminal wraps, and `\r` then redraws only its last row.
  return `${bar} ${counts}`.slice(0, Math.max(1, columns - 1));
}

/**
 * A live bar on the last line of a terminal. Skips, failures, notes and output lines are printed
 * above it as they happen, so nothing the line reporter would say is lost.
 */
export function barProgress(
  progressStream: TerminalStream,
  outputStream: TerminalStream,
  now: () => number = Date.now,
): IngestProgress {
  let line = '';
  let drawnAt = Number.NEGATIVE_INFINITY;
  const draw = () => {
    progressStream.write(`${CLEAR_LINE}${line}`);
    drawnAt = now();
  };
  const above = (write: () => void) => {
    progressStream.write(CLEAR_LINE);
    write();
    draw();
  };
  return {
    report(event, tally) {
      line = render(tally, progressStream.columns || 80);
      const message = describeEvent(event);
      if (message !== undefined) above(() => progressStream.write(`${message}\n`));
      else if (now() - drawnAt >= REDRAW_MS) draw();
    },
    print(text) {
      above(() => outputStream.write(`${text}\n`));
    },
    stop() {
      if (line !== '') progressStream.write(`${CLEAR_LINE}${line}\n`);
    },
  };
}
