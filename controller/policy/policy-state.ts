/**
 * The controller state the policy compiler reads: a plain, immutable snapshot produced by
 * StateStore.readPolicyState() (controller/store/state-store.ts). It is the contract between
 * the store and the pure compiler (controller/policy/compile.ts). Pure type module.
 */

export interface VpcState {
  readonly vpcId: string;
  readonly cidrBlocks: readonly string[];
  readonly ipv6CidrBlocks: readonly string[];
}

export interface SubnetState {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly ipv6CidrBlock?: string;
  /** The NACL associated with the subnet (the VPC default NACL unless replaced). */
  readonly networkAclId: string;
  /** Its availability zone (chaos selectors `az:...`); absent in states built without one. */
  readonly availabilityZone?: string;
  /**
   * Its effective route table (explicit association, else the VPC's main table; RT-1, RT-3);
   * absent in states built without routing: the subnet then reaches its own VPC only.
   */
  readonly routeTableId?: string;
}

/** What a stored route points at (docs/routing.md RT-4); `local` for the VPC's blocks (RT-2). */
export type RouteTargetState =
  | "local"
  | "internet-gateway"
  | "egress-only-internet-gateway"
  | "nat-gateway"
  | "peering"
  | "network-interface"
  | "instance";

/** One route as the compiler reads it. */
export interface RouteState {
  /** Canonical CIDR of either family. */
  readonly destination: string;
  readonly target: RouteTargetState;
  /** The target's id ("local" for local routes). */
  readonly targetId: string;
  /** False: the route is `blackhole` (RT-10: target deleted, detached, terminated, not active). */
  readonly active: boolean;
}

/** A route table with its local routes first (RT-2), then the stored ones. */
export interface RouteTableState {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly routes: readonly RouteState[];
}

/** A VPC peering connection that is `active` (PCX-2): the only kind that carries traffic. */
export interface PeeringState {
  readonly peeringId: string;
  readonly requesterVpcId: string;
  readonly accepterVpcId: string;
}

/** One SG rule as stored (one peer per rule, AWS-BEHAVIOUR RULE-11). */
export interface SgRuleState {
  readonly ruleId: string;
  readonly groupId: string;
  readonly isEgress: boolean;
  /** "-1" or an IANA protocol number as text ("6", "17", "1", "58", "47", ...). */
  readonly protocol: string;
  /** tcp/udp: port range; icmp/icmpv6: type/code (-1 = any); other: -1/-1. */
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
  readonly description?: string;
}

export interface SecurityGroupState {
  readonly groupId: string;
  readonly vpcId: string;
  readonly groupName: string;
  readonly rules: readonly SgRuleState[];
  /** Audit mode: the staged rule set (docs/observability.md "Audit mode"); absent = none. */
  readonly staged?: StagedRulesState;
}

/** Staged rules per direction; a direction left out keeps the enforced rules. */
export interface StagedRulesState {
  readonly ingress?: readonly SgRuleState[];
  readonly egress?: readonly SgRuleState[];
}

export interface NaclEntryState {
  readonly ruleNumber: number;
  readonly egress: boolean;
  readonly ruleAction: "allow" | "deny";
  /** "-1" or an IANA number as text. */
  readonly protocol: string;
  readonly cidrBlock?: string;
  readonly ipv6CidrBlock?: string;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly portFrom?: number;
  readonly portTo?: number;
}

export interface NetworkAclState {
  readonly networkAclId: string;
  readonly vpcId: string;
  readonly isDefault: boolean;
  /** Includes the `*` entries as 32767 (0.0.0.0/0 deny) and 32768 (::/0 deny). */
  readonly entries: readonly NaclEntryState[];
}

export interface PrefixListState {
  readonly prefixListId: string;
  readonly addressFamily: "IPv4" | "IPv6";
  readonly maxEntries: number;
  readonly cidrs: readonly string[];
}

export interface NetworkInterfaceState {
  readonly eniId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  /** Attached instance, if any. */
  readonly instanceId?: string;
  /** Private IPv4 addresses, primary first. */
  readonly privateIpv4: readonly string[];
  readonly ipv6: readonly string[];
  readonly groupIds: readonly string[];
  readonly sourceDestCheck: boolean;
  /** Audit mode: the ENI's own staged rule set (wins over its groups'); absent = none. */
  readonly staged?: StagedRulesState;
  /** Configured ConnectionTrackingSpecification (seconds); absent = AWS default. */
  readonly tcpEstablishedTimeout?: number;
  readonly udpTimeout?: number;
  readonly udpStreamTimeout?: number;
  /**
   * Public IPv4 addresses its VPC's internet gateway maps 1:1 to its private addresses
   * (docs/routing.md IGW-5); absent = none (no public IP, or no gateway attached).
   */
  readonly publicIpv4?: readonly { readonly publicIp: string; readonly privateIp: string }[];
}

