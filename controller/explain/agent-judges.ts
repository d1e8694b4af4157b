/**
 * The agent's own judges, for explain (controller/explain/path-analysis.ts): the SG matcher, the
 * NACL evaluator and the tracked/untracked classifier of node-agent/filter/, which every agent
 * runs per packet, asked here about one synthetic packet per hop. So a static answer cannot drift
 * from what agents enforce: there is no second implementation of RULE-1..RULE-7, NACL-3..NACL-6
 * or CT-2.
 *
 * Why an import across the controller/node-agent line (STYLE.md §2 keeps them apart): this file
 * is the one place it happens, and it reaches only pure modules (no node: module, no I/O, no
 * clock): filter/match.ts, filter/nacl.ts, filter/tracking.ts, packet/address.ts, the route
 * table's longest-prefix lookup (pipeline/vpc-routes.ts VpcRouteTable) and the types they read. The shapes are the duplicated compiled-policy types, checked assignable both ways by
 * test/unit/controller/policy/compiled-policy.test.ts.
 */
import { SgMatcher } from "../../node-agent/filter/match.js";
import { NaclMatcher } from "../../node-agent/filter/nacl.js";
import { TrackingClassifier } from "../../node-agent/filter/tracking.js";
import type { DecodedPacket } from "../../node-agent/packet/decoded-packet.js";
import { parseIpAddress } from "../../node-agent/packet/address.js";
import { VpcRouteTable } from "../../node-agent/pipeline/vpc-routes.js";
import type {
  CompiledEniPolicy,
  CompiledRoute,
  CompiledRule,
  NaclEntry,
} from "../policy/compiled-policy.js";

/** One packet as explain asks about it: addresses as text, ports or ICMP type/code. */
export interface ProbePacket {
  readonly src: string;
  readonly dst: string;
  /** IANA protocol number (6, 17, 1, 58, ...). */
  readonly protocol: number;
  readonly srcPort: number;
  readonly dstPort: number;
  /** ICMP type and code; -1 for other protocols. */
  readonly icmpType: number;
  readonly icmpCode: number;
}

/** The packet as the agent's decoder would have produced it (a first, unfragmented packet). */
function decoded(p: ProbePacket): DecodedPacket | undefined {
  const src = parseIpAddress(p.src);
  const dst = parseIpAddress(p.dst);
  if (src === undefined || dst === undefined || src.length !== dst.length) return undefined;
  const icmp = p.protocol === 1 || p.protocol === 58;
  return {
    family: src.length === 4 ? 4 : 6,
    src,
    dst,
    protocol: p.protocol,
    srcPort: p.protocol === 6 || p.protocol === 17 ? p.srcPort : 0,
    dstPort: p.protocol === 6 || p.protocol === 17 ? p.dstPort : 0,
    // A SYN: the first packet of a TCP flow.
    tcpFlags: p.protocol === 6 ? 0x02 : 0,
    tcpSeq: 0,
    tcpAck: 0,
    icmpType: icmp ? p.icmpType : -1,
    icmpCode: icmp ? p.icmpCode : -1,
    icmpId: icmp ? 1 : -1,
    icmpError: false,
    fragmentOffset: 0,
    moreFragments: false,
    l3Offset: 0,
    l4Offset: 0,
    payloadOffset: 0,
    length: 0,
  };
}

/** Whether `text` is an IPv4 or IPv6 address the data path would parse. */
export function isIpAddress(text: string): boolean {
  return parseIpAddress(text) !== undefined;
}

/** One ENI's policy, compiled for judging as the agent compiles it (EniFilter's matchers). */
export class EniJudge {
  private readonly ingress: SgMatcher;
  private readonly egress: SgMatcher;
  private readonly naclIn: NaclMatcher;
  private readonly naclOut: NaclMatcher;
  private readonly tracking: TrackingClassifier;
  private readonly routes: VpcRouteTable | undefined;

  constructor(readonly policy: CompiledEniPolicy) {
    this.routes = policy.routes === undefined ? undefined : new VpcRouteTable(policy.routes);
    this.ingress = new SgMatcher(policy.ingress);
    this.egress = new SgMatcher(policy.egress);
    this.naclIn = new NaclMatcher(policy.naclIn);
    this.naclOut = new NaclMatcher(policy.naclOut);
    this.tracking = new TrackingClassifier(policy);
  }

  /**
   * The SG rule admitting `p` in `direction` (its remote end: the source for ingress, the
   * destination for egress), or undefined (sg_no_match).
   */
  sgRule(direction: "ingress" | "egress", p: ProbePacket): CompiledRule | undefined {
    const pkt = decoded(p);
    if (pkt === undefined) return undefined;
    const i =
      direction === "ingress" ? this.ingress.match(pkt, pkt.src) : this.egress.match(pkt, pkt.dst);
    if (i < 0) return undefined;
    return (direction === "ingress" ? this.policy.ingress : this.policy.egress)[i];
  }

  /**
   * The subnet NACL's first matching entry for `p` (inbound: remote = source; outbound: remote =
   * destination): allow or deny and its rule number (undefined: no entry matched, a deny).
   */
  nacl(
    direction: "inbound" | "outbound",
    p: ProbePacket,
  ): { readonly allow: boolean; readonly ruleNumber: number | undefined } {
    const pkt = decoded(p);
    if (pkt === undefined) return { allow: false, ruleNumber: undefined };
    return direction === "inbound"
      ? this.naclIn.evaluate(pkt, pkt.src)
      : this.naclOut.evaluate(pkt, pkt.dst);
  }

  /** CT-2: whether a rule-admitted packet without entry passes untracked (no conntrack entry). */
  untracked(direction: "ingress" | "egress", p: ProbePacket): boolean {
    const pkt = decoded(p);
    return pkt !== undefined && this.tracking.isUntracked(direction === "egress", pkt);
  }

  /** The longest-prefix route of the ENI's subnet table for `address`; undefined: none. */
  route(address: string): CompiledRoute | undefined {
    if (this.routes === undefined) return undefined;
    const a = parseIpAddress(address);
    return a === undefined ? undefined : this.routes.lookup(a)?.route;
  }

  /** Whether the compiled policy carries a route table (older controllers sent none). */
  get hasRoutes(): boolean {
    return this.routes !== undefined;
  }

  /** The NACL entry with `ruleNumber` of one direction, for reports. */
  naclEntry(direction: "inbound" | "outbound", ruleNumber: number): NaclEntry | undefined {
    return (direction === "inbound" ? this.policy.naclIn : this.policy.naclOut).find(
      (e) => e.ruleNumber === ruleNumber,
    );
  }
}
