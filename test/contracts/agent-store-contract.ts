import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentStore } from '../../src/agents/agent-store.js';
import type { AgentConfig } from '../../src/agents/types.js';

export interface AgentStoreContractOptions {
  /** A store opened afterwards on the same backend sees what was written (a restart, or another replica). */
  durable?: boolean;
}

/** What every AgentStore must do; `open` returns a store and how to release it. */
export function runAgentStoreContract(
  name: string,
  open: () => Promise<{ store: AgentStore; close(): Promise<void> }>,
  options: AgentStoreContractOptions = {},
): void {
  describe(`agent store contract: ${name}`, () => {
    let opened: { store: AgentStore; close(): Promise<void> };
    beforeEach(async () => {
      opened = await open();
    });
    afterEach(async () => {
      await opened.close();
    });

    const full = (organizationId: string, agentId: string): AgentConfig => ({
      agentId,
      organizationId,
      name: 'Ada — ✓',
      instructions: 'Be Ada.',
      personality: 'Warm.',
      greeting: 'Hi!',
      conversationWorkflow: { goal: 'refund', steps: [{ id: 'a', intent: 'i', criteria: 'c', next: 'b' }, { id: 'b', intent: 'j', criteria: 'd' }] },
      toolConfig: { enabledTools: [{ toolId: 'lookup', enabled: true, authLevel: 'end_user', config: { region: 'eu', nested: { n: [1, 2] } } }] },
      visibility: 'internal',
      documentSets: ['returns', 'shipping'],
      model: 'm',
      suggestedQuestions: ['Where is my order?'],
    });

    it('stores, lists by id, replaces and deletes agents of one organization only', async () => {
      const { store } = opened;
      const org = `org-${randomUUID()}`;
      const other = `org-${randomUUID()}`;
      const b = full(org, 'b-agent');
      const a: AgentConfig = { agentId: 'A-agent', organizationId: org, visibility: 'public' };
      await store.put(b);
      await store.put(a);
      await store.put({ ...a, organizationId: other, name: 'theirs' });
      expect(await store.get(org, 'b-agent')).toEqual(b);
      expect(await store.get(org, 'A-agent')).toEqual(a);
      expect(Object.keys((await store.get(org, 'A-agent'))!).sort()).toEqual(['agentId', 'organizationId', 'visibility']);
      expect((await store.list(org)).map((x) => x.agentId)).toEqual(['A-agent', 'b-agent']);
      expect(await store.get(org, 'missing')).toBeUndefined();
      expect(await store.get(`org-${randomUUID()}`, 'b-agent')).toBeUndefined();

      await store.put({ ...b, name: 'renamed', toolConfig: { enabledTools: [] } });
      expect(await store.get(org, 'b-agent')).toMatchObject({ name: 'renamed', toolConfig: { enabledTools: [] } });
      expect(await store.delete(other, 'b-agent')).toBe(false);
      expect(await store.delete(org, 'b-agent')).toBe(true);
      expect(await store.delete(org, 'b-agent')).toBe(false);
      expect((await store.list(org)).map((x) => x.agentId)).toEqual(['A-agent']);
      expect((await store.list(other)).map((x) => x.name)).toEqual(['theirs']);
    });

    it.runIf(options.durable)('keeps agents across a reopen', async () => {
      const org = `org-${randomUUID()}`;
      const agent = full(org, randomUUID());
      await opened.store.put(agent);
      await opened.close();
      opened = await open();
      expect(await opened.store.get(org, agent.agentId)).toEqual(agent);
    });
  });
}
