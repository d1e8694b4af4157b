/**
 * The controller side of the agent protocol: protobuf frames (proto/vpcemu/v1/control.proto)
 * <-> domain types. The only controller file that imports proto/gen (STYLE.md §2, §4.9);
 * node-agent/control/wire.ts is its mirror. Decoding never throws: a bad frame comes back as
 * a WireError so the hub can close just that connection.
 */
import { vpcemu } from "../../proto/gen/vpcemu.js";
import type {
  AgentSnapshot,
  CompiledEniPolicy,
  CompiledRoute,
  CompiledRule,
  MappingEntry,
  NaclEntry,
  RouteTargetKind,
} from "../policy/compiled-policy.js";
import type { CompiledFault, FaultCounters } from "../policy/compiled-fault.js";
import type { ExternalAddress } from "../policy/mapping-table.js";
import type {
  ConntrackEntryReport,
  ConntrackReport,
  CountersReport,
  EniCounters,
  FlowLogRecord,
  FlowTuple,
} from "../reports/report-types.js";
import type { TraceControl, TraceEventRecord, VerdictEventBatch } from "../traces/trace-types.js";

import type { AuditEvent, AuditEventBatch } from "../audit/audit-types.js";

const pb = vpcemu.v1;

/** What an agent hosts (Hello.hosting / Hosting frame). */
export interface Hosting {
  readonly instanceIds: readonly string[];
  readonly eniIds: readonly string[];
  readonly externals: readonly ExternalAddress[];
  /** Underlay UDP endpoint "host:port"; "" if not known yet. */
  readonly underlayEndpoint: string;
  /** Node allowance (MET-1); undefined = controller default. */
  readonly conntrackMax?: number;
  readonly autoTracked?: boolean;
}

export interface HelloInfo {
  readonly agentId: string;
  readonly joinToken: string;
  readonly hosting: Hosting;
  readonly version: string;
  readonly enforcedRevision: number;
  /** The agent's credential ("" = none; docs/agent.md "Agent identity"). */
  readonly agentKey: string;
}

/** Wire error codes (control.proto ErrorCode). */
export const WireErrorCode = {
  BadFrame: "bad_frame",
  HelloRequired: "hello_required",
  JoinToken: "join_token",
  DuplicateAgent: "duplicate_agent",
  Internal: "internal",
  AgentKey: "agent_key",
  Limit: "limit",
} as const;
export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

const ERROR_TO_PB: Record<WireErrorCode, vpcemu.v1.ErrorCode> = {
  bad_frame: pb.ErrorCode.ERROR_CODE_BAD_FRAME,
  hello_required: pb.ErrorCode.ERROR_CODE_HELLO_REQUIRED,
  join_token: pb.ErrorCode.ERROR_CODE_JOIN_TOKEN,
  duplicate_agent: pb.ErrorCode.ERROR_CODE_DUPLICATE_AGENT,
  internal: pb.ErrorCode.ERROR_CODE_INTERNAL,
  agent_key: pb.ErrorCode.ERROR_CODE_AGENT_KEY,
  limit: pb.ErrorCode.ERROR_CODE_LIMIT,
};

/** A frame an agent sent, decoded. */
export type AgentFrame =
  | { readonly kind: "hello"; readonly hello: HelloInfo }
  | { readonly kind: "hosting"; readonly hosting: Hosting }
  | {
      readonly kind: "ack";
      readonly revision: number;
      readonly generation: number;
    }
  | { readonly kind: "conntrack-report"; readonly report: ConntrackReport }
  | { readonly kind: "counters"; readonly counters: CountersReport }
  | { readonly kind: "flow-logs"; readonly records: readonly FlowLogRecord[] }
  | {
      readonly kind: "heartbeat";
      readonly sentAtMs: number;
      readonly reply: boolean;
    }
  | { readonly kind: "audit-events"; readonly batch: AuditEventBatch }
  | { readonly kind: "captured-packets"; readonly packets: CapturedPackets }
  | { readonly kind: "verdict-events"; readonly batch: VerdictEventBatch }
  | { readonly kind: "error"; readonly code: string; readonly message: string };

/** A packet capture to start on an agent, or stop (proto CaptureControl). */
export interface CaptureControl {
  readonly captureId: string;
  readonly stop?: boolean;
  /** ENI ids or "ext:NAME"; empty = every port the agent hosts. */
  readonly ports?: readonly string[];
  readonly filter?: string;
  readonly underlay?: boolean;
  readonly snaplen?: number;
  readonly maxPackets?: number;
}

