/**
 * Explain (docs/observability.md "Explain", EXP-1..EXP-6): for one new flow from a source to a
 * destination, every decision the data path would take on the way there and back, judged on the
 * compiled policy (the revision agents enforce) by the agent's own matchers (agent-judges.ts):
 *
 *   forward:  source instance state -> route (source subnet's table) -> source SG egress ->
 *             source subnet NACL outbound -> [internet gateway] -> destination subnet NACL
 *             inbound -> destination SG ingress (-> destination instance state)
 *   return:   destination SG egress (conntrack, or the rule of an untracked flow) -> route back
 *             (destination subnet's table) -> destination NACL outbound (the reply to the
 *             client's ephemeral port) -> source NACL inbound (same) -> source SG ingress
 *
 * NACL hops are judged only between subnets (NACL-7) and judge the reply on every port of the
 * client's ephemeral range: a NACL that admits only part of it is reported per port range
 * (EXP-3). Each hop names the rule that allows it or says that none does, with Reachability
 * Analyzer's explanation code where one exists and the drop reason the agent counts.
 * Every hop is judged, also after a denying one, as if the packet had got that far: a path can
 * be blocked in several places (as Reachability Analyzer says of its own answers). Existing
 * conntrack entries are not consulted: the answer is for a new flow. PURE: no node: module, no
 * I/O, no clock.
 */
import type { CompiledRoute, CompiledRule } from "../policy/compiled-policy.js";
import type { EniJudge, ProbePacket } from "./agent-judges.js";

/** One end of the path, resolved by explain-service.ts. */
export interface PathEnd {
  /** What the user named it by, as resolved: the node name, else the id or address. */
  readonly label: string;
  readonly kind: "eni" | "external";
  /** The address the end sends from / is reached at privately (an ENI's primary IPv4). */
  readonly address: string;
  /**
   * The destination only: the address packets are sent to when it differs from `address` (an
   * ENI's public IP, internet gateway 1:1 NAT, IGW-5).
   */
  readonly addressedAs?: string;
  readonly eniId?: string;
  readonly instanceId?: string;
  /** VPC id ("" outside every VPC). */
  readonly vpcId: string;
  /** Subnet id; an external node's name (the mapping table's subnet for it). */
  readonly subnetId: string;
  readonly networkAclId?: string;
  /** The ENI's security groups (those with no rule of a direction included). */
  readonly groupIds: readonly string[];
  /** The ENI's compiled policy, as its agent enforces it. */
  readonly judge?: EniJudge;
  /** The instance is stopping or stopped (INST-2). */
  readonly stopped?: boolean;
}

/** The flow asked about. */
export interface FlowSpec {
  /** 6 tcp, 17 udp, 1 icmp (echo request), 58 icmpv6 (echo request). */
  readonly protocol: number;
  /** TCP/UDP destination port; 0 for ICMP. */
  readonly port: number;
  /** The client's source ports (its ephemeral range, inclusive); ICMP ignores them. */
  readonly sourcePorts: { readonly from: number; readonly to: number };
}

/**
 * `unknown`: a hop explain does not analyse (through a NAT gateway's or another interface's
 * translation, docs/routing.md RT-18, NAT-8): the answer is then not `reachable` but `unknown`.
 */
export type HopVerdict = "allow" | "deny" | "partial" | "skip" | "unknown";

export type HopKind =
  | "instance"
  | "route"
  | "sg-egress"
  | "nacl-outbound"
  | "internet-gateway"
  | "nacl-inbound"
  | "sg-ingress";

/** A part of the client's ephemeral range and the NACL entry that decides it. */
export interface PortRangeVerdict {
  readonly from: number;
  readonly to: number;
  readonly allow: boolean;
  /** The deciding entry; undefined: none matched (a deny). */
  readonly ruleNumber?: number;
}

