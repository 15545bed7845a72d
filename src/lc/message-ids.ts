/**
 * Message ids of the Local Controller's own CALLs (Part 4 §6.4, item 1: "IDs that do not collide with IDs used by
 * the CSMS, now and in the future ... by using UUIDs/GUIDs").
 *
 * An LC id is `lc-` followed by the 32 hex digits of a random UUID (35 characters, within the 36 that §4.1.4
 * allows; a canonical UUID with its dashes plus a prefix would not fit). Why it cannot collide:
 * - Joule, like most CSMSs, uses canonical UUIDs (36 characters with dashes at fixed places): an LC id never has
 *   that form, so equality is impossible, not just unlikely.
 * - A CSMS that uses anything else (counters, timestamps, even the same prefix) would have to guess 122 random
 *   bits. On top of that the LC keeps every id the CSMS used on the connection recently (and every one still in
 *   flight) and never hands out one of those.
 * - Reply routing does not even depend on the ids: the LC sends its own CALL only while no CSMS CALL is outstanding
 *   at the station, and holds CSMS CALLs back while its own is (downlink.ts). A reply therefore always answers the
 *   one party that has a CALL outstanding. Distinct ids are still required, because the station may track them.
 */
import { randomUUID } from 'node:crypto';

export const LC_ID_PREFIX = 'lc-';

/** True for ids of the form the LC generates (for logs and tests; routing uses the pending set, not this). */
export function isLcMessageId(id: string): boolean {
  return /^lc-[0-9a-f]{32}$/.test(id);
}

/** A bounded memory of the ids a peer used, oldest forgotten first. */
export class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity = 1024) {}

  add(id: string): void {
    if (this.ids.has(id)) this.ids.delete(id);
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  delete(id: string): void {
    this.ids.delete(id);
  }
}

/** A fresh LC id that `taken` does not contain (the loop practically never repeats). */
export function newLcMessageId(taken: (id: string) => boolean, random: () => string = randomUUID): string {
  for (;;) {
    const id = `${LC_ID_PREFIX}${random().replaceAll('-', '')}`;
    if (!taken(id)) return id;
  }
}
