import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminRoute } from '../src/admin/route.js';
import { ADMIN_ROUTES } from '../src/admin/routes/index.js';
import { StaticWidgetPolicies } from '../src/auth/index.js';
import { MemoryBackplane, type Sink } from '../src/backplane/index.js';
import { MemoryStorage } from '../src/storage/index.js';
import type { ScriptStep } from '../src/testing/index.js';
import { startHarness, type Harness } from './support/harness.js';
import { TestClient, at, type Frame } from './support/ws-client.js';

/**
 * The isolation proof: every principal × every protected surface, each cell with its expected
 * outcome derived from the rules below (written here, independently of the server's code):
 *
 * - An owned session (created by a principal signed in to the session's organization) is usable
 *   over /ws by that principal only: same organization AND same user.
 * - A visitor session (anonymous, or created with a token of another organization through a widget
 *   that assigns this one) is usable by whoever holds its id, except principals signed in to the
 *   session's own organization. Every principal here is handed every session id, so the cells
 *   show the id is the only key and that sharing the organization grants nothing.
 * - Admin routes: the declared role, scoped to the caller's organization (another org's ids are 404).
 *   Staff (curator, admin) read every conversation of their organization; basic users their own.
 * - Knowledge: a turn reads what its session's OWNER may read in the session's organization.
 *
 * Admin cells are generated from the route table: every operation of /admin/openapi.json must have
 * cells. A parameterless GET gets them by default; any other route needs a fixture below, and the
 * test fails naming it until it has one.
 */
const secret = 'security-matrix-secret-security-matrix';
const ANON_ORG = 'org-1';
const config = {
  authMode: 'jwt' as const,
  jwt: { hs256Secret: secret, clockToleranceSec: 5 },
  // Anonymous sessions land in org-1, where staff and members also have tokens (finding 4).
  defaultOrgId: ANON_ORG,
  confirmToolPatterns: ['refund'],
  // One test process opens a few dozen sockets and sends a few thousand frames: no abuse limits here.
  maxConnectionsPerIp: 0,
  maxFramesPerSec: 0,
};
const SHOP = 'https://shop.example';
const WIDGET = { 'org-1': '00000000-0000-4000-8000-0000000000a1', 'org-2': '00000000-0000-4000-8000-0000000000a2' } as const;

type Org = 'org-1' | 'org-2';
const ORGS: readonly Org[] = ['org-1', 'org-2'];
const mark = (org: string) => (org === 'org-1' ? 'ORGONEMARK' : org === 'org-2' ? 'ORGTWOMARK' : 'ORGTHREEMARK');

type Role = 'basic' | 'curator' | 'admin';
const RANK: Record<Role | 'public', number> = { public: -1, basic: 0, curator: 1, admin: 2 };

interface Caller {
  label: string;
  /** Undefined for the anonymous visitor. */
  token?: string;
  org?: string;
  sub?: string;
  role?: Role;
  groups: string[];
}

interface SessionRecord {
  label: string;
  sessionId: string;
  conversationId: string;
  org: string;
  /** Owner's user id when owned; undefined for a visitor session. */
  ownerUser?: string;
  ownerGroups: string[];
  creator: Caller;
  client: TestClient;
  marker: string;
}

interface Cell {
  surface: string;
  caller: string;
  target: string;
  expected: string;
  actual: string;
  ok: boolean;
  leak: boolean;
}

