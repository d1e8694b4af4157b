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
  /** Configured ConnectionTrackingSpecification (seconds); absent = AWS default. */
  readonly tcpEstablishedTimeout?: number;
  readonly udpTimeout?: number;
  readonly udpStreamTimeout?: number;
}

export interface InstanceState {
  readonly instanceId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  /** "pending" | "running" | "shutting-down" | "terminated" | "stopping" | "stopped". */
  readonly state: string;
  readonly primaryEniId: string;
  readonly tags: Readonly<Record<string, string>>;
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
}
