/**
 * How one ENI's filter would treat one flow under one compiled policy: the prediction half of
 * `vpcemu whatif` (docs/observability.md "What-if"). PURE: no I/O, no clock.
 *
 * Why this file imports node-agent/filter (STYLE.md §2 says controller/ and node-agent/ never
 * import each other): a prediction that re-implemented SG matching, NACL order and the tracked /
 * untracked test would drift from enforcement the first time either changed. The agent's matchers
 * (SgMatcher, NaclMatcher, TrackingClassifier) are pure, take the compiled policy whose shape
 * controller/policy/compiled-policy.ts duplicates on purpose, and are what EniFilter asks per
 * packet; this is the only controller file that imports them.
 *
 * The model (docs/data-path.md "Decision order"; AWS-BEHAVIOUR IDs):
 * - A flow with a conntrack entry on the ENI (tracked) passes whatever the SG rules say (CT-1,
 *   CT-5); only the NACL, evaluated when the other end is in another subnet, judges each
 *   packet, original and reply (NACL-7, NACL-8, CT-7).
 * - A flow without an entry on the ENI (untracked, CT-2) is judged packet by packet: the
 *   initiator's packets need an SG rule of their direction and the NACL (CT-6). When that rule
 *   would track them (CT-2 step 4), the next one opens an entry (mid-stream pickup, CT-15) and
 *   the replies pass through it; else the replies need a rule of their own direction.
 * - A new connection (no entry anywhere): its first packet needs a rule; if that rule tracks it,
 *   the replies pass through the entry, else they need a rule of their own.
 */
import type { DecodedPacket } from "../../node-agent/packet/decoded-packet.js";
import { parseIpAddress } from "../../node-agent/packet/address.js";
import { SgMatcher } from "../../node-agent/filter/match.js";
import { NaclMatcher } from "../../node-agent/filter/nacl.js";
import { TrackingClassifier } from "../../node-agent/filter/tracking.js";
import type { CompiledEniPolicy } from "../policy/compiled-policy.js";

