import { randomUUID } from 'node:crypto';
import type { Backplane, Sink, Target } from './backplane.js';
import type { BackplaneLogger } from './backplane-logger.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { MemoryBackplane } from './memory-backplane.js';

/**
 * A backplane spanning replicas over a pub/sub bus. Sockets live in one process, so every replica
 * keeps the memory backplane as its local half: a publish reaches local sockets first, then goes on
 * the bus as an envelope; each replica delivers other replicas' envelopes to its own sockets.
 *
 * Subclasses supply the bus: `send` one payload to every replica (this one included: the origin
 * check here drops the echo), and hand each payload received to `receive`.
 */
export abstract class BusBackplane implements Backplane {
  private readonly local = new MemoryBackplane();
  private closed = false;
  /** Told of every publish that could not reach the bus (metrics). */
  onPublishFailure: (() => void) | undefined;

  protected constructor(
    protected readonly logger: BackplaneLogger,
    /** This process's id on the bus. */
    readonly origin: string = randomUUID(),
  ) {}

  protected abstract send(payload: string): Promise<void>;
  protected abstract closeBus(): Promise<void>;
  /** Whether the bus connection is up now; buses that cannot tell say yes. */
  connected(): boolean {
    return !this.closed;
  }

  attach(connectionId: string, sink: Sink): void {
    this.local.attach(connectionId, sink);
  }

  detach(connectionId: string): void {
    this.local.detach(connectionId);
  }

  associate(connectionId: string, target: Target): void {
    this.local.associate(connectionId, target);
  }

  /**
   * Returns the sockets reached in THIS process. How many other replicas reach is unknown: the bus
   * does not report it, and waiting for replies would tie every publish to the slowest replica.
   * A bus failure is logged and swallowed: local delivery has already happened, and the caller (an
   * admin request, a host) should not fail because another replica could not be told.
   */
  async publish(target: Target, event: object): Promise<number> {
    const delivered = await this.local.publish(target, event);
    if (this.closed) return delivered;
    try {
      await this.send(encodeEnvelope({ origin: this.origin, target, event: event as Record<string, unknown> }));
    } catch (err) {
      this.onPublishFailure?.();
      this.logger.warn({ err: (err as Error).message, target: target.type }, 'backplane: publishing to other replicas failed');
    }
    return delivered;
  }

  /** One payload from the bus. Malformed ones are somebody else's bug: noted at debug and dropped. */
  protected receive(payload: string): void {
    if (this.closed) return;
    const decoded = decodeEnvelope(payload);
    if (!decoded.ok) {
      this.logger.debug({ reason: decoded.reason, bytes: payload.length }, 'backplane: ignored a malformed envelope');
      return;
    }
    const { origin, target, event } = decoded.envelope;
    if (origin === this.origin) return;
    // A throwing sink must not become an unhandled rejection inside the bus client's callback.
    this.local.publish(target, event).catch((err: unknown) => {
      this.logger.warn({ err: (err as Error).message, target: target.type }, 'backplane: local delivery of a remote event failed');
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeBus();
    await this.local.close();
  }
}