/** An agent's word on a capture (proto CapturedPackets). */
export interface CapturedPackets {
  readonly captureId: string;
  readonly started: boolean;
  /** "" = none. */
  readonly error: string;
  /** Whole pcapng blocks (may be empty). */
  readonly pcapng: Uint8Array;
  readonly packets: number;
  readonly dropped: number;
  readonly finished: boolean;
}

/** A frame that could not be decoded, or one the controller never accepts from an agent. */
export interface WireError {
  readonly kind: "wire-error";
  readonly message: string;
}

function str(v: string | null | undefined): string {
  return v ?? "";
}
/** A decoded scalar as a number: 64-bit fields decode to Long (protobufjs bundles `long`). */
function num(v: unknown): number {
  if (typeof v === "number") return v;
  if (
    typeof v === "object" &&
    v !== null &&
    typeof (v as { toNumber?: unknown }).toNumber === "function"
  ) {
    return (v as { toNumber(): number }).toNumber();
  }
  return 0;
}
function list<T>(v: T[] | null | undefined): T[] {
  return v ?? [];
}

function hostingFromPb(h: vpcemu.v1.IHosting | null | undefined): Hosting {
  const max = num(h?.conntrackMax);
  return {
    instanceIds: list(h?.instanceIds),
    eniIds: list(h?.eniIds),
    externals: list(h?.externals).map((e) => ({
      name: str(e.name),
      address: str(e.address),
    })),
    underlayEndpoint: str(h?.underlayEndpoint),
    ...(max > 0 ? { conntrackMax: max } : {}),
    ...(h?.autoTracked === true ? { autoTracked: true } : {}),
  };
}

function tupleFromPb(t: vpcemu.v1.IFlowTuple | null | undefined): FlowTuple {
  return {
    src: str(t?.src),
    srcPort: num(t?.srcPort),
    dst: str(t?.dst),
    dstPort: num(t?.dstPort),
  };
}

function conntrackFromPb(r: vpcemu.v1.IConntrackReport): ConntrackReport {
  return {
    requestId: str(r.requestId),
    takenAtMs: num(r.takenAtMs),
    enis: list(r.enis).map((e) => ({
      eniId: str(e.eniId),
      instanceId: str(e.instanceId),
      entries: list(e.entries).map((c): ConntrackEntryReport => ({
        protocol: num(c.protocol),
        original: tupleFromPb(c.original),
        reply: tupleFromPb(c.reply),
        state: str(c.state),
        expiresAtMs: num(c.expiresAtMs),
        packetsOriginal: num(c.packetsOriginal),
        bytesOriginal: num(c.bytesOriginal),
        packetsReply: num(c.packetsReply),
        bytesReply: num(c.bytesReply),
        ruleId: str(c.ruleId),
        direction: str(c.direction),
      })),
    })),
  };
}

function faultCountersFromPb(f: vpcemu.v1.IFaultCounters): FaultCounters {
  return {
    faultId: str(f.faultId),
    matched: num(f.matched),
    delayed: num(f.delayed),
    dropped: num(f.dropped),
    duplicated: num(f.duplicated),
    corrupted: num(f.corrupted),
    reordered: num(f.reordered),
    rejected: num(f.rejected),
    queueOverflow: num(f.queueOverflow),
    rateLimited: num(f.rateLimited),
  };
}

function countersFromPb(c: vpcemu.v1.ICounters): CountersReport {
  const faults = list(c.faults).map(faultCountersFromPb);
  return {
    takenAtMs: num(c.takenAtMs),
    ...(faults.length > 0 ? { faults } : {}),
    enis: list(c.enis).map((e): EniCounters => {
      const drops: Record<string, number> = {};
      for (const [k, v] of Object.entries(e.drops ?? {})) drops[k] = num(v as number);
      return {
        eniId: str(e.eniId),
        instanceId: str(e.instanceId),
        drops,
        conntrackAllowanceExceeded: num(e.conntrackAllowanceExceeded),
        conntrackAllowanceAvailable: num(e.conntrackAllowanceAvailable),
        bwInAllowanceExceeded: num(e.bwInAllowanceExceeded),
        bwOutAllowanceExceeded: num(e.bwOutAllowanceExceeded),
        ppsAllowanceExceeded: num(e.ppsAllowanceExceeded),
        linklocalAllowanceExceeded: num(e.linklocalAllowanceExceeded),
        packetsAccepted: num(e.packetsAccepted),
        ...(num(e.auditWouldBlock) + num(e.auditWouldAllow) > 0
          ? { auditWouldBlock: num(e.auditWouldBlock), auditWouldAllow: num(e.auditWouldAllow) }
          : {}),
      };
    }),
  };
}

