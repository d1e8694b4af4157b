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

/** One reason's counts on one port. */
interface Cell {
  packets: number;
  bytes: number;
}

/** One port's cells by reason. */
type PortDrops = Record<DropReason, Cell>;

function zeroCells(): PortDrops {
  const out = {} as PortDrops;
  for (const r of ALL_DROP_REASONS) out[r] = { packets: 0, bytes: 0 };
  return out;
}

/** Cumulative drop counts (packets and IP bytes) per port key and reason. */
export class DropCounters {
  private readonly byPort = new Map<string, PortDrops>();

  /**
   * Counts one dropped packet of `port` for `reason`, `bytes` long (the decoded IP length, else
   * what the site saw). Why cells: one map and one reason lookup per drop, as before bytes were
   * counted (bench/verdict-event.bench.ts).
   */
  count(port: string, reason: DropReason, bytes = 0, packets = 1): void {
    let c = this.byPort.get(port);
    if (!c) {
      c = zeroCells();
      this.byPort.set(port, c);
    }
    const cell = c[reason];
    cell.packets += packets;
    cell.bytes += bytes;
  }

  /** Dropped bytes of one port per reason (zeros when it never dropped); a copy. */
  bytesForPort(port: string): DropCounts {
    return this.read(port, "bytes");
  }

  /** Counts of one port (zeros when it never dropped); a copy. */
  forPort(port: string): DropCounts {
    return this.read(port, "packets");
  }

  /** Totals over every port; a copy. */
  total(): DropCounts {
    const out = zeroDropCounts();
    for (const c of this.byPort.values()) for (const r of ALL_DROP_REASONS) out[r] += c[r].packets;
    return out;
  }

  /** Ports with at least one drop. */
  ports(): string[] {
    return [...this.byPort.keys()];
  }

  private read(port: string, field: keyof Cell): DropCounts {
    const out = zeroDropCounts();
    const c = this.byPort.get(port);
    if (c !== undefined) for (const r of ALL_DROP_REASONS) out[r] = c[r][field];
    return out;
  }
}
