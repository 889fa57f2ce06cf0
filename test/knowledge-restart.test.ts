import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, runCli, spawnServe, type ServeProcess } from './restart-cli.js';
import { tokensOf } from './support/harness.js';
import { at, TestClient } from './support/ws-client.js';

/**
 * With `SMOOTH_AGENT_STORAGE=pglite`, knowledge and agent settings live in the data directory: the
 * real CLI is killed with SIGKILL and restarted, and what was posted through the admin API is still
 * there, searchable and cited.
 */
const scratch = mkdtempSync(join(tmpdir(), 'so-knowledge-restart-'));
const running: ServeProcess[] = [];
const clients: TestClient[] = [];

beforeAll(() => assertBuilt());
afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  for (const p of running.splice(0)) await p.kill('SIGKILL');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function serve(env: Record<string, string>): Promise<{ process: ServeProcess; http: string }> {
  const p = await spawnServe(env, 60_000);
  running.push(p);
  const url = new URL(p.wsUrl);
  return { process: p, http: `http://${url.host}` };
}

async function admin(http: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${http}${path}`, {
    method,
    headers: { authorization: 'Bearer operator', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : JSON.parse(text) };
}

describe('knowledge and settings on pglite survive a restart', () => {
  it('documents posted through the admin API are cited after SIGKILL and restart; settings keep the persona', { timeout: 120_000 }, async () => {
    const env = { SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: join(scratch, 'data'), AUTH_MODE: 'none' };
    const first = await serve(env);
    const posted = await admin(first.http, 'POST', '/admin/knowledge/documents', {
      documents: [
        {
          id: 'kettle-warranty.md',
          source: 'kettle-warranty.md',
          title: 'Zephyr kettle warranty',
          content: 'The Zephyr kettle carries a 27 month warranty covering the heating element and the lid hinge.',
        },
      ],
    });
    expect(posted.status).toBe(201);
    const put = await admin(first.http, 'PUT', '/admin/settings', { persona: 'Captain Kettle, cheerful and brief', defaultTools: ['knowledge_search'] });
    expect(put.status).toBe(200);
    await first.process.kill('SIGKILL');

    const second = await serve(env);
    const settings = await admin(second.http, 'GET', '/admin/settings');
    expect(at(settings.json, 'settings.persona')).toBe('Captain Kettle, cheerful and brief');
    expect(at(settings.json, 'settings.defaultTools')).toEqual(['knowledge_search']);
    const listed = await admin(second.http, 'GET', '/admin/knowledge/documents');
    expect(JSON.stringify(listed.json)).toContain('kettle-warranty.md');

    const client = await TestClient.connect(second.process.wsUrl);
    clients.push(client);
    const created = await client.request({ action: 'create_conversation_session', requestId: 'create', userName: 'Alice' });
    const sessionId = (created.data as { sessionId: string }).sessionId;
    client.send({ action: 'send_message', requestId: 'ask', sessionId, message: 'How long is the warranty on the Zephyr kettle?' });
    const frames = await client.untilTerminal(30_000);
    expect(tokensOf(frames)).toContain('27 month warranty');
    expect(at(frames.at(-1), 'data.data.citations.0.id')).toBe('kettle-warranty.md');
  });
});

describe('knowledge schema with auto-migration off', () => {
  it('`smooth-operator migrate` prepares the knowledge and settings tables a verify-only boot needs', { timeout: 120_000 }, async () => {
    const env = { SMOOTH_AGENT_STORAGE: 'pglite', SMOOTH_AGENT_DATA_DIR: join(scratch, 'verify'), AUTH_MODE: 'none', SMOOTH_AGENT_AUTO_MIGRATE: '0' };
    const refused = await runCli(['serve'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/smooth-operator migrate/);
    const migrated = await runCli(['migrate'], env);
    expect(migrated.code, migrated.stderr).toBe(0);
    const server = await serve(env);
    const posted = await admin(server.http, 'POST', '/admin/knowledge/documents', { documents: [{ id: 'a.md', source: 'a.md', content: 'Auks are seabirds.' }] });
    expect(posted.status).toBe(201);
  });
});