/** One audit-mode event (report.proto AuditEvent). */
function auditEventFromPb(e: vpcemu.v1.IAuditEvent): AuditEvent {
  const icmp = e.icmpType != null && e.icmpType >= 0;
  return {
    eniId: str(e.eniId),
    direction: str(e.direction) === "egress" ? "egress" : "ingress",
    kind: str(e.kind) === "would_allow" ? "would_allow" : "would_block",
    protocol: num(e.protocol),
    src: str(e.src),
    srcPort: num(e.srcPort),
    dst: str(e.dst),
    dstPort: num(e.dstPort),
    ...(icmp ? { icmpType: num(e.icmpType), icmpCode: num(e.icmpCode) } : {}),
    ...(str(e.enforcedRuleId) !== "" ? { enforcedRuleId: str(e.enforcedRuleId) } : {}),
    ...(str(e.stagedRuleId) !== "" ? { stagedRuleId: str(e.stagedRuleId) } : {}),
    packets: num(e.packets),
    bytes: num(e.bytes),
    firstAtMs: num(e.firstAtMs),
    lastAtMs: num(e.lastAtMs),
  };
}

/** Decode one binary WebSocket message from an agent. Never throws. */
export function decodeAgentFrame(bytes: Uint8Array): AgentFrame | WireError {
  let f: vpcemu.v1.Frame;
  try {
    f = pb.Frame.decode(bytes);
  } catch (err) {
    return {
      kind: "wire-error",
      message: `undecodable frame: ${(err as Error).message}`,
    };
  }
  try {
    switch (f.body) {
      case "hello": {
        const h = f.hello!;
        return {
          kind: "hello",
          hello: {
            agentId: str(h.agentId),
            joinToken: str(h.joinToken),
            hosting: hostingFromPb(h.hosting),
            version: str(h.version),
            enforcedRevision: num(h.enforcedRevision),
            agentKey: str(h.agentKey),
          },
        };
      }
      case "hosting":
        return { kind: "hosting", hosting: hostingFromPb(f.hosting) };
      case "ack":
        return {
          kind: "ack",
          revision: num(f.ack!.revision),
          generation: num(f.ack!.generation),
        };
      case "conntrackReport":
        return {
          kind: "conntrack-report",
          report: conntrackFromPb(f.conntrackReport!),
        };
      case "counters":
        return { kind: "counters", counters: countersFromPb(f.counters!) };
      case "flowLogs":
        return {
          kind: "flow-logs",
          records: list(f.flowLogs!.records).map((r) => {
            const direction = str(r.flowDirection);
            return {
              eniId: str(r.eniId),
              line: str(r.line),
              // An agent without these fields sends "" (proto3 default): all absent.
              ...(direction === ""
                ? {}
                : {
                    flowDirection: direction,
                    tcpFlags: num(r.tcpFlags),
                    pktSrcaddr: str(r.pktSrcaddr),
                    pktDstaddr: str(r.pktDstaddr),
                  }),
              ...(str(r.sgRuleId) !== "" ? { sgRuleId: str(r.sgRuleId) } : {}),
              ...(num(r.naclRuleNumber) > 0 ? { naclRule: num(r.naclRuleNumber) } : {}),
              ...(str(r.dropReason) !== "" ? { dropReason: str(r.dropReason) } : {}),
            };
          }),
        };
      case "heartbeat":
        return {
          kind: "heartbeat",
          sentAtMs: num(f.heartbeat!.sentAtMs),
          reply: f.heartbeat!.reply === true,
        };
      case "capturedPackets": {
        const c = f.capturedPackets!;
        return {
          kind: "captured-packets",
          packets: {
            captureId: str(c.captureId),
            started: c.started === true,
            error: str(c.error),
            pcapng: c.pcapng ?? new Uint8Array(0),
            packets: num(c.packets),
            dropped: num(c.dropped),
            finished: c.finished === true,
          },
        };
      }
      case "verdictEvents": {
        const v = f.verdictEvents!;
        return {
          kind: "verdict-events",
          batch: {
            traceId: str(v.traceId),
            events: (v.events ?? []).map(verdictEventFromPb),
            lost: num(v.lost),
            finished: v.finished === true,
            error: str(v.error),
          },
        };
      }
      case "auditEvents": {
        const a = f.auditEvents!;
        return {
          kind: "audit-events",
          batch: { events: list(a.events).map(auditEventFromPb), lost: num(a.lost) },
        };
      }
      case "error":
        return {
          kind: "error",
          code: str(f.error!.emuCode),
          message: str(f.error!.message),
        };
      case undefined:
        return { kind: "wire-error", message: "frame has no body" };
      default:
        return {
          kind: "wire-error",
          message: `frame '${f.body}' is not accepted from an agent`,
        };
    }
  } catch (err) {
    return {
      kind: "wire-error",
      message: `malformed frame: ${(err as Error).message}`,
    };
  }
}

