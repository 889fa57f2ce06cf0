import type { InteractionFieldError } from '../../protocol/index.js';

/** What a kind's validator says about a submit: the canonical values, or one error per failed field. */
export type Validation<V> = { ok: true; values: V } | { ok: false; errors: InteractionFieldError[] };

/**
 * One Rich Interactions kind (spec/interactions/<kind>.schema.json): the raise tool the model calls,
 * the render capability a client must declare to get the card, how the tool's arguments become the
 * card's `spec`, how submitted values are validated, and what the model is told when the client
 * cannot render the card.
 */
export interface InteractionKind<S extends object = object, V extends object = object> {
  readonly kind: string;
  readonly capability: string;
  readonly toolName: string;
  readonly toolDescription: string;
  readonly toolParameters: Record<string, unknown>;
  /** The tool arguments as a render spec, or why they are not one (the model gets that as an error). */
  parseSpec(args: Record<string, unknown>): { ok: true; spec: S } | { ok: false; error: string };
  validate(spec: S, values: Record<string, unknown>): Validation<V>;
  /** Instructions for a text-only client: the model asks for the same thing in its own words. */
  fallback(spec: S, reason: string): string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseReason(args: Record<string, unknown>): string {
  const reason = args.reason;
  return typeof reason === 'string' && reason.trim() !== '' ? reason.trim().slice(0, 300) : '';
}
