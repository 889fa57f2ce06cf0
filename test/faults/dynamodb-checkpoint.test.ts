import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoStorage } from '../../src/storage/dynamodb/dynamo-storage.js';
import type { PendingApproval } from '../../src/storage/index.js';
import { DYNAMO_TEST_CREDENTIALS, startDynalite, whenAvailable, type LocalDynamo } from '../storage-services.js';

// Finding 5: DynamoDB items are capped at 400 KB, and parking a turn stores its whole checkpoint in one.
const local = await startDynalite();
afterAll(async () => {
  if (!('unavailable' in local)) await local.close();
});

function approval(sessionId: string, text: string, toolCallId = 'call_1'): PendingApproval {
  const now = new Date();
  return {
    sessionId,
    requestId: 'r1',
    toolCallId,
    toolName: 'delete_record',
    arguments: '{"id":"42"}',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 60_000).toISOString(),
    checkpoint: {
      requestId: 'r1',
      model: 'm',
      iteration: 1,
      messages: [
        { role: 'system', content: 'You are helpful.' },
        { role: 'user', content: text },
        { role: 'assistant', content: '', toolCalls: [{ id: toolCallId, name: 'delete_record', arguments: '{"id":"42"}' }] },
      ],
      toolCall: { id: toolCallId, name: 'delete_record', arguments: '{"id":"42"}' },
      remainingToolCalls: [],
      toolNames: ['delete_record'],
      sources: [],
      usage: { costUsd: 0, promptTokens: 1, completionTokens: 1 },
    },
  } as PendingApproval;
}

whenAvailable('dynamodb (dynalite)', 'unavailable' in local ? local.unavailable : undefined, () => {
  const { endpoint } = local as LocalDynamo;
  const open = () => DynamoStorage.open({ table: `so-ckpt-${randomUUID()}`, endpoint, region: 'us-east-1', credentials: DYNAMO_TEST_CREDENTIALS });

  describe('dynamodb: checkpoints over the 400 KB item limit', () => {
    it('parks, reads back and takes a 1.2 MB checkpoint of multi-byte text exactly once', { timeout: 30_000 }, async () => {
      const storage = await open();
      try {
        const sessionId = randomUUID();
        // Mixed 1-, 2-, 3- and 4-byte characters, so a part boundary can land inside any of them.
        const text = 'aé€😀'.repeat(120_000);
        const parked = approval(sessionId, text);
        await storage.putPendingApproval(parked);
        expect(await storage.getPendingApproval(sessionId)).toEqual(parked);
        const [first, second] = await Promise.all([storage.takePendingApproval(sessionId), storage.takePendingApproval(sessionId)]);
        expect([first, second].filter(Boolean)).toHaveLength(1);
        expect(first ?? second).toEqual(parked);
        expect(await storage.getPendingApproval(sessionId)).toBeUndefined();
      } finally {
        await storage.close();
      }
    });

    it('replacing a large approval with a small one (and back) keeps the newest', { timeout: 30_000 }, async () => {
      const storage = await open();
      try {
        const sessionId = randomUUID();
        await storage.putPendingApproval(approval(sessionId, 'x'.repeat(600_000), 'big'));
        const small = approval(sessionId, 'short', 'small');
        await storage.putPendingApproval(small);
        expect(await storage.getPendingApproval(sessionId)).toEqual(small);
        const big = approval(sessionId, 'y'.repeat(500_000), 'big2');
        await storage.putPendingApproval(big);
        expect(await storage.takePendingApproval(sessionId, { requestId: 'r1', toolCallId: 'small' })).toBeUndefined();
        expect(await storage.takePendingApproval(sessionId, { requestId: 'r1', toolCallId: 'big2' })).toEqual(big);
      } finally {
        await storage.close();
      }
    });
  });
});
