/**
 * Compiled policy: what the controller's compiler (controller/policy/compile.ts) produces and
 * an agent enforces. Immutable, flat, versioned (STYLE.md §4.7/§4.8): SG references and prefix
 * lists are already expanded to CIDRs, NACL entries are sorted by rule number. The agent swaps a
 * whole AgentSnapshot in when the revision changes. proto/vpcemu/v1/policy.proto mirrors these
 * shapes; only the two wire.ts files convert. Pure type module.
 */

import type { CompiledFault } from "../fault/compiled-fault.js";

/** Where a compiled SG rule's CIDRs came from (AWS-BEHAVIOUR RULE-7, REF-1, REF-7). */
export type RulePeer =
  | { readonly kind: "cidr" }
  | { readonly kind: "sg"; readonly groupId: string }
  | { readonly kind: "prefix-list"; readonly prefixListId: string };

/**
 * One SG rule of one direction, as the data path sees it. `protocol` is -1 (all) or an IANA
 * number (tcp 6, udp 17, icmp 1, icmpv6 58, ...). Ports: tcp/udp use fromPort..toPort
 * (inclusive); icmp/icmpv6 use fromPort = type and toPort = code, -1 meaning any (RULE-6);
 * every other protocol (and -1) ignores them (RULE-5) and carries -1/-1.
 */
export interface CompiledRule {
  /** `sgr-...` id of the rule that admits the packet (reported in conntrack and flow logs). */
  readonly ruleId: string;
  /** `sg-...` the rule belongs to. */
  readonly groupId: string;
  readonly protocol: number;
  readonly fromPort: number;
  readonly toPort: number;
  /**
   * Canonical CIDRs ("10.0.0.0/16", "2001:db8::/32"), either family. A `cidr` peer has exactly
   * one; an `sg` peer the members' private addresses as /32 and /128 (possibly none); a
   * `prefix-list` peer the list's current entries of its family.
   */
  readonly cidrs: readonly string[];
  readonly peer: RulePeer;
  readonly description?: string;
}

/** One NACL entry (AWS-BEHAVIOUR NACL-3..NACL-6). Stateless, first match by ruleNumber. */
export interface NaclEntry {
  /** 1..32766 for user entries; 32767 (IPv4 `*`) and 32768 (IPv6 `*`) are the catch-all denies. */
  readonly ruleNumber: number;
  readonly action: "allow" | "deny";
  /** -1 (all) or an IANA number. */
  readonly protocol: number;
  /** Canonical CIDR of either family; a v4 entry never matches v6 traffic (NACL-5). */
  readonly cidr: string;
  /** tcp (6) / udp (17) only: the packet's destination port must lie in fromPort..toPort
   *  (inclusive), in either direction. -1/-1 for other protocols. */
  readonly fromPort: number;
  readonly toPort: number;
  /** icmp (1) and icmpv6 (58): type and code, -1 = any. -1 for other protocols. */
  readonly icmpType: number;
  readonly icmpCode: number;
}

/** Conntrack idle timeouts of one ENI in seconds (AWS-BEHAVIOUR TO-1, TO-2). */
export interface ConntrackTimeouts {
  /** 60..432000, default 432000. */
  readonly tcpEstablished: number;
  /** 30..60, default 30. */
  readonly udp: number;
  /** 60..180, default 180. */
  readonly udpStream: number;
}

export const DEFAULT_CONNTRACK_TIMEOUTS: ConntrackTimeouts = {
  tcpEstablished: 432_000,
  udp: 30,
  udpStream: 180,
};

/** Default per-instance tracked-connection allowance (AWS-BEHAVIOUR MET-1). */
export const DEFAULT_CONNTRACK_MAX = 65_536;

/**
 * What a route sends a packet to (docs/routing.md RT-12..RT-17): `local` within the VPC (RT-2),
 * `peering` an active peering connection to `peerVpcId`, `blackhole` a target that is gone or
 * not active (RT-10); the gateway and interface kinds carry no traffic between VPCs yet.
 */
export type RouteTargetKind =
  | "local"
  | "peering"
  | "blackhole"
  | "internet-gateway"
  | "egress-only-internet-gateway"
  | "nat-gateway"
  | "network-interface";

/** One route of an ENI's effective route table. */
export interface CompiledRoute {
  /** Canonical CIDR of either family ("10.1.0.0/16", "2001:db8::/56"). */
  readonly destination: string;
  readonly kind: RouteTargetKind;
  /** igw-, eigw-, nat-, pcx-, eni- or i- id; "local" for local routes. */
  readonly targetId: string;
  /** `peering` routes: the VPC on the connection's other side. */
  readonly peerVpcId?: string;
  /**
   * `nat-gateway` and `network-interface` routes (docs/routing.md RT-18, NAT-8): the private
   * IPv4 address of the target's interface, to which the data path forwards the packet with
   * its destination unchanged; absent while the target has no hosted interface.
   */
  readonly nextHop?: string;
}

