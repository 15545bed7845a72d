/**
 * Sharing the site limit (Part 4 §6.1: "preventing the group to use more energy than available at the location").
 * Pure arithmetic in tenths of a W or A, so sums are exact: every active session gets the same share, rounded
 * down, and a station's limit is its share times its sessions. Σ limits ≤ site limit by construction; a station
 * without sessions gets 0.
 */

/** Station limits (tenths) for `sessions` (active sessions per station) under `siteTenths`. */
export function allocate(siteTenths: number, sessions: ReadonlyMap<string, number>): Map<string, number> {
  let total = 0;
  for (const count of sessions.values()) total += count;
  const share = total > 0 ? Math.floor(siteTenths / total) : 0;
  const limits = new Map<string, number>();
  for (const [identity, count] of sessions) limits.set(identity, share * count);
  return limits;
}

/**
 * How far a station may be raised now: to its target, but only as far as the limits the others may still be
 * holding allow. `othersCommitted` counts each other station at the higher of its acknowledged limit and the one
 * on its way to it, because the station may hold either while the change is in flight.
 */
export function raiseTo(target: number, siteTenths: number, othersCommitted: number): number {
  return Math.max(0, Math.min(target, siteTenths - othersCommitted));
}
