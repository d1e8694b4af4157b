/**
 * A clock tests move by hand (STYLE.md §4.6). Pure code takes `nowMs` and gets `clock.now()`;
 * shells that want a Clock get this object. Structurally compatible with the `Clock`
 * interfaces of controller/clock.ts and node-agent/clock.ts (`now(): number`).
 */
export class ManualClock {
  private current: number;

  /** Starts at `startMs` (default 1,700,000,000,000 ms: a fixed, realistic epoch time). */
  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  /** Current time in ms. */
  now(): number {
    return this.current;
  }

  /** Moves time forward by `ms` (must be >= 0) and returns the new time. */
  advance(ms: number): number {
    if (!(ms >= 0)) throw new Error(`ManualClock.advance: negative or NaN step ${ms}`);
    this.current += ms;
    return this.current;
  }

  /** Moves time forward by `s` seconds. */
  advanceSeconds(s: number): number {
    return this.advance(s * 1000);
  }
}
