import { targetKey, type Backplane, type Sink, type Target } from './backplane.js';

/** Single-process fan-out: the default, and the local half of every multi-replica backplane. */
export class MemoryBackplane implements Backplane {
  private readonly sinks = new Map<string, Sink>();
  private readonly targetsByConnection = new Map<string, Set<string>>();
  private readonly connectionsByTarget = new Map<string, Set<string>>();

  attach(connectionId: string, sink: Sink): void {
    this.sinks.set(connectionId, sink);
    this.associate(connectionId, { type: 'connection', id: connectionId });
  }

  detach(connectionId: string): void {
    this.sinks.delete(connectionId);
    for (const key of this.targetsByConnection.get(connectionId) ?? []) {
      const members = this.connectionsByTarget.get(key);
      members?.delete(connectionId);
      if (members?.size === 0) this.connectionsByTarget.delete(key);
    }
    this.targetsByConnection.delete(connectionId);
  }

  associate(connectionId: string, target: Target): void {
    if (!this.sinks.has(connectionId)) return;
    const key = targetKey(target);
    let targets = this.targetsByConnection.get(connectionId);
    if (!targets) {
      targets = new Set();
      this.targetsByConnection.set(connectionId, targets);
    }
    targets.add(key);
    let members = this.connectionsByTarget.get(key);
    if (!members) {
      members = new Set();
      this.connectionsByTarget.set(key, members);
    }
    members.add(connectionId);
  }

  async publish(target: Target, event: object): Promise<number> {
    let delivered = 0;
    for (const connectionId of this.connectionsByTarget.get(targetKey(target)) ?? []) {
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
