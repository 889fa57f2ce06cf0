/** `operators`: the operator consoles subscribed for an organization (the id is the organization id). */
export type TargetType = 'connection' | 'session' | 'user' | 'org' | 'agent' | 'operators';

export interface Target {
  type: TargetType;
  id: string;
}

export type Sink = (event: object) => void;

/**
 * Fan-out of server-pushed events to sockets. `publish` returns how many sockets in THIS process
 * received the event; implementations that span replicas also forward it to the others.
 */
export interface Backplane {
  attach(connectionId: string, sink: Sink): void;
  detach(connectionId: string): void;
  associate(connectionId: string, target: Target): void;
  publish(target: Target, event: object): Promise<number>;
  close(): Promise<void>;
  /** Whether the bus to other replicas is connected now (for /ready); absent means always. */
  connected?(): boolean;
}

export function targetKey(target: Target): string {
  return `${target.type}\u0000${target.id}`;
}

/**
 * User and agent ids are only unique within an organization, so their targets are keyed with it;
 * an admin of one organization can then never address another's sockets by guessing an id.
 */
export function scopedTarget(organizationId: string, target: Target): Target {
  return target.type === 'user' || target.type === 'agent' ? { type: target.type, id: `${organizationId}\u0001${target.id}` } : target;
}
