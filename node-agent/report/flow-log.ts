/**
 * Flow logs in AWS's default (version 2) format (AWS-BEHAVIOUR FL-1..FL-6): one record per
 * ENI, per 5-tuple and direction, per action, per 60 s aggregation window (FL-3), 14
 * space-separated fields (FL-1):
 *
 *   version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
 *
 * ACCEPT for packets the ENI's SG/NACL allowed, REJECT for those they refused (FL-5); ports 0 for
 * ICMP (FL-2); the ENI side's IPv4 address is its primary private IPv4 even for traffic to a
 * secondary address (FL-4); an ENI with no traffic in a window gets a NODATA record, and a window
 * that overflowed its record budget a SKIPDATA record (FL-5). start/end are the Unix seconds of
 * the first and last packet in the window.
 *
 * Pure: time is passed in (nowMs); the agent calls record() per judged packet and flush() on a
 * timer. A packet of a flow already in the window costs no allocation: flows are found by a
 * numeric hash of (ENI number, direction, action, protocol, ports, addresses), compared field by
 * field; strings are built once per record.
 */
import type { DecodedPacket } from "../packet/decoded-packet.js";
import { formatIpAddress } from "../packet/address.js";

const TCP = 6;
/** The flags AWS's tcp-flags reports: FIN, SYN, RST, PSH, ACK, URG (FL-8; SYN-ACK = 18). */
const TCP_FLAG_MASK = 0x3f;

/**
 * What decided a record's first packet: vpcemu's own fields, reported beside AWS's and never
 * written into them (issue 13 item 2). The sgr- rule that admitted it (directly or through its
 * conntrack entry), the NACL entry that allowed or denied it (32767/32768: `*`), a REJECT's drop
 * reason label. The filter's verdict (pipeline FilterVerdict) is one, kept by reference.
 */
export interface FlowDecision {
  readonly ruleId?: string;
  readonly naclRule?: number;
  readonly reason?: string;
}

/** FL-5 `action` and `log-status` values. */
export type FlowLogAction = "ACCEPT" | "REJECT";
export type FlowLogStatus = "OK" | "NODATA" | "SKIPDATA";

/** One default-format record; "-" where AWS prints "-" (NODATA/SKIPDATA). */
export interface FlowLogRecord {
  readonly version: 2;
  readonly accountId: string;
  readonly interfaceId: string;
  readonly srcaddr: string;
  readonly dstaddr: string;
  readonly srcport: number | "-";
  readonly dstport: number | "-";
  readonly protocol: number | "-";
  readonly packets: number | "-";
  readonly bytes: number | "-";
  /** Unix seconds. */
  readonly start: number;
  readonly end: number;
  readonly action: FlowLogAction | "-";
  readonly logStatus: FlowLogStatus;
  /**
   * What AWS's custom formats add (FL-8, FLW-2), for OK records only: the direction as seen from
   * the ENI, the OR of the window's TCP flags (0 for other protocols), and the packet's own
   * addresses (srcaddr/dstaddr carry the primary IPv4 instead, FL-4).
   */
  readonly extra?: {
    readonly flowDirection: "ingress" | "egress";
    readonly tcpFlags: number;
    readonly pktSrcaddr: string;
    readonly pktDstaddr: string;
  };
  /** What decided the record's first packet (OK records whose packet was judged). */
  readonly decision?: FlowDecision;
}

/** The record as AWS prints it: 14 fields separated by single spaces (FL-1). */
export function formatFlowLogRecord(r: FlowLogRecord): string {
  return [
    r.version,
    r.accountId,
    r.interfaceId,
    r.srcaddr,
    r.dstaddr,
    r.srcport,
    r.dstport,
    r.protocol,
    r.packets,
    r.bytes,
    r.start,
    r.end,
    r.action,
    r.logStatus,
  ].join(" ");
}

export interface FlowLogOptions {
  /** Default "123456789012" (the controller's default account). */
  readonly accountId?: string;
  /** Aggregation window; default 60 000 ms (FL-3, Nitro). */
  readonly windowMs?: number;
  /** Records kept per window before the rest is counted as SKIPDATA; default 50 000. */
  readonly maxRecordsPerWindow?: number;
}

