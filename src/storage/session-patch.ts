import type { Session, SessionContact, SessionPatch } from './types.js';

/** Contact fields merged, keeping only the ones that carry a value. */
export function mergeContact(current: SessionContact | undefined, change: SessionContact): SessionContact {
  const merged: SessionContact = { ...current };
  for (const key of ['name', 'email', 'phone'] as const) {
    const value = change[key];
    if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The session after `patch`: the one definition of SessionPatch semantics the backends share. */
export function applySessionPatch(session: Session, patch: SessionPatch, now: string): Session {
  const next: Session = { ...structuredClone(session), updatedAt: now };
  if (patch.workflowStepId === null) delete next.workflowStepId;
  else if (patch.workflowStepId !== undefined) next.workflowStepId = patch.workflowStepId;
  if (patch.verified !== undefined) next.verified = patch.verified;
  if (patch.contact !== undefined) next.contact = mergeContact(next.contact, patch.contact);
  return next;
}
