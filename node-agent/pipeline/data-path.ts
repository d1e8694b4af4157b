/**
 * The state one agent's packets walk through (DESIGN.md "The packet's way"): its ports (hosted
 * ENIs and external nodes), the route table, drop counters, flow logs and the underlay outbox.
 * egress.ts and ingress.ts are the two directions; the agent (agent.ts) owns the loops that
 * feed them and swaps ports and routes on every snapshot.
 */
import type { DecodedPacket } from "../packet/decoded-packet.js";
import { segmentedLength } from "../packet/virtio-net.js";
import type { Endpoint, Transport } from "../overlay/transport.js";
import type { FlowLogAggregator } from "../report/flow-log.js";
import { DropCounters } from "./drop-counters.js";
import type { FilterVerdict, Port } from "./port.js";
import { RouteTable, ipv4Key, ipv6Key, type Route } from "./route-table.js";
import { DropReason } from "./verdict.js";
import {
  AcceptReason,
  VerdictEmitter,
  conntrackStateOf,
  naclRuleNumberOf,
  setPacketFields,
  type EventDraft,
} from "./verdict-event.js";

/** Where the data path reports what it cannot count (internal errors), rate-limited. */
export interface DataPathLogger {
  warn(message: string): void;
}

/**
 * The fault step as egress calls it (pipeline/fault-step.ts FaultStep): after the egress
 * verdict, before local delivery or encapsulation (DESIGN.md step 7).
 */
export interface EgressFaults {
  /** Faults installed; egress skips the step when 0. */
  readonly size: number;
  /**
   * Runs the faults of (src.key, route.portKey) on the packet at buf[off, off + len); `dst` is
   * the destination port when it is on this agent. True: the caller forwards the packet as
   * usual; false: it was dropped, or the fault step owns its copies and forwards them itself.
   */
  apply(
    src: Port,
    route: Route,
    dst: Port | undefined,
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
  ): boolean;
}

/**
 * Datagrams of one batch loop waiting for the end of its batch, per destination endpoint. Each
 * loop has its own, so that a loop's buffers stay untouched until its own sends completed.
 */
export class Outbox {
  private readonly queues = new Map<Endpoint, Uint8Array[]>();

  constructor(private readonly transport: Transport) {}

  /** Queues a datagram (a view; the caller keeps the buffer until flush resolves). */
  send(datagram: Uint8Array, to: Endpoint): void {
    const q = this.queues.get(to);
    if (q) q.push(datagram);
    else this.queues.set(to, [datagram]);
  }

  /** Sends every queued datagram; resolves when the buffers may be reused. */
  async flush(): Promise<void> {
    if (this.queues.size === 0) return;
    const sends: Promise<void>[] = [];
    for (const [to, datagrams] of this.queues) sends.push(this.transport.sendBatch(datagrams, to));
    this.queues.clear();
    await Promise.all(sends);
  }
}

/**
 * Shared by both directions of one agent: ports, routes, counters, flow log. Mutated only by the
 * agent (snapshot swap) and read per packet; single-threaded.
 */
export class DataPath {
  /** Hosted ENIs by ENI id. */
  readonly enis = new Map<string, Port>();
  /** External nodes by address key (route-table.ts ipv4Key/ipv6Key). */
  readonly externals = new Map<number | string, Port>();
  routes = new RouteTable([]);
  readonly drops = new DropCounters();
  /**
   * Every decision as one event (verdict-event.ts; docs/observability.md "Verdict events").
   * Subscribe with `verdicts.subscribe(listener)`; nothing is built while none listens.
   */
  readonly verdicts: VerdictEmitter;
  /** The fault step (chaos); undefined = none (pure pipeline tests). */
  faults: EgressFaults | undefined = undefined;
  private lastWarnMs = -Infinity;
  private suppressed = 0;

  constructor(
    readonly agentId: string,
    readonly flowLog: FlowLogAggregator | undefined,
    private readonly logger: DataPathLogger,
    private readonly nowMs: () => number,
  ) {
    this.verdicts = new VerdictEmitter((err) =>
      this.logger.warn(`a verdict listener threw and was removed: ${String(err)}`),
    );
  }

  /** The external-node port owning a destination address, if any. */
  externalFor(addr: Uint8Array): Port | undefined {
    if (this.externals.size === 0) return undefined;
    return this.externals.get(addr.length === 4 ? ipv4Key(addr) : ipv6Key(addr));
  }

  /**
   * THE drop of the data path (STYLE.md §7): counts the packet and its bytes on the port's key
   * ("" when no port applies) and, while someone listens, emits its verdict event. Each call
   * site raises its own reason (verdict.ts). `egress`: the packet was read from `port`'s TUN
   * (false: it was entering `port`, or the agent). The packet is buf[off, off + len) as the
   * site saw it; `pkt` when it decoded. Filter verdicts go through judged() instead.
   */
  drop(
    port: Port | undefined,
    reason: DropReason,
    egress: boolean,
    buf: Uint8Array | undefined,
    off: number,
    len: number,
    pkt?: DecodedPacket,
    faultId?: string,
    site?: string,
  ): void {
    this.drops.count(
      port ? port.key : "",
      reason,
      pkt !== undefined ? wireLength(pkt) : len,
      pkt?.segments ?? 1,
    );
    if (this.verdicts.active) {
      const e: EventDraft = {
        eniId: port ? port.key : "",
        direction: egress ? "egress" : "ingress",
        verdict: "drop",
        reason,
        conntrack: "none",
        length: pkt !== undefined ? pkt.length : len,
        atMs: this.nowMs(),
      };
      if (site !== undefined) e.site = site;
      if (faultId !== undefined) e.faultId = faultId;
      setPacketFields(e, pkt, buf, off, len);
      this.verdicts.emit(e, viewOf(buf, off, len, pkt));
    }
  }

