/**
 * Recent flows per ENI, from the agents' flow-log records (controller/reports/): what
 * `vpcemu whatif` judges beside the conntrack tables, since untracked flows never appear in a
 * table (AWS-BEHAVIOUR CT-14) and refused connections only in REJECT records (FL-5). One entry
 * per ENI, 5-tuple, direction and action, keeping the newest record's end; entries older than
 * `keepMs` and beyond `maxPerEni` (oldest first) are dropped. In memory only.
 */
import type { FlowLogRecord } from "../reports/report-types.js";

/** One flow as an ENI's flow log saw it (the packet's own orientation). */
export interface RecentFlow {
  readonly eniId: string;
  readonly protocol: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly action: "ACCEPT" | "REJECT";
  /** "ingress"/"egress" as seen from the ENI; undefined from agents that do not say. */
  readonly direction?: "ingress" | "egress";
  /** Unix ms of the newest record's last packet. */
  readonly endMs: number;
  /** The OR of TCP flags over the records seen (FL-8), 0 if unknown. */
  readonly tcpFlags: number;
}

export interface RecentFlowsOptions {
  /** How long a flow is kept after its last record (default 15 min). */
  readonly keepMs?: number;
  /** Flows kept per ENI (default 5000). */
  readonly maxPerEni?: number;
  readonly now?: () => number;
}

/** Parses a default-format (v2) line's OK record; undefined for NODATA/SKIPDATA and junk. */
export function parseFlowLogRecord(r: FlowLogRecord): RecentFlow | undefined {
  const f = r.line.split(" ");
  if (f.length < 14 || f[13] !== "OK") return undefined;
  const [, , eni, src, dst, sport, dport, proto, , , , end, action] = f;
  if (action !== "ACCEPT" && action !== "REJECT") return undefined;
  const n = (s: string | undefined): number => (s === undefined ? NaN : Number(s));
  const flow = {
    eniId: eni ?? r.eniId,
    protocol: n(proto),
    src: src ?? "",
    srcPort: n(sport),
    dst: dst ?? "",
    dstPort: n(dport),
    action,
    endMs: n(end) * 1000,
    tcpFlags: r.tcpFlags ?? 0,
  } as const;
  if (![flow.protocol, flow.srcPort, flow.dstPort, flow.endMs].every(Number.isFinite))
    return undefined;
  const d = r.flowDirection;
  return d === "ingress" || d === "egress" ? { ...flow, direction: d } : flow;
}

export class RecentFlows {
  private readonly byEni = new Map<string, Map<string, RecentFlow>>();
  private readonly keepMs: number;
  private readonly maxPerEni: number;
  private readonly now: () => number;

  constructor(opts: RecentFlowsOptions = {}) {
    this.keepMs = opts.keepMs ?? 15 * 60_000;
    this.maxPerEni = opts.maxPerEni ?? 5000;
    this.now = opts.now ?? Date.now;
  }

  /** Takes a batch of records (ReportStore.onFlowLogs). */
  add(records: readonly FlowLogRecord[]): void {
    for (const r of records) {
      const f = parseFlowLogRecord(r);
      if (f === undefined) continue;
      let m = this.byEni.get(f.eniId);
      if (m === undefined) this.byEni.set(f.eniId, (m = new Map()));
      const key = `${f.protocol} ${f.src} ${f.srcPort} ${f.dst} ${f.dstPort} ${f.direction ?? ""} ${f.action}`;
      const old = m.get(key);
      // Why delete first: re-inserting moves the key last, so the map stays oldest-first.
      m.delete(key);
      m.set(
        key,
        old === undefined
          ? f
          : { ...f, endMs: Math.max(f.endMs, old.endMs), tcpFlags: f.tcpFlags | old.tcpFlags },
      );
      while (m.size > this.maxPerEni) m.delete(m.keys().next().value!);
    }
  }

  /** Flows whose last record ended at or after `sinceMs`, every ENI, oldest first per ENI. */
  since(sinceMs: number): RecentFlow[] {
    const floor = this.now() - this.keepMs;
    const out: RecentFlow[] = [];
    for (const m of this.byEni.values()) {
      for (const [k, f] of m) {
        if (f.endMs < floor) m.delete(k);
        else if (f.endMs >= sinceMs) out.push(f);
      }
    }
    return out;
  }
}