interface Aggregate {
  readonly eni: string;
  /** The key fields compared on lookup (beside eni, outbound, action, protocol, ports). */
  readonly eniNo: number;
  readonly srcBytes: Uint8Array;
  readonly dstBytes: Uint8Array;
  /** The next aggregate of the same hash. */
  next: Aggregate | undefined;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly protocol: number;
  readonly action: FlowLogAction;
  readonly outbound: boolean;
  readonly pktSrc: string;
  readonly pktDst: string;
  /** OR of the TCP flags seen (FL-8). */
  tcpFlags: number;
  readonly decision: FlowDecision | undefined;
  packets: number;
  bytes: number;
  firstMs: number;
  lastMs: number;
}

interface Window {
  readonly startMs: number;
  /** Aggregates by hash, chained on collisions (`next`). */
  readonly flows: Map<number, Aggregate>;
  count: number;
  /** ENIs that lost records to the budget. */
  readonly skipped: Map<string, { firstMs: number; lastMs: number }>;
}

/** Aggregates judged packets into per-window records; see the module comment. */
export class FlowLogAggregator {
  private readonly accountId: string;
  private readonly windowMs: number;
  private readonly maxRecords: number;
  private readonly windows = new Map<number, Window>();
  /** ENI ids as small numbers for the flow hash (bounded by the ENIs an agent hosts). */
  private readonly eniNumbers = new Map<string, number>();

  constructor(opts: FlowLogOptions = {}) {
    this.accountId = opts.accountId ?? "123456789012";
    this.windowMs = opts.windowMs ?? 60_000;
    this.maxRecords = opts.maxRecordsPerWindow ?? 50_000;
  }

  /**
   * Counts one packet judged on `eniId`. `outbound`: the packet leaves the ENI (its source is
   * the ENI side); `primaryIpv4`: the ENI's primary private IPv4 text (FL-4), used for IPv4
   * packets in place of the ENI-side address. `decision`: what decided the packet; a record keeps
   * its first packet's.
   */
  record(
    eniId: string,
    primaryIpv4: string | undefined,
    outbound: boolean,
    pkt: DecodedPacket,
    bytes: number,
    action: FlowLogAction,
    nowMs: number,
    decision?: FlowDecision,
  ): void {
    const startMs = nowMs - (nowMs % this.windowMs);
    let w = this.windows.get(startMs);
    if (!w) {
      w = { startMs, flows: new Map(), skipped: new Map(), count: 0 };
      this.windows.set(startMs, w);
    }
    let eniNo = this.eniNumbers.get(eniId);
    if (eniNo === undefined) {
      if (this.eniNumbers.size >= 65536) this.eniNumbers.clear(); // numbers only feed the hash
      eniNo = this.eniNumbers.size;
      this.eniNumbers.set(eniId, eniNo);
    }
    const key = flowHash(eniNo, outbound, pkt, action);
    const head = w.flows.get(key);
    const flags = pkt.protocol === TCP ? pkt.tcpFlags & TCP_FLAG_MASK : 0;
    for (let a = head; a !== undefined; a = a.next) {
      if (
        a.eniNo !== eniNo ||
        a.outbound !== outbound ||
        a.action !== action ||
        a.protocol !== pkt.protocol ||
        a.srcPort !== pkt.srcPort ||
        a.dstPort !== pkt.dstPort ||
        a.eni !== eniId ||
        !sameBytes(a.srcBytes, pkt.src) ||
        !sameBytes(a.dstBytes, pkt.dst)
      ) {
        continue;
      }
      a.tcpFlags |= flags;
      a.packets += pkt.segments ?? 1;
      a.bytes += bytes;
      a.lastMs = nowMs;
      return;
    }
    if (w.count >= this.maxRecords) {
      const s = w.skipped.get(eniId);
      if (s) s.lastMs = nowMs;
      else w.skipped.set(eniId, { firstMs: nowMs, lastMs: nowMs });
      return;
    }
    const v4 = pkt.family === 4 && primaryIpv4 !== undefined;
    const pktSrc = formatIpAddress(pkt.src);
    const pktDst = formatIpAddress(pkt.dst);
    const src = v4 && outbound ? primaryIpv4 : pktSrc;
    const dst = v4 && !outbound ? primaryIpv4 : pktDst;
    w.count++;
    w.flows.set(key, {
      eni: eniId,
      eniNo,
      srcBytes: pkt.src.slice(),
      dstBytes: pkt.dst.slice(),
      next: head,
      src,
      dst,
      srcPort: pkt.srcPort,
      dstPort: pkt.dstPort,
      protocol: pkt.protocol,
      action,
      outbound,
      pktSrc,
      pktDst,
      tcpFlags: flags,
      decision,
      packets: pkt.segments ?? 1,
      bytes,
      firstMs: nowMs,
      lastMs: nowMs,
    });
  }

