/**
 * What agents report (proto/vpcemu/v1/report.proto, converted by controller/hub/wire.ts):
 * conntrack tables, counters and flow-log records. The agent side keeps its own copy in
 * node-agent/control/wire.ts (STYLE.md §2). Pure type module.
 */

import type { FaultCounters } from "../policy/compiled-fault.js";

/** One direction of a flow. ICMP echo: the echo id fills both ports (AWS-BEHAVIOUR CT-8). */
export interface FlowTuple {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

/** One tracked connection (CT-14: tracked entries only). */
export interface ConntrackEntryReport {
  readonly protocol: number;
  readonly original: FlowTuple;
  readonly reply: FlowTuple;
  /** Agent conntrack state name ("ESTABLISHED", "SYN_SENT", "UDP", "ICMP", ...). */
  readonly state: string;
  /** Absolute expiry, Unix epoch milliseconds. */
  readonly expiresAtMs: number;
  readonly packetsOriginal: number;
  readonly bytesOriginal: number;
  readonly packetsReply: number;
  readonly bytesReply: number;
  /** The sgr- rule that admitted the flow; "" when none (mid-stream pickup, auto-tracked). */
  readonly ruleId: string;
  /** Direction the first packet was judged in: "ingress", "egress" or "". */
  readonly direction: string;
}

export interface EniConntrackReport {
  readonly eniId: string;
  readonly instanceId: string;
  readonly entries: readonly ConntrackEntryReport[];
}

export interface ConntrackReport {
  /** Echo of the ConntrackRequest id; "" for periodic reports. */
  readonly requestId: string;
  readonly takenAtMs: number;
  readonly enis: readonly EniConntrackReport[];
}

/** Counters of one ENI: drops per DropReason label and the AWS ENA metric names (MET-3..MET-5). */
export interface EniCounters {
  readonly eniId: string;
  readonly instanceId: string;
  readonly drops: Readonly<Record<string, number>>;
  readonly conntrackAllowanceExceeded: number;
  readonly conntrackAllowanceAvailable: number;
  readonly bwInAllowanceExceeded: number;
  readonly bwOutAllowanceExceeded: number;
  readonly ppsAllowanceExceeded: number;
  readonly linklocalAllowanceExceeded: number;
  readonly packetsAccepted: number;
  /** Audit mode: packets the staged rule set would have blocked / allowed (absent: none). */
  readonly auditWouldBlock?: number;
  readonly auditWouldAllow?: number;
}

export interface CountersReport {
  readonly takenAtMs: number;
  readonly enis: readonly EniCounters[];
  /** Chaos faults the agent enforces, cumulative since it learned each (absent = none). */
  readonly faults?: readonly FaultCounters[];
}

/** One AWS default-format (v2) flow-log line (FL-1) and the ENI it belongs to. */
export interface FlowLogRecord {
  readonly eniId: string;
  readonly line: string;
  /**
   * The custom-format fields the agent knows (FL-8, FLW-2): "ingress"/"egress", the OR of the
   * window's TCP flags, the packet's own addresses. Absent for NODATA/SKIPDATA records and from
   * agents that do not send them.
   */
  readonly flowDirection?: string;
  readonly tcpFlags?: number;
  readonly pktSrcaddr?: string;
  readonly pktDstaddr?: string;
  /**
   * vpcemu's own fields, never written into AWS's: what decided the record's first packet. The
   * sgr- rule (directly or through its conntrack entry), the NACL entry number (32767/32768 =
   * `*`), a REJECT's drop reason label.
   */
  readonly sgRuleId?: string;
  readonly naclRule?: number;
  readonly dropReason?: string;
}