const PEER_TO_PB = {
  cidr: pb.PeerKind.PEER_KIND_CIDR,
  sg: pb.PeerKind.PEER_KIND_SECURITY_GROUP,
  "prefix-list": pb.PeerKind.PEER_KIND_PREFIX_LIST,
} as const;

function ruleToPb(r: CompiledRule): vpcemu.v1.ICompiledRule {
  return {
    ruleId: r.ruleId,
    groupId: r.groupId,
    protocol: r.protocol,
    fromPort: r.fromPort,
    toPort: r.toPort,
    cidrs: [...r.cidrs],
    peerKind: PEER_TO_PB[r.peer.kind],
    peerId:
      r.peer.kind === "sg"
        ? r.peer.groupId
        : r.peer.kind === "prefix-list"
          ? r.peer.prefixListId
          : "",
    ...(r.description !== undefined ? { description: r.description } : {}),
  };
}

function naclToPb(e: NaclEntry): vpcemu.v1.INaclEntry {
  return {
    ruleNumber: e.ruleNumber,
    action: e.action === "allow" ? pb.NaclAction.NACL_ACTION_ALLOW : pb.NaclAction.NACL_ACTION_DENY,
    protocol: e.protocol,
    cidr: e.cidr,
    fromPort: e.fromPort,
    toPort: e.toPort,
    icmpType: e.icmpType,
    icmpCode: e.icmpCode,
  };
}

const ROUTE_KIND_TO_PB: Record<RouteTargetKind, vpcemu.v1.RouteTargetKind> = {
  local: pb.RouteTargetKind.ROUTE_TARGET_KIND_LOCAL,
  peering: pb.RouteTargetKind.ROUTE_TARGET_KIND_PEERING,
  blackhole: pb.RouteTargetKind.ROUTE_TARGET_KIND_BLACKHOLE,
  "internet-gateway": pb.RouteTargetKind.ROUTE_TARGET_KIND_INTERNET_GATEWAY,
  "egress-only-internet-gateway": pb.RouteTargetKind.ROUTE_TARGET_KIND_EGRESS_ONLY_INTERNET_GATEWAY,
  "nat-gateway": pb.RouteTargetKind.ROUTE_TARGET_KIND_NAT_GATEWAY,
  "network-interface": pb.RouteTargetKind.ROUTE_TARGET_KIND_NETWORK_INTERFACE,
};

function routeToPb(r: CompiledRoute): vpcemu.v1.ICompiledRoute {
  return {
    destination: r.destination,
    kind: ROUTE_KIND_TO_PB[r.kind],
    targetId: r.targetId,
    peerVpcId: r.peerVpcId ?? "",
    nextHop: r.nextHop ?? "",
  };
}

function mappingToPb(m: MappingEntry): vpcemu.v1.IMappingEntry {
  return { ...m };
}

const DISTRIBUTION_TO_PB = {
  uniform: pb.DelayDistribution.DELAY_DISTRIBUTION_UNIFORM,
  normal: pb.DelayDistribution.DELAY_DISTRIBUTION_NORMAL,
  pareto: pb.DelayDistribution.DELAY_DISTRIBUTION_PARETO,
  paretonormal: pb.DelayDistribution.DELAY_DISTRIBUTION_PARETONORMAL,
} as const;

