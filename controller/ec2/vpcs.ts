import { controllerError, invalidValue } from "../errors.js";
import { findZone, sanitizeSubnetZone } from "../model/regions.js";
import { scopeOf } from "../store/scope.js";
import { createDefaultSubnet, createDefaultVpc } from "../store/default-vpc.js";
import { parseCidr } from "../model/cidr.js";
import {
  vpcAttribute,
  vpcIpv4Cidrs,
  type Subnet,
  type SubnetAttributes,
  type Vpc,
} from "../model/vpc.js";
import { SUBNET_RESERVED_HIGH, SUBNET_RESERVED_LOW } from "../model/vpc.js";
import type { StateReader } from "../store/transaction.js";
import {
  associateSubnetIpv6,
  associateVpcIpv6,
  createSubnet,
  createVpc,
  deleteSubnet,
  deleteVpc,
  associateVpcIpv4,
  disassociateVpcCidr as disassociateVpcCidrBlock,
  modifySubnetAttributes,
  modifyVpcAttribute,
  modifyVpcTenancy,
  type VpcAttributeChange,
} from "../store/vpc-ops.js";
import { mutate, visible, visibleGet, type ActionHandler, type Ec2Context } from "./context.js";
import {
  applyFilters,
  notFoundError,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import type { XmlTree } from "./xml.js";

export function vpcXml(c: Ec2Context, v: Vpc): XmlTree {
  return {
    vpcId: v.vpcId,
    ownerId: c.accountId,
    state: "available",
    cidrBlock: v.cidrBlock,
    dhcpOptionsId: "default",
    instanceTenancy: v.instanceTenancy,
    isDefault: v.isDefault,
    cidrBlockAssociationSet: [
      {
        associationId: v.cidrAssociationId,
        cidrBlock: v.cidrBlock,
        cidrBlockState: { state: "associated" },
      },
      ...(v.secondaryCidrs ?? []).map((s) => ({
        associationId: s.associationId,
        cidrBlock: s.cidrBlock,
        cidrBlockState: { state: "associated" },
      })),
    ],
    ipv6CidrBlockAssociationSet:
      v.ipv6CidrBlock === undefined
        ? []
        : [
            {
              associationId: v.ipv6AssociationId,
              ipv6CidrBlock: v.ipv6CidrBlock,
              ipv6CidrBlockState: { state: "associated" },
              networkBorderGroup: c.region,
              ipv6Pool: "Amazon",
            },
          ],
    tagSet: tagSet(v.tags),
  };
}

function availableIps(reader: StateReader, s: Subnet): number {
  const c = parseCidr(s.cidrBlock);
  const size = Number(c.last - c.first + 1n) - SUBNET_RESERVED_LOW - SUBNET_RESERVED_HIGH;
  let used = 0;
  for (const e of reader.list("networkInterface"))
    if (e.subnetId === s.subnetId) used += e.privateIps.length;
  return size - used;
}

export function subnetXml(c: Ec2Context, s: Subnet): XmlTree {
  const a = s.attributes ?? {};
  return {
    subnetId: s.subnetId,
    subnetArn: `arn:aws:ec2:${c.region}:${c.accountId}:subnet/${s.subnetId}`,
    state: "available",
    vpcId: s.vpcId,
    cidrBlock: s.cidrBlock,
    ipv6CidrBlockAssociationSet:
      s.ipv6CidrBlock === undefined
        ? []
        : [
            {
              associationId: s.ipv6AssociationId,
              ipv6CidrBlock: s.ipv6CidrBlock,
              ipv6CidrBlockState: { state: "associated" },
            },
          ],
    availableIpAddressCount: availableIps(c.store.reader(), s),
    availabilityZone: s.availabilityZone,
    availabilityZoneId: findZone(scopeOf(s).region, s.availabilityZone)?.zoneId,
    defaultForAz: s.defaultForAz === true,
    mapPublicIpOnLaunch: a.mapPublicIpOnLaunch === true,
    mapCustomerOwnedIpOnLaunch: a.mapCustomerOwnedIpOnLaunch === true,
    customerOwnedIpv4Pool: a.customerOwnedIpv4Pool,
    assignIpv6AddressOnCreation: a.assignIpv6AddressOnCreation === true,
    enableLniAtDeviceIndex: a.enableLniAtDeviceIndex,
    ownerId: c.accountId,
    enableDns64: a.enableDns64 === true,
    ipv6Native: false,
    privateDnsNameOptionsOnLaunch: {
      hostnameType: a.hostnameType ?? "ip-name",
      enableResourceNameDnsARecord: a.enableResourceNameDnsARecordOnLaunch === true,
      enableResourceNameDnsAAAARecord: a.enableResourceNameDnsAAAARecordOnLaunch === true,
    },
    blockPublicAccessStates: { internetGatewayBlockMode: "off" },
    tagSet: tagSet(s.tags),
  };
}

const createVpcAction: ActionHandler = (c) => {
  const p = c.params;
  const vpc = mutate(c, (ctx) =>
    createVpc(ctx, {
      cidrBlock: p.req("CidrBlock"),
      ...(p.bool("AmazonProvidedIpv6CidrBlock") === true
        ? { amazonProvidedIpv6CidrBlock: true }
        : {}),
      ...(p.str("Ipv6CidrBlock") === undefined ? {} : { ipv6CidrBlock: p.req("Ipv6CidrBlock") }),
      ...(p.str("InstanceTenancy") === undefined
        ? {}
        : { instanceTenancy: p.req("InstanceTenancy") }),
      tags: tagSpecifications(p, "vpc"),
    }),
  );
  return { vpc: vpcXml(c, vpc) };
};

const describeVpcs: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visible(c, "vpc"),
    p.list("VpcId"),
    (v) => v.vpcId,
    notFoundError("EMU_ERR_VPC_NOT_FOUND", "EMU_ERR_VPC_NOT_FOUND_MANY"),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "vpc-id": (v) => [v.vpcId],
      cidr: (v) => [v.cidrBlock],
      "cidr-block-association.cidr-block": (v) => vpcIpv4Cidrs(v),
      "cidr-block-association.association-id": (v) => [
        v.cidrAssociationId,
        ...(v.secondaryCidrs ?? []).map((s) => s.associationId),
      ],
      "cidr-block-association.state": () => ["associated"],
      "ipv6-cidr-block-association.association-id": (v) => [v.ipv6AssociationId],
      "ipv6-cidr-block-association.state": (v) =>
        v.ipv6CidrBlock === undefined ? [] : ["associated"],
      "dhcp-options-id": () => ["default"],
      "ipv6-cidr-block-association.ipv6-cidr-block": (v) => [v.ipv6CidrBlock],
      "is-default": (v) => [String(v.isDefault)],
      // Why: the older camelCase name, still accepted by AWS and common in scripts.
      isDefault: (v) => [String(v.isDefault)],
      state: () => ["available"],
      "owner-id": () => [c.accountId],
    },
    (v) => v.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { vpcSet: page.map((v) => vpcXml(c, v)), nextToken };
};