/** One decision of the data path. */
export interface ExplainHop {
  readonly path: "forward" | "return";
  readonly hop: HopKind;
  /** The ENI (or external node) whose agent takes the decision. */
  readonly at: string;
  /** The deciding component: sg ids (comma separated), acl-, rtb-, igw-, i- id. */
  readonly componentId: string;
  readonly verdict: HopVerdict;
  /** How an allowed SG hop passes: by a rule, or by the flow's conntrack entry (CT-1). */
  readonly via?: "rule" | "conntrack";
  /** SG hops: the admitting rule. */
  readonly ruleId?: string;
  readonly groupId?: string;
  /** NACL hops: the deciding entry (undefined: no entry matched). */
  readonly ruleNumber?: number;
  /** Return NACL hops: verdicts per part of the ephemeral range. */
  readonly portRanges?: readonly PortRangeVerdict[];
  /** Route hops: the matched route. */
  readonly route?: {
    readonly destination: string;
    readonly targetId: string;
    readonly kind: string;
  };
  /** Reachability Analyzer's explanation code, where one exists (EXP-4). */
  readonly explanationCode?: string;
  /** The drop reason the agent counts for this hop's deny (docs/agent.md). */
  readonly reason?: string;
  /** One line a person reads: the rule, or why none. */
  readonly detail: string;
}

export interface PathAnalysis {
  /** Every hop of the way there and back allows the flow on every ephemeral port. */
  readonly reachable: boolean;
  readonly forwardReachable: boolean;
  readonly returnReachable: boolean;
  /** Some hop allows only part of the ephemeral range (then `reachable` is false). */
  readonly partial: boolean;
  /** Some hop was not analysed (HopVerdict `unknown`): `reachable` is then false. */
  readonly unknown: boolean;
  readonly hops: readonly ExplainHop[];
}

const PROTOCOL_NAMES: Readonly<Record<number, string>> = {
  [-1]: "all",
  1: "icmp",
  6: "tcp",
  17: "udp",
  58: "icmpv6",
};

/** "tcp", "udp", "icmp", or the number. */
export function protocolName(p: number): string {
  return PROTOCOL_NAMES[p] ?? String(p);
}

/** "sgr-1 (sg-a): tcp 80 from 0.0.0.0/0" for a rule of `direction`. */
export function describeRule(r: CompiledRule, direction: "ingress" | "egress"): string {
  // A NAT gateway's stand-in rule (docs/routing.md NAT-9).
  if (r.groupId === "") return `${r.ruleId}: no security groups, all traffic (NAT-9)`;
  const ports =
    r.protocol === 6 || r.protocol === 17
      ? r.fromPort === r.toPort
        ? ` ${r.fromPort}`
        : ` ${r.fromPort}-${r.toPort}`
      : r.protocol === 1 || r.protocol === 58
        ? r.fromPort < 0
          ? ""
          : ` type ${r.fromPort}${r.toPort >= 0 ? ` code ${r.toPort}` : ""}`
        : "";
  const peer =
    r.peer.kind === "sg"
      ? r.peer.groupId
      : r.peer.kind === "prefix-list"
        ? r.peer.prefixListId
        : (r.cidrs[0] ?? "");
  return `${r.ruleId} (${r.groupId}): ${protocolName(r.protocol)}${ports} ${direction === "ingress" ? "from" : "to"} ${peer}`;
}

const ICMP_ECHO_REQUEST: Readonly<Record<number, number>> = { 1: 8, 58: 128 };
const ICMP_ECHO_REPLY: Readonly<Record<number, number>> = { 1: 0, 58: 129 };

function isIcmp(protocol: number): boolean {
  return protocol === 1 || protocol === 58;
}

/** The first packet of the flow (the client's first source port) and its reply. */
function packets(
  src: string,
  dst: string,
  flow: FlowSpec,
  srcPort: number,
): { forward: ProbePacket; reply: ProbePacket } {
  const icmp = isIcmp(flow.protocol);
  const forward: ProbePacket = {
    src,
    dst,
    protocol: flow.protocol,
    srcPort: icmp ? 0 : srcPort,
    dstPort: icmp ? 0 : flow.port,
    icmpType: icmp ? ICMP_ECHO_REQUEST[flow.protocol]! : -1,
    icmpCode: icmp ? 0 : -1,
  };
  const reply: ProbePacket = {
    src: dst,
    dst: src,
    protocol: flow.protocol,
    srcPort: forward.dstPort,
    dstPort: forward.srcPort,
    icmpType: icmp ? ICMP_ECHO_REPLY[flow.protocol]! : -1,
    icmpCode: icmp ? 0 : -1,
  };
  return { forward, reply };
}

