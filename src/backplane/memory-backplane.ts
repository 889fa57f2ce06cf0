import { targetKey, type Backplane, type Sink, type Target } from './backplane.js';

/**
 * Members of one target: most targets (a socket, a session) have exactly one connection, held as the
 * bare id; a Set only once a second joins. Ten thousand idle sockets would otherwise hold four
 * one-element Sets each (~150 bytes apiece).
 */
type Members = string | Set<string>;

/** Single-process fan-out: the default, and the local half of every multi-replica backplane. */
export class MemoryBackplane implements Backplane {
  private readonly sinks = new Map<string, Sink>();
  /** A connection's target keys: a handful each, so an array (checked before adding) rather than a Set. */
  private readonly targetsByConnection = new Map<string, string[]>();
  private readonly connectionsByTarget = new Map<string, Members>();

  attach(connectionId: string, sink: Sink): void {
    this.sinks.set(connectionId, sink);
    this.associate(connectionId, { type: 'connection', id: connectionId });
  }

  detach(connectionId: string): void {
    this.sinks.delete(connectionId);
    for (const key of this.targetsByConnection.get(connectionId) ?? []) {
      const members = this.connectionsByTarget.get(key);
      if (members === connectionId) {
        this.connectionsByTarget.delete(key);
      } else if (members instanceof Set) {
        members.delete(connectionId);
        if (members.size === 0) this.connectionsByTarget.delete(key);
        else if (members.size === 1) this.connectionsByTarget.set(key, members.values().next().value!);
      }
    }
    this.targetsByConnection.delete(connectionId);
  }

  associate(connectionId: string, target: Target): void {
    if (!this.sinks.has(connectionId)) return;
    const key = targetKey(target);
    const targets = this.targetsByConnection.get(connectionId);
    if (!targets) this.targetsByConnection.set(connectionId, [key]);
    else if (!targets.includes(key)) targets.push(key);
    const members = this.connectionsByTarget.get(key);
    if (members === undefined) this.connectionsByTarget.set(key, connectionId);
    else if (members instanceof Set) members.add(connectionId);
    else if (members !== connectionId) this.connectionsByTarget.set(key, new Set([members, connectionId]));
  }

  async publish(target: Target, event: object): Promise<number> {
    const members = this.connectionsByTarget.get(targetKey(target));
    if (members === undefined) return 0;
    if (typeof members === 'string') {
      const sink = this.sinks.get(members);
      if (!sink) return 0;
      sink(event);
      return 1;
    }
    let delivered = 0;
    for (const connectionId of members) {
      const sink = this.sinks.get(connectionId);
      if (!sink) continue;
      sink(event);
      delivered++;
    }
    return delivered;
  }

  async close(): Promise<void> {
    this.sinks.clear();
    this.targetsByConnection.clear();
    this.connectionsByTarget.clear();
  }
}
