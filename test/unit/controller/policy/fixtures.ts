/**
 * PolicyState fixtures for compiler and hub tests: the seed two-tier scenario (web-sg allows 80
 * and 443 from 0.0.0.0/0 and 22 from one address; db-sg allows 3306 from web-sg).
 */
import type {
  InstanceState,
  NetworkInterfaceState,
  PolicyState,
  SgRuleState,
  StateChange,
} from "../../../../controller/policy/policy-state.js";

export const VPC = "vpc-00000000000000001";
export const SUBNET_WEB = "subnet-0000000000000000a";
export const SUBNET_DB = "subnet-0000000000000000b";
export const ACL_DEFAULT = "acl-00000000000000001";
export const ACL_DB = "acl-00000000000000002";
export const SG_WEB = "sg-0000000000000000a";
export const SG_DB = "sg-0000000000000000b";
export const SG_DEFAULT = "sg-00000000000000000";
export const PL_ADMIN = "pl-00000000000000001";

function rule(groupId: string, n: number, isEgress: boolean, r: Partial<SgRuleState>): SgRuleState {
  return {
    ruleId: `sgr-${groupId.slice(3, 10)}${String(n).padStart(10, "0")}`,
    groupId,
    isEgress,
    protocol: "6",
    fromPort: -1,
    toPort: -1,
    ...r,
  };
}

export function eni(
  n: number,
  subnetId: string,
  groupIds: string[],
  extra: Partial<NetworkInterfaceState> = {},
): NetworkInterfaceState {
  const third = subnetId === SUBNET_WEB ? 1 : 2;
  return {
    eniId: `eni-${String(n).padStart(17, "0")}`,
    subnetId,
    vpcId: VPC,
    instanceId: `i-${String(n).padStart(17, "0")}`,
    privateIpv4: [`10.0.${third}.${10 + n}`],
    ipv6: [],
    groupIds,
    sourceDestCheck: true,
    ...extra,
  };
}

export function instanceOf(
  e: NetworkInterfaceState,
  tags: Record<string, string> = {},
): InstanceState {
  return {
    instanceId: e.instanceId!,
    subnetId: e.subnetId,
    vpcId: e.vpcId,
    state: "running",
    primaryEniId: e.eniId,
    tags,
  };
}

export const WEB1 = eni(1, SUBNET_WEB, [SG_WEB]);
export const DB1 = eni(2, SUBNET_DB, [SG_DB]);

