/**
 * Time for the agent's shell (STYLE.md §4.6): pure code takes `nowMs`, the shell asks a Clock.
 * A small duplicate of the controller's (node-agent/ and controller/ never import each other).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Epoch milliseconds with sub-millisecond resolution (performance.timeOrigin + now()), for the
 * fault step's due times: Date.now()'s whole milliseconds would move a 1 ms delay by up to 1 ms.
 */
export const preciseSystemClock: Clock = { now: () => performance.timeOrigin + performance.now() };

/** One-shot timers for the shell (the fault step's release timer); tests pass a manual twin. */
export interface Scheduler {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemScheduler: Scheduler = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