const deleteVpcAction: ActionHandler = (c) => {
  const id = c.params.req("VpcId");
  mutate(c, (ctx) => deleteVpc(ctx, id));
  return { return: true };
};

const createSubnetAction: ActionHandler = (c) => {
  const p = c.params;
  const az = sanitizeSubnetZone(
    c.region,
    p.str("AvailabilityZone"),
    p.str("AvailabilityZoneId"),
  ).zoneName;
  const subnet = mutate(c, (ctx) =>
    createSubnet(ctx, {
      vpcId: p.req("VpcId"),
      cidrBlock: p.req("CidrBlock"),
      ...(p.str("Ipv6CidrBlock") === undefined ? {} : { ipv6CidrBlock: p.req("Ipv6CidrBlock") }),
      availabilityZone: az,
      tags: tagSpecifications(p, "subnet"),
    }),
  );
  return { subnet: subnetXml(c, subnet) };
};

const describeSubnets: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visible(c, "subnet"),
    p.list("SubnetId"),
    (s) => s.subnetId,
    notFoundError("EMU_ERR_SUBNET_NOT_FOUND", "EMU_ERR_SUBNET_NOT_FOUND_MANY"),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "subnet-id": (s) => [s.subnetId],
      "vpc-id": (s) => [s.vpcId],
      "cidr-block": (s) => [s.cidrBlock],
      cidr: (s) => [s.cidrBlock],
      cidrBlock: (s) => [s.cidrBlock],
      "ipv6-cidr-block-association.ipv6-cidr-block": (s) => [s.ipv6CidrBlock],
      "availability-zone": (s) => [s.availabilityZone],
      "availability-zone-id": (s) => [findZone(scopeOf(s).region, s.availabilityZone)?.zoneId],
      "default-for-az": (s) => [String(s.defaultForAz === true)],
      "map-public-ip-on-launch": (s) => [String(s.attributes?.mapPublicIpOnLaunch === true)],
      "ipv6-native": () => ["false"],
      "subnet-arn": (s) => [`arn:aws:ec2:${c.region}:${c.accountId}:subnet/${s.subnetId}`],
      state: () => ["available"],
      "owner-id": () => [c.accountId],
    },
    (s) => s.tags,
  );
  const { page, nextToken } = paginate(items, p);
  return { subnetSet: page.map((s) => subnetXml(c, s)), nextToken };
};