/** The public IP an ENI end leaves from through the internet gateway (IGW-6), if any. */
function publicIpOf(end: PathEnd): string | undefined {
  return end.judge?.policy.publicIpv4?.find((a) => a.privateIp === end.address)?.publicIp;
}

/** Analyses the flow `flow` from `src` to `dst`; see the module comment. */
export function analysePath(
  src: PathEnd,
  dst: PathEnd,
  flow: FlowSpec,
  viaOf?: (address: string) => PathEnd | undefined,
): PathAnalysis {
  const hops: ExplainHop[] = [];
  const dstAddress = dst.addressedAs ?? dst.address;
  // To the internet through a NAT gateway (docs/routing.md NAT-8): its interface's hops too.
  if (src.kind === "eni" && dst.kind === "external" && viaOf !== undefined) {
    const r = src.judge!.route(dstAddress);
    const via = r?.kind === "nat-gateway" && r.nextHop !== undefined ? viaOf(r.nextHop) : undefined;
    if (r !== undefined && via !== undefined) return throughNat(src, via, dst, flow, r);
  }
  // Hairpin (docs/routing.md IGW-10): an instance to another's public IP leaves from its own
  // public IP through the internet gateway, so the destination sees that address as source.
  const hairpin = src.kind === "eni" && dst.kind === "eni" && dst.addressedAs !== undefined;
  const srcSeen = hairpin ? (publicIpOf(src) ?? src.address) : src.address;
  // Each side judges the packet as it is there: the source before any translation, the
  // destination after the gateway's (IGW-5, IGW-6).
  const atSrc = packets(src.address, dstAddress, flow, flow.sourcePorts.from);
  const atDst = packets(srcSeen, dst.address, flow, flow.sourcePorts.from);
  const crosses = src.subnetId !== dst.subnetId;

  // Forward.
  if (src.kind === "eni") hops.push(instanceHop("forward", src));
  hops.push(routeHop("forward", src, dst, dstAddress));
  if (src.kind === "eni") hops.push(sgHop("forward", src, "egress", atSrc.forward));
  if (src.kind === "eni") hops.push(naclHop("forward", src, "outbound", atSrc.forward, crosses));
  if (dst.kind === "eni" && dst.addressedAs !== undefined && (src.kind === "external" || hairpin))
    hops.push(igwInboundHop(srcSeen, dst));
  if (dst.kind === "eni") hops.push(naclHop("forward", dst, "inbound", atDst.forward, crosses));
  if (dst.kind === "eni") hops.push(sgHop("forward", dst, "ingress", atDst.forward));
  if (dst.kind === "eni") hops.push(instanceHop("forward", dst));

  // Return: the reply to each of the client's ephemeral ports.
  if (dst.kind === "eni") hops.push(returnSgHop(dst, "egress", atDst.forward, atDst.reply));
  hops.push(returnRouteHop(src, dst, srcSeen, hairpin));
  if (dst.kind === "eni")
    hops.push(returnNaclHop(dst, "outbound", srcSeen, dst.address, flow, crosses));
  if (src.kind === "eni")
    hops.push(returnNaclHop(src, "inbound", src.address, dstAddress, flow, crosses));
  if (src.kind === "eni") hops.push(returnSgHop(src, "ingress", atSrc.forward, atSrc.reply));

  return summarise(hops);
}

function summarise(hops: ExplainHop[]): PathAnalysis {
  const ok = (h: ExplainHop) => h.verdict === "allow" || h.verdict === "skip";
  const forwardReachable = hops.filter((h) => h.path === "forward").every(ok);
  const returnReachable = hops.filter((h) => h.path === "return").every(ok);
  return {
    reachable: forwardReachable && returnReachable,
    forwardReachable,
    returnReachable,
    partial: hops.some((h) => h.verdict === "partial"),
    unknown: hops.some((h) => h.verdict === "unknown"),
    hops,
  };
}