function faultToPb(f: CompiledFault): vpcemu.v1.ICompiledFault {
  const e = f.effects;
  return {
    faultId: f.faultId,
    pairs: f.pairs.map((p) => ({
      from: { any: p.from.any, portKeys: [...p.from.portKeys] },
      to: { any: p.to.any, portKeys: [...p.to.portKeys] },
      reverse: p.reverse,
    })),
    protocol: f.protocol,
    fromPort: f.fromPort,
    toPort: f.toPort,
    effects: {
      ...(e.delay !== undefined
        ? {
            delay: {
              latencyMs: e.delay.latencyMs,
              jitterMs: e.delay.jitterMs,
              correlation: e.delay.correlation,
              distribution: DISTRIBUTION_TO_PB[e.delay.distribution],
            },
          }
        : {}),
      ...(e.loss !== undefined
        ? {
            loss: {
              percent: e.loss.percent,
              correlation: e.loss.correlation,
              gilbertElliott: e.loss.gilbertElliott,
              geP: e.loss.geP,
              geR: e.loss.geR,
              ge_1h: e.loss.ge1h,
              ge_1k: e.loss.ge1k,
            },
          }
        : {}),
      ...(e.duplicate !== undefined ? { duplicate: { ...e.duplicate } } : {}),
      ...(e.corrupt !== undefined ? { corrupt: { ...e.corrupt } } : {}),
      ...(e.reorder !== undefined ? { reorder: { ...e.reorder } } : {}),
      ...(e.rate !== undefined ? { rate: { ...e.rate } } : {}),
      blackhole: e.blackhole,
      reject: e.reject,
    },
    seed: f.seed,
    startAtMs: f.startAtMs,
    endAtMs: f.endAtMs,
    queueLimitPackets: f.queueLimitPackets,
  };
}

const WT_VARINT = 0;
const WT_LEN = 2;
const utf8 = new TextEncoder();

/** A growable byte buffer with the few protobuf writes the snapshot encoder needs. */
class ByteBuilder {
  private buf: Uint8Array;
  private len = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Unsigned varint of a non-negative safe integer (uint32/uint64 below 2^53). */
  varint(v: number): this {
    this.ensure(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.len++] = v;
    return this;
  }