/** One flow in its original orientation (the initiator's first packet). */
export interface FlowTuple {
  /** IANA protocol number. */
  readonly protocol: number;
  readonly src: string;
  /** TCP/UDP port; ICMP echo: the echo id (CT-8); 0 otherwise. */
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

/** What the flow is to the ENI being judged. */
export type FlowKind =
  /** The ENI holds a conntrack entry for it. */
  | "tracked"
  /** It passes the ENI without an entry (re-judged per packet). */
  | "untracked"
  /** A new connection: no entry, its first packet opens it. */
  | "new";

/** One ENI's side of a flow under one policy. */
export interface SideVerdict {
  readonly eniId: string;
  readonly pass: boolean;
  /** Whether the flow is (or, for a new connection or a pickup, would be) tracked on this ENI. */
  readonly tracked: boolean;
  /** "conntrack": its entry admits it; "rule": SG rules admit it packet by packet. */
  readonly via?: "conntrack" | "rule";
  /** The admitting SG rule, or (pass: false) absent. */
  readonly ruleId?: string;
  readonly groupId?: string;
  /** Why it would be dropped: the agent's drop reason label. */
  readonly reason?: "sg_no_match" | "nacl_denied";
  /** The packet that decided a drop (or the NACL entry), as seen from this ENI. */
  readonly packet?: "original" | "reply";
  readonly direction?: "ingress" | "egress";
  /** NACL entry number that allowed or denied (32767/32768: `*`), when a NACL judged. */
  readonly naclRule?: number;
  readonly networkAclId?: string;
}

/** Matchers of one compiled policy, built once per policy object. */
interface Matchers {
  readonly ingress: SgMatcher;
  readonly egress: SgMatcher;
  readonly naclIn: NaclMatcher;
  readonly naclOut: NaclMatcher;
  readonly tracking: TrackingClassifier;
}

const matcherCache = new WeakMap<CompiledEniPolicy, Matchers>();

function matchersOf(p: CompiledEniPolicy): Matchers {
  let m = matcherCache.get(p);
  if (m === undefined) {
    m = {
      ingress: new SgMatcher(p.ingress),
      egress: new SgMatcher(p.egress),
      naclIn: new NaclMatcher(p.naclIn),
      naclOut: new NaclMatcher(p.naclOut),
      tracking: new TrackingClassifier(p),
    };
    matcherCache.set(p, m);
  }
  return m;
}

const TCP_SYN = 0x02;
const TCP_ACK = 0x10;

/** A synthetic packet of `t` (reply: the other way) as decodePacket would describe it. */
export function packetOf(t: FlowTuple, reply: boolean, kind: FlowKind): DecodedPacket | undefined {
  const a = parseIpAddress(reply ? t.dst : t.src);
  const b = parseIpAddress(reply ? t.src : t.dst);
  if (a === undefined || b === undefined || a.length !== b.length) return undefined;
  const family = a.length === 4 ? 4 : 6;
  const tcpOrUdp = t.protocol === 6 || t.protocol === 17;
  const icmp = t.protocol === (family === 4 ? 1 : 58);
  // ICMP: an echo request one way, its reply the other, keyed by the echo id (CT-8).
  const echoType = family === 4 ? (reply ? 0 : 8) : reply ? 129 : 128;
  const flags =
    t.protocol !== 6 ? 0 : kind === "new" ? (reply ? TCP_SYN | TCP_ACK : TCP_SYN) : TCP_ACK;
  return {
    family,
    src: a,
    dst: b,
    protocol: t.protocol,
    srcPort: tcpOrUdp ? (reply ? t.dstPort : t.srcPort) : 0,
    dstPort: tcpOrUdp ? (reply ? t.srcPort : t.dstPort) : 0,
    tcpFlags: flags,
    tcpSeq: 0,
    tcpAck: 0,
    icmpType: icmp ? echoType : -1,
    icmpCode: icmp ? 0 : -1,
    icmpId: icmp ? t.srcPort : -1,
    icmpError: false,
    fragmentOffset: 0,
    moreFragments: false,
    l3Offset: 0,
    l4Offset: 0,
    payloadOffset: 0,
    length: 0,
  };
}

/** The ENI's side of a flow. */
export interface FlowSide {
  readonly policy: CompiledEniPolicy;
  /** True when the original packet enters this ENI (its destination is the ENI's). */
  readonly originalIngress: boolean;
  /** True when the other end is in another subnet: the NACLs judge (NACL-7). */
  readonly crossesSubnet: boolean;
  readonly networkAclId?: string;
}

interface PacketJudgement {
  readonly naclAllow: boolean;
  readonly naclRule?: number;
  /** Index of the admitting SG rule of the packet's direction, -1 none. */
  readonly rule: number;
  /** Whether a rule-admitted packet would be tracked (CT-2). */
  readonly tracked: boolean;
}

function judgePacket(
  m: Matchers,
  pkt: DecodedPacket,
  ingress: boolean,
  crosses: boolean,
): PacketJudgement {
  const remote = ingress ? pkt.src : pkt.dst;
  let naclAllow = true;
  let naclRule: number | undefined;
  if (crosses) {
    const v = (ingress ? m.naclIn : m.naclOut).evaluate(pkt, remote);
    naclAllow = v.allow;
    naclRule = v.ruleNumber;
  }
  const rule = (ingress ? m.ingress : m.egress).match(pkt, remote);
  const tracked = rule >= 0 && !m.tracking.isUntracked(!ingress, pkt);
  return naclRule === undefined
    ? { naclAllow, rule, tracked }
    : { naclAllow, naclRule, rule, tracked };
}

/** A flow's two packets as judgeSide sees them (packetsOf: once per flow and kind). */
export interface FlowPackets {
  readonly original: DecodedPacket;
  readonly reply: DecodedPacket;
}

/** The original and reply packets of `t` for `kind`; undefined when an address is bad. */
export function packetsOf(t: FlowTuple, kind: FlowKind): FlowPackets | undefined {
  const original = packetOf(t, false, kind);
  const reply = packetOf(t, true, kind);
  return original === undefined || reply === undefined ? undefined : { original, reply };
}

function dirOf(originalIngress: boolean, reply: boolean): "ingress" | "egress" {
  return originalIngress !== reply ? "ingress" : "egress";
}

function dropped(
  side: FlowSide,
  reason: "sg_no_match" | "nacl_denied",
  reply: boolean,
  tracked: boolean,
  naclRule: number | undefined,
): SideVerdict {
  return {
    eniId: side.policy.eniId,
    ...(side.networkAclId !== undefined && side.crossesSubnet
      ? { networkAclId: side.networkAclId }
      : {}),
    pass: false,
    tracked,
    reason,
    packet: reply ? "reply" : "original",
    direction: dirOf(side.originalIngress, reply),
    ...(naclRule !== undefined ? { naclRule } : {}),
  };
}

function admitted(
  side: FlowSide,
  via: "conntrack" | "rule",
  j: PacketJudgement | undefined,
  reply: boolean,
  tracked: boolean,
  naclRule: number | undefined,
): SideVerdict {
  const p = side.policy;
  const direction = dirOf(side.originalIngress, reply);
  const rule =
    j === undefined ? undefined : (direction === "ingress" ? p.ingress : p.egress)[j.rule];
  return {
    eniId: p.eniId,
    ...(side.networkAclId !== undefined && side.crossesSubnet
      ? { networkAclId: side.networkAclId }
      : {}),
    pass: true,
    tracked,
    via,
    ...(rule !== undefined
      ? {
          ruleId: rule.ruleId,
          groupId: rule.groupId,
          direction,
          packet: reply ? ("reply" as const) : ("original" as const),
        }
      : {}),
    ...(naclRule !== undefined ? { naclRule } : {}),
  };
}

/**
 * How `side`'s ENI treats `t` when the flow is `kind` there. Never throws; an address that
 * does not parse makes a drop with reason sg_no_match (nothing could match it). `pkts`: the
 * flow's packets for `kind` when the caller has them (packetsOf), else made here.
 */
export function judgeSide(
  t: FlowTuple,
  side: FlowSide,
  kind: FlowKind,
  pkts: FlowPackets | undefined = packetsOf(t, kind),
): SideVerdict {
  if (pkts === undefined) return dropped(side, "sg_no_match", false, false, undefined);
  const m = matchersOf(side.policy);
  const inO = side.originalIngress;
  const o = judgePacket(m, pkts.original, inO, side.crossesSubnet);
  const r = judgePacket(m, pkts.reply, !inO, side.crossesSubnet);
  // NACLs judge every packet of every flow (NACL-8); the original first, as it comes first.
  if (!o.naclAllow) return dropped(side, "nacl_denied", false, kind === "tracked", o.naclRule);
  if (!r.naclAllow) return dropped(side, "nacl_denied", true, kind === "tracked", r.naclRule);
  const naclRule = o.naclRule ?? r.naclRule;
  // CT-1, CT-5: the entry admits both directions whatever the rules now say.
  if (kind === "tracked") return admitted(side, "conntrack", undefined, false, true, naclRule);
  if (kind === "new") {
    if (o.rule < 0) return dropped(side, "sg_no_match", false, false, undefined);
    // Tracked: the replies pass through the entry the first packet opens.
    if (o.tracked) return admitted(side, "rule", o, false, true, naclRule);
    if (r.rule < 0) return dropped(side, "sg_no_match", true, false, undefined);
    return admitted(side, "rule", o, false, false, naclRule);
  }
  // Untracked, live: the initiator's next packet needs a rule; if that rule tracks it, it
  // opens an entry (mid-stream pickup, CT-15) that lets the replies through, else they need
  // a rule too. Why not also the replies' own pickup: in a request/response flow the
  // initiator speaks first, and its packet is dropped before any reply comes (CT-6).
  if (o.rule < 0) return dropped(side, "sg_no_match", false, false, undefined);
  if (o.tracked || r.rule >= 0) return admitted(side, "rule", o, false, o.tracked, naclRule);
  return dropped(side, "sg_no_match", true, false, undefined);
}
