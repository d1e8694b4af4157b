/**
 * Time for the agent's shell (STYLE.md §4.6): pure code takes `nowMs`, the shell asks a Clock.
 * A small duplicate of the controller's (node-agent/ and controller/ never import each other).
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