  raw(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Field `field` as a length-delimited value holding `b` (embedded message, bytes). */
  message(field: number, b: Uint8Array): this {
    return this.varint((field << 3) | WT_LEN)
      .varint(b.length)
      .raw(b);
  }

  /** Field `field` as a varint; proto3 default 0/false is omitted. */
  uint(field: number, v: number): this {
    return v === 0 ? this : this.varint((field << 3) | WT_VARINT).varint(v);
  }

  /** Field `field` as a string; proto3 default "" is omitted unless `always` (repeated). */
  string(field: number, v: string, always = false): this {
    return v === "" && !always ? this : this.message(field, utf8.encode(v));
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/**
 * Encodings cached per immutable object. The compiler shares one CompiledRule / NaclEntry
 * object among every ENI of a group or subnet, keeps ENI policies that did not change, and
 * reuses mapping entries, so a push to 100 agents encodes each of them once.
 */
const ruleBytes = new WeakMap<CompiledRule, Uint8Array>();
const naclBytes = new WeakMap<NaclEntry, Uint8Array>();
const eniBytes = new WeakMap<CompiledEniPolicy, Uint8Array>();
const faultBytes = new WeakMap<CompiledFault, Uint8Array>();
const routeBytes = new WeakMap<CompiledRoute, Uint8Array>();
/** Mapping entry as a complete `mapping` field (tag + length + message). */
const mappingField = new WeakMap<MappingEntry, Uint8Array>();
/** A whole mapping table's fields, by table: agents of the same VPCs share one (compile.ts). */
const mappingTable = new WeakMap<readonly MappingEntry[], Uint8Array>();

function encodeMappingTable(mapping: readonly MappingEntry[]): Uint8Array {
  const b = new ByteBuilder(64 * mapping.length + 16);
  for (const m of mapping) b.raw(cached(mappingField, m, encodeMappingField));
  return b.finish();
}

function cached<K extends object>(
  cache: WeakMap<K, Uint8Array>,
  key: K,
  make: (k: K) => Uint8Array,
): Uint8Array {
  let b = cache.get(key);
  if (b === undefined) {
    b = make(key);
    cache.set(key, b);
  }
  return b;
}

function encodeRule(r: CompiledRule): Uint8Array {
  return pb.CompiledRule.encode(ruleToPb(r)).finish();
}

function encodeNacl(e: NaclEntry): Uint8Array {
  return pb.NaclEntry.encode(naclToPb(e)).finish();
}

function encodeRoute(r: CompiledRoute): Uint8Array {
  return pb.CompiledRoute.encode(routeToPb(r)).finish();
}

function encodeFault(f: CompiledFault): Uint8Array {
  return pb.CompiledFault.encode(faultToPb(f)).finish();
}

function encodeMappingField(m: MappingEntry): Uint8Array {
  return new ByteBuilder(64).message(4, pb.MappingEntry.encode(mappingToPb(m)).finish()).finish();
}

/** CompiledEniPolicy (policy.proto field numbers), sub-messages from the caches. */
function encodeEni(p: CompiledEniPolicy): Uint8Array {
  const b = new ByteBuilder(2048)
    .uint(1, p.revision)
    .string(2, p.eniId)
    .string(3, p.instanceId)
    .string(4, p.vpcId)
    .string(5, p.subnetId);
  for (const a of p.ipv4) b.string(6, a, true);
  for (const a of p.ipv6) b.string(7, a, true);
  b.uint(8, p.sourceDestCheck ? 1 : 0);
  for (const r of p.ingress) b.message(9, cached(ruleBytes, r, encodeRule));
  for (const r of p.egress) b.message(10, cached(ruleBytes, r, encodeRule));
  for (const e of p.naclIn) b.message(11, cached(naclBytes, e, encodeNacl));
  for (const e of p.naclOut) b.message(12, cached(naclBytes, e, encodeNacl));
  b.message(
    13,
    pb.ConntrackTimeouts.encode({
      tcpEstablished: p.timeouts.tcpEstablished,
      udp: p.timeouts.udp,
      udpStream: p.timeouts.udpStream,
    }).finish(),
  );
  b.uint(14, p.allowance)
    .uint(15, p.autoTracked ? 1 : 0)
    .uint(16, p.conntrackEpoch ?? 0)
    .uint(17, p.instanceStopped === true ? 1 : 0)
    .string(18, p.routeTableId ?? "");
  for (const r of p.routes ?? []) b.message(19, cached(routeBytes, r, encodeRoute));
  for (const a of p.publicIpv4 ?? [])
    b.message(
      20,
      pb.PublicAddress.encode({
        publicIp: a.publicIp,
        privateIp: a.privateIp,
      }).finish(),
    );
  if (p.natGateway !== undefined)
    b.message(21, pb.CompiledNatGateway.encode({ ...p.natGateway }).finish());
  for (const g of p.groupIds ?? []) b.string(35, g, true);
  b.string(36, p.naclId ?? "");
  if (p.audit !== undefined) {
    // Audit mode (policy.proto 30-32): the staged rule set, never enforced.
    b.uint(30, 1);
    for (const r of p.audit.ingress) b.message(31, cached(ruleBytes, r, encodeRule));
    for (const r of p.audit.egress) b.message(32, cached(ruleBytes, r, encodeRule));
  }
  return b.finish();
}

/**
 * Encode a Snapshot frame; `generation` is the hub's push counter, echoed in the Ack;
 * `reuseMapping` leaves the mapping out (the agent keeps the previous one on this connection).
 * Frame{snapshot=2: Snapshot{snapshot=1: AgentSnapshot{...}, generation=2}}, assembled from
 * cached sub-message encodings (test/unit/controller/hub/wire.test.ts decodes it with the
 * generated decoder).
 */
export function encodeSnapshotFrame(
  s: AgentSnapshot,
  generation = 0,
  reuseMapping = false,
): Uint8Array {
  const body = new ByteBuilder(16 * 1024).uint(1, s.revision).string(2, s.agentId);
  for (const e of s.enis) body.message(3, cached(eniBytes, e, encodeEni));
  if (!reuseMapping) body.raw(cached(mappingTable, s.mapping, encodeMappingTable));
  for (const f of s.faults ?? []) body.message(5, cached(faultBytes, f, encodeFault));
  const bodyBytes = body.finish();
  const snapshot = new ByteBuilder(bodyBytes.length + 32)
    .message(1, bodyBytes)
    .uint(2, generation)
    .uint(3, reuseMapping ? 1 : 0);
  return new ByteBuilder().message(2, snapshot.finish()).finish();
}

/** Encode a ConntrackRequest frame (empty eniIds = all hosted ENIs). */
export function encodeConntrackRequestFrame(
  requestId: string,
  eniIds: readonly string[] = [],
): Uint8Array {
  return pb.Frame.encode({
    conntrackRequest: { requestId, eniIds: [...eniIds] },
  }).finish();
}

/** Encode a Heartbeat frame. */
export function encodeHeartbeatFrame(sentAtMs: number, reply: boolean): Uint8Array {
  return pb.Frame.encode({ heartbeat: { sentAtMs, reply } }).finish();
}

/** Encode an Error frame; `emuCode` is the EMU_ERR_* code shared with the JSON API. */
export function encodeErrorFrame(
  code: WireErrorCode,
  emuCode: string,
  message: string,
): Uint8Array {
  return pb.Frame.encode({
    error: { code: ERROR_TO_PB[code], emuCode, message },
  }).finish();
}

/** Welcome: the credential issued for the agent id of the Hello just accepted. */
export function encodeWelcomeFrame(agentKey: string): Uint8Array {
  return pb.Frame.encode({ welcome: { agentKey } }).finish();
}

/** A CaptureControl frame: start a capture on the agent, or stop it. */
export function encodeCaptureControlFrame(c: CaptureControl): Uint8Array {
  return pb.Frame.encode({
    captureControl: {
      captureId: c.captureId,
      stop: c.stop === true,
      ports: [...(c.ports ?? [])],
      filter: c.filter ?? "",
      underlay: c.underlay === true,
      snaplen: c.snaplen ?? 0,
      maxPackets: c.maxPackets ?? 0,
    },
  }).finish();
}

/** A TraceControl frame (Frame 12): start a verdict trace on the agent, or stop it. */
export function encodeTraceControlFrame(c: TraceControl): Uint8Array {
  const f = c.filter;
  return pb.Frame.encode({
    traceControl: {
      traceId: c.traceId,
      stop: c.stop,
      eniIds: [...c.eniIds],
      expiresAtMs: c.expiresAtMs,
      ...(f !== undefined
        ? {
            filter: {
              verdict: f.verdict ?? "",
              protocol: f.protocol ?? 0,
              address: f.address ?? "",
              port: f.port ?? 0,
            },
          }
        : {}),
    },
  }).finish();
}

/** VerdictEventRecord -> TraceEventRecord (proto sentinels -> absent fields). */
function verdictEventFromPb(e: vpcemu.v1.IVerdictEventRecord): TraceEventRecord {
  const n = (v: unknown): number => num(v);
  const nacl = n(e.naclRuleNumber);
  const proto = n(e.protocol);
  const opt = (k: string, v: string): Record<string, string> => (v !== "" ? { [k]: v } : {});
  const optN = (k: string, v: number): Record<string, number> => (v >= 0 ? { [k]: v } : {});
  return {
    eniId: str(e.eniId),
    direction: str(e.direction) === "egress" ? "egress" : "ingress",
    verdict: str(e.verdict) === "accept" ? "accept" : "drop",
    reason: str(e.reason),
    ...opt("site", str(e.site)),
    ...opt("sgRuleId", str(e.sgRuleId)),
    ...((e.noMatchGroups ?? []).length > 0 ? { noMatchGroups: [...e.noMatchGroups!] } : {}),
    ...opt("naclId", str(e.naclId)),
    ...(nacl === -1 ? { naclRuleNumber: "*" as const } : nacl > 0 ? { naclRuleNumber: nacl } : {}),
    conntrack: str(e.conntrack),
    ...opt("faultId", str(e.faultId)),
    ...optN("protocol", proto),
    ...opt("src", str(e.src)),
    ...opt("dst", str(e.dst)),
    ...optN("srcPort", n(e.srcPort)),
    ...optN("dstPort", n(e.dstPort)),
    ...optN("icmpType", n(e.icmpType)),
    ...optN("icmpCode", n(e.icmpCode)),
    length: n(e.length),
    atMs: n(e.atMs),
  };
}
