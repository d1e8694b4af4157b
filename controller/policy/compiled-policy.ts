/**
 * The compiler's output shapes: a deliberate duplicate of node-agent/filter/policy.ts (STYLE.md
 * §2: controller/ and node-agent/ never import each other; a small duplicate beats a
 * dependency). Keep the two files identical in shape; proto/vpcemu/v1/policy.proto mirrors both
 * and only the two wire.ts files convert. test/unit/controller/policy/compiled-policy.test.ts
 * checks the two stay assignable to each other. Pure type module.
 */

import type { CompiledFault } from "./compiled-fault.js";

/** Where a compiled SG rule's CIDRs came from (AWS-BEHAVIOUR RULE-7, REF-1, REF-7). */
export type RulePeer =
  | { readonly kind: "cidr" }
  | { readonly kind: "sg"; readonly groupId: string }
  | { readonly kind: "prefix-list"; readonly prefixListId: string };

/** One SG rule of one direction; see node-agent/filter/policy.ts CompiledRule. */
export interface CompiledRule {
  readonly ruleId: string;
  readonly groupId: string;
  /** -1 (all) or an IANA number. */
  readonly protocol: number;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrs: readonly string[];
  readonly peer: RulePeer;
  readonly description?: string;
}

/** One NACL entry (AWS-BEHAVIOUR NACL-3..NACL-6). */
export interface NaclEntry {
  readonly ruleNumber: number;
  readonly action: "allow" | "deny";
  readonly protocol: number;
  readonly cidr: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly icmpType: number;
  readonly icmpCode: number;
}

/** Conntrack idle timeouts of one ENI in seconds (AWS-BEHAVIOUR TO-1). */
export interface ConntrackTimeouts {
  readonly tcpEstablished: number;
  readonly udp: number;
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

/** All one ENI needs. Immutable; replaced whole when it changes. */
export interface CompiledEniPolicy {
  /** Revision at which this ENI's policy was last (re)compiled. */
  readonly revision: number;
  readonly eniId: string;
  readonly instanceId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
  readonly sourceDestCheck: boolean;
  readonly ingress: readonly CompiledRule[];
  readonly egress: readonly CompiledRule[];
  readonly naclIn: readonly NaclEntry[];
  readonly naclOut: readonly NaclEntry[];
  readonly timeouts: ConntrackTimeouts;
  readonly allowance: number;
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
  /** The ENI's security groups (verdict events name them on `sg_no_match`). */
  readonly groupIds?: readonly string[];
  /** The subnet's network ACL (verdict events, NACL rule hit metrics); absent: none known. */
  readonly naclId?: string;
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
  readonly address: string;
  /** "" for an external (non-VPC) address. */
  readonly eniId: string;
  /** The external node's name (e.g. "internet") for an external address. */
  readonly subnetId: string;
  /** "" for an external address. */
  readonly vpcId: string;
  /** "" while no connected agent hosts the ENI. */
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
