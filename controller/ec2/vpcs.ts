import { controllerError } from "../errors.js";
import { parseCidr } from "../model/cidr.js";
import type { Subnet, Vpc } from "../model/vpc.js";
import { SUBNET_RESERVED_HIGH, SUBNET_RESERVED_LOW } from "../model/vpc.js";
import type { StateReader } from "../store/transaction.js";
import {
  associateSubnetIpv6,
  associateVpcIpv6,
  createSubnet,
  createVpc,
  deleteSubnet,
  deleteVpc,
} from "../store/vpc-ops.js";
import { mutate, visible, type ActionHandler, type Ec2Context } from "./context.js";
import {
  applyFilters,
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
    availabilityZoneId: `use1-az${(s.availabilityZone.charCodeAt(s.availabilityZone.length - 1) - 96).toString()}`,
    defaultForAz: false,
    mapPublicIpOnLaunch: false,
    assignIpv6AddressOnCreation: false,
    ownerId: c.accountId,
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
    (m) => controllerError("EMU_ERR_VPC_NOT_FOUND", m.join(", ")),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "vpc-id": (v) => [v.vpcId],
      cidr: (v) => [v.cidrBlock],
      "cidr-block-association.cidr-block": (v) => [v.cidrBlock],
      "ipv6-cidr-block-association.ipv6-cidr-block": (v) => [v.ipv6CidrBlock],
      "is-default": (v) => [String(v.isDefault)],
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
  const az = p.str("AvailabilityZone") ?? `${c.region}a`;
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
    (m) => controllerError("EMU_ERR_SUBNET_NOT_FOUND", m.join(", ")),
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
      "default-for-az": () => ["false"],
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

/** AssociateVpcCidrBlock: IPv6 only (DEF-3); vpcemu VPCs have one IPv4 CIDR. */
const associateVpcCidr: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  if (p.str("CidrBlock") !== undefined)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value '${p.req("CidrBlock")}' for CidrBlock. vpcemu does not support secondary IPv4 CIDR blocks.`,
    );
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

export const VPC_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  CreateVpc: createVpcAction,
  DescribeVpcs: describeVpcs,
  DeleteVpc: deleteVpcAction,
  CreateSubnet: createSubnetAction,
  DescribeSubnets: describeSubnets,
  DeleteSubnet: deleteSubnetAction,
  AssociateVpcCidrBlock: associateVpcCidr,
  AssociateSubnetCidrBlock: associateSubnetCidr,
};
