/**
 * Which faults can touch a packet from port `src` to port `dst` (port keys: an ENI id, or
 * "ext:<name>"). Built from one snapshot's faults and dropped with it; per (src, dst) pair the
 * answer is computed on first use and cached, so a lookup is two Map gets whatever the number
 * of faults (the contract's index: Map<srcKey, Map<dstKey, faults[]>>). The first computation
 * of a pair only looks at the pairs whose `from` names src (or is `any`).
 *
 * An entry says which of the fault's pairs matched: `forward` (port range on the destination
 * port) and/or `reverse` (a `both` fault's second pair: port range on the source port). Entries
 * keep the snapshot's fault order. Pure.
 */
import type { FaultPair } from "./compiled-fault.js";

/** One fault that can touch a (src, dst) pair. */
export interface FaultChainEntry<F> {
  readonly fault: F;
  /** A forward pair matched (the port range applies to the destination port). */
  readonly forward: boolean;
  /** A reverse pair matched (the port range applies to the source port). */
  readonly reverse: boolean;
}

/** The faults of one (src, dst) pair, in snapshot order; never empty. */
export type FaultChain<F> = readonly FaultChainEntry<F>[];

interface PairRef<F> {
  readonly order: number;
  readonly fault: F;
  readonly toAny: boolean;
  readonly to: ReadonlySet<string>;
  readonly reverse: boolean;
}

/** See the module comment. `faults[i].pairs` are read once, at construction. */
export class FaultIndex<F> {
  private readonly bySrc = new Map<string, PairRef<F>[]>();
  private readonly anySrc: PairRef<F>[] = [];
  private readonly cache = new Map<string, Map<string, FaultChain<F> | null>>();

  constructor(faults: readonly { readonly fault: F; readonly pairs: readonly FaultPair[] }[]) {
    faults.forEach(({ fault, pairs }, order) => {
      for (const p of pairs) {
        const ref: PairRef<F> = {
          order,
          fault,
          toAny: p.to.any,
          to: new Set(p.to.portKeys),
          reverse: p.reverse,
        };
        if (p.from.any) {
          this.anySrc.push(ref);
          continue;
        }
        for (const k of new Set(p.from.portKeys)) {
          const list = this.bySrc.get(k);
          if (list) list.push(ref);
          else this.bySrc.set(k, [ref]);
        }
      }
    });
  }

  /** The faults that can touch src -> dst, or undefined when none can. */
  lookup(src: string, dst: string): FaultChain<F> | undefined {
    let row = this.cache.get(src);
    if (row === undefined) {
      row = new Map();
      this.cache.set(src, row);
    }
    let chain = row.get(dst);
    if (chain === undefined) {
      chain = this.compute(src, dst);
      row.set(dst, chain);
    }
    return chain ?? undefined;
  }

  /** Number of (src, dst) pairs computed so far (tests, benches). */
  cachedPairs(): number {
    let n = 0;
    for (const row of this.cache.values()) n += row.size;
    return n;
  }

  private compute(src: string, dst: string): FaultChain<F> | null {
    const hits = new Map<number, { fault: F; forward: boolean; reverse: boolean }>();
    const take = (refs: readonly PairRef<F>[] | undefined) => {
      for (const r of refs ?? []) {
        if (!r.toAny && !r.to.has(dst)) continue;
        let h = hits.get(r.order);
        if (!h) {
          h = { fault: r.fault, forward: false, reverse: false };
          hits.set(r.order, h);
        }
        if (r.reverse) h.reverse = true;
        else h.forward = true;
      }
    };
    take(this.bySrc.get(src));
    take(this.anySrc);
    if (hits.size === 0) return null;
    return [...hits.entries()].sort((a, b) => a[0] - b[0]).map(([, h]) => h);
  }
}
