/**
 * The conformance scenario matcher (spec/NOTICE.md, "Conformance scenario format"), kept free of any
 * I/O so it can be exercised against synthetic frame lists as well as a live connection.
 */

export type Frame = Record<string, unknown> & { type: string };

/** One outbound-event matcher of a scenario step's `expect` list. */
export interface Expectation {
  type: string;
  status?: number;
  statusGte?: number;
  assert?: Record<string, unknown>;
  capture?: Record<string, string>;
  repeat?: boolean;
  accumulate?: string;
  assertAccumulated?: string;
}

export interface ScenarioTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  result: string;
}

export interface ScenarioStep {
  send: unknown;
  expect: Expectation[];
}

export type MockLlmStep = { kind: 'text'; text: string } | { kind: 'toolCall'; name: string; arguments: string };

export interface Scenario {
  name: string;
  description?: string;
  mockLlmScript: MockLlmStep[];
  server?: {
    tools?: ScenarioTool[];
    confirmTools?: string[];
    knowledge?: Array<{ source: string; content: string }>;
  };
  steps: ScenarioStep[];
}

export type Captures = Record<string, unknown>;

/** Unsolicited frames the format says to ignore wherever they interleave. */
export const IGNORED_TYPES: ReadonlySet<string> = new Set(['keepalive', 'pong']);

export function isIgnored(frame: Frame): boolean {
  return IGNORED_TYPES.has(frame.type);
}

// ---------------------------------------------------------------------------------------------
// Scenario shape checks (the scenarios are data; a malformed one should say so, not crash oddly)

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates the parts of a scenario the runner relies on and returns it typed. */
export function parseScenario(json: unknown, file: string): Scenario {
  const bad = (what: string): never => {
    throw new Error(`conformance scenario ${file}: ${what}`);
  };
  if (!isRecord(json)) return bad('not a JSON object');
  if (typeof json.name !== 'string') bad('missing string "name"');
  if (!Array.isArray(json.mockLlmScript)) bad('missing array "mockLlmScript"');
  if (!Array.isArray(json.steps)) bad('missing array "steps"');
  for (const [i, step] of (json.steps as unknown[]).entries()) {
    if (!isRecord(step) || !('send' in step) || !Array.isArray(step.expect)) bad(`step ${i} needs "send" and an "expect" array`);
    for (const [k, e] of ((step as { expect: unknown[] }).expect).entries()) {
      if (!isRecord(e) || typeof e.type !== 'string') bad(`step ${i} expectation ${k} needs a string "type"`);
    }
  }
  if (json.server !== undefined && !isRecord(json.server)) bad('"server" must be an object');
  return json as unknown as Scenario;
}

/** Every `action` a scenario sends, in order. */
export function actionsOf(scenario: Scenario): string[] {
  return scenario.steps.map((s) => (isRecord(s.send) && typeof s.send.action === 'string' ? s.send.action : '(none)'));
}

// ---------------------------------------------------------------------------------------------
// Paths, equality, placeholders

/** Resolves a dot path (`a.b.0.c`, array indexes allowed); `found` distinguishes absent from null. */
export function resolvePath(value: unknown, path: string): { found: boolean; value: unknown } {
  let current: unknown = value;
  for (const key of path.split('.')) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(key)) return { found: false, value: undefined };
      const index = Number(key);
      if (index >= current.length) return { found: false, value: undefined };
      current = current[index];
    } else if (isRecord(current)) {
      if (!Object.prototype.hasOwnProperty.call(current, key)) return { found: false, value: undefined };
      current = current[key];
    } else {
      return { found: false, value: undefined };
    }
  }
  return { found: true, value: current };
}

/** Deep equality of JSON values; numbers compare by value (JSON has no int/float distinction). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || (Number.isNaN(a) && Number.isNaN(b));
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => jsonEqual(item, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = Object.keys(ra);
  if (keys.length !== Object.keys(rb).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && jsonEqual(ra[k], rb[k]));
}

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}$/;

/**
 * Fills `{{var}}` placeholders from captures, deep, in strings. A string that is exactly one
 * placeholder takes the captured value as-is (keeping its JSON type); an unknown variable throws.
 */
