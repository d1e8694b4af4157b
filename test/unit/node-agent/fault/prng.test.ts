import { describe, expect, it } from "vitest";
import { CorrelatedRandom, FaultRng } from "../../../../node-agent/fault/prng.js";

describe("FaultRng (mulberry32)", () => {
  it("gives the same sequence for the same seed and another for another seed", () => {
    const a = new FaultRng(42);
    const b = new FaultRng(42);
    const c = new FaultRng(43);
    const sa = Array.from({ length: 100 }, () => a.nextU32());
    const sb = Array.from({ length: 100 }, () => b.nextU32());
    const sc = Array.from({ length: 100 }, () => c.nextU32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it("matches the reference mulberry32 output for seed 0 and 1", () => {
    // Reference values from the published C/JS implementation.
    expect(new FaultRng(0).nextU32()).toBe(1144304738);
    expect(new FaultRng(1).nextU32()).toBe(2693262067);
  });

  it("draws uniformly in [0, 1): mean, variance and deciles within bounds over 100 000 draws", () => {
    const r = new FaultRng(7);
    const n = 100_000;
    const bins = new Array<number>(10).fill(0);
    let sum = 0;
    let sq = 0;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const v = r.next();
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
      sq += v * v;
      bins[Math.floor(v * 10)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const mean = sum / n;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sq / n - mean * mean - 1 / 12)).toBeLessThan(0.002);
    for (const b of bins) expect(Math.abs(b - n / 10)).toBeLessThan(500);
  });

  it("below(n) stays in [0, n)", () => {
    const r = new FaultRng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(r.below(8));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe("CorrelatedRandom (netem get_crandom)", () => {
  it("is the plain stream with correlation 0", () => {
    const a = new FaultRng(9);
    const b = new FaultRng(9);
    const c = new CorrelatedRandom(b, 0);
    for (let i = 0; i < 10; i++) expect(c.next()).toBe(a.next());
  });

  it("follows (1 - rho) * fresh + rho * previous", () => {
    const a = new FaultRng(5);
    const c = new CorrelatedRandom(new FaultRng(5), 75);
    let last = 0;
    for (let i = 0; i < 20; i++) {
      last = a.next() * 0.25 + last * 0.75;
      expect(c.next()).toBeCloseTo(last, 12);
    }
  });

  it("correlates successive values (lag-1 autocorrelation near rho for rho 0.9)", () => {
    const c = new CorrelatedRandom(new FaultRng(11), 90);
    const xs = Array.from({ length: 50_000 }, () => c.next());
    const m = xs.reduce((s, x) => s + x, 0) / xs.length;
    let num = 0;
    let den = 0;
    for (let i = 0; i < xs.length; i++) {
      den += (xs[i]! - m) ** 2;
      if (i > 0) num += (xs[i]! - m) * (xs[i - 1]! - m);
    }
    expect(num / den).toBeGreaterThan(0.85);
    expect(num / den).toBeLessThan(0.95);
  });
});
