/**
 * tc-netem's delay distributions (iproute2 netem/{normal,pareto,paretonormal}.c and tabledist()
 * in net/sched/sch_netem.c). netem ships inverse-CDF tables of 4096 entries in units of sigma
 * scaled by NETEM_DIST_SCALE (8192); tabledist(mu, sigma) returns mu + sigma * table[rnd % 4096]
 * / 8192, and without a table mu - sigma + uniform[0, 2 sigma). These tables are computed here
 * the same way at module load (in sigma units, unscaled), so `delay 50ms 10ms distribution
 * normal` has netem's shape:
 *   normal        table[i] = inverse standard normal CDF at i/4096
 *   pareto        alpha 3, shifted to mean 0 and scaled by 4/3 (netem's pareto.c), capped at 4
 *   paretonormal  0.25 * normal + 0.75 * pareto, entry by entry (netem's paretonormal.c)
 * Pure.
 */
import type { DelayDistribution } from "./compiled-fault.js";

/** Entries per table, as netem's (16384 samples, every 4th kept). */
export const DIST_TABLE_SIZE = 4096;

/** NETEM_DIST_SCALE: netem clips table values to a signed 16-bit integer over this scale. */
const NETEM_DIST_SCALE = 8192;
const TABLE_MAX = 32767 / NETEM_DIST_SCALE;
const TABLE_MIN = -32768 / NETEM_DIST_SCALE;

/**
 * Inverse of the standard normal CDF (P. J. Acklam's rational approximation, relative error
 * below 1.15e-9 over (0, 1)). `p` must lie in (0, 1).
 */
export function inverseNormalCdf(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** netem's table entries are integers over NETEM_DIST_SCALE, clipped to 16 bits. */
function quantize(x: number): number {
  const v = Math.round(x * NETEM_DIST_SCALE) / NETEM_DIST_SCALE;
  return Math.max(TABLE_MIN, Math.min(TABLE_MAX, v));
}

function normalAt(i: number): number {
  // Why the half step at 0: netem's table[0] holds the last x whose CDF rounds to 0 (about
  // -4.0, clipped to -32768/8192 as in netem's normal.dist).
  const p = i === 0 ? 0.5 / (DIST_TABLE_SIZE * 4) : i / DIST_TABLE_SIZE;
  return inverseNormalCdf(p);
}

function paretoAt(i: number): number {
  // netem pareto.c: u runs from 1 down to 1/4096; (u^(-1/3) - 1.5) * 4/3, capped.
  const u = (DIST_TABLE_SIZE - i) / DIST_TABLE_SIZE;
  return Math.min(TABLE_MAX, (Math.pow(u, -1 / 3) - 1.5) * (4 / 3));
}

function buildTable(at: (i: number) => number): Float64Array {
  const t = new Float64Array(DIST_TABLE_SIZE);
  for (let i = 0; i < DIST_TABLE_SIZE; i++) t[i] = quantize(at(i));
  return t;
}

const TABLES: Record<Exclude<DelayDistribution, "uniform">, Float64Array> = {
  normal: buildTable(normalAt),
  pareto: buildTable(paretoAt),
  paretonormal: buildTable((i) => 0.25 * normalAt(i) + 0.75 * paretoAt(i)),
};

/** The inverse-CDF table of a distribution (undefined for uniform). */
export function distributionTable(d: DelayDistribution): Float64Array | undefined {
  return d === "uniform" ? undefined : TABLES[d];
}

/**
 * netem tabledist(): a delay around `mu` with spread `sigma` from the uniform draw `u` in
 * [0, 1) (possibly correlated). Uniform: mu - sigma + 2 sigma u; tables: mu + sigma * table[u].
 * May be negative (the caller clamps: netem sends such packets at once).
 */
export function tableDist(
  mu: number,
  sigma: number,
  u: number,
  table: Float64Array | undefined,
): number {
  if (sigma === 0) return mu;
  if (table === undefined) return mu - sigma + 2 * sigma * u;
  return mu + sigma * table[Math.floor(u * DIST_TABLE_SIZE)]!;
}
