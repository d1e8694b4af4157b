/**
 * One trace's events at the controller: a bounded ring numbered 1, 2, ... in arrival order; the
 * oldest are overwritten when it is full. Readers page with `since` (the next seq they want).
 * Pure.
 */
import type { TraceEventRecord } from "./trace-types.js";

export class TraceRing {
  private readonly slots: (TraceEventRecord | undefined)[];
  /** Seq of the next event pushed; the ring holds [max(1, nextSeq - capacity), nextSeq). */
  private nextSeq = 1;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity < 1");
    this.slots = new Array<TraceEventRecord | undefined>(capacity);
  }

  push(e: TraceEventRecord): void {
    this.slots[this.nextSeq % this.capacity] = e;
    this.nextSeq++;
  }

  /** The seq the next pushed event gets. */
  get next(): number {
    return this.nextSeq;
  }

  /** The oldest seq still held (== next when empty). */
  get oldest(): number {
    return Math.max(1, this.nextSeq - this.capacity);
  }

  /**
   * Up to `limit` events with seq >= since, oldest first, and how many with seq >= since were
   * already overwritten.
   */
  read(
    since: number,
    limit: number,
  ): { events: { seq: number; event: TraceEventRecord }[]; overwritten: number } {
    const from = Math.max(since, this.oldest);
    const overwritten = Math.max(0, Math.min(this.oldest, this.nextSeq) - Math.max(since, 1));
    const events: { seq: number; event: TraceEventRecord }[] = [];
    for (let s = from; s < this.nextSeq && events.length < limit; s++) {
      events.push({ seq: s, event: this.slots[s % this.capacity]! });
    }
    return { events, overwritten };
  }
}