/** The ports a NAT gateway translates to (docs/routing.md NAT-8): its replies come back to them. */
export const NAT_PORTS = { from: 1024, to: 65535 } as const;

/**
 * An instance to the internet through a NAT gateway (docs/routing.md NAT-8..NAT-12): the
 * instance's SG and NACL outbound, the NAT subnet's NACL inbound, the NAT gateway's allow-all
 * rules, its route (an internet gateway, from its Elastic IP) and NACL outbound; back: the
 * gateway's 1:1 NAT and the NAT subnet's NACL inbound on the NAT gateway's ports, conntrack,
 * the NAT subnet's NACL outbound and the instance's NACL inbound on the instance's ephemeral
 * ports, its conntrack entry.
 */
function throughNat(
  src: PathEnd,
  via: PathEnd,
  dst: PathEnd,
  flow: FlowSpec,
  r: CompiledRoute,
): PathAnalysis {
  const hops: ExplainHop[] = [];
  const dstAddress = dst.address;
  const crossesIn = src.subnetId !== via.subnetId;
  const leg1 = packets(src.address, dstAddress, flow, flow.sourcePorts.from);
  const leg2 = packets(via.address, dstAddress, flow, NAT_PORTS.from);
  const natPublic = publicIpOf(via);
  hops.push(instanceHop("forward", src));
  hops.push({
    path: "forward",
    hop: "route",
    at: src.eniId!,
    componentId: r.targetId,
    verdict: "allow",
    route: { destination: r.destination, targetId: r.targetId, kind: r.kind },
    detail: `${r.destination} -> ${r.targetId}: to its interface ${r.nextHop} (NAT-8)`,
  });
  hops.push(sgHop("forward", src, "egress", leg1.forward));
  hops.push(naclHop("forward", src, "outbound", leg1.forward, crossesIn));
  hops.push(naclHop("forward", via, "inbound", leg1.forward, crossesIn));
  hops.push(sgHop("forward", via, "ingress", leg1.forward));
  hops.push(routeHop("forward", via, dst, dstAddress));
  hops.push(sgHop("forward", via, "egress", leg2.forward));
  hops.push(naclHop("forward", via, "outbound", leg2.forward, true));
  hops.push({
    path: "return",
    hop: "route",
    at: dst.label,
    componentId: "internet",
    verdict: "allow",
    detail: `the internet routes the reply to ${natPublic ?? via.address}`,
  });
  if (natPublic !== undefined)
    hops.push({ ...igwInboundHop(dstAddress, { ...via, addressedAs: natPublic }), path: "return" });
  hops.push(
    returnNaclHop(
      via,
      "inbound",
      via.address,
      dstAddress,
      { ...flow, sourcePorts: NAT_PORTS },
      true,
    ),
  );
  hops.push(returnSgHop(via, "ingress", leg2.forward, leg2.reply));
  hops.push(returnSgHop(via, "egress", leg1.forward, leg1.reply));
  hops.push(routeHop("return", via, src, src.address));
  hops.push(returnNaclHop(via, "outbound", src.address, dstAddress, flow, crossesIn));
  hops.push(returnNaclHop(src, "inbound", src.address, dstAddress, flow, crossesIn));
  hops.push(returnSgHop(src, "ingress", leg1.forward, leg1.reply));
  return summarise(hops);
}

function instanceHop(path: "forward", end: PathEnd): ExplainHop {
  const at = end.eniId ?? end.label;
  const componentId = end.instanceId || at;
  if (end.stopped) {
    return {
      path,
      hop: "instance",
      at,
      componentId,
      verdict: "deny",
      explanationCode: "BAD_STATE",
      reason: "instance_stopped",
      detail: `instance ${componentId} is stopped: it neither sends nor receives (INST-2)`,
    };
  }
  return { path, hop: "instance", at, componentId, verdict: "allow", detail: "running" };
}

