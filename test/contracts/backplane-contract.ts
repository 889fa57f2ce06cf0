import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { scopedTarget, type Backplane, type Target } from '../../src/backplane/index.js';

/**
 * What a test needs from one implementation: `a`, and for a bus implementation a second replica
 * `b` on the same bus plus a way to put raw bytes on it, as a foreign or broken replica would.
 */
export interface BackplanePair {
  a: Backplane;
  b?: Backplane;
  injectRaw?: (payload: string) => Promise<void>;
  close(): Promise<void>;
}

type Received = Record<string, unknown>[];

/** A sink that records what it is given. */
function recorder(backplane: Backplane, connectionId: string, ...targets: Target[]): Received {
  const got: Received = [];
  backplane.attach(connectionId, (event) => got.push(event as Record<string, unknown>));
  for (const target of targets) backplane.associate(connectionId, target);
  return got;
}

/** Bus delivery is asynchronous: poll until `done` holds (or fail with what was seen). */
async function eventually(done: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every id is fresh, so suites sharing a bus (or a run sharing a server) cannot see each other's events. */
const fresh = (prefix: string) => `${prefix}-${randomUUID()}`;

export interface ContractOptions {
  /** False for single-process implementations: only the in-process half of the contract applies. */
  replicas: boolean;
}

export function runBackplaneContract(name: string, makePair: () => Promise<BackplanePair>, options: ContractOptions = { replicas: true }): void {
  describe(`${name} backplane contract`, () => {
    let pair: BackplanePair | undefined;
    const open = async () => (pair = await makePair());
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    describe('in one process', () => {
      it('delivers to associated connections only and counts local deliveries', async () => {
        const { a } = await open();
        const [s1, o1] = [fresh('s'), fresh('o')];
        const x = recorder(a, fresh('x'), { type: 'session', id: s1 }, { type: 'org', id: o1 });
        const y = recorder(a, fresh('y'), { type: 'org', id: o1 });
        expect(await a.publish({ type: 'session', id: s1 }, { n: 1 })).toBe(1);
        expect(await a.publish({ type: 'org', id: o1 }, { n: 2 })).toBe(2);
        expect(await a.publish({ type: 'user', id: fresh('nobody') }, { n: 3 })).toBe(0);
        expect(x).toEqual([{ n: 1 }, { n: 2 }]);
        expect(y).toEqual([{ n: 2 }]);
      });

      it('associates every attached socket with its own connection target, and ignores unknown connections', async () => {
        const { a } = await open();
        const id = fresh('conn');
        const got = recorder(a, id);
        a.associate(fresh('never-attached'), { type: 'session', id: 'ghost' });
        expect(await a.publish({ type: 'connection', id }, { hello: true })).toBe(1);
        expect(await a.publish({ type: 'session', id: 'ghost' }, { hello: false })).toBe(0);
        expect(got).toEqual([{ hello: true }]);
      });

      it('delivers once per socket however often a target is associated', async () => {
        const { a } = await open();
        const session: Target = { type: 'session', id: fresh('s') };
        const got = recorder(a, fresh('c'), session, session);
        expect(await a.publish(session, { n: 1 })).toBe(1);
        expect(got).toEqual([{ n: 1 }]);
      });

      it('forgets a detached socket on every target, and can attach the same id again', async () => {
        const { a } = await open();
        const id = fresh('c');
        const session: Target = { type: 'session', id: fresh('s') };
        const first = recorder(a, id, session);
        a.detach(id);
        a.detach(id); // twice is harmless
        expect(await a.publish(session, { n: 1 })).toBe(0);
        expect(await a.publish({ type: 'connection', id }, { n: 2 })).toBe(0);
        const second = recorder(a, id);
        expect(await a.publish(session, { n: 3 })).toBe(0);
        expect(await a.publish({ type: 'connection', id }, { n: 4 })).toBe(1);
        expect(first).toEqual([]);
        expect(second).toEqual([{ n: 4 }]);
      });

      it('keeps org-scoped user and agent targets of different organizations apart', async () => {
        const { a } = await open();
        const user = { type: 'user' as const, id: 'u1' };
        const agent = { type: 'agent' as const, id: 'agent-1' };
        const [org1, org2] = [fresh('org'), fresh('org')];
        const inOrg1 = recorder(a, fresh('c'), scopedTarget(org1, user), scopedTarget(org1, agent));
        expect(await a.publish(scopedTarget(org2, user), { n: 1 })).toBe(0);
        expect(await a.publish(scopedTarget(org2, agent), { n: 2 })).toBe(0);
        expect(await a.publish(scopedTarget(org1, user), { n: 3 })).toBe(1);
        expect(await a.publish(scopedTarget(org1, agent), { n: 4 })).toBe(1);
        expect(inOrg1).toEqual([{ n: 3 }, { n: 4 }]);
      });
    });

    // Single-process implementations have no second replica: only the part above applies to them.
    if (options.replicas) describe('across replicas', () => {
      async function replicas(): Promise<Required<BackplanePair>> {
        const p = await open();
        if (!p.b || !p.injectRaw) throw new Error(`${name}: a replicas suite needs makePair to return b and injectRaw`);
        return p as Required<BackplanePair>;
      }

      it('delivers an event published on one replica to sockets on another, for every target type', async () => {
        const r = await replicas();
        const org = fresh('org');
        const targets: Target[] = [
          { type: 'session', id: fresh('s') },
          { type: 'org', id: org },
          scopedTarget(org, { type: 'user', id: 'visitor@example.com' }),
          scopedTarget(org, { type: 'agent', id: fresh('agent') }),
        ];
        const connectionId = fresh('c');
        const onB = recorder(r.b, connectionId, ...targets);
        targets.push({ type: 'connection', id: connectionId });
        for (const [i, target] of targets.entries()) {
          // Nobody on `a` is associated: the local count is 0 even though `b` delivers.
          expect(await r.a.publish(target, { i, nested: { ok: true, list: [1, 'two'] } })).toBe(0);
        }
        await eventually(() => onB.length === targets.length, `${targets.length} events on b`);
        expect(onB).toEqual(targets.map((_, i) => ({ i, nested: { ok: true, list: [1, 'two'] } })));
      });

      it('returns the local count only, and never echoes an event back to its origin', async () => {
        const r = await replicas();
        const session: Target = { type: 'session', id: fresh('s') };
        const onA = recorder(r.a, fresh('a1'), session);
        const onB1 = recorder(r.b, fresh('b1'), session);
        const onB2 = recorder(r.b, fresh('b2'), session);
        expect(await r.a.publish(session, { from: 'a' })).toBe(1);
        await eventually(() => onB1.length === 1 && onB2.length === 1, 'the event on both sockets of b');
        // b's reply is sent after b has received a's event, so the bus has already handed a its own
        // echo (if it were sent) before this one: seeing b's event on `a` means any echo would show too.
        expect(await r.b.publish(session, { from: 'b' })).toBe(2);
        await eventually(() => onA.length >= 2, "b's event on a");
        expect(onA).toEqual([{ from: 'a' }, { from: 'b' }]);
        expect(onB1).toEqual([{ from: 'a' }, { from: 'b' }]);
        expect(onB2).toEqual([{ from: 'a' }, { from: 'b' }]);
      });

      it("accepts another implementation's envelope and ignores malformed ones", async () => {
        const r = await replicas();
        const sessionId = fresh('s');
        const got = recorder(r.a, fresh('c'), { type: 'session', id: sessionId });
        const broken = [
          'not json',
          '[]',
          JSON.stringify({ target: { Session: sessionId }, event: { n: 'no origin' } }),
          JSON.stringify({ origin: 'elsewhere', target: { Team: sessionId }, event: { n: 'unknown tag' } }),
          JSON.stringify({ origin: 'elsewhere', target: { type: 'session', id: sessionId }, event: { n: 'internal shape' } }),
          JSON.stringify({ origin: 'elsewhere', target: { Session: sessionId, Org: 'o' }, event: { n: 'two tags' } }),
          JSON.stringify({ origin: 'elsewhere', target: { Session: 42 }, event: { n: 'numeric id' } }),
          JSON.stringify({ origin: 'elsewhere', target: { Session: sessionId }, event: ['not', 'an', 'object'] }),
          JSON.stringify({ origin: 'elsewhere', target: { Session: sessionId } }),
        ];
        for (const payload of broken) await r.injectRaw(payload);
        // The reference server's wire shape, written out by hand.
        await r.injectRaw(`{"origin":"another-replica","target":{"Session":"${sessionId}"},"event":{"type":"notice","n":1}}`);
        await eventually(() => got.length >= 1, 'the well-formed envelope');
        expect(got).toEqual([{ type: 'notice', n: 1 }]);
        // Still subscribed and delivering after the garbage.
        await r.b.publish({ type: 'session', id: sessionId }, { n: 2 });
        await eventually(() => got.length >= 2, 'a later event');
        expect(got).toEqual([{ type: 'notice', n: 1 }, { n: 2 }]);
      });

      it('keeps publishing locally, without throwing, once the other replica is gone', async () => {
        const r = await replicas();
        const session: Target = { type: 'session', id: fresh('s') };
        const onA = recorder(r.a, fresh('c'), session);
        await r.b.close();
        expect(await r.a.publish(session, { n: 1 })).toBe(1);
        expect(onA).toEqual([{ n: 1 }]);
        // A closed replica publishes to nobody and does not throw either.
        expect(await r.b.publish(session, { n: 2 })).toBe(0);
      });
    });
  });
}
