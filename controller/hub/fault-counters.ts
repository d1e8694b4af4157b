/**
 * Per-fault counters as agents report them (Counters.faults, cumulative per agent since it
 * learned the fault): the latest value per agent is kept and the sum over agents is what the
 * JSON API shows. In memory only, like the other reports (agents resend on their next period).
 */
import type { FaultCounters } from "../policy/compiled-fault.js";

/** The counters the JSON API shows for one fault (FaultCounters without the id). */
export type FaultCounterTotals = Omit<FaultCounters, "faultId">;

const FIELDS = [
  "matched",
  "delayed",
  "dropped",
  "duplicated",
  "corrupted",
  "reordered",
  "rejected",
  "queueOverflow",
  "rateLimited",
] as const satisfies readonly (keyof FaultCounterTotals)[];

export function zeroFaultCounters(): FaultCounterTotals {
  return {
    matched: 0,
    delayed: 0,
    dropped: 0,
    duplicated: 0,
    corrupted: 0,
    reordered: 0,
    rejected: 0,
    queueOverflow: 0,
    rateLimited: 0,
  };
}

export class FaultCounterStore {
  /** faultId -> agentId -> latest cumulative counters. */
  private readonly byFault = new Map<string, Map<string, FaultCounters>>();

  /** An agent's counters report: its latest cumulative value per fault replaces the previous. */
  put(agentId: string, faults: readonly FaultCounters[]): void {
    for (const c of faults) {
      let perAgent = this.byFault.get(c.faultId);
      if (perAgent === undefined) this.byFault.set(c.faultId, (perAgent = new Map()));
      perAgent.set(agentId, c);
    }
  }

  /** The sum over agents of their latest counters (zeros when none reported). */
  totals(faultId: string): FaultCounterTotals {
    const out: Record<(typeof FIELDS)[number], number> = zeroFaultCounters();
    for (const c of this.byFault.get(faultId)?.values() ?? []) {
      for (const k of FIELDS) out[k] += c[k];
    }
    return out;
  }

  /** Every agent's latest counters of every fault, as [agentId, counters] (metrics). */
  *perAgent(): Iterable<readonly [string, FaultCounters]> {
    for (const perAgent of this.byFault.values()) yield* perAgent.entries();
  }

  /** Forget a deleted fault. */
  forget(faultId: string): void {
    this.byFault.delete(faultId);
  }
}