function sgHop(
  path: "forward",
  end: PathEnd,
  direction: "ingress" | "egress",
  p: ProbePacket,
): ExplainHop {
  const hop: HopKind = direction === "egress" ? "sg-egress" : "sg-ingress";
  const at = end.eniId!;
  const groups = end.groupIds.join(",");
  const rule = end.judge!.sgRule(direction, p);
  if (rule === undefined) {
    return {
      path,
      hop,
      at,
      componentId: groups,
      verdict: "deny",
      explanationCode: "ENI_SG_RULES_MISMATCH",
      reason: "sg_no_match",
      detail: `no ${direction} rule of groups [${end.groupIds.join(", ")}] matched`,
    };
  }
  const untracked = end.judge!.untracked(direction, p);
  return {
    path,
    hop,
    at,
    componentId: rule.groupId || rule.ruleId,
    verdict: "allow",
    via: "rule",
    ruleId: rule.ruleId,
    groupId: rule.groupId,
    detail: `${describeRule(rule, direction)}${untracked ? " (untracked, CT-2)" : ""}`,
  };
}

/** The return SG hop: the flow's own entry lets the reply through (CT-1), else a rule must. */
function returnSgHop(
  end: PathEnd,
  direction: "ingress" | "egress",
  forward: ProbePacket,
  reply: ProbePacket,
): ExplainHop {
  const hop: HopKind = direction === "egress" ? "sg-egress" : "sg-ingress";
  const at = end.eniId!;
  // The side that judged the forward packet (the opposite direction) decides tracking.
  const opened = direction === "egress" ? "ingress" : "egress";
  const openedBy = end.judge!.sgRule(opened, forward);
  if (openedBy !== undefined && !end.judge!.untracked(opened, forward)) {
    return {
      path: "return",
      hop,
      at,
      componentId: openedBy.groupId || openedBy.ruleId,
      verdict: "allow",
      via: "conntrack",
      ruleId: openedBy.ruleId,
      groupId: openedBy.groupId,
      detail: `the flow's conntrack entry (opened by ${openedBy.ruleId}): security groups are stateful (CT-1)`,
    };
  }
  const r = sgHop("forward", end, direction, reply);
  return {
    ...r,
    path: "return",
    detail:
      r.verdict === "allow"
        ? r.detail
        : `${r.detail} (the forward packet opened no conntrack entry)`,
  };
}

function naclHop(
  path: "forward",
  end: PathEnd,
  direction: "inbound" | "outbound",
  p: ProbePacket,
  crosses: boolean,
): ExplainHop {
  const hop: HopKind = direction === "outbound" ? "nacl-outbound" : "nacl-inbound";
  const at = end.eniId!;
  const componentId = end.networkAclId ?? "";
  if (!crosses) {
    return {
      path,
      hop,
      at,
      componentId,
      verdict: "skip",
      detail: "same subnet: network ACLs are not evaluated (NACL-7)",
    };
  }
  const v = end.judge!.nacl(direction, p);
  return naclVerdictHop(path, hop, at, componentId, end, direction, v.allow, v.ruleNumber);
}

function naclVerdictHop(
  path: "forward" | "return",
  hop: HopKind,
  at: string,
  componentId: string,
  end: PathEnd,
  direction: "inbound" | "outbound",
  allow: boolean,
  ruleNumber: number | undefined,
): ExplainHop {
  const entry = ruleNumber === undefined ? undefined : end.judge!.naclEntry(direction, ruleNumber);
  const what =
    entry === undefined
      ? "no entry matched"
      : `rule ${ruleNumber === 32767 || ruleNumber === 32768 ? "*" : ruleNumber} ${entry.action} ${protocolName(entry.protocol)}${entry.fromPort >= 0 ? ` ${entry.fromPort}-${entry.toPort}` : ""} ${entry.cidr}`;
  return {
    path,
    hop,
    at,
    componentId,
    verdict: allow ? "allow" : "deny",
    ...(ruleNumber !== undefined ? { ruleNumber } : {}),
    ...(allow ? {} : { explanationCode: "SUBNET_ACL_RESTRICTION", reason: "nacl_denied" as const }),
    detail: `${direction}: ${what}`,
  };
}