const sign = (sub: string, org: string, role: string, groups: string[] = []) =>
  new SignJWT({ org, role, groups }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('20m').sign(new TextEncoder().encode(secret));

class RecordingBackplane extends MemoryBackplane {
  readonly attached: string[] = [];
  override attach(connectionId: string, sink: Sink): void {
    this.attached.push(connectionId);
    super.attach(connectionId, sink);
  }
}

let harness: Harness;
const storage = new MemoryStorage();
const backplane = new RecordingBackplane();
let callers: Caller[] = [];
const sessions: SessionRecord[] = [];
const cells: Cell[] = [];
const sockets: TestClient[] = [];
let fileRoot = '';
const connectorIds: Record<Org, string> = { 'org-1': '', 'org-2': '' };
let unique = 0;

function record(surface: string, caller: Caller, target: string, expected: string, actual: string, ok: boolean, leak = false): void {
  cells.push({ surface, caller: caller.label, target, expected, actual, ok, leak });
}

async function connect(caller: Caller): Promise<TestClient> {
  const client = await TestClient.connectWith(`${harness.server.wsUrl}${caller.token ? `?token=${caller.token}` : ''}`, SHOP);
  sockets.push(client);
  return client;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;
interface Reply {
  status: number;
  body: Json;
  text: string;
}

async function admin(method: string, path: string, caller: Caller | undefined, body?: unknown): Promise<Reply> {
  const res = await fetch(`${harness.server.httpUrl}${path}`, {
    method,
    headers: { ...(caller?.token ? { authorization: `Bearer ${caller.token}` } : {}), 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: Json;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

const staffOf = (c: Caller, org: string) => c.token !== undefined && c.org === org && (c.role === 'curator' || c.role === 'admin');
const find = (label: string) => callers.find((c) => c.label === label)!;

/** The oracle for /ws: may this caller use this session? */
function mayUse(c: Caller, s: SessionRecord): boolean {
  if (s.ownerUser !== undefined) return c.token !== undefined && c.org === s.org && c.sub === s.ownerUser;
  return !(c.token !== undefined && c.org === s.org);
}

/** The oracle for knowledge: what the session's owner may read. */
interface DocSpec {
  id: string;
  org: Org;
  acl?: { public: boolean; users: string[]; groups: string[] };
}
function ownerReads(s: SessionRecord, d: DocSpec): boolean {
  if (d.org !== s.org) return false;
  if (!d.acl || d.acl.public) return true;
  if (s.ownerUser === undefined) return false;
  return d.acl.users.includes(s.ownerUser) || d.acl.groups.some((g) => s.ownerGroups.includes(g));
}

const DOCS: DocSpec[] = ORGS.flatMap((org) => {
  const p = `${org === 'org-1' ? 'o1' : 'o2'}`;
  return [
    { id: `${p}-open`, org },
    { id: `${p}-public`, org, acl: { public: true, users: [], groups: [] } },
    { id: `${p}-vip`, org, acl: { public: false, users: [], groups: ['vip'] } },
    { id: `${p}-user-a`, org, acl: { public: false, users: ['user-a'], groups: [] } },
    { id: `${p}-user-b`, org, acl: { public: false, users: ['user-b'], groups: [] } },
  ];
});

function turnScript(turns: number, extraText: number): ScriptStep[] {
  const search: ScriptStep[] = Array.from({ length: turns }, () => [
    { kind: 'toolCall' as const, name: 'knowledge_search', arguments: '{"query":"zephyr allowance","limit":50}' },
    { kind: 'text' as const, text: 'Found it.' },
  ]).flat();
  return [...search, ...Array.from({ length: extraText }, () => ({ kind: 'text' as const, text: 'ok' }))];
}

async function createSession(caller: Caller, viaWidget: Org | undefined): Promise<SessionRecord> {
  const client = await connect(caller);
  const reply = await client.request({
    action: 'create_conversation_session',
    requestId: `create-${++unique}`,
    ...(viaWidget ? { agentId: WIDGET[viaWidget] } : {}),
  });
  expect(reply, `create by ${caller.label}`).toMatchObject({ status: 200 });
  const { sessionId, conversationId } = reply.data as { sessionId: string; conversationId: string };
  const org = viaWidget ?? caller.org ?? ANON_ORG;
  const owned = caller.token !== undefined && caller.org === org;
  const label = `${caller.label}${viaWidget ? ` via widget ${viaWidget}` : ' direct'}`;
  return {
    label,
    sessionId,
    conversationId,
    org,
    ...(owned ? { ownerUser: caller.sub } : {}),
    ownerGroups: owned ? caller.groups : [],
    creator: caller,
    client,
    marker: `${mark(org)} message of ${label}`,
  };
}

/** 10 principals × (direct, through org-1's widget) + two through org-2's widget. */
const SESSION_COUNT = 22;

const SESSION_ACTIONS = ['get_session', 'get_conversation_messages', 'send_message', 'confirm_tool_action'] as const;

/** A parked approval with no checkpoint: a permitted confirm takes it ("its turn ended"), a refused one must not. */
function parked(sessionId: string) {
  return {
    sessionId,
    requestId: 'parked',
    toolCallId: 'call-parked',
    toolName: 'queue_refund',
    arguments: '{}',
    createdAt: new Date().toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  };
}

beforeAll(async () => {
  fileRoot = mkdtempSync(join(tmpdir(), 'so-matrix-files-'));
  writeFileSync(join(fileRoot, 'note.md'), '# Note\n\nA connector fixture.');
  harness = await startHarness(turnScript(SESSION_COUNT, 600), {
    config: { ...config, fileConnectorRoots: [fileRoot] },
    storage,
    backplane,
    widgetPolicies: new StaticWidgetPolicies([
      [WIDGET['org-1'], { allowedOrigins: [SHOP], organizationId: 'org-1' }],
      [WIDGET['org-2'], { allowedOrigins: [SHOP], organizationId: 'org-2' }],
    ]),
  });
  callers = [{ label: 'anonymous', groups: [] }];
  callers.push({ label: 'foreign-token@org-3', token: await sign('frank', 'org-3', 'basic', ['vip']), org: 'org-3', sub: 'frank', role: 'basic', groups: ['vip'] });
  for (const org of ORGS) {
    const people: Array<[string, string, Role, string[]]> = [
      [org === 'org-1' ? 'basicA' : 'basicA′', 'user-a', 'basic', ['vip']],
      ['basicB', 'user-b', 'basic', []],
      ['curator', 'cora', 'curator', []],
      ['admin', 'adam', 'admin', []],
    ];
    for (const [name, sub, role, groups] of people) {
      callers.push({ label: `${name}@${org}`, token: await sign(sub, org, role, groups), org, sub, role, groups });
    }
  }

  // Documents of every ACL kind exist in both organizations before anything is probed.
  for (const org of ORGS) {
    const documents = DOCS.filter((d) => d.org === org).map((d) => ({
      id: d.id,
      source: `${d.id}.md`,
      content: `Zephyr allowance rule ${d.id} ${mark(org)}: the zephyr allowance is described here.`,
      documentSets: [`${mark(org)}-set`],
      ...(d.acl ? { acl: d.acl } : {}),
    }));
    expect((await admin('POST', '/admin/knowledge/documents', find(`curator@${org}`), { documents })).status).toBe(201);
    const connector = await admin('POST', '/admin/connectors', find(`admin@${org}`), { name: `files-${mark(org)}`, kind: 'file', config: { path: fileRoot } });
    expect(connector.status).toBe(201);
    connectorIds[org] = connector.body.connector.id as string;
  }

  // Sessions owned by each kind of principal, created directly and through a widget policy.
  for (const caller of callers) {
    sessions.push(await createSession(caller, undefined));
    sessions.push(await createSession(caller, 'org-1'));
  }
  sessions.push(await createSession(callers[0]!, 'org-2'));
  sessions.push(await createSession(find('basicA′@org-2'), 'org-2'));
  expect(sessions).toHaveLength(SESSION_COUNT);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.ws.terminate();
  await harness?.close();
  if (cells.length > 0) {
    const leaks = cells.filter((c) => c.leak).length;
    const wrong = cells.filter((c) => !c.ok).length;
    console.table(cells.map(({ surface, caller, target, expected, actual }) => ({ surface, caller, target, expected, actual })));
    console.log(`\nsecurity matrix: ${cells.length} cells, ${leaks} leaks, ${wrong} mismatches`);
  }
});

describe('security matrix', () => {
  it('knowledge: context block, citations and knowledge_search read what the session owner may read', async () => {
    // One retrieval turn per session, sent by its creator; the message also seeds the transcript.
    for (const s of sessions) {
      const before = harness.gateway.requests.length;
      s.client.send({ action: 'send_message', requestId: `k-${s.label}`, sessionId: s.sessionId, message: `what is the zephyr allowance? ${s.marker}` });
      const frames = await s.client.untilTerminal();
      expect(frames.at(-1)?.type, s.label).toBe('eventual_response');
      const messages = harness.gateway.requests.slice(before).flatMap((r) => r.body.messages);
      const channels = {
        'context block': messages.filter((m) => m.role === 'system').map((m) => String(m.content)).join('\n'),
        citations: ((at(frames.at(-1), 'data.data.citations') as Array<{ id: string }> | undefined) ?? []).map((c) => `source=${c.id}.md`).join(' '),
        knowledge_search: messages.filter((m) => m.role === 'tool').map((m) => String(m.content)).join('\n'),
      };
      // Every owner reads at least its organization's open documents (org-3 has none), so the context has content.
      if (s.org !== 'org-3') expect(channels['context block'], s.label).toContain('source=');
      for (const [surface, text] of Object.entries(channels)) {
        for (const d of DOCS) {
          // Context and citations name sources as `source=<id>.md`; search results quote the text.
          const seen = surface === 'knowledge_search' ? text.includes(`rule ${d.id} `) : text.includes(`source=${d.id}.md`);
          const expected = ownerReads(s, d);
          // The context block holds the top few hits only: a readable document may be cut from it,
          // never an unreadable one added. Citations and knowledge_search (limit 50) show all.
          const topK = surface === 'context block' && expected;
          const ok = topK ? true : seen === expected;
          record(surface, s.creator, `${s.label} ↦ ${d.id}`, topK ? 'read (top-k)' : expected ? 'read' : 'hidden', seen ? 'read' : 'hidden', ok, seen && !expected);
        }
      }
    }
  }, 120_000);

  it('/ws: every action that takes a session id, every principal × every session', async () => {
    for (const caller of callers) {
      const client = await connect(caller);
      for (const s of sessions) {
        const allowed = mayUse(caller, s);
        for (const action of SESSION_ACTIONS) {
          const requestId = `${action}-${++unique}`;
          if (action === 'confirm_tool_action') await storage.putPendingApproval(parked(s.sessionId));
          const frame: Record<string, unknown> = { action, requestId, sessionId: s.sessionId };
          if (action === 'send_message') frame.message = 'is anyone there?';
          if (action === 'confirm_tool_action') frame.approved = true;
          client.send(frame);
          const reply: Frame = await client.next((f) => f.requestId === requestId);
          let ok: boolean;
          let actual: string;
          if (action === 'confirm_tool_action') {
            const stillParked = (await storage.getPendingApproval(s.sessionId)) !== undefined;
            const message = String(at(reply, 'error.message') ?? '');
            const took = at(reply, 'error.code') === 'NO_PENDING_CONFIRMATION' && message.includes('its turn ended') && !stillParked;
            const refused =
              at(reply, 'error.code') === 'NO_PENDING_CONFIRMATION' && message === `no tool action is awaiting confirmation for session '${s.sessionId}'` && stillParked;
            actual = took ? 'allow' : refused ? 'deny NO_PENDING_CONFIRMATION' : `unexpected ${JSON.stringify(reply).slice(0, 120)}`;
            ok = allowed ? took : refused;
            await storage.takePendingApproval(s.sessionId);
          } else if (reply.type === 'error') {
            actual = `deny ${String(at(reply, 'error.code'))}`;
            ok = !allowed && actual === 'deny SESSION_NOT_FOUND';
          } else {
            actual = 'allow';
            if (action === 'get_session') ok = allowed && at(reply, 'data.sessionId') === s.sessionId;
            else if (action === 'get_conversation_messages') ok = allowed && JSON.stringify(reply.data).includes(s.marker);
            else ok = allowed && reply.status === 202;
            if (action === 'send_message') {
              const end = await client.next((f) => ['eventual_response', 'error', 'cancelled'].includes(f.type), 10_000);
              ok &&= end.type === 'eventual_response';
            }
          }
          record(`ws ${action}`, caller, s.label, allowed ? 'allow' : action === 'confirm_tool_action' ? 'deny NO_PENDING_CONFIRMATION' : 'deny SESSION_NOT_FOUND', actual, ok, !allowed && actual === 'allow');
        }
      }
    }
  }, 180_000);

  it('admin: every route of /admin/openapi.json has cells, for every principal', async () => {
    const openapi = (await admin('GET', '/admin/openapi.json', undefined)).body as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(openapi.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{([A-Za-z]+)\}/g, ':$1')}`));
    const routed = ADMIN_ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(documented)).toEqual(new Set(routed));

    const uncovered: string[] = [];
    for (const route of ADMIN_ROUTES) {
      const key = `${route.method} ${route.path}`;
      const fixture = FIXTURES[key] ?? defaultFixture(route);
      if (!fixture) {
        uncovered.push(key);
        continue;
      }
      const before = cells.length;
      for (const caller of callers) await probeRoute(route, fixture, caller);
      if (cells.length === before) uncovered.push(`${key} (fixture produced no cells)`);
    }
    expect(uncovered, 'admin routes without matrix cells: add a fixture to FIXTURES in test/security-matrix.test.ts').toEqual([]);
  }, 180_000);

  it('has cells for every surface, no leaks and no mismatches', () => {
    for (const surface of ['context block', 'citations', 'knowledge_search', ...SESSION_ACTIONS.map((a) => `ws ${a}`)]) {
      expect(cells.some((c) => c.surface === surface), surface).toBe(true);
    }
    const wrong = cells.filter((c) => !c.ok);
    expect(wrong).toEqual([]);
    expect(cells.filter((c) => c.leak)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Admin route fixtures.

interface Expectation {
  status: number;
  /** The error code a denial must carry; absent for an allow. */
  code?: string;
}

interface Probe {
  /** What the cell is about, e.g. the resource probed. */
  target: string;
  path: string;
  body?: unknown;
  /** The expectation; default: derived from the route's declared role and the resource's organization. */
  expect?: Expectation;
  /** The allowed answer's content is right (true), or what is wrong with it. */
  content?: (reply: Reply) => boolean;
  /** Organization of the resource in the path, when there is one (another org's ids are 404). */
  resourceOrg?: Org;
}

interface RouteFixture {
  probes(caller: Caller, route: AdminRoute): Promise<Probe[]>;
}

/** Declared role + organization scoping. */
function defaultExpectation(route: AdminRoute, caller: Caller, resourceOrg: Org | undefined): Expectation {
  if (route.minRole === 'public') return { status: route.response?.status ?? 200 };
  if (!caller.token) return { status: 401, code: 'UNAUTHENTICATED' };
  if (RANK[caller.role!] < RANK[route.minRole]) return { status: 403, code: 'FORBIDDEN' };
  if (resourceOrg !== undefined && resourceOrg !== caller.org) return { status: 404, code: 'NOT_FOUND' };
  return { status: route.response?.status ?? 200 };
}

/** A parameterless GET needs no fixture: called as is, checked against its declared response schema. */
function defaultFixture(route: AdminRoute): RouteFixture | undefined {
  if (route.method !== 'GET' || route.path.includes(':')) return undefined;
  return {
    probes: async () => [{ target: '—', path: route.path, content: (reply) => route.response?.schema?.safeParse(reply.body).success ?? true }],
  };
}

const scratchSessionIds: string[] = [];
const secretIds = () => [...sessions.map((s) => s.sessionId), ...scratchSessionIds];

async function probeRoute(route: AdminRoute, fixture: RouteFixture, caller: Caller): Promise<void> {
  for (const probe of await fixture.probes(caller, route)) {
    const expected = probe.expect ?? defaultExpectation(route, caller, probe.resourceOrg);
    const reply = await admin(route.method, probe.path, caller, probe.body);
    const surface = `${route.method} ${route.path}`;
    const expectedLabel = expected.code ? `${expected.status} ${expected.code}` : `${expected.status}`;
    if (expected.code) {
      const code = reply.body?.error?.code;
      const actual = `${reply.status}${code ? ` ${String(code)}` : ''}`;
      record(surface, caller, probe.target, expectedLabel, actual, reply.status === expected.status && code === expected.code, reply.status < 300);
      continue;
    }
    // An allow: the right status and the right content, and nothing of another org or any session id.
    const foreignMarks = ['ORGONEMARK', 'ORGTWOMARK', 'ORGTHREEMARK'].filter((m) => caller.org === undefined || m !== mark(caller.org));
    const problems: string[] = [];
    if (reply.status !== expected.status) problems.push(`status ${reply.status}`);
    else {
      if (probe.content && !probe.content(reply)) problems.push('wrong content');
      if (route.minRole !== 'public' && foreignMarks.some((m) => reply.text.includes(m))) problems.push("another org's data");
      if (secretIds().some((id) => reply.text.includes(id))) problems.push('a session id');
    }
    const actual = problems.length === 0 ? expectedLabel : `${reply.status} ${problems.join(', ')}`;
    record(surface, caller, probe.target, expectedLabel, actual, problems.length === 0, problems.some((p) => p !== `status ${reply.status}` && p !== 'wrong content'));
  }
}

const perOrg = (make: (org: Org) => Promise<Probe> | Probe) => Promise.all(ORGS.map(make));
const docOf = (org: Org) => `${org === 'org-1' ? 'o1' : 'o2'}-open`;

/** A throwaway resource per probe, so destructive routes never disturb other cells. */
async function scratchDocument(org: Org): Promise<string> {
  const id = `${org === 'org-1' ? 'o1' : 'o2'}-scratch-${++unique}`;
  const posted = await admin('POST', '/admin/knowledge/documents', find(`curator@${org}`), { documents: [{ id, source: `${id}.md`, content: `scratch ${mark(org)}` }] });
  expect(posted.status).toBe(201);
  return id;
}
async function scratchConnector(org: Org): Promise<string> {
  const created = await admin('POST', '/admin/connectors', find(`admin@${org}`), { name: `scratch-${mark(org)}-${++unique}`, kind: 'file', config: { path: fileRoot } });
  expect(created.status).toBe(201);
  return created.body.connector.id as string;
}

/** Which conversations a caller may read through the admin API: staff all of their org's, basic users their own. */
function adminReads(c: Caller, s: SessionRecord): boolean {
  if (c.token === undefined || c.org !== s.org) return false;
  return staffOf(c, s.org) || s.ownerUser === c.sub;
}

/** Resources of one organization that a route's path parameter can name. `fresh*` are made per probe. */
const RESOURCES = {
  conversation: (org: Org) => sessions.find((s) => s.org === org && s.ownerUser !== undefined)!.conversationId,
  freshConversation: async (org: Org) => {
    const s = await createSession(callers[0]!, org);
    scratchSessionIds.push(s.sessionId);
    return s.conversationId;
  },
  connector: (org: Org) => connectorIds[org],
  freshConnector: scratchConnector,
  document: docOf,
  freshDocument: scratchDocument,
} satisfies Record<string, (org: Org) => string | Promise<string>>;

/**
 * The usual shape of an org-scoped route: probed once per organization with that organization's
 * resource in its path parameter; expectations from the declared role, other orgs' ids 404.
 * A new route of this shape needs one line, e.g.
 * `'POST /admin/conversations/:id/close': scoped('freshConversation')`.
 */
function scoped(
  resource: keyof typeof RESOURCES,
  extra: { body?: (org: Org) => unknown; content?: (reply: Reply, org: Org, id: string) => boolean } = {},
): RouteFixture {
  return {
    probes: (_caller, route) =>
      perOrg(async (org) => {
        const id = await RESOURCES[resource](org);
        return {
          target: `${resource} of ${org}`,
          path: route.path.replace(/:[A-Za-z]+/, encodeURIComponent(id)),
          resourceOrg: org,
          ...(extra.body ? { body: extra.body(org) } : {}),
          ...(extra.content ? { content: (r: Reply) => extra.content!(r, org, id) } : {}),
        };
      }),
  };
}

const FIXTURES: Record<string, RouteFixture> = {
  'GET /admin/handoffs': {
    probes: async () => [{ target: '—', path: '/admin/handoffs', content: (r) => Array.isArray(r.body.handoffs) && !r.text.includes('sessionId') }],
  },
  'GET /admin/conversations/:id/handoff': scoped('conversation', { content: (r, _org, id) => r.body.conversationId === id }),
  'POST /admin/conversations/:id/takeover': scoped('freshConversation', { content: (r) => r.body.handoff.state === 'human' }),
  'POST /admin/conversations/:id/handback': scoped('freshConversation', { content: (r) => r.body.handoff.state === 'bot' }),
  'POST /admin/conversations/:id/close': scoped('freshConversation', { content: (r) => r.body.handoff.state === 'closed' }),
  // Replying needs a takeover first: a permitted caller on a fresh conversation is refused with 409, by state, not by role.
  'POST /admin/conversations/:id/messages': {
    probes: async (c) =>
      perOrg(async (org) => {
        const id = await RESOURCES.freshConversation(org);
        const permitted = c.token !== undefined && c.org === org && (c.role === 'curator' || c.role === 'admin');
        return {
          target: `fresh conversation of ${org}`,
          path: `/admin/conversations/${encodeURIComponent(id)}/messages`,
          resourceOrg: org,
          body: { text: `hello ${mark(org)}` },
          ...(permitted ? { expect: { status: 409, code: 'HANDOFF_CONFLICT' } } : {}),
        };
      }),
  },
  'GET /admin/me': {
    probes: async (c) => [{ target: '—', path: '/admin/me', content: (r) => r.body.orgId === c.org && r.body.userId === c.sub && r.body.role === c.role }],
  },
  'GET /admin/conversations': {
    probes: async (c) => [
      {
        target: 'listing',
        path: '/admin/conversations?limit=200',
        content: (r) => {
          const listed = new Set((r.body.conversations as Array<{ id: string }>).map((x) => x.id));
          return sessions.every((s) => listed.has(s.conversationId) === adminReads(c, s));
        },
      },
    ],
  },
  'GET /admin/conversations/:id/messages': {
    probes: async (c) =>
      sessions.map((s) => {
        const expectation: Expectation | undefined =
          c.token && c.org === s.org && !adminReads(c, s) ? { status: 403, code: 'FORBIDDEN' } : undefined;
        return {
          target: s.label,
          path: `/admin/conversations/${s.conversationId}/messages`,
          resourceOrg: s.org as Org,
          ...(expectation ? { expect: expectation } : {}),
          content: (r: Reply) => r.text.includes(s.marker),
        };
      }),
  },
  'GET /admin/settings': { probes: async (c) => [{ target: '—', path: '/admin/settings', content: (r) => r.body.settings.orgId === c.org }] },
  'PUT /admin/settings': {
    probes: async (c) => [{ target: '—', path: '/admin/settings', body: { persona: `persona ${c.org ? mark(c.org) : ''}` }, content: (r) => r.body.settings.orgId === c.org }],
  },
  'POST /admin/publish': {
    probes: async (c) => {
      // A session and a socket of each org, each with a live connection bound to it.
      const targets = ORGS.flatMap((org) => {
        const s = sessions.find((x) => x.org === org && x.ownerUser !== undefined)!;
        return [
          { org, label: `session of ${s.label}`, target: { type: 'session', id: s.sessionId } },
          { org, label: `agent widget ${org}`, target: { type: 'agent', id: WIDGET[org] } },
          { org, label: `org ${org}`, target: { type: 'org', id: org } },
        ];
      });
      const connections = ORGS.map((org) => ({ org, label: `a connection of ${org}`, target: { type: 'connection', id: connectionOf(org) } }));
      return [...targets, ...connections].map(({ org, label, target }) => {
        const mayPublish = c.token !== undefined && c.role === 'admin';
        const reaches = mayPublish && c.org === org;
        return {
          target: label,
          path: '/admin/publish',
          body: { target, event: { type: 'keepalive' } },
          ...(mayPublish ? {} : { expect: c.token ? { status: 403, code: 'FORBIDDEN' } : { status: 401, code: 'UNAUTHENTICATED' } }),
          content: (r: Reply) => (reaches ? r.body.delivered > 0 : r.body.delivered === 0),
        };
      });
    },
  },
  'POST /admin/knowledge/documents': {
    probes: async (c) => {
      const id = `${c.org === 'org-2' ? 'o2' : 'o1'}-posted-${++unique}`;
      return [{ target: '—', path: '/admin/knowledge/documents', body: { documents: [{ id, source: `${id}.md`, content: `posted ${c.org ? mark(c.org) : ''}` }] }, content: (r) => JSON.stringify(r.body).includes(id) }];
    },
  },
  'GET /admin/knowledge/documents': {
    probes: async (c) => [
      {
        target: '—',
        path: '/admin/knowledge/documents',
        content: (r) => {
          const ids = (r.body.documents as Array<{ id: string }>).map((d) => d.id);
          return DOCS.every((d) => ids.includes(d.id) === (d.org === c.org));
        },
      },
    ],
  },
  'GET /admin/knowledge/documents/:id': scoped('document', { content: (r, _org, id) => r.body.document.id === id }),
  'DELETE /admin/knowledge/documents/:id': scoped('freshDocument'),
  'POST /admin/knowledge/search': {
    probes: async (c) => [
      {
        target: 'as the org',
        path: '/admin/knowledge/search',
        body: { query: 'zephyr allowance', limit: 100 },
        content: (r) => {
          const ids = new Set((r.body.results as Array<{ documentId: string }>).map((x) => x.documentId));
          // Without `as`: the organization-wide reader's view, no restricted document.
          return DOCS.every((d) => ids.has(d.id) === (d.org === c.org && (!d.acl || d.acl.public)));
        },
      },
    ],
  },
  'GET /admin/document-sets': {
    probes: async (c) => [{ target: '—', path: '/admin/document-sets', content: (r) => (r.body.documentSets as Array<{ name: string }>).some((s) => s.name === `${mark(c.org!)}-set`) }],
  },
  'GET /admin/connectors': {
    probes: async (c) => [{ target: '—', path: '/admin/connectors', content: (r) => (r.body.connectors as Array<{ id: string }>).some((x) => x.id === connectorIds[c.org as Org]) }],
  },
  'POST /admin/connectors': {
    probes: async (c) => [{ target: '—', path: '/admin/connectors', body: { name: `new-${c.org ? mark(c.org) : ''}-${++unique}`, kind: 'file', config: { path: fileRoot } }, content: (r) => r.body.connector.kind === 'file' }],
  },
  'GET /admin/connectors/:id': scoped('connector', { content: (r, _org, id) => r.body.connector.id === id }),
  'PUT /admin/connectors/:id': scoped('freshConnector', {
    body: (org) => ({ name: `renamed-${mark(org)}-${++unique}`, kind: 'file', config: { path: fileRoot } }),
    content: (r) => r.body.connector.name.startsWith('renamed-'),
  }),
  'DELETE /admin/connectors/:id': scoped('freshConnector'),
  'POST /admin/connectors/:id/index': scoped('connector', { content: (r) => r.body.run.status === 'succeeded' }),
  'GET /admin/indexing/runs': {
    probes: async (c) => [{ target: '—', path: '/admin/indexing/runs', content: (r) => (r.body.runs as Array<{ connectorId: string }>).every((x) => Object.values(connectorIds).includes(x.connectorId) ? x.connectorId === connectorIds[c.org as Org] : true) }],
  },
};

/** A live socket of an organization: the owner connection of one of its owned sessions. */
function connectionOf(org: Org): string {
  // Each TestClient connect attached one socket; the creators' sockets were attached in creation order.
  const index = sockets.findIndex((client) => sessions.some((s) => s.client === client && s.org === org && s.ownerUser !== undefined));
  return backplane.attached[index] ?? 'missing';
}
