import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/**
 * The fuzz tier's randomness (test/fuzz/): one seeded generator per run, so a failure is
 * reproduced by its seed. `VPCEMU_FUZZ_SEED` fixes the seed (else one is drawn and printed);
 * `VPCEMU_FUZZ_SCALE` multiplies every count (default 1; the bench runs more).
 */

/** The seed of this run: VPCEMU_FUZZ_SEED, else a fresh one (printed by the caller). */
export function fuzzSeed(): number {
  const env = process.env["VPCEMU_FUZZ_SEED"];
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
      throw new Error(`VPCEMU_FUZZ_SEED must be an integer in 0..4294967295, got '${env}'`);
    return n;
  }
  return Math.floor(Math.random() * 0x100000000);
}

/** `base` times VPCEMU_FUZZ_SCALE (default 1), at least 1. */
export function fuzzCount(base: number): number {
  const env = process.env["VPCEMU_FUZZ_SCALE"];
  const scale = env === undefined || env === "" ? 1 : Number(env);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`VPCEMU_FUZZ_SCALE must be a positive number, got '${env}'`);
  return Math.max(1, Math.round(base * scale));
}

/** The strings JavaScript objects answer to: user input must never resolve them (issue 14). */
export const PROTOTYPE_NAMES = [
  "constructor",
  "__proto__",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "prototype",
  "isPrototypeOf",
  "__defineGetter__",
  "toLocaleString",
] as const;

/** mulberry32: small, fast, good enough to pick inputs; the same seed gives the same run. */
export class Rng {
  private a: number;
  constructor(readonly seed: number) {
    this.a = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  /** A derived generator (for a worker), so interleaving does not change each stream. */
  fork(salt: number): Rng {
    return new Rng((this.seed ^ Math.imul(salt + 1, 0x9e3779b1)) >>> 0);
  }
}

/** Bytes worth putting at a random place: boundaries of 8-, 16- and 32-bit fields. */
const INTERESTING = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

/**
 * A mutant of `input` (never modified): 1..4 of bit flips, interesting bytes, truncation,
 * extension with random bytes, a duplicated or removed range, or a random splice.
 */
export function mutateBytes(rng: Rng, input: Uint8Array): Uint8Array {
  let b: Uint8Array = new Uint8Array(input);
  const rounds = rng.int(1, 4);
  for (let r = 0; r < rounds; r++) {
    const kind = rng.int(0, 6);
    if (b.length === 0 && kind < 5) {
      b = rng.bytes(rng.int(1, 16));
      continue;
    }
    const at = rng.int(0, Math.max(0, b.length - 1));
    switch (kind) {
      case 0:
        b[at]! ^= 1 << rng.int(0, 7);
        break;
      case 1:
        b[at] = rng.pick(INTERESTING);
        break;
      case 2:
        b = b.slice(0, at);
        break;
      case 3: {
        const len = rng.int(1, Math.min(32, b.length - at));
        const dup = b.slice(at, at + len);
        const out = new Uint8Array(b.length + len);
        out.set(b.subarray(0, at + len));
        out.set(dup, at + len);
        out.set(b.subarray(at + len), at + 2 * len);
        b = out;
        break;
      }
      case 4: {
        const len = rng.int(1, Math.min(32, b.length - at));
        const out = new Uint8Array(b.length - len);
        out.set(b.subarray(0, at));
        out.set(b.subarray(at + len), at);
        b = out;
        break;
      }
      case 5: {
        const extra = rng.bytes(rng.int(1, 64));
        const out = new Uint8Array(b.length + extra.length);
        out.set(b);
        out.set(extra, b.length);
        b = out;
        break;
      }
      default: {
        const len = Math.min(rng.int(1, 8), b.length - at);
        b.set(rng.bytes(len), at);
      }
    }
  }
  return b;
}

let collect: (() => void) | undefined;

/** A full GC: global gc() under --expose-gc, else V8's flag set at run time (vitest forks). */
function gc(): void {
  if (collect === undefined) {
    const g = (globalThis as { gc?: () => void }).gc;
    if (g !== undefined) collect = g;
    else {
      setFlagsFromString("--expose_gc");
      collect = runInNewContext("gc") as () => void;
    }
  }
  collect();
}

/** Heap in use in MiB, after a full GC (so growth means retained memory, not garbage). */
export function heapMiB(): number {
  gc();
  return Math.round((process.memoryUsage().heapUsed / 1048576) * 10) / 10;
}
