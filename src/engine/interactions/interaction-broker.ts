import type { ToolResult } from '../tools/tool.js';
import { ParkedTurns } from '../parked-turns.js';

/**
 * Wakes a turn parked on an interaction in this process. The durable record is the PendingInteraction
 * in the interaction store; a submit that finds no waiter here resumes the turn from its checkpoint.
 * A session parks one turn at a time; an older waiter is answered as unanswered.
 */
export class InteractionBroker extends ParkedTurns<ToolResult | 'timeout'> {
  constructor() {
    super('timeout', 'timeout');
  }

  /** Returns false when no turn in this process is waiting for the session. */
  resolve(sessionId: string, result: ToolResult): boolean {
    return this.settle(sessionId, result);
  }
}
