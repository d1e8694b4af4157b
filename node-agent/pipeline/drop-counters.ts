/**
 * Silent-drop counters per port (ENI id, or "ext:<address>" for external nodes, or "" for
 * packets no port could be named for) per DropReason (STYLE.md §7). Each count points at the
 * one place that raised the reason. Pure.
 */
import { ALL_DROP_REASONS, type DropReason } from "./verdict.js";

export type DropCounts = Record<DropReason, number>;

/** A record with every reason at 0. */
export function zeroDropCounts(): DropCounts {
  const out = {} as DropCounts;
  for (const r of ALL_DROP_REASONS) out[r] = 0;
  return out;
}

/** Cumulative drop counts (packets and IP bytes) per port key and reason. */
export class DropCounters {
  private readonly byPort = new Map<string, DropCounts>();
  private readonly bytesByPort = new Map<string, DropCounts>();

  /**
   * Counts one dropped packet of `port` for `reason`, `bytes` long (the decoded IP length, else
   * what the site saw).
   */
  count(port: string, reason: DropReason, bytes = 0): void {
    let c = this.byPort.get(port);
    let b = this.bytesByPort.get(port);
    if (!c || !b) {
      c = zeroDropCounts();
      b = zeroDropCounts();
      this.byPort.set(port, c);
      this.bytesByPort.set(port, b);
    }
    // Why `?? 0`: a reason added to verdict.ts after this record was made starts at 0.
    c[reason] = (c[reason] ?? 0) + 1;
    b[reason] = (b[reason] ?? 0) + bytes;
  }

  /** Dropped bytes of one port per reason (zeros when it never dropped); a copy. */
  bytesForPort(port: string): DropCounts {
    return { ...zeroDropCounts(), ...this.bytesByPort.get(port) };
  }

  /** Counts of one port (zeros when it never dropped); a copy. */
  forPort(port: string): DropCounts {
    return { ...zeroDropCounts(), ...this.byPort.get(port) };
  }

  /** Totals over every port; a copy. */
  total(): DropCounts {
    const out = zeroDropCounts();
    for (const c of this.byPort.values()) {
      for (const [r, n] of Object.entries(c) as [DropReason, number][]) out[r] = (out[r] ?? 0) + n;
    }
    return out;
  }

  /** Ports with at least one drop. */
  ports(): string[] {
    return [...this.byPort.keys()];
  }
}