/** The seed state at `revision`, with the given ENIs (default: one web, one db). */
export function seedState(revision = 1, enis: NetworkInterfaceState[] = [WEB1, DB1]): PolicyState {
  return {
    revision,
    vpcs: [{ vpcId: VPC, cidrBlocks: ["10.0.0.0/16"], ipv6CidrBlocks: [] }],
    subnets: [
      { subnetId: SUBNET_WEB, vpcId: VPC, cidrBlock: "10.0.1.0/24", networkAclId: ACL_DEFAULT },
      { subnetId: SUBNET_DB, vpcId: VPC, cidrBlock: "10.0.2.0/24", networkAclId: ACL_DB },
    ],
    securityGroups: [
      {
        groupId: SG_DEFAULT,
        vpcId: VPC,
        groupName: "default",
        rules: [
          rule(SG_DEFAULT, 1, false, { protocol: "-1", referencedGroupId: SG_DEFAULT }),
          rule(SG_DEFAULT, 2, true, { protocol: "-1", cidrIpv4: "0.0.0.0/0" }),
        ],
      },
      {
        groupId: SG_WEB,
        vpcId: VPC,
        groupName: "web-sg",
        rules: [
          rule(SG_WEB, 1, false, {
            protocol: "tcp",
            fromPort: 80,
            toPort: 80,
            cidrIpv4: "0.0.0.0/0",
          }),
          rule(SG_WEB, 2, false, {
            protocol: "6",
            fromPort: 443,
            toPort: 443,
            cidrIpv4: "0.0.0.0/0",
          }),
          rule(SG_WEB, 3, false, {
            protocol: "6",
            fromPort: 22,
            toPort: 22,
            cidrIpv4: "203.0.113.1/32",
          }),
          rule(SG_WEB, 4, true, {
            protocol: "-1",
            fromPort: 22,
            toPort: 22,
            cidrIpv4: "0.0.0.0/0",
          }),
        ],
      },
      {
        groupId: SG_DB,
        vpcId: VPC,
        groupName: "db-sg",
        rules: [
          rule(SG_DB, 1, false, {
            protocol: "6",
            fromPort: 3306,
            toPort: 3306,
            referencedGroupId: SG_WEB,
          }),
          rule(SG_DB, 2, false, {
            protocol: "6",
            fromPort: 22,
            toPort: 22,
            prefixListId: PL_ADMIN,
          }),
          rule(SG_DB, 3, false, {
            protocol: "1",
            fromPort: 8,
            toPort: -1,
            cidrIpv4: "10.0.0.0/16",
          }),
          rule(SG_DB, 4, true, { protocol: "-1", cidrIpv4: "0.0.0.0/0" }),
        ],
      },
    ],
    networkAcls: [
      {
        networkAclId: ACL_DEFAULT,
        vpcId: VPC,
        isDefault: true,
        entries: [
          {
            ruleNumber: 32767,
            egress: false,
            ruleAction: "deny",
            protocol: "-1",
            cidrBlock: "0.0.0.0/0",
          },
          {
            ruleNumber: 100,
            egress: false,
            ruleAction: "allow",
            protocol: "-1",
            cidrBlock: "0.0.0.0/0",
          },
          {
            ruleNumber: 100,
            egress: true,
            ruleAction: "allow",
            protocol: "-1",
            cidrBlock: "0.0.0.0/0",
          },
          {
            ruleNumber: 32767,
            egress: true,
            ruleAction: "deny",
            protocol: "-1",
            cidrBlock: "0.0.0.0/0",
          },
        ],
      },
      {
        networkAclId: ACL_DB,
        vpcId: VPC,
        isDefault: false,
        entries: [
          {
            ruleNumber: 32768,
            egress: false,
            ruleAction: "deny",
            protocol: "-1",
            ipv6CidrBlock: "::/0",
          },
          {
            ruleNumber: 32767,
            egress: false,
            ruleAction: "deny",
            protocol: "-1",
            cidrBlock: "0.0.0.0/0",
          },
          {
            ruleNumber: 200,
            egress: false,
            ruleAction: "allow",
            protocol: "6",
            cidrBlock: "10.0.1.0/24",
            portFrom: 3306,
            portTo: 3306,
          },
          {
            ruleNumber: 100,
            egress: false,
            ruleAction: "deny",
            protocol: "1",
            cidrBlock: "0.0.0.0/0",
            icmpType: 8,
            icmpCode: -1,
          },
          {
            ruleNumber: 32767,
            egress: true,
            ruleAction: "deny",
            protocol: "-1",
            cidrBlock: "0.0.0.0/0",
          },
          {
            ruleNumber: 100,
            egress: true,
            ruleAction: "allow",
            protocol: "6",
            cidrBlock: "10.0.1.0/24",
            portFrom: 1024,
            portTo: 65535,
          },
        ],
      },
    ],
    prefixLists: [
      { prefixListId: PL_ADMIN, addressFamily: "IPv4", maxEntries: 5, cidrs: ["192.0.2.0/24"] },
    ],
    networkInterfaces: enis,
    instances: enis.filter((e) => e.instanceId !== undefined).map((e) => instanceOf(e)),
  };
}

export function change(revision: number, c: Partial<Omit<StateChange, "revision">>): StateChange {
  return {
    revision,
    vpcIds: [],
    subnetIds: [],
    groupIds: [],
    networkAclIds: [],
    prefixListIds: [],
    eniIds: [],
    instanceIds: [],
    ...c,
  };
}