  /**
   * Closes every window that ended at or before nowMs and returns its records: OK records,
   * one SKIPDATA per ENI that overflowed, and one NODATA per ENI in `enis` with no traffic
   * in the window (FL-5). Windows with no traffic at all on any ENI still yield NODATA records
   * for `enis`, from the earliest window not yet closed (`sinceMs`, if given) onwards.
   */
  flush(nowMs: number, enis: readonly string[], sinceMs?: number): FlowLogRecord[] {
    const out: FlowLogRecord[] = [];
    const currentStart = nowMs - (nowMs % this.windowMs);
    const starts = new Set<number>();
    for (const s of this.windows.keys()) if (s < currentStart) starts.add(s);
    if (sinceMs !== undefined) {
      for (let s = sinceMs - (sinceMs % this.windowMs); s < currentStart; s += this.windowMs) {
        starts.add(s);
      }
    }
    for (const startMs of [...starts].sort((a, b) => a - b)) {
      const w = this.windows.get(startMs);
      this.windows.delete(startMs);
      const seen = new Set<string>();
      if (w) {
        // Records in the order their flows began (a chain's head is its newest).
        const all: Aggregate[] = [];
        for (const head of w.flows.values()) {
          const at = all.length;
          for (let a: Aggregate | undefined = head; a !== undefined; a = a.next) all.push(a);
          if (all.length - at > 1) all.splice(at, all.length - at, ...all.slice(at).reverse());
        }
        for (const a of all) {
          seen.add(a.eni);
          out.push({
            version: 2,
            accountId: this.accountId,
            interfaceId: a.eni,
            srcaddr: a.src,
            dstaddr: a.dst,
            srcport: a.srcPort,
            dstport: a.dstPort,
            protocol: a.protocol,
            packets: a.packets,
            bytes: a.bytes,
            start: Math.floor(a.firstMs / 1000),
            end: Math.floor(a.lastMs / 1000),
            action: a.action,
            logStatus: "OK",
            extra: {
              flowDirection: a.outbound ? "egress" : "ingress",
              tcpFlags: a.tcpFlags,
              pktSrcaddr: a.pktSrc,
              pktDstaddr: a.pktDst,
            },
            ...(a.decision !== undefined ? { decision: a.decision } : {}),
          });
        }
        for (const [eni, s] of w.skipped) {
          seen.add(eni);
          out.push(this.empty(eni, s.firstMs, s.lastMs, "SKIPDATA"));
        }
      }
      for (const eni of enis) {
        if (!seen.has(eni)) out.push(this.empty(eni, startMs, startMs + this.windowMs, "NODATA"));
      }
    }
    return out;
  }

  private empty(eni: string, fromMs: number, toMs: number, status: FlowLogStatus): FlowLogRecord {
    return {
      version: 2,
      accountId: this.accountId,
      interfaceId: eni,
      srcaddr: "-",
      dstaddr: "-",
      srcport: "-",
      dstport: "-",
      protocol: "-",
      packets: "-",
      bytes: "-",
      start: Math.floor(fromMs / 1000),
      end: Math.floor(toMs / 1000),
      action: "-",
      logStatus: status,
    };
  }
}

/** FNV-1a-style hash of a flow's key fields, 32 bits. */
function flowHash(
  eniNo: number,
  outbound: boolean,
  p: DecodedPacket,
  action: FlowLogAction,
): number {
  let h = Math.imul(0x811c9dc5 ^ eniNo, 0x01000193);
  h = Math.imul(
    h ^ ((outbound ? 1 : 0) | (action === "ACCEPT" ? 2 : 0) | (p.protocol << 2)),
    0x01000193,
  );
  h = Math.imul(h ^ ((p.srcPort << 16) | p.dstPort), 0x01000193);
  h = hashBytes(h, p.src);
  return hashBytes(h, p.dst) >>> 0;
}

function hashBytes(h: number, a: Uint8Array): number {
  for (let i = 0; i + 3 < a.length; i += 4) {
    h = Math.imul(
      h ^ ((a[i]! << 24) | (a[i + 1]! << 16) | (a[i + 2]! << 8) | a[i + 3]!),
      0x01000193,
    );
  }
  return h;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