/** All one ENI needs. Immutable; replaced whole when the revision changes. */
export interface CompiledEniPolicy {
  readonly revision: number;
  readonly eniId: string;
  /** Instance the ENI is attached to; ENIs of one instance share its allowance (MET-1). */
  readonly instanceId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  /** Private IPv4 addresses, primary first. */
  readonly ipv4: readonly string[];
  /** IPv6 addresses. */
  readonly ipv6: readonly string[];
  /** Source/destination check (DESIGN.md step 3); true by default. */
  readonly sourceDestCheck: boolean;
  /** Union of all the ENI's SGs' rules (RULE-1). */
  readonly ingress: readonly CompiledRule[];
  readonly egress: readonly CompiledRule[];
  /**
   * The ENI's security groups (verdict events name them when no rule matched, `sg_no_match`);
   * absent from an older controller (then the groups of the direction's rules are named).
   */
  readonly groupIds?: readonly string[];
  /** The subnet's network ACL id (verdict events, NACL hit metrics); absent from an older controller. */
  readonly naclId?: string;
  /** The ENI's subnet NACL, sorted by ruleNumber ascending, `*` entries last. */
  readonly naclIn: readonly NaclEntry[];
  readonly naclOut: readonly NaclEntry[];
  readonly timeouts: ConntrackTimeouts;
  /** Maximum tracked entries (MET-1). */
  readonly allowance: number;
  /** CT-4: every flow is tracked whatever the rules (NLB, NAT GW, ... stand-ins). */
  readonly autoTracked: boolean;
  /**
   * Chaos (docs/chaos.md): the agent flushes this ENI's conntrack table when the epoch grows
   * between two snapshots it receives; 0 or absent = never. `allowance` and `timeouts` already
   * carry any conntrack fault's overrides.
   */
  readonly conntrackEpoch?: number;
  /**
   * The ENI's instance is stopping or stopped (docs/ec2-api.md INST-2): the agent keeps hosting
   * the ENI (device, addresses, rules) but drops every packet from and to it as
   * `instance_stopped`; absent = false. Each stop and start also grows `conntrackEpoch`, so the
   * table is empty while stopped and after the start (INST-3).
   */
  readonly instanceStopped?: boolean;
  /**
   * The subnet's effective route table (its explicit association, else the VPC's main table;
   * docs/routing.md RT-12): its id and routes, local routes first. Absent (an older
   * controller): the ENI reaches its own VPC only, as before routing existed.
   */
  readonly routeTableId?: string;
  readonly routes?: readonly CompiledRoute[];
  /**
   * Public IPv4 addresses its VPC's internet gateway maps 1:1 to the ENI's private addresses
   * (docs/routing.md IGW-5..IGW-7): an Elastic IP, else a running instance's launch-time public
   * IP; only while the VPC has an internet gateway attached. Absent = none.
   */
  readonly publicIpv4?: readonly PublicAddress[];
  /**
   * Set when this "ENI" is a NAT gateway's interface (docs/routing.md NAT-8..): the agent
   * hosts it without a TUN device, translates what reaches it (source address and port) and
   * sends it on from its own address. No security groups (allow-all rules are compiled), its
   * subnet's NACL and route table apply. Absent for every other ENI.
   */
  readonly natGateway?: CompiledNatGateway;
  /**
   * Audit mode (docs/observability.md "Audit mode"): the staged rule set, judged beside
   * ingress/egress and never enforced; absent = nothing staged. An empty list would block all.
   */
  readonly audit?: AuditRules;
}

/** The staged rules of one ENI, per direction (the union of its groups', or its own). */
export interface AuditRules {
  readonly ingress: readonly CompiledRule[];
  readonly egress: readonly CompiledRule[];
}

/** A NAT gateway's translation parameters (docs/routing.md NAT-8..NAT-12). */
export interface CompiledNatGateway {
  readonly natGatewayId: string;
  /** Idle timeout of a translation in seconds (350, NAT-10). */
  readonly idleTimeout: number;
  /** Simultaneous translations per destination (protocol, address, port): 55,000 (NAT-11). */
  readonly portsPerDestination: number;
}

/** One public IPv4 address of an ENI and the private address it stands for (1:1 NAT). */
export interface PublicAddress {
  readonly publicIp: string;
  readonly privateIp: string;
}

/** Where an address lives: the VPC mapping table (DESIGN.md step 4). */
export interface MappingEntry {
  /** A single address ("10.0.1.10" or "2001:db8::10"). */
  readonly address: string;
  readonly eniId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly agentId: string;
  /** Underlay endpoint of that agent, "host:port"; "" while the agent is not connected. */
  readonly endpoint: string;
  /**
   * Set on a public IPv4 entry (internet gateway 1:1 NAT, docs/routing.md IGW-5): `address` is
   * the public IP of `eniId` and this the private address it stands for. Absent otherwise.
   */
  readonly privateAddress?: string;
  /**
   * True on the entries of a NAT gateway's interface (docs/routing.md NAT-8): packets it
   * forwards carry other hosts' addresses as source, so the receiving agent checks the
   * underlay sender against this interface's agent instead.
   */
  readonly natGateway?: boolean;
}

/** Everything one agent enforces at one revision. */
export interface AgentSnapshot {
  readonly revision: number;
  readonly agentId: string;
  readonly enis: readonly CompiledEniPolicy[];
  readonly mapping: readonly MappingEntry[];
  /** Chaos faults touching a port this agent hosts (absent = none). */
  readonly faults?: readonly CompiledFault[];
}
