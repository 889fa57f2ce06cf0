import type { HandoffStore } from './handoff-store.js';
import { isOpen, type BusinessHours } from './business-hours.js';
import type { Operator } from './types.js';

export type Unavailable = 'outside_hours' | 'no_operators';

export interface AvailabilityOptions {
  store: HandoffStore;
  hours: BusinessHours | undefined;
  /** An operator counts as online this long after their console's last heartbeat. */
  presenceTtlMs: number;
  now: () => Date;
}

/** Whether a person can pick up a conversation now: inside business hours (when set) and someone online. */
export class Availability {
  constructor(private readonly options: AvailabilityOptions) {}

  async check(organizationId: string): Promise<{ available: true; operators: Operator[] } | { available: false; reason: Unavailable }> {
    const { store, hours, presenceTtlMs, now } = this.options;
    const at = now();
    if (hours && !isOpen(hours, at)) return { available: false, reason: 'outside_hours' };
    const operators = await store.online(organizationId, new Date(at.getTime() - presenceTtlMs).toISOString());
    return operators.length > 0 ? { available: true, operators } : { available: false, reason: 'no_operators' };
  }
}
