import { choices } from './choices.js';
import { identityIntake } from './identity-intake.js';
import type { InteractionKind } from './kind.js';

/** Every kind this server can raise. Adding one needs no new protocol action: submit_interaction serves all. */
export const INTERACTION_KINDS: readonly InteractionKind[] = [identityIntake as unknown as InteractionKind, choices as unknown as InteractionKind];

export function kindByTool(toolName: string): InteractionKind | undefined {
  return INTERACTION_KINDS.find((k) => k.toolName === toolName);
}

export function kindByName(kind: string): InteractionKind | undefined {
  return INTERACTION_KINDS.find((k) => k.kind === kind);
}