export function substitute(value: unknown, captures: Captures): unknown {
  const lookup = (name: string): unknown => {
    if (!Object.prototype.hasOwnProperty.call(captures, name)) {
      throw new Error(`placeholder {{${name}}} has no captured value (captured so far: ${JSON.stringify(captures)})`);
    }
    return captures[name];
  };
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole) return lookup(whole[1]!);
    return value.replace(PLACEHOLDER, (_m, name: string) => {
      const v = lookup(name);
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, captures));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substitute(v, captures);
    return out;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Matching

export type MatchResult =
  /** Every expectation matched; `consumed` frames (indexes into the input, ignored ones included) were used. */
  | { status: 'matched'; consumed: number; captures: Captures }
  /**
   * The frames so far are a valid prefix but more are needed. `settled` means the list would be
   * complete if nothing else arrives (a trailing `repeat` run that already satisfies its checks).
   */
  | { status: 'pending'; consumed: number; captures: Captures; settled: boolean; waitingFor: string }
  | { status: 'failed'; expectationIndex: number; frameIndex: number | undefined; reason: string };

function show(v: unknown): string {
  return v === undefined ? '(absent)' : JSON.stringify(v);
}

/** Checks one frame against one expectation's per-frame fields (not `type`, not accumulation). */
function frameProblems(frame: Frame, e: Expectation): string[] {
  const problems: string[] = [];
  if (e.status !== undefined && !jsonEqual(frame.status, e.status)) {
    problems.push(`status: expected ${e.status}, got ${show(frame.status)}`);
  }
  if (e.statusGte !== undefined && !(typeof frame.status === 'number' && frame.status >= e.statusGte)) {
    problems.push(`status: expected >= ${e.statusGte}, got ${show(frame.status)}`);
  }
  for (const [path, expected] of Object.entries(e.assert ?? {})) {
    const actual = resolvePath(frame, path);
    if (!actual.found) problems.push(`assert ${path}: expected ${show(expected)}, but the path is absent`);
    else if (!jsonEqual(actual.value, expected)) problems.push(`assert ${path}: expected ${show(expected)}, got ${show(actual.value)}`);
  }
  for (const [name, path] of Object.entries(e.capture ?? {})) {
    if (!resolvePath(frame, path).found) problems.push(`capture ${name} <- ${path}: the path is absent`);
  }
  return problems;
}

function capture(frame: Frame, e: Expectation, into: Captures): void {
  for (const [name, path] of Object.entries(e.capture ?? {})) into[name] = resolvePath(frame, path).value;
}

/**
 * Matches an ordered expectation list against the frames received so far (in order). Ignored
 * types (keepalive/pong) are skipped anywhere; every other frame must be the next named event.
 */