const deleteSubnetAction: ActionHandler = (c) => {
  const id = c.params.req("SubnetId");
  mutate(c, (ctx) => deleteSubnet(ctx, id));
  return { return: true };
};

/**
 * AssociateVpcCidrBlock: a secondary IPv4 block (`CidrBlock`), or the IPv6 block (DEF-3),
 * Amazon-provided or given.
 */
const associateVpcCidr: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  const v4 = p.str("CidrBlock");
  if (v4 !== undefined) {
    const r = mutate(c, (ctx) => associateVpcIpv4(ctx, vpcId, v4));
    return {
      cidrBlockAssociation: {
        associationId: r.associationId,
        cidrBlock: r.cidrBlock,
        cidrBlockState: { state: "associating" },
      },
      vpcId,
    };
  }
  const cidr = p.str("Ipv6CidrBlock");
  if (cidr === undefined && p.bool("AmazonProvidedIpv6CidrBlock") !== true)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "AmazonProvidedIpv6CidrBlock");
  const vpc = mutate(c, (ctx) =>
    associateVpcIpv6(ctx, vpcId, cidr === undefined ? { amazonProvided: true } : { cidr }),
  );
  return {
    ipv6CidrBlockAssociation: {
      associationId: vpc.ipv6AssociationId,
      ipv6CidrBlock: vpc.ipv6CidrBlock,
      ipv6CidrBlockState: { state: "associated" },
      networkBorderGroup: c.region,
      ipv6Pool: "Amazon",
    },
    vpcId,
  };
};

const associateSubnetCidr: ActionHandler = (c) => {
  const p = c.params;
  const subnetId = p.req("SubnetId");
  const cidr = p.req("Ipv6CidrBlock");
  const s = mutate(c, (ctx) => associateSubnetIpv6(ctx, subnetId, cidr));
  return {
    ipv6CidrBlockAssociation: {
      associationId: s.ipv6AssociationId,
      ipv6CidrBlock: s.ipv6CidrBlock,
      ipv6CidrBlockState: { state: "associated" },
    },
    subnetId,
  };
};

const VPC_ATTRIBUTES = [
  "enableDnsSupport",
  "enableDnsHostnames",
  "enableNetworkAddressUsageMetrics",
] as const;
type VpcAttributeName = (typeof VPC_ATTRIBUTES)[number];