/** The reply through a NACL, judged on every port of the client's ephemeral range. */
function returnNaclHop(
  end: PathEnd,
  direction: "inbound" | "outbound",
  client: string,
  server: string,
  flow: FlowSpec,
  crosses: boolean,
): ExplainHop {
  const hop: HopKind = direction === "outbound" ? "nacl-outbound" : "nacl-inbound";
  const at = end.eniId!;
  const componentId = end.networkAclId ?? "";
  if (!crosses) {
    return {
      path: "return",
      hop,
      at,
      componentId,
      verdict: "skip",
      detail: "same subnet: network ACLs are not evaluated (NACL-7)",
    };
  }
  const judge = (port: number) =>
    end.judge!.nacl(direction, packets(client, server, flow, port).reply);
  if (isIcmp(flow.protocol)) {
    const v = judge(0);
    return naclVerdictHop("return", hop, at, componentId, end, direction, v.allow, v.ruleNumber);
  }
  // Ports where the deciding entry can change: the range's start and every entry boundary in it.
  const { from, to } = flow.sourcePorts;
  const cuts = new Set<number>([from]);
  const entries = direction === "inbound" ? end.judge!.policy.naclIn : end.judge!.policy.naclOut;
  for (const e of entries) {
    if (e.fromPort > from && e.fromPort <= to) cuts.add(e.fromPort);
    if (e.toPort >= from && e.toPort < to) cuts.add(e.toPort + 1);
  }
  const starts = [...cuts].sort((a, b) => a - b);
  const ranges: PortRangeVerdict[] = [];
  starts.forEach((start, i) => {
    const v = judge(start);
    const end_ = i + 1 < starts.length ? starts[i + 1]! - 1 : to;
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last.allow === v.allow && last.ruleNumber === v.ruleNumber) {
      ranges[ranges.length - 1] = { ...last, to: end_ };
    } else {
      ranges.push({
        from: start,
        to: end_,
        allow: v.allow,
        ...(v.ruleNumber !== undefined ? { ruleNumber: v.ruleNumber } : {}),
      });
    }
  });
  if (ranges.length === 1) {
    const r = ranges[0]!;
    const h = naclVerdictHop("return", hop, at, componentId, end, direction, r.allow, r.ruleNumber);
    return { ...h, portRanges: ranges, detail: `${h.detail} (reply to ports ${from}-${to})` };
  }
  const allowed = ranges.filter((r) => r.allow);
  return {
    path: "return",
    hop,
    at,
    componentId,
    verdict: allowed.length === 0 ? "deny" : "partial",
    portRanges: ranges,
    explanationCode: "SUBNET_ACL_RESTRICTION",
    reason: "nacl_denied",
    detail: `${direction}: the reply is ${allowed.length === 0 ? "denied" : "allowed only"} on ${ranges
      .filter((r) => r.allow === allowed.length > 0)
      .map((r) => `${r.from}-${r.to} (${r.ruleNumber ?? "no entry"})`)
      .join(", ")} of the ephemeral ports ${from}-${to}`,
  };
}

/**
 * The route step for a packet from `from` to `to` at address `toAddress` (docs/routing.md
 * RT-12..RT-16, IGW-5, IGW-6).
 */