export function matchExpectations(expectations: readonly Expectation[], frames: readonly Frame[]): MatchResult {
  const captures: Captures = {};
  const skip = (from: number): number => {
    let i = from;
    while (i < frames.length && isIgnored(frames[i]!)) i++;
    return i;
  };
  let i = skip(0);
  for (const [k, e] of expectations.entries()) {
    const last = k === expectations.length - 1;
    if (e.repeat === true) {
      let count = 0;
      let accumulated = '';
      while (i < frames.length && frames[i]!.type === e.type) {
        const frame = frames[i]!;
        const problems = frameProblems(frame, e);
        if (e.accumulate !== undefined) {
          const piece = resolvePath(frame, e.accumulate);
          if (typeof piece.value !== 'string') problems.push(`accumulate ${e.accumulate}: expected a string, got ${show(piece.value)}`);
          else accumulated += piece.value;
        }
        if (problems.length > 0) return { status: 'failed', expectationIndex: k, frameIndex: i, reason: problems.join('; ') };
        capture(frame, e, captures);
        count++;
        i = skip(i + 1);
      }
      const accumulationOk = e.assertAccumulated === undefined || accumulated === e.assertAccumulated;
      if (i >= frames.length) {
        // The run may continue with the next frame; it can only be judged once something else arrives.
        return {
          status: 'pending',
          consumed: i,
          captures,
          settled: last && count > 0 && accumulationOk,
          waitingFor:
            count === 0
              ? `#${k} first "${e.type}"`
              : `#${k} more "${e.type}"${last ? '' : ` or #${k + 1} "${expectations[k + 1]!.type}"`}`,
        };
      }
      if (count === 0) {
        return {
          status: 'failed',
          expectationIndex: k,
          frameIndex: i,
          reason: `expected one or more "${e.type}" events, got "${frames[i]!.type}"`,
        };
      }
      if (!accumulationOk) {
        return {
          status: 'failed',
          expectationIndex: k,
          frameIndex: undefined,
          reason: `assertAccumulated (${e.accumulate ?? '?'} over ${count} "${e.type}" events): expected ${JSON.stringify(
            e.assertAccumulated,
          )}, got ${JSON.stringify(accumulated)}`,
        };
      }
      continue;
    }
    if (i >= frames.length) return { status: 'pending', consumed: i, captures, settled: false, waitingFor: `#${k} "${e.type}"` };
    const frame = frames[i]!;
    if (frame.type !== e.type) {
      return { status: 'failed', expectationIndex: k, frameIndex: i, reason: `expected a "${e.type}" event, got "${frame.type}"` };
    }
    const problems = frameProblems(frame, e);
    if (problems.length > 0) return { status: 'failed', expectationIndex: k, frameIndex: i, reason: problems.join('; ') };
    capture(frame, e, captures);
    // Do not swallow trailing ignored frames after the last match: they belong to whatever comes next.
    i = last ? i + 1 : skip(i + 1);
  }
  return { status: 'matched', consumed: i, captures };
}

/**
 * Judges a complete, finished frame list: the expectations must match and no other
 * (non-ignored) frame may follow. Used by the matcher self-tests.
 */
export function matchFrameList(
  expectations: readonly Expectation[],
  frames: readonly Frame[],
): { ok: true; captures: Captures } | { ok: false; message: string } {
  const result = matchExpectations(expectations, frames);
  if (result.status === 'failed') {
    return { ok: false, message: describeFailure(expectations, frames, result) };
  }
  if (result.status === 'pending' && !result.settled) {
    return { ok: false, message: `frames ended while waiting for ${result.waitingFor}\n${formatFrames(frames)}` };
  }
  const extra = frames.slice(result.consumed).filter((f) => !isIgnored(f));
  if (extra.length > 0) return { ok: false, message: `unexpected extra frames after the last expectation:\n${formatFrames(extra)}` };
  return { ok: true, captures: result.captures };
}

// ---------------------------------------------------------------------------------------------
// Reporting

const FRAME_PREVIEW = 800;

export function formatFrames(frames: readonly Frame[], marker?: number): string {
  if (frames.length === 0) return '  (no frames)';
  return frames
    .map((f, i) => {
      const json = JSON.stringify(f);
      const text = json.length > FRAME_PREVIEW ? `${json.slice(0, FRAME_PREVIEW)}…` : json;
      return `${i === marker ? '>>' : '  '}[${i}] ${text}`;
    })
    .join('\n');
}

export function formatExpectations(expectations: readonly Expectation[], marker?: number): string {
  if (expectations.length === 0) return '  (expect: [] — nothing may arrive)';
  return expectations.map((e, i) => `${i === marker ? '>>' : '  '}#${i} ${JSON.stringify(e)}`).join('\n');
}

export function describeFailure(
  expectations: readonly Expectation[],
  frames: readonly Frame[],
  failure: Extract<MatchResult, { status: 'failed' }>,
): string {
  const e = expectations[failure.expectationIndex];
  return [
    `expectation #${failure.expectationIndex} ${JSON.stringify(e)} failed${
      failure.frameIndex !== undefined ? ` at frame [${failure.frameIndex}]` : ''
    }: ${failure.reason}`,
    'expectations:',
    formatExpectations(expectations, failure.expectationIndex),
    `frames seen in this step (${frames.length}):`,
    formatFrames(frames, failure.frameIndex),
  ].join('\n');
}
