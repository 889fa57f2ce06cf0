/** Running counts of one ingest run. */
export interface Tally {
  /** Files and pages found so far; grows while a crawl discovers links. */
  discovered: number;
  /** Of those, how many have been loaded, skipped or failed. */
  processed: number;
  documents: number;
  chunks: number;
  skipped: number;
  failed: number;
}

export type ProgressEvent =
  | { type: 'discovered' }
  | { type: 'loaded'; source: string }
  | { type: 'skipped'; source: string; reason: string }
  | { type: 'failed'; source: string; reason: string }
  | { type: 'sent'; documents: number; chunks: number }
  | { type: 'note'; message: string };

export interface IngestProgress {
  report(event: ProgressEvent, tally: Readonly<Tally>): void;
  /** A line of the run's output (stdout), written so it doesn't tear a progress display. */
  print(line: string): void;
  stop(): void;
}

export function emptyTally(): Tally {
  return { discovered: 0, processed: 0, documents: 0, chunks: 0, skipped: 0, failed: 0 };
}

/** What a person must read even when a live display is running: everything but routine progress. */
export function describeEvent(event: ProgressEvent): string | undefined {
  switch (event.type) {
    case 'skipped':
      return `skipped ${event.source}: ${event.reason}`;
    case 'failed':
      return `failed ${event.source}: ${event.reason}`;
    case 'note':
      return event.message;
    default:
      return undefined;
  }
}

/** One line per event, for logs and pipes where a redrawn bar would be noise. */
export function lineProgress(out: (line: string) => void, err: (line: string) => void): IngestProgress {
  return {
    report(event, tally) {
      if (event.type === 'loaded') err(`loaded ${event.source} (${tally.processed}/${tally.discovered})`);
      else if (event.type === 'sent') err(`sent ${event.documents} documents (${event.chunks} chunks); ${tally.documents} so far`);
      else {
        const line = describeEvent(event);
        if (line !== undefined) err(line);
      }
    },
    print: out,
    stop() {},
  };
}
