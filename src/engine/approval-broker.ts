import { ParkedTurns } from './parked-turns.js';

export type ApprovalOutcome = 'approved' | 'denied' | 'timeout';

/**
 * Connects a confirm_tool_action to the turn parked in this process. The durable record is the
 * PendingApproval in storage; this only wakes the waiting turn. A newer park of the same session
 * denies the older one.
 */
export class ApprovalBroker extends ParkedTurns<ApprovalOutcome> {
  constructor() {
    super('timeout', 'denied');
  }

  /** Returns false when no turn in this process is waiting for the session. */
  resolve(sessionId: string, approved: boolean): boolean {
    return this.settle(sessionId, approved ? 'approved' : 'denied');
  }
}
