/**
 * Concurrent connections per remote address. A slot is taken when the upgrade arrives (before the
 * token is even verified, so a handshake flood is capped too) and given back when the socket closes.
 */
export class ConnectionsPerIp {
  private readonly open = new Map<string, number>();

  /** @param max 0 turns the cap off. */
  constructor(private readonly max: number) {}

  /** Takes a slot for `ip`; false when it already has `max` connections. */
  acquire(ip: string): boolean {
    const current = this.open.get(ip) ?? 0;
    if (this.max > 0 && current >= this.max) return false;
    this.open.set(ip, current + 1);
    return true;
  }

  release(ip: string): void {
    const current = this.open.get(ip) ?? 0;
    // Deleting at zero keeps the map as small as the set of addresses connected right now.
    if (current <= 1) this.open.delete(ip);
    else this.open.set(ip, current - 1);
  }

  count(ip: string): number {
    return this.open.get(ip) ?? 0;
  }
}
