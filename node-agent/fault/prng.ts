/**
 * The seeded random numbers of one fault (STYLE.md §2: pure code never calls Math.random).
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, period 2^32, passes the gjrand and
 * PractRand tests up to the sizes a fault ever draws; fast enough to call a few times per packet.
 * The same seed and the same sequence of calls give the same numbers on every platform.
 * Pure.
 */

/** A seeded uniform generator; one per fault, so one fault's draws never shift another's. */
export class FaultRng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** The next 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** The next number in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n) for n >= 1. */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/**
 * tc-netem's correlated random stream (get_crandom in net/sched/sch_netem.c): with correlation
 * rho (0..1), each value is (1 - rho) * fresh + rho * previous. rho 0 gives plain uniform draws;
 * like netem's, a correlated stream is no longer uniform (its spread narrows towards the mean),
 * which is why netem's effective loss with correlation differs from the configured percentage.
 */
export class CorrelatedRandom {
  private readonly rho: number;
  private last = 0;

  /** `correlationPercent`: 0..100 as in netem (`loss 10% 25%`). */
  constructor(
    private readonly rng: FaultRng,
    correlationPercent: number,
  ) {
    this.rho = Math.min(1, Math.max(0, correlationPercent / 100));
  }

  /** The next value in [0, 1). */
  next(): number {
    const v = this.rng.next();
    if (this.rho === 0) return v;
    this.last = v * (1 - this.rho) + this.last * this.rho;
    return this.last;
  }
}
