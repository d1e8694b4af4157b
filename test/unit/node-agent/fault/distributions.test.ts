import { describe, expect, it } from "vitest";
import {
  DIST_TABLE_SIZE,
  distributionTable,
  inverseNormalCdf,
  tableDist,
} from "../../../../node-agent/fault/distributions.js";

const mean = (t: Float64Array) => t.reduce((s, x) => s + x, 0) / t.length;
const sd = (t: Float64Array) => {
  const m = mean(t);
  return Math.sqrt(t.reduce((s, x) => s + (x - m) ** 2, 0) / t.length);
};

describe("netem delay distributions", () => {
  it("inverts the standard normal CDF (Acklam): known quantiles", () => {
    expect(inverseNormalCdf(0.5)).toBeCloseTo(0, 9);
    expect(inverseNormalCdf(0.8413447460685429)).toBeCloseTo(1, 6);
    expect(inverseNormalCdf(0.022750131948179195)).toBeCloseTo(-2, 6);
    expect(inverseNormalCdf(0.99865)).toBeCloseTo(3.0, 2);
  });

  it("uniform has no table: mu - sigma + 2 sigma u", () => {
    expect(distributionTable("uniform")).toBeUndefined();
    expect(tableDist(50, 10, 0, undefined)).toBe(40);
    expect(tableDist(50, 10, 0.5, undefined)).toBe(50);
    expect(tableDist(50, 10, 0.999, undefined)).toBeCloseTo(59.98, 6);
    expect(tableDist(50, 0, 0.9, undefined)).toBe(50);
  });

  it("normal: 4096 ascending entries, mean 0, sd 1, -4 at the bottom (netem normal.c)", () => {
    const t = distributionTable("normal")!;
    expect(t.length).toBe(DIST_TABLE_SIZE);
    for (let i = 1; i < t.length; i++) expect(t[i]!).toBeGreaterThanOrEqual(t[i - 1]!);
    expect(Math.abs(mean(t))).toBeLessThan(0.002);
    expect(sd(t)).toBeGreaterThan(0.99);
    expect(sd(t)).toBeLessThan(1.01);
    expect(t[0]).toBe(-4); // netem normal.dist: -32768, -28307, ...
    expect(t[1]!).toBeCloseTo(-28307 / 8192, 1);
    expect(t[2048]!).toBe(0);
  });

  it("pareto: alpha 3 shifted to mean about 0, right-skewed, capped at 32767/8192 (netem pareto.c)", () => {
    const t = distributionTable("pareto")!;
    expect(t[0]!).toBeCloseTo(-2 / 3, 3); // u = 1: (1 - 1.5) * 4/3
    expect(t[t.length - 1]!).toBeCloseTo(32767 / 8192, 6);
    expect(Math.abs(mean(t))).toBeLessThan(0.05);
    // Right skew: the median lies below the mean.
    expect(t[2048]!).toBeLessThan(mean(t));
  });

  it("paretonormal: 0.25 normal + 0.75 pareto entry by entry (netem paretonormal.c)", () => {
    const n = distributionTable("normal")!;
    const p = distributionTable("pareto")!;
    const pn = distributionTable("paretonormal")!;
    for (const i of [1, 100, 2048, 4000]) {
      expect(pn[i]!).toBeCloseTo(0.25 * n[i]! + 0.75 * p[i]!, 3);
    }
  });

  it("tableDist with a table gives mu + sigma * table[u * 4096]", () => {
    const t = distributionTable("normal")!;
    expect(tableDist(100, 20, 0.5, t)).toBe(100);
    expect(tableDist(100, 20, 0.8413, t)).toBe(100 + 20 * t[Math.floor(0.8413 * 4096)]!);
    expect(tableDist(100, 20, 0.8413, t)).toBeCloseTo(120, 0);
  });
});
