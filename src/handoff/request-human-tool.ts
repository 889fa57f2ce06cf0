import type { Tool } from '../engine/tools/tool.js';
import type { Storage } from '../storage/index.js';
import type { HandoffService } from './handoff-service.js';

export const REQUEST_HUMAN_TOOL = 'request_human';

/**
 * The model's way to hand the conversation to a person. The result tells it whether someone is
 * available, so its reply can say "a colleague will be with you" or ask for an email instead.
 */
export function requestHumanTool(handoff: HandoffService, storage: Storage): Tool {
  return {
    name: REQUEST_HUMAN_TOOL,
    description:
      'Hand the conversation to a human support agent. Use when the visitor asks for a person, or when you cannot help with their request. ' +
      'After calling it, tell the visitor what happens next and do not try to solve the request yourself.',
    parameters: {
      type: 'object',
      properties: { reason: { type: 'string', description: 'One sentence for the human agent: what the visitor needs.' } },
      additionalProperties: false,
    },
    async execute(args, context) {
      const session = await storage.getSession(context.sessionId);
      if (!session) return { content: 'error: the conversation could not be found', isError: true };
      const reason = typeof args.reason === 'string' ? args.reason.slice(0, 500) : undefined;
      const outcome = await handoff.request(session, 'request_human', reason);
      if (outcome.available) return 'A human agent has been asked to join. Tell the visitor a colleague will reply here shortly.';
      const why = outcome.unavailable === 'outside_hours' ? 'outside business hours' : 'no human agent is online';
      return `No human agent is available right now (${why}). Tell the visitor so and ask for an email address for a follow-up.`;
    },
  };
}
