import type { Target, TargetType } from './backplane.js';

/**
 * What one replica puts on the bus for the others. The JSON shape is the reference server's
 * (`{origin, target: {"Session": "<id>"}, event}`, the target externally tagged with a capitalised
 * type), so replicas of either implementation can share one bus.
 */
export interface BackplaneEnvelope {
  /** The sending process's id; a replica skips its own envelopes, having delivered them locally already. */
  origin: string;
  target: Target;
  event: Record<string, unknown>;
}

export type DecodedEnvelope = { ok: true; envelope: BackplaneEnvelope } | { ok: false; reason: string };

const TAG_BY_TYPE: Readonly<Record<TargetType, string>> = {
  connection: 'Connection',
  session: 'Session',
  user: 'User',
  org: 'Org',
  agent: 'Agent',
  operators: 'Operators',
};

const TYPE_BY_TAG: ReadonlyMap<string, TargetType> = new Map(
  (Object.entries(TAG_BY_TYPE) as Array<[TargetType, string]>).map(([type, tag]) => [tag, type]),
);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Ids stay opaque: an org-scoped user id (`org\u0001user`) crosses the bus byte for byte. */
export function encodeEnvelope(envelope: BackplaneEnvelope): string {
  return JSON.stringify({
    origin: envelope.origin,
    target: { [TAG_BY_TYPE[envelope.target.type]]: envelope.target.id },
    event: envelope.event,
  });
}

function decodeTarget(value: unknown): Target | undefined {
  if (!isRecord(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length !== 1) return undefined;
  const [tag, id] = entries[0]!;
  const type = TYPE_BY_TAG.get(tag);
  return type !== undefined && typeof id === 'string' && id !== '' ? { type, id } : undefined;
}

/** Anything on the bus may be foreign or broken: never throws, says what was wrong instead. */
export function decodeEnvelope(payload: string): DecodedEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (!isRecord(parsed)) return { ok: false, reason: 'not a JSON object' };
  const { origin, target, event } = parsed;
  if (typeof origin !== 'string' || origin === '') return { ok: false, reason: 'origin is not a non-empty string' };
  const decodedTarget = decodeTarget(target);
  if (!decodedTarget) return { ok: false, reason: 'target is not {"Connection"|"Session"|"User"|"Org"|"Agent"|"Operators": "<id>"}' };
  if (!isRecord(event)) return { ok: false, reason: 'event is not a JSON object' };
  return { ok: true, envelope: { origin, target: decodedTarget, event } };
}