export interface InstanceState {
  readonly instanceId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  /** "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped". */
  readonly state: string;
  readonly primaryEniId: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Revision of its last stop or start (INST-3: its ENIs' conntrack epoch); absent = never. */
  readonly stateRevision?: number;
}

/** Chaos fault direction: from -> to only, or both ways (docs/json-api.md /v1/faults). */
export type FaultDirection = "one-way" | "both";

/** Jepsen's partition grudges (a list of groups; every pair across groups is cut). */
export type PartitionMode = "complete" | "majorities-ring" | "bridge";

/** Stored fault effects, in the JSON API's shape with defaults filled in (controller/model/fault.ts). */
export interface FaultEffectsState {
  readonly delay?: {
    readonly latencyMs: number;
    readonly jitterMs: number;
    readonly correlation: number;
    readonly distribution: "uniform" | "normal" | "pareto" | "paretonormal";
  };
  readonly loss?:
    | { readonly percent: number; readonly correlation: number }
    | {
        /** netem `loss gemodel p r 1-h 1-k` with h and k themselves given (percent). */
        readonly gilbertElliott: {
          readonly p: number;
          readonly r: number;
          readonly h: number;
          readonly k: number;
        };
      };
  readonly duplicate?: { readonly percent: number; readonly correlation: number };
  readonly corrupt?: { readonly percent: number; readonly correlation: number };
  readonly reorder?: {
    readonly percent: number;
    readonly correlation: number;
    readonly gap: number;
  };
  readonly rate?: { readonly bitsPerSecond: number; readonly queueLimitBytes: number };
  readonly blackhole?: boolean;
  readonly reject?: boolean;
  /** Acts on the ENIs of `from`: allowance shrunk, table flushed once, idle timeouts replaced. */
  readonly conntrack?: {
    readonly allowance?: number;
    readonly flush?: boolean;
    readonly timeouts?: {
      readonly tcpEstablished?: number;
      readonly udp?: number;
      readonly udpStream?: number;
    };
  };
}

/**
 * A chaos fault as stored (controller/model/fault.ts sanitizes it; controller/store/fault-ops.ts
 * writes it). Selectors are canonical strings with names already resolved to ids: `*`, an
 * sg-/subnet-/i-/eni-/pl- id, a CIDR, `tag:Key=Value`, `az:<zone>`, `node:<external node>`.
 * Membership is resolved when compiling (controller/policy/compile-faults.ts).
 */
export interface FaultState {
  /** `flt-` + 17 hex. */
  readonly faultId: string;
  readonly from: readonly string[];
  readonly to: readonly string[];
  /** A partition instead of from/to: every ordered group pair the mode cuts is blackholed. */
  readonly partition?: {
    readonly groups: readonly (readonly string[])[];
    readonly mode: PartitionMode;
    readonly oneWay: boolean;
  };
  readonly direction: FaultDirection;
  /** -1 = every protocol, else the IANA number. */
  readonly protocol: number;
  /** Inclusive port range (tcp/udp only); -1/-1 = any port. */
  readonly fromPort: number;
  readonly toPort: number;
  readonly effects: FaultEffectsState;
  readonly seed: number;
  /** 0 = the agent's default. */
  readonly queueLimitPackets: number;
  readonly description: string;
  /** Epoch ms (the controller's clock). */
  readonly createdAtMs: number;
  readonly startsAtMs: number;
  /** null = no end. */
  readonly expiresAtMs: number | null;
  /** The store revision that created it. */
  readonly revision: number;
  /** Set by the controller once its window closed; an expired fault compiles to nothing. */
  readonly expired: boolean;
  /**
   * Conntrack effects take hold only once started: at once without a start delay, else when
   * the controller marks it started at startsAtMs (a state change, like expiry).
   */
  readonly started: boolean;
}

export interface PolicyState {
  readonly revision: number;
  readonly vpcs: readonly VpcState[];
  readonly subnets: readonly SubnetState[];
  readonly securityGroups: readonly SecurityGroupState[];
  readonly networkAcls: readonly NetworkAclState[];
  readonly prefixLists: readonly PrefixListState[];
  readonly networkInterfaces: readonly NetworkInterfaceState[];
  readonly instances: readonly InstanceState[];
  /** Chaos faults, expired ones included (absent = none). */
  readonly faults?: readonly FaultState[];
  /** Every VPC's route tables (absent = routing not known: every subnet reaches its own VPC). */
  readonly routeTables?: readonly RouteTableState[];
  /** Active peering connections (absent = none). */
  readonly peerings?: readonly PeeringState[];
  /**
   * NAT gateways that carry traffic: created and not deleted (docs/routing.md NAT-8). The
   * compiler turns each into a hosted interface of its subnet placed on one agent (absent =
   * none).
   */
  readonly natGateways?: readonly NatGatewayState[];
}

/**
 * A NAT gateway as the compiler reads it (docs/routing.md NAT-8..): its interface (id and
 * private address in its subnet) and its Elastic IP, which the VPC's internet gateway maps 1:1
 * to the private address while one is attached (`publicIp` absent otherwise, IGW-5).
 */
export interface NatGatewayState {
  readonly natGatewayId: string;
  /** Its network interface (DescribeNatGateways `networkInterfaceId`). */
  readonly eniId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly privateIp: string;
  /** The Elastic IP; absent while the VPC has no internet gateway attached. */
  readonly publicIp?: string;
}

/**
 * What one committed write touched, emitted by the store after the transaction commits, so the
 * compiler can recompile only the ENIs it affects. Ids of created, changed and deleted
 * resources alike.
 */
export interface StateChange {
  readonly revision: number;
  readonly vpcIds: readonly string[];
  readonly subnetIds: readonly string[];
  readonly groupIds: readonly string[];
  readonly networkAclIds: readonly string[];
  readonly prefixListIds: readonly string[];
  readonly eniIds: readonly string[];
  readonly instanceIds: readonly string[];
  /** Chaos faults created, changed (expired, started) or deleted (absent = none). */
  readonly faultIds?: readonly string[];
}