/** DescribeVpcAttribute: `Attribute` names one of VPC_ATTRIBUTES; answers `{value}`. */
const describeVpcAttribute: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  const name = p.req("Attribute");
  if (!(VPC_ATTRIBUTES as readonly string[]).includes(name))
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Value (${name}) for parameter attribute is invalid. Unknown attribute.`,
    );
  const vpc = visibleGet(c, "vpc", vpcId);
  if (vpc === undefined) throw controllerError("EMU_ERR_VPC_NOT_FOUND", vpcId);
  return { vpcId, [name]: { value: vpcAttribute(vpc, name as VpcAttributeName) } };
};

/**
 * ModifyVpcAttribute: exactly one of EnableDnsSupport, EnableDnsHostnames,
 * EnableNetworkAddressUsageMetrics (`.Value`) per request (AWS API reference).
 */
const modifyVpcAttributeAction: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  const changes: VpcAttributeChange[] = [];
  for (const name of VPC_ATTRIBUTES) {
    const wire = name.charAt(0).toUpperCase() + name.slice(1);
    if (!p.has(wire)) continue;
    const value = p.bool(`${wire}.Value`);
    if (value === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", `${wire}.Value`);
    changes.push({ name, value });
  }
  const change = changes[0];
  if (change === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Attribute");
  if (changes.length > 1)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "Fields for multiple attribute types specified: " + changes.map((x) => x.name).join(", "),
    );
  mutate(c, (ctx) => modifyVpcAttribute(ctx, vpcId, change));
  return { return: true };
};

/** ModifySubnetAttribute: one attribute per request (AWS API reference); DescribeSubnets shows it. */
const modifySubnetAttribute: ActionHandler = (c) => {
  const p = c.params;
  const subnetId = p.req("SubnetId");
  const change: Record<string, unknown> = {};
  const bools = [
    ["MapPublicIpOnLaunch", "mapPublicIpOnLaunch"],
    ["AssignIpv6AddressOnCreation", "assignIpv6AddressOnCreation"],
    ["EnableDns64", "enableDns64"],
    ["EnableResourceNameDnsARecordOnLaunch", "enableResourceNameDnsARecordOnLaunch"],
    ["EnableResourceNameDnsAAAARecordOnLaunch", "enableResourceNameDnsAAAARecordOnLaunch"],
    ["MapCustomerOwnedIpOnLaunch", "mapCustomerOwnedIpOnLaunch"],
  ] as const;
  for (const [wire, key] of bools) {
    if (!p.has(wire)) continue;
    const value = p.bool(`${wire}.Value`);
    if (value === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", `${wire}.Value`);
    change[key] = value;
  }
  const hostnameType = p.str("PrivateDnsHostnameTypeOnLaunch");
  if (hostnameType !== undefined) {
    if (hostnameType !== "ip-name" && hostnameType !== "resource-name")
      throw invalidValue(hostnameType, "PrivateDnsHostnameTypeOnLaunch");
    change["hostnameType"] = hostnameType;
  }
  const pool = p.str("CustomerOwnedIpv4Pool");
  if (pool !== undefined) change["customerOwnedIpv4Pool"] = pool;
  const lni = p.int("EnableLniAtDeviceIndex", 1, 31);
  if (lni !== undefined) change["enableLniAtDeviceIndex"] = lni;
  if (p.has("DisableLniAtDeviceIndex")) change["enableLniAtDeviceIndex"] = undefined;
  const n = Object.keys(change).length;
  if (n === 0) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "Attribute");
  // Why: CustomerOwnedIpv4Pool travels with MapCustomerOwnedIpOnLaunch in one request.
  if (
    n > 1 &&
    !(n === 2 && "customerOwnedIpv4Pool" in change && "mapCustomerOwnedIpOnLaunch" in change)
  )
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "Fields for multiple attribute types specified: " + Object.keys(change).join(", "),
    );
  mutate(c, (ctx) => modifySubnetAttributes(ctx, subnetId, change as Partial<SubnetAttributes>));
  return { return: true };
};

/** CreateDefaultVpc: the AWS layout (store/default-vpc.ts); DefaultVpcAlreadyExists. */
const createDefaultVpcAction: ActionHandler = (c) => {
  const vpc = mutate(c, (ctx) => createDefaultVpc(ctx));
  return { vpc: vpcXml(c, vpc) };
};

/** CreateDefaultSubnet: a /20 default subnet in the zone (AvailabilityZone or AvailabilityZoneId). */
const createDefaultSubnetAction: ActionHandler = (c) => {
  const p = c.params;
  const name = p.str("AvailabilityZone");
  const id = p.str("AvailabilityZoneId");
  if (name === undefined && id === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "AvailabilityZone");
  if (p.bool("Ipv6Native") === true)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      "Invalid value 'true' for Ipv6Native. The default VPC has no IPv6 CIDR block.",
    );
  const zone = sanitizeSubnetZone(c.region, name, id);
  const subnet = mutate(c, (ctx) => createDefaultSubnet(ctx, zone));
  return { subnet: subnetXml(c, subnet) };
};

/** DisassociateVpcCidrBlock: a secondary IPv4 block or the IPv6 block, by association id. */
const disassociateVpcCidr: ActionHandler = (c) => {
  const id = c.params.req("AssociationId");
  const r = mutate(c, (ctx) => disassociateVpcCidrBlock(ctx, id));
  return r.family === "IPv4"
    ? {
        cidrBlockAssociation: {
          associationId: r.associationId,
          cidrBlock: r.cidrBlock,
          cidrBlockState: { state: "disassociating" },
        },
        vpcId: r.vpcId,
      }
    : {
        ipv6CidrBlockAssociation: {
          associationId: r.associationId,
          ipv6CidrBlock: r.cidrBlock,
          ipv6CidrBlockState: { state: "disassociating" },
          networkBorderGroup: c.region,
        },
        vpcId: r.vpcId,
      };
};

/** ModifyVpcTenancy: dedicated -> default only. */
const modifyVpcTenancyAction: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  const tenancy = p.req("InstanceTenancy");
  mutate(c, (ctx) => modifyVpcTenancy(ctx, vpcId, tenancy));
  return { return: true };
};

export const VPC_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DisassociateVpcCidrBlock: disassociateVpcCidr,
  ModifyVpcTenancy: modifyVpcTenancyAction,
  CreateDefaultVpc: createDefaultVpcAction,
  CreateDefaultSubnet: createDefaultSubnetAction,
  DescribeVpcAttribute: describeVpcAttribute,
  ModifyVpcAttribute: modifyVpcAttributeAction,
  ModifySubnetAttribute: modifySubnetAttribute,
  CreateVpc: createVpcAction,
  DescribeVpcs: describeVpcs,
  DeleteVpc: deleteVpcAction,
  CreateSubnet: createSubnetAction,
  DescribeSubnets: describeSubnets,
  DeleteSubnet: deleteSubnetAction,
  AssociateVpcCidrBlock: associateVpcCidr,
  AssociateSubnetCidrBlock: associateSubnetCidr,
};
