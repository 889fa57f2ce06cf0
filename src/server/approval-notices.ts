import { randomUUID } from 'node:crypto';
import type { Backplane, Target } from '../backplane/index.js';

/**
 * Cross-replica approval notices over the backplane. A turn parked on one replica listens on a
 * connection-type target no socket can have (socket ids are bare UUIDs); a confirm that resumes the
 * turn elsewhere publishes there, and the parked copy stops instead of waiting for its timeout.
 */
const NOTICE_TYPE = 'smooth_operator.approval_resolved';

function noticeTarget(sessionId: string): Target {
  return { type: 'connection', id: `approval:${sessionId}` };
}

export function watchApprovalResolution(backplane: Backplane): (sessionId: string, onNotice: () => void) => () => void {
  return (sessionId, onNotice) => {
    const listener = `approval-watch:${randomUUID()}`;
    backplane.attach(listener, (event) => {
      if ((event as { type?: unknown }).type === NOTICE_TYPE) onNotice();
    });
    backplane.associate(listener, noticeTarget(sessionId));
    return () => backplane.detach(listener);
  };
}

/** Best effort: a replica that misses it still stops at its own timeout, finding the record gone. */
export async function announceApprovalResolved(backplane: Backplane, sessionId: string): Promise<void> {
  await backplane.publish(noticeTarget(sessionId), { type: NOTICE_TYPE, sessionId }).catch(() => undefined);
}
