/**
 * A manual twin of the agent's Scheduler (node-agent/clock.ts) driven by a ManualClock: timers
 * fire only when the test advances time through this object, each at its own due time, in
 * order. For the fault step's release timer in in-process tests (STYLE.md §4.6).
 */
import type { Scheduler } from "../../node-agent/clock.js";
import type { ManualClock } from "./manual-clock.js";

export class ManualScheduler implements Scheduler {
  private readonly timers = new Map<number, { at: number; seq: number; callback: () => void }>();
  private nextId = 1;

  constructor(private readonly clock: ManualClock) {}

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.clock.now() + Math.max(0, ms), seq: id, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Timers not fired yet. */
  pending(): number {
    return this.timers.size;
  }

  /** Moves the clock forward by `ms`, firing every timer due on the way at its due time. */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      let next: [number, { at: number; seq: number; callback: () => void }] | undefined;
      for (const e of this.timers) {
        if (e[1].at > end) continue;
        if (!next || e[1].at < next[1].at || (e[1].at === next[1].at && e[1].seq < next[1].seq)) {
          next = e;
        }
      }
      if (!next) break;
      this.timers.delete(next[0]);
      if (next[1].at > this.clock.now()) this.clock.advance(next[1].at - this.clock.now());
      next[1].callback();
    }
    if (end > this.clock.now()) this.clock.advance(end - this.clock.now());
  }
}
