import type { ToolResult } from '../tools/tool.js';

/** The canonical payload a parked raise tool resumes with (each kind's `Payload` schema). */
export type InteractionPayload =
  | { status: 'submitted'; values: object }
  | { status: 'declined' | 'no_response'; message: string };

export const DECLINED_MESSAGE = 'The visitor declined to answer. Carry on without it, and do not ask for it again unless they offer.';
export const NO_RESPONSE_MESSAGE = 'The visitor did not answer in time. Carry on without it; you may ask again in plain text if it is still needed.';

/** What the model sees as the raise tool's result: never an error, whatever the visitor did. */
export function payloadResult(payload: InteractionPayload): ToolResult {
  return { content: JSON.stringify(payload), isError: false };
}