function routeHop(
  path: "forward" | "return",
  from: PathEnd,
  to: PathEnd,
  toAddress: string,
): ExplainHop {
  const at = from.eniId ?? from.label;
  if (from.kind === "external") {
    // The internet's agent routes to VPC addresses only, and the internet reaches an ENI only
    // through its public IP (IGW-5).
    if (to.kind === "external") {
      return deny(
        path,
        at,
        "internet",
        "NO_ROUTE_TO_DESTINATION",
        "no_route",
        `${toAddress} is outside every VPC: the emulated internet does not route to itself`,
      );
    }
    if (to.addressedAs === undefined) {
      return deny(
        path,
        at,
        "internet",
        "NO_ROUTE_TO_DESTINATION",
        "no_route",
        `${toAddress} is a private address: the internet reaches an instance only by its public or Elastic IP (IGW-5)`,
      );
    }
    return {
      path,
      hop: "route",
      at,
      componentId: "internet",
      verdict: "allow",
      detail: `${toAddress} is ${to.eniId}'s public IP`,
    };
  }
  const judge = from.judge!;
  const routeTableId = judge.policy.routeTableId ?? "";
  if (to.kind === "eni" && to.addressedAs !== undefined && from.kind === "eni") {
    // Hairpin (IGW-10): out through the internet gateway from the sender's public IP.
    const r = judge.route(toAddress);
    const pub = publicIpOf(from);
    if (r?.kind === "internet-gateway" && pub !== undefined) {
      return {
        path,
        hop: "route",
        at,
        componentId: r.targetId,
        verdict: "allow",
        route: { destination: r.destination, targetId: r.targetId, kind: r.kind },
        detail: `${r.destination} -> ${r.targetId}, leaving from ${pub} and back in to ${toAddress} (IGW-10)`,
      };
    }
    if (r?.kind === "internet-gateway") {
      return {
        ...deny(
          path,
          at,
          r.targetId,
          undefined,
          "no_public_ip",
          `${r.destination} -> ${r.targetId}, but ${from.address} has no public IP (IGW-6, IGW-10)`,
        ),
        route: { destination: r.destination, targetId: r.targetId, kind: r.kind },
      };
    }
    if (r?.kind === "blackhole") {
      return deny(
        path,
        at,
        routeTableId,
        "BAD_STATE_ROUTE",
        "blackhole_route",
        `${r.destination} -> ${r.targetId} is a blackhole route (RT-10)`,
      );
    }
    return deny(
      path,
      at,
      routeTableId,
      "NO_ROUTE_TO_DESTINATION",
      "no_route",
      `${toAddress} is a public IP: it is reached only through an internet gateway route (IGW-10)`,
    );
  }
  if (!judge.hasRoutes) {
    return to.kind === "eni" && to.vpcId === from.vpcId
      ? { path, hop: "route", at, componentId: "", verdict: "allow", detail: "same VPC" }
      : deny(path, at, "", "NO_ROUTE_TO_DESTINATION", "no_route", "no route table compiled");
  }
  const r = judge.route(toAddress);
  if (r === undefined) {
    return deny(
      path,
      at,
      routeTableId,
      "NO_ROUTE_TO_DESTINATION",
      "no_route",
      `route table ${routeTableId} has no route to ${toAddress}`,
    );
  }
  const route = { destination: r.destination, targetId: r.targetId, kind: r.kind };
  const routed = (ok: boolean, why: string): ExplainHop =>
    ok
      ? { path, hop: "route", at, componentId: routeTableId, verdict: "allow", route, detail: why }
      : { ...deny(path, at, routeTableId, "NO_ROUTE_TO_DESTINATION", "no_route", why), route };
  if (r.nextHop !== undefined) {
    // RT-18, NAT-8: the packet is forwarded to the target's interface, which translates it.
    return {
      path,
      hop: "route",
      at,
      componentId: r.targetId,
      verdict: "unknown",
      route,
      detail: `${r.destination} -> ${r.targetId}: forwarded to its interface ${r.nextHop}; explain does not analyse the hops beyond it`,
    };
  }
  switch (r.kind) {
    case "blackhole":
      return {
        ...deny(
          path,
          at,
          routeTableId,
          "BAD_STATE_ROUTE",
          "blackhole_route",
          `${r.destination} -> ${r.targetId} is a blackhole route (its target is gone or not active, RT-10)`,
        ),
        route,
      };
    case "local":
    case "network-interface":
      return routed(
        to.kind === "eni" && to.vpcId === from.vpcId,
        `${r.destination} -> ${r.targetId}${to.kind === "eni" && to.vpcId === from.vpcId ? "" : `: ${toAddress} is not in ${from.vpcId}`}`,
      );
    case "peering":
      return routed(
        to.kind === "eni" && to.vpcId === r.peerVpcId,
        `${r.destination} -> ${r.targetId}${to.kind === "eni" && to.vpcId === r.peerVpcId ? ` (peer ${r.peerVpcId})` : `: ${toAddress} is not in the peer VPC`}`,
      );
    case "internet-gateway": {
      if (to.kind === "eni")
        return routed(
          false,
          `${r.destination} -> ${r.targetId}: ${toAddress} is in a VPC, not on the internet (RT-16)`,
        );
      const pub = judge.policy.publicIpv4?.find((a) => a.privateIp === from.address);
      if (pub === undefined) {
        return {
          ...deny(
            path,
            at,
            r.targetId,
            undefined,
            "no_public_ip",
            `${r.destination} -> ${r.targetId}, but ${from.address} has no public IP (IGW-6)`,
          ),
          route,
        };
      }
      return {
        path,
        hop: "route",
        at,
        componentId: r.targetId,
        verdict: "allow",
        route,
        detail: `${r.destination} -> ${r.targetId}, leaving from ${pub.publicIp} (IGW-6)`,
      };
    }
    default:
      return routed(
        false,
        `${r.destination} -> ${r.targetId} (${r.kind}) does not reach ${toAddress}`,
      );
  }
}

