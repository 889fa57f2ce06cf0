import { describe, expect, it } from 'vitest';
import { AdminApiError } from './admin-client.js';
import { Batcher, MAX_BATCH_BYTES } from './batcher.js';
import { sendBatch } from './send-batch.js';
import type { LoadedDocument } from './types.js';

const doc = (id: string, content = `content of ${id}`): LoadedDocument => ({ id, source: id, content });

describe('sendBatch', () => {
  it('counts the chunks the server reports for each stored document', async () => {
    const outcome = await sendBatch(async (docs) => docs.map((d, i) => ({ id: d.id, chunks: i + 1 })), [doc('a'), doc('b')]);
    expect(outcome.stored.map((s) => [s.document.id, s.chunks])).toEqual([
      ['a', 1],
      ['b', 2],
    ]);
    expect(outcome.failed).toEqual([]);
  });

  it('retries a rejected batch one document at a time so only the bad one fails', async () => {
    const calls: string[][] = [];
    const outcome = await sendBatch(async (docs) => {
      calls.push(docs.map((d) => d.id));
      if (docs.some((d) => d.id === 'bad')) throw new AdminApiError('HTTP 400 VALIDATION_ERROR: documents.1.title: too long', 400, false);
      return docs.map((d) => ({ id: d.id, chunks: 1 }));
    }, [doc('a'), doc('bad'), doc('c')]);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    expect(outcome.stored.map((s) => s.document.id)).toEqual(['a', 'c']);
    expect(outcome.failed).toEqual([{ document: doc('bad'), reason: 'HTTP 400 VALIDATION_ERROR: documents.1.title: too long' }]);
    expect(outcome.fatal).toBeUndefined();
  });

  it('does not retry when the server cannot take anything (bad token, unreachable)', async () => {
    let calls = 0;
    const outcome = await sendBatch(async () => {
      calls++;
      throw new AdminApiError('HTTP 401 UNAUTHENTICATED: missing bearer token', 401, true);
    }, [doc('a'), doc('b')]);
    expect(calls).toBe(1);
    expect(outcome.failed).toHaveLength(2);
    expect(outcome.fatal).toBe('HTTP 401 UNAUTHENTICATED: missing bearer token');
  });

  it('a server error fails the batch without stopping the run', async () => {
    const outcome = await sendBatch(async () => {
      throw new AdminApiError('HTTP 500', 500, false);
    }, [doc('a'), doc('b')]);
    expect(outcome.failed.map((f) => f.reason)).toEqual(['HTTP 500', 'HTTP 500']);
    expect(outcome.fatal).toBeUndefined();
  });
});

describe('Batcher', () => {
  it('cuts a batch at the document count', () => {
    const batcher = new Batcher(2);
    expect(batcher.add(doc('a'))).toBeUndefined();
    expect(batcher.add(doc('b'))?.map((d) => d.id)).toEqual(['a', 'b']);
    expect(batcher.add(doc('c'))).toBeUndefined();
    expect(batcher.take().map((d) => d.id)).toEqual(['c']);
    expect(batcher.take()).toEqual([]);
  });

  it('cuts a batch before it would exceed the request size the admin API accepts', () => {
    const batcher = new Batcher(50);
    const half = Math.floor(MAX_BATCH_BYTES / 2) + 1;
    expect(batcher.add(doc('a'), half)).toBeUndefined();
    expect(batcher.add(doc('b'), half)?.map((d) => d.id)).toEqual(['a']);
    expect(batcher.take().map((d) => d.id)).toEqual(['b']);
  });
});
