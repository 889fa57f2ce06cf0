import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startScriptedGateway } from '../../src/testing/index.js';
import { probeRedis, REDIS_TEST_URL } from '../backplane-services.js';
import { assertBuilt, spawnServe, type ServeProcess } from '../restart-cli.js';
import { createTestDatabase, whenAvailable, type TestDatabase } from '../storage-services.js';
import { tokensOf } from '../support/harness.js';
import { startToolServer } from '../support/tool-server.js';
import { TestClient } from '../support/ws-client.js';

// Finding 8: a turn parked on replica A and confirmed through replica B stayed parked on A until its
// own timeout (A answering TURN_IN_PROGRESS meanwhile), then ended with an internal message.
const scratch = mkdtempSync(join(tmpdir(), 'so-xreplica-'));
const running: ServeProcess[] = [];
const clients: TestClient[] = [];
const closers: Array<() => Promise<void>> = [];
let db: TestDatabase | undefined;

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const p of running.splice(0)) await p.kill('SIGKILL');
  for (const close of closers.splice(0)) await close();
});
afterAll(async () => {
  await db?.drop();
  rmSync(scratch, { recursive: true, force: true });
});

const probe = await createTestDatabase();
const redisDown = await probeRedis();
whenAvailable('postgres+redis', 'unavailable' in probe ? probe.unavailable : redisDown, () => {
  db = probe as TestDatabase;
  describe('approval resolved on another replica', () => {
    it('reaches the turn parked on A within a second; A ends cleanly and takes new turns', { timeout: 60_000 }, async () => {
      const gateway = await startScriptedGateway({
        script: [
          { kind: 'toolCall', name: 'delete_record', arguments: '{"id":"42"}' },
          { kind: 'text', text: 'Deleted it.' },
          { kind: 'text', text: 'Next answer.' },
        ],
      });
      const tools = await startToolServer((_p, _b, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('Record 42 deleted.'));
      closers.push(gateway.close, tools.close);
      const toolsFile = join(mkdtempSync(join(scratch, 'tools-')), 'tools.json');
      writeFileSync(toolsFile, JSON.stringify([{ name: 'delete_record', description: 'Delete', parameters: { type: 'object' }, url: `${tools.url}/d` }]));
      const env = {
        SMOOTH_AGENT_STORAGE: 'postgres',
        SMOOTH_AGENT_DATABASE_URL: db!.url,
        SMOOTH_AGENT_BACKPLANE: 'redis',
        SMOOTH_AGENT_REDIS_URL: REDIS_TEST_URL,
        SMOOAI_GATEWAY_URL: gateway.url,
        SMOOAI_GATEWAY_KEY: 'test-key',
        SMOOTH_AGENT_CONFIRM_TOOLS: 'delete',
        SMOOTH_AGENT_TOOLS_FILE: toolsFile,
        // Long, so only the notice can explain A stopping quickly.
        SMOOTH_AGENT_APPROVAL_TIMEOUT_MS: '120000',
      };
      const [a, b] = await Promise.all([spawnServe(env), spawnServe(env)]);
      running.push(a, b);
      const onA = await TestClient.connect(a.wsUrl);
      const onB = await TestClient.connect(b.wsUrl);
      clients.push(onA, onB);
      const created = await onA.request({ action: 'create_conversation_session', requestId: 'create', userName: 'Alice' });
      const sessionId = (created.data as { sessionId: string }).sessionId;
      onA.send({ action: 'send_message', requestId: 'r', sessionId, message: 'delete 42' });
      await onA.nextOfType('write_confirmation_required', 15_000);

      onB.send({ action: 'confirm_tool_action', requestId: 'c', sessionId, approved: true });
      const confirmedAt = Date.now();
      const aEnd = await onA.untilTerminal(5_000);
      const noticedMs = Date.now() - confirmedAt;
      expect(noticedMs).toBeLessThan(1_500);
      expect(aEnd.at(-1)).toMatchObject({ type: 'error', requestId: 'r', error: { code: 'TURN_CONTINUED_ELSEWHERE' } });
      expect(JSON.stringify(aEnd.at(-1))).not.toMatch(/agent turn failed|internal/);
      const bEnd = await onB.untilTerminal(15_000);
      expect(tokensOf(bEnd)).toBe('Deleted it.');
      expect(bEnd.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r' });
      expect(tools.calls).toHaveLength(1);

      // A's connection is free again at once, not TURN_IN_PROGRESS.
      onA.send({ action: 'send_message', requestId: 'r2', sessionId, message: 'and now?' });
      const next = await onA.untilTerminal(15_000);
      expect(next.at(-1)).toMatchObject({ type: 'eventual_response', requestId: 'r2' });
      expect(onA.schemaViolations).toEqual([]);
    });
  });
});