/** The internet gateway's 1:1 NAT at the destination (IGW-5): needs a route back to the source. */
function igwInboundHop(srcSeen: string, dst: PathEnd): ExplainHop {
  const at = dst.eniId!;
  const r = dst.judge!.route(srcSeen);
  if (r?.kind === "internet-gateway") {
    return {
      path: "forward",
      hop: "internet-gateway",
      at,
      componentId: r.targetId,
      verdict: "allow",
      route: { destination: r.destination, targetId: r.targetId, kind: r.kind },
      detail: `${dst.addressedAs} -> ${dst.address} (1:1 NAT, IGW-5)`,
    };
  }
  return deny(
    "forward",
    at,
    dst.judge!.policy.routeTableId ?? "",
    "NO_ROUTE_TO_DESTINATION",
    "igw_no_route",
    `${dst.subnetId}'s route table has no internet gateway route to ${srcSeen} (IGW-5)`,
    "internet-gateway",
  );
}

/** The reply's route from the destination back to the source. */
function returnRouteHop(src: PathEnd, dst: PathEnd, srcSeen: string, hairpin: boolean): ExplainHop {
  if (dst.kind === "external") {
    return {
      path: "return",
      hop: "route",
      at: dst.label,
      componentId: "internet",
      verdict: "allow",
      detail: `the internet routes the reply to ${src.address}`,
    };
  }
  if ((src.kind === "external" || hairpin) && dst.addressedAs !== undefined) {
    // Through the gateway that admitted it (the igw hop checked the route); leaves from the
    // public IP (IGW-6).
    const r = dst.judge!.route(srcSeen);
    const ok = r?.kind === "internet-gateway";
    return ok
      ? {
          path: "return",
          hop: "route",
          at: dst.eniId!,
          componentId: r.targetId,
          verdict: "allow",
          route: { destination: r.destination, targetId: r.targetId, kind: r.kind },
          detail: `${r.destination} -> ${r.targetId}, leaving from ${dst.addressedAs} (IGW-6)`,
        }
      : deny(
          "return",
          dst.eniId!,
          dst.judge!.policy.routeTableId ?? "",
          "NO_ROUTE_TO_DESTINATION",
          "igw_no_route",
          `no internet gateway route back to ${srcSeen}`,
        );
  }
  const h = routeHop("return", { ...dst, addressedAs: undefined }, src, src.address);
  return h;
}

function deny(
  path: "forward" | "return",
  at: string,
  componentId: string,
  explanationCode: string | undefined,
  reason: string,
  detail: string,
  hop: HopKind = "route",
): ExplainHop {
  return {
    path,
    hop,
    at,
    componentId,
    verdict: "deny",
    ...(explanationCode !== undefined ? { explanationCode } : {}),
    reason,
    detail,
  };
}
