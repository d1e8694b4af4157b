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
  CompiledRule,
  MappingEntry,
  NaclEntry,
} from "../policy/compiled-policy.js";
import type { ExternalAddress } from "../policy/mapping-table.js";
import type {
  ConntrackEntryReport,
  ConntrackReport,
  CountersReport,
  EniCounters,
  FlowLogRecord,
  FlowTuple,
} from "../reports/report-types.js";

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
}

/** Wire error codes (control.proto ErrorCode). */
export const WireErrorCode = {
  BadFrame: "bad_frame",
  HelloRequired: "hello_required",
  JoinToken: "join_token",
  DuplicateAgent: "duplicate_agent",
  Internal: "internal",
} as const;
export type WireErrorCode = (typeof WireErrorCode)[keyof typeof WireErrorCode];

const ERROR_TO_PB: Record<WireErrorCode, vpcemu.v1.ErrorCode> = {
  bad_frame: pb.ErrorCode.ERROR_CODE_BAD_FRAME,
  hello_required: pb.ErrorCode.ERROR_CODE_HELLO_REQUIRED,
  join_token: pb.ErrorCode.ERROR_CODE_JOIN_TOKEN,
  duplicate_agent: pb.ErrorCode.ERROR_CODE_DUPLICATE_AGENT,
  internal: pb.ErrorCode.ERROR_CODE_INTERNAL,
};

/** A frame an agent sent, decoded. */
export type AgentFrame =
  | { readonly kind: "hello"; readonly hello: HelloInfo }
  | { readonly kind: "hosting"; readonly hosting: Hosting }
  | { readonly kind: "ack"; readonly revision: number; readonly generation: number }
  | { readonly kind: "conntrack-report"; readonly report: ConntrackReport }
  | { readonly kind: "counters"; readonly counters: CountersReport }
  | { readonly kind: "flow-logs"; readonly records: readonly FlowLogRecord[] }
  | { readonly kind: "heartbeat"; readonly sentAtMs: number; readonly reply: boolean }
  | { readonly kind: "error"; readonly code: string; readonly message: string };

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
    externals: list(h?.externals).map((e) => ({ name: str(e.name), address: str(e.address) })),
    underlayEndpoint: str(h?.underlayEndpoint),
    ...(max > 0 ? { conntrackMax: max } : {}),
    ...(h?.autoTracked === true ? { autoTracked: true } : {}),
  };
}

function tupleFromPb(t: vpcemu.v1.IFlowTuple | null | undefined): FlowTuple {
  return { src: str(t?.src), srcPort: num(t?.srcPort), dst: str(t?.dst), dstPort: num(t?.dstPort) };
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

function countersFromPb(c: vpcemu.v1.ICounters): CountersReport {
  return {
    takenAtMs: num(c.takenAtMs),
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
      };
    }),
  };
}

/** Decode one binary WebSocket message from an agent. Never throws. */
export function decodeAgentFrame(bytes: Uint8Array): AgentFrame | WireError {
  let f: vpcemu.v1.Frame;
  try {
    f = pb.Frame.decode(bytes);
  } catch (err) {
    return { kind: "wire-error", message: `undecodable frame: ${(err as Error).message}` };
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
          },
        };
      }
      case "hosting":
        return { kind: "hosting", hosting: hostingFromPb(f.hosting) };
      case "ack":
        return { kind: "ack", revision: num(f.ack!.revision), generation: num(f.ack!.generation) };
      case "conntrackReport":
        return { kind: "conntrack-report", report: conntrackFromPb(f.conntrackReport!) };
      case "counters":
        return { kind: "counters", counters: countersFromPb(f.counters!) };
      case "flowLogs":
        return {
          kind: "flow-logs",
          records: list(f.flowLogs!.records).map((r) => ({
            eniId: str(r.eniId),
            line: str(r.line),
          })),
        };
      case "heartbeat":
        return {
          kind: "heartbeat",
          sentAtMs: num(f.heartbeat!.sentAtMs),
          reply: f.heartbeat!.reply === true,
        };
      case "error":
        return { kind: "error", code: str(f.error!.emuCode), message: str(f.error!.message) };
      case undefined:
        return { kind: "wire-error", message: "frame has no body" };
      default:
        return { kind: "wire-error", message: `frame '${f.body}' is not accepted from an agent` };
    }
  } catch (err) {
    return { kind: "wire-error", message: `malformed frame: ${(err as Error).message}` };
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

function eniToPb(p: CompiledEniPolicy): vpcemu.v1.ICompiledEniPolicy {
  return {
    revision: p.revision,
    eniId: p.eniId,
    instanceId: p.instanceId,
    vpcId: p.vpcId,
    subnetId: p.subnetId,
    ipv4: [...p.ipv4],
    ipv6: [...p.ipv6],
    sourceDestCheck: p.sourceDestCheck,
    ingress: p.ingress.map(ruleToPb),
    egress: p.egress.map(ruleToPb),
    naclIn: p.naclIn.map(naclToPb),
    naclOut: p.naclOut.map(naclToPb),
    timeouts: {
      tcpEstablished: p.timeouts.tcpEstablished,
      udp: p.timeouts.udp,
      udpStream: p.timeouts.udpStream,
    },
    allowance: p.allowance,
    autoTracked: p.autoTracked,
  };
}

function mappingToPb(m: MappingEntry): vpcemu.v1.IMappingEntry {
  return { ...m };
}

/**
 * Per-ENI encode cache: an ENI policy object is immutable (the compiler keeps it across
 * revisions when nothing it depends on changed), so its protobuf form is built once.
 */
const eniCache = new WeakMap<CompiledEniPolicy, vpcemu.v1.ICompiledEniPolicy>();

/** Encode a Snapshot frame; `generation` is the hub's push counter, echoed in the Ack. */
export function encodeSnapshotFrame(s: AgentSnapshot, generation = 0): Uint8Array {
  const enis = s.enis.map((e) => {
    let m = eniCache.get(e);
    if (m === undefined) {
      m = eniToPb(e);
      eniCache.set(e, m);
    }
    return m;
  });
  return pb.Frame.encode({
    snapshot: {
      snapshot: {
        revision: s.revision,
        agentId: s.agentId,
        enis,
        mapping: s.mapping.map(mappingToPb),
      },
      generation,
    },
  }).finish();
}

/** Encode a ConntrackRequest frame (empty eniIds = all hosted ENIs). */
export function encodeConntrackRequestFrame(
  requestId: string,
  eniIds: readonly string[] = [],
): Uint8Array {
  return pb.Frame.encode({ conntrackRequest: { requestId, eniIds: [...eniIds] } }).finish();
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
  return pb.Frame.encode({ error: { code: ERROR_TO_PB[code], emuCode, message } }).finish();
}