  /**
   * The one site of `instance_stopped` (docs/ec2-api.md INST-2): true, counted on the port, when
   * the port's instance is stopped; a stopped instance neither sends (egress asks before
   * decoding what its TUN produced) nor receives (ingress asks before the destination check).
   * No flow-log record: no SG or NACL judged the packet.
   */
  dropIfStopped(
    port: Port,
    egress: boolean,
    buf: Uint8Array,
    off: number,
    len: number,
    pkt?: DecodedPacket,
  ): boolean {
    if (!port.instanceStopped) return false;
    this.drop(port, DropReason.InstanceStopped, egress, buf, off, len, pkt);
    return true;
  }

  /**
   * An ENI filter's verdict on buf[off, off + len) (decoded as `pkt`): the drop counters (a
   * drop) or the accepted counters, the flow log with what decided it, the verdict event with
   * the SG rule or the groups none of whose rules matched, the NACL entry and the conntrack
   * state. Never for external nodes (they have no filter).
   */
  judged(
    port: Port,
    egress: boolean,
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
    verdict: FilterVerdict,
    nowMs: number,
  ): void {
    const bytes = wireLength(pkt);
    const segs = pkt.segments ?? 1;
    const accept = verdict.action === "allow";
    if (accept) {
      port.accepted += segs;
      port.acceptedBytes += bytes;
    } else {
      this.drops.count(port.key, verdict.reason, bytes, segs);
    }
    if (this.verdicts.active) this.emitJudged(port, egress, pkt, buf, off, len, verdict, nowMs);
    if (this.flowLog === undefined || port.kind !== "eni") return;
    this.flowLog.record(
      port.eniId,
      port.primaryIpv4,
      egress,
      pkt,
      bytes,
      accept ? "ACCEPT" : "REJECT",
      nowMs,
      // Why the verdict itself: it carries the decision fields; no allocation per packet.
      verdict,
    );
  }

  private emitJudged(
    port: Port,
    egress: boolean,
    pkt: DecodedPacket,
    buf: Uint8Array,
    off: number,
    len: number,
    v: FilterVerdict,
    nowMs: number,
  ): void {
    const accept = v.action === "allow";
    const e: EventDraft = {
      eniId: port.key,
      direction: egress ? "egress" : "ingress",
      verdict: accept ? "accept" : "drop",
      reason: accept
        ? v.via === "conntrack"
          ? AcceptReason.ConntrackEstablished
          : AcceptReason.SgRule
        : v.reason,
      conntrack: conntrackStateOf(v),
      length: pkt.length,
      atMs: nowMs,
    };
    if (v.ruleId !== undefined) e.sgRuleId = v.ruleId;
    if (!accept && v.reason === DropReason.SgNoMatch) e.noMatchGroups = groupsOf(port, egress);
    const naclId = port.policy?.naclId;
    const naclRule = accept ? v.naclRule : (v.naclRule ?? v.naclAllowedBy);
    if (naclRule !== undefined) {
      if (naclId !== undefined) e.naclId = naclId;
      e.naclRuleNumber = naclRuleNumberOf(naclRule);
    } else if (!accept && v.reason === DropReason.NaclDenied) {
      // No entry matched at all (a NACL without its `*` entries): the default denies.
      if (naclId !== undefined) e.naclId = naclId;
      e.naclRuleNumber = "*";
    }
    setPacketFields(e, pkt, buf, off, len);
    this.verdicts.emit(e, viewOf(buf, off, len, pkt));
  }

  /**
   * An exception in a batch loop is a bug (STYLE.md §7): counted as internal_error on the port,
   * logged at most once per 5 s with the number suppressed; forwarding goes on.
   */
  internalError(port: Port | undefined, err: unknown): void {
    this.drop(port, DropReason.InternalError, false, undefined, 0, 0);
    const now = this.nowMs();
    if (now - this.lastWarnMs < 5000) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (${this.suppressed} more suppressed)` : "";
    this.suppressed = 0;
    this.lastWarnMs = now;
    const msg = err instanceof Error ? (err.stack ?? err.message) : String(err);
    this.logger.warn(`internal error in the data path on ${port?.key || "agent"}${more}: ${msg}`);
  }
}

/**
 * The IP bytes `pkt` stands for: its length, or for a super-packet the bytes of its segments
 * (each repeats the headers: packet/virtio-net.ts segmentedLength).
 */
export function wireLength(pkt: DecodedPacket): number {
  const s = pkt.segments;
  return s === undefined || s === 1 ? pkt.length : segmentedLength(pkt, s);
}

/** The packet bytes a listener gets: the IP packet (its decoded length) or what the site saw. */
function viewOf(
  buf: Uint8Array | undefined,
  off: number,
  len: number,
  pkt: DecodedPacket | undefined,
): Uint8Array {
  if (buf === undefined) return new Uint8Array(0);
  const n = pkt !== undefined && pkt.length <= len ? pkt.length : len;
  return buf.subarray(off, off + n);
}

/**
 * The groups an `sg_no_match` event names: the ENI's groups (policy.groupIds), else (an older
 * controller) the groups of the direction's rules.
 */
function groupsOf(port: Port, egress: boolean): readonly string[] {
  const p = port.policy;
  if (p === undefined) return [];
  if (p.groupIds !== undefined) return p.groupIds;
  return [...new Set((egress ? p.egress : p.ingress).map((r) => r.groupId))];
}
