/**
 * Which connection currently speaks for each station identity. One connection per identity: registering a
 * second one returns the first, which the gateway then closes (see OcppGateway, "replacement").
 */
export class StationRegistry<C> {
  private readonly byIdentity = new Map<string, C>();

  get size(): number {
    return this.byIdentity.size;
  }

  get(identity: string): C | undefined {
    return this.byIdentity.get(identity);
  }

  /** Makes `connection` the current one for `identity`; returns the connection it replaces, if any. */
  set(identity: string, connection: C): C | undefined {
    const previous = this.byIdentity.get(identity);
    this.byIdentity.set(identity, connection);
    return previous === connection ? undefined : previous;
  }

  /**
   * Removes `connection` if it is still the current one for `identity`. A replaced connection that closes late
   * must not remove its successor, hence the check.
   */
  delete(identity: string, connection: C): boolean {
    if (this.byIdentity.get(identity) !== connection) return false;
    return this.byIdentity.delete(identity);
  }

  identities(): string[] {
    return [...this.byIdentity.keys()];
  }

  values(): IterableIterator<C> {
    return this.byIdentity.values();
  }
}
