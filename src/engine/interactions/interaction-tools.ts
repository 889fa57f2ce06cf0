import type { Tool } from '../tools/tool.js';
import type { InteractionKind } from './kind.js';
import { parseReason } from './kind.js';
import { INTERACTION_KINDS } from './kinds.js';

/**
 * A kind's raise tool. When the client can render the kind, the InteractionGate answers the call with
 * the visitor's submission and this never runs; when it cannot, this is the conversational fallback —
 * a normal (non-error) result telling the model to ask in plain text.
 */
function raiseTool(kind: InteractionKind): Tool {
  return {
    name: kind.toolName,
    description: kind.toolDescription,
    parameters: kind.toolParameters,
    execute: async (args) => {
      const parsed = kind.parseSpec(args);
      if (!parsed.ok) throw new Error(`invalid ${kind.toolName} arguments: ${parsed.error}`);
      return kind.fallback(parsed.spec, parseReason(args));
    },
  };
}

export function interactionTools(): Tool[] {
  return INTERACTION_KINDS.map(raiseTool);
}
