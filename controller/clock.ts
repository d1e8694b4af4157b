/**
 * Time for the controller's shell code (hub heartbeats, report timestamps, JSON "last seen").
 * Pure code never reads it: it takes `nowMs` (STYLE.md §4.6). node-agent/clock.ts is its twin
 * (a small duplicate beats a dependency, STYLE.md §2).
 */
export interface Clock {
  /** Wall-clock time, Unix epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
