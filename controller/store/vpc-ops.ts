import { randomBytes } from "node:crypto";
import { controllerError } from "../errors.js";
import { newId } from "../ids.js";
import {
  cidrContains,
  cidrsOverlap,
  parseCidr,
  sanitizeIpv6Cidr,
  type Cidr,
} from "../model/cidr.js";
import {
  NACL_CATCH_ALL_V4,
  NACL_CATCH_ALL_V6,
  initialNaclEntries,
  sortNaclEntries,
} from "../model/network-acl.js";
import type { NaclEntryState } from "../policy/policy-state.js";
import type { SecurityGroup } from "../model/security-group.js";
import type { Tags } from "../model/tags.js";
import {
  sanitizeSubnetCidr,
  sanitizeVpcCidr,
  vpcAttribute,
  vpcIpv4Cidrs,
  type Subnet,
  type SubnetAttributes,
  type Vpc,
} from "../model/vpc.js";
import { deleteSubnetRoutingState, deleteVpcRoutingState } from "./routing-deps.js";
import { scopeFields, scopedGet, scopedList, type ScopedOpContext } from "./scope.js";

/** An emulated Amazon-provided /56 from 2600:1f18::/32; it exists only inside vpcemu. */
function amazonIpv6Block(): string {
  const b = randomBytes(3);
  return sanitizeIpv6Cidr(
    `2600:1f18:${b.readUInt16BE(0).toString(16)}:${(b[2] ?? 0).toString(16)}00::/56`,
  ).cidr;
}

export interface CreateVpcInput {
  readonly cidrBlock: string;
  readonly amazonProvidedIpv6CidrBlock?: boolean;
  readonly ipv6CidrBlock?: string;
  readonly instanceTenancy?: string;
  readonly tags?: Tags;
}

/** CreateVpc (API-9) with its default SG (DEF-1) and default NACL (DEF-5). */
export function createVpc(ctx: ScopedOpContext, input: CreateVpcInput): Vpc {
  const { tx, quotas } = ctx;
  const cidr = sanitizeVpcCidr(input.cidrBlock);
  let ipv6: string | undefined;
  if (input.ipv6CidrBlock !== undefined) {
    const c = sanitizeIpv6Cidr(input.ipv6CidrBlock);
    if (c.prefix !== 56) throw controllerError("EMU_ERR_VPC_RANGE", input.ipv6CidrBlock);
    ipv6 = c.cidr;
  } else if (input.amazonProvidedIpv6CidrBlock === true) {
    ipv6 = amazonIpv6Block();
  }
  const tenancy = input.instanceTenancy ?? "default";
  if (tenancy !== "default" && tenancy !== "dedicated")
    throw controllerError("EMU_ERR_VPC_TENANCY", tenancy);
  if (scopedList(ctx, "vpc").length >= quotas.vpcsPerRegion)
    throw controllerError("EMU_ERR_VPC_LIMIT");
  const vpcId = newId("vpc");
  const groupId = newId("sg");
  const aclId = newId("acl");
  const vpc: Vpc = {
    vpcId,
    cidrBlock: cidr.cidr,
    cidrAssociationId: newId("vpc-cidr-assoc"),
    ...(ipv6 === undefined
      ? {}
      : { ipv6CidrBlock: ipv6, ipv6AssociationId: newId("vpc-cidr-assoc") }),
    instanceTenancy: tenancy,
    isDefault: false,
    ...scopeFields(ctx.scope),
    defaultGroupId: groupId,
    defaultNetworkAclId: aclId,
    mainRouteTableId: newId("rtb"),
    mainRouteTableAssociationId: newId("rtbassoc"),
    tags: input.tags ?? {},
  };
  tx.put("vpc", vpcId, vpc);
  const group: SecurityGroup = {
    groupId,
    vpcId,
    groupName: "default",
    description: "default VPC security group",
    isDefault: true,
    ...scopeFields(ctx.scope),
    rules: [
      {
        ruleId: newId("sgr"),
        isEgress: false,
        protocol: "-1",
        fromPort: -1,
        toPort: -1,
        referencedGroupId: groupId,
        tags: {},
      },
      {
        ruleId: newId("sgr"),
        isEgress: true,
        protocol: "-1",
        fromPort: -1,
        toPort: -1,
        cidrIpv4: "0.0.0.0/0",
        tags: {},
      },
      ...(ipv6 === undefined
        ? []
        : [
            {
              ruleId: newId("sgr"),
              isEgress: true,
              protocol: "-1",
              fromPort: -1,
              toPort: -1,
              cidrIpv6: "::/0",
              tags: {},
            },
          ]),
    ],
    tags: {},
  };
  tx.put("securityGroup", groupId, group);
  tx.put("networkAcl", aclId, {
    networkAclId: aclId,
    vpcId,
    isDefault: true,
    ...scopeFields(ctx.scope),
    entries: initialNaclEntries(true, ipv6 !== undefined),
    tags: {},
  });
  return vpc;
}

/** DeleteVpc (API-11): ERR-31 while subnets, custom SGs or custom NACLs remain; DEF-8. */
export function deleteVpc(ctx: ScopedOpContext, vpcId: string): void {
  const { tx } = ctx;
  const vpc = requireVpc(ctx, vpcId);
  const busy =
    tx.list("subnet").some((s) => s.vpcId === vpcId) ||
    tx.list("securityGroup").some((g) => g.vpcId === vpcId && !g.isDefault) ||
    tx.list("networkAcl").some((n) => n.vpcId === vpcId && !n.isDefault);
  if (busy) throw controllerError("EMU_ERR_VPC_DEPENDENCY", vpcId);
  deleteVpcRoutingState(ctx, vpcId);
  tx.delete("securityGroup", vpc.defaultGroupId);
  tx.delete("networkAcl", vpc.defaultNetworkAclId);
  tx.delete("vpc", vpcId);
}

export function requireVpc(ctx: ScopedOpContext, vpcId: string): Vpc {
  const vpc = scopedGet(ctx, "vpc", vpcId);
  if (vpc === undefined) throw controllerError("EMU_ERR_VPC_NOT_FOUND", vpcId);
  return vpc;
}

export function requireSubnet(ctx: ScopedOpContext, subnetId: string): Subnet {
  const s = scopedGet(ctx, "subnet", subnetId);
  if (s === undefined) throw controllerError("EMU_ERR_SUBNET_NOT_FOUND", subnetId);
  return s;
}

export interface CreateSubnetInput {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly ipv6CidrBlock?: string;
  readonly availabilityZone: string;
  readonly tags?: Tags;
}

/** CreateSubnet (API-12): inside the VPC, no overlap (ERR-33), on the default NACL (DEF-7). */
export function createSubnet(ctx: ScopedOpContext, input: CreateSubnetInput): Subnet {
  const { tx, quotas } = ctx;
  const cidr = sanitizeSubnetCidr(input.cidrBlock);
  const vpc = requireVpc(ctx, input.vpcId);
  if (!vpcIpv4Cidrs(vpc).some((b) => cidrContains(parseCidr(b), cidr)))
    throw controllerError("EMU_ERR_SUBNET_RANGE", input.cidrBlock);
  const siblings = tx.list("subnet").filter((s) => s.vpcId === vpc.vpcId);
  if (siblings.some((s) => cidrsOverlap(parseCidr(s.cidrBlock), cidr)))
    throw controllerError("EMU_ERR_SUBNET_CONFLICT", input.cidrBlock);
  let v6: Cidr | undefined;
  if (input.ipv6CidrBlock !== undefined) {
    v6 = sanitizeIpv6Cidr(input.ipv6CidrBlock);
    if (
      vpc.ipv6CidrBlock === undefined ||
      v6.prefix !== 64 ||
      !cidrContains(parseCidr(vpc.ipv6CidrBlock), v6)
    )
      throw controllerError("EMU_ERR_SUBNET_RANGE", input.ipv6CidrBlock);
    const taken = v6;
    if (
      siblings.some(
        (s) => s.ipv6CidrBlock !== undefined && cidrsOverlap(parseCidr(s.ipv6CidrBlock), taken),
      )
    )
      throw controllerError("EMU_ERR_SUBNET_CONFLICT", input.ipv6CidrBlock);
  }
  if (siblings.length >= quotas.subnetsPerVpc) throw controllerError("EMU_ERR_SUBNET_LIMIT");
  const subnet: Subnet = {
    subnetId: newId("subnet"),
    vpcId: vpc.vpcId,
    cidrBlock: cidr.cidr,
    ...(v6 === undefined
      ? {}
      : { ipv6CidrBlock: v6.cidr, ipv6AssociationId: newId("subnet-cidr-assoc") }),
    availabilityZone: input.availabilityZone,
    networkAclId: vpc.defaultNetworkAclId,
    networkAclAssociationId: newId("aclassoc"),
    ...scopeFields(ctx.scope),
    tags: input.tags ?? {},
  };
  tx.put("subnet", subnet.subnetId, subnet);
  tx.touch("networkAcl", vpc.defaultNetworkAclId);
  return subnet;
}

/** DeleteSubnet: DependencyViolation while ENIs remain in it. */
export function deleteSubnet(ctx: ScopedOpContext, subnetId: string): void {
  const s = requireSubnet(ctx, subnetId);
  if (ctx.tx.list("networkInterface").some((e) => e.subnetId === subnetId))
    throw controllerError("EMU_ERR_SUBNET_DEPENDENCY", subnetId);
  deleteSubnetRoutingState(ctx, subnetId);
  ctx.tx.delete("subnet", subnetId);
  ctx.tx.touch("networkAcl", s.networkAclId);
}

/**
 * AssociateVpcCidrBlock for IPv6 (DEF-3): the VPC gets a /56; groups whose egress is still the
 * untouched default (-1 to 0.0.0.0/0 only) get -1 to ::/0; default-NACL directions still at
 * their defaults get rule 101 allow ::/0; every NACL of the VPC gets the 32768 `*` deny.
 */
export function associateVpcIpv6(
  ctx: ScopedOpContext,
  vpcId: string,
  block: { amazonProvided: true } | { cidr: string },
): Vpc {
  const { tx } = ctx;
  const vpc = requireVpc(ctx, vpcId);
  let cidr: string;
  if ("cidr" in block) {
    const c = sanitizeIpv6Cidr(block.cidr);
    if (c.prefix !== 56) throw controllerError("EMU_ERR_VPC_RANGE", block.cidr);
    cidr = c.cidr;
  } else cidr = amazonIpv6Block();
  if (vpc.ipv6CidrBlock !== undefined)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `The vpc '${vpcId}' already has an IPv6 CIDR block (${vpc.ipv6CidrBlock}); vpcemu supports one.`,
    );
  const next: Vpc = { ...vpc, ipv6CidrBlock: cidr, ipv6AssociationId: newId("vpc-cidr-assoc") };
  tx.put("vpc", vpcId, next);
  for (const g of tx.list("securityGroup")) {
    if (g.vpcId !== vpcId) continue;
    const egress = g.rules.filter((r) => r.isEgress);
    const untouched =
      egress.length === 1 && egress[0]?.protocol === "-1" && egress[0].cidrIpv4 === "0.0.0.0/0";
    if (!untouched) continue;
    tx.put("securityGroup", g.groupId, {
      ...g,
      rules: [
        ...g.rules,
        {
          ruleId: newId("sgr"),
          isEgress: true,
          protocol: "-1",
          fromPort: -1,
          toPort: -1,
          cidrIpv6: "::/0",
          tags: {},
        },
      ],
    });
  }
  for (const acl of tx.list("networkAcl")) {
    if (acl.vpcId !== vpcId) continue;
    const entries: NaclEntryState[] = [...acl.entries];
    for (const egress of [false, true]) {
      const dir = acl.entries.filter((e) => e.egress === egress);
      const defaults =
        dir.length === 2 &&
        dir.some(
          (e) =>
            e.ruleNumber === 100 &&
            e.ruleAction === "allow" &&
            e.protocol === "-1" &&
            e.cidrBlock === "0.0.0.0/0",
        ) &&
        dir.some((e) => e.ruleNumber === NACL_CATCH_ALL_V4);
      if (acl.isDefault && defaults)
        entries.push({
          ruleNumber: 101,
          egress,
          ruleAction: "allow",
          protocol: "-1",
          ipv6CidrBlock: "::/0",
        });
      if (!dir.some((e) => e.ruleNumber === NACL_CATCH_ALL_V6))
        entries.push({
          ruleNumber: NACL_CATCH_ALL_V6,
          egress,
          ruleAction: "deny",
          protocol: "-1",
          ipv6CidrBlock: "::/0",
        });
    }
    tx.put("networkAcl", acl.networkAclId, { ...acl, entries: sortNaclEntries(entries) });
  }
  return next;
}

/** AssociateSubnetCidrBlock: a /64 inside the VPC's IPv6 block, not used by another subnet. */
export function associateSubnetIpv6(
  ctx: ScopedOpContext,
  subnetId: string,
  ipv6CidrBlock: string,
): Subnet {
  const { tx } = ctx;
  const subnet = requireSubnet(ctx, subnetId);
  const vpc = requireVpc(ctx, subnet.vpcId);
  const c = sanitizeIpv6Cidr(ipv6CidrBlock);
  if (
    vpc.ipv6CidrBlock === undefined ||
    c.prefix !== 64 ||
    !cidrContains(parseCidr(vpc.ipv6CidrBlock), c)
  )
    throw controllerError("EMU_ERR_SUBNET_RANGE", ipv6CidrBlock);
  if (subnet.ipv6CidrBlock !== undefined)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `The subnet '${subnetId}' already has an IPv6 CIDR block (${subnet.ipv6CidrBlock}).`,
    );
  const others = tx
    .list("subnet")
    .filter((s) => s.vpcId === vpc.vpcId && s.ipv6CidrBlock !== undefined);
  if (others.some((s) => cidrsOverlap(parseCidr(s.ipv6CidrBlock ?? ""), c)))
    throw controllerError("EMU_ERR_SUBNET_CONFLICT", ipv6CidrBlock);
  const next: Subnet = {
    ...subnet,
    ipv6CidrBlock: c.cidr,
    ipv6AssociationId: newId("subnet-cidr-assoc"),
  };
  tx.put("subnet", subnetId, next);
  return next;
}

/** One ModifyVpcAttribute change (exactly one per request). */
export type VpcAttributeChange = {
  readonly name: "enableDnsSupport" | "enableDnsHostnames" | "enableNetworkAddressUsageMetrics";
  readonly value: boolean;
};

/**
 * ModifyVpcAttribute: DNS hostnames can be enabled only while DNS support is on, and DNS
 * support not turned off while hostnames are on (AWS API reference, ModifyVpcAttribute).
 */
export function modifyVpcAttribute(
  ctx: ScopedOpContext,
  vpcId: string,
  change: VpcAttributeChange,
): Vpc {
  const vpc = requireVpc(ctx, vpcId);
  const next: Vpc = { ...vpc, [change.name]: change.value };
  if (vpcAttribute(next, "enableDnsHostnames") && !vpcAttribute(next, "enableDnsSupport"))
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      change.name === "enableDnsHostnames"
        ? "Invalid value 'true' for enableDnsHostnames. You can only enable DNS hostnames if you've enabled DNS support."
        : "Invalid value 'false' for enableDnsSupport. DNS support cannot be disabled while DNS hostnames are enabled.",
    );
  ctx.tx.put("vpc", vpcId, next);
  return next;
}

/** ModifySubnetAttribute: one attribute per request (AWS API reference); DescribeSubnets shows it. */
export function modifySubnetAttributes(
  ctx: ScopedOpContext,
  subnetId: string,
  change: Partial<SubnetAttributes>,
): Subnet {
  const subnet = requireSubnet(ctx, subnetId);
  if (change.assignIpv6AddressOnCreation === true && subnet.ipv6CidrBlock === undefined)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value 'true' for assignIpv6AddressOnCreation. Cannot set assignIpv6AddressOnCreation to true unless the subnet (${subnetId}) has an IPv6 CIDR block associated with it.`,
    );
  if (change.enableResourceNameDnsAAAARecordOnLaunch === true && subnet.ipv6CidrBlock === undefined)
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value 'true' for enableResourceNameDnsAAAARecordOnLaunch. The subnet (${subnetId}) has no IPv6 CIDR block.`,
    );
  if (
    change.mapCustomerOwnedIpOnLaunch !== undefined ||
    change.customerOwnedIpv4Pool !== undefined ||
    change.enableLniAtDeviceIndex !== undefined
  )
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER",
      `The subnet ${subnetId} is not an AWS Outposts subnet; customer-owned IPs and local network interfaces need one.`,
    );
  const next: Subnet = { ...subnet, attributes: { ...subnet.attributes, ...change } };
  ctx.tx.put("subnet", subnetId, next);
  return next;
}

/**
 * AssociateVpcCidrBlock with `CidrBlock`: a secondary IPv4 block, /16../28, overlapping none of
 * the VPC's blocks (InvalidVpc.Range), within the per-VPC quota (CidrLimitExceeded, Q-6).
 */
export function associateVpcIpv4(
  ctx: ScopedOpContext,
  vpcId: string,
  cidrBlock: string,
): { vpc: Vpc; associationId: string; cidrBlock: string } {
  const vpc = requireVpc(ctx, vpcId);
  const c = sanitizeVpcCidr(cidrBlock);
  const blocks = vpcIpv4Cidrs(vpc);
  if (blocks.length >= ctx.quotas.cidrsPerVpc)
    throw controllerError("EMU_ERR_VPC_CIDR_LIMIT", vpcId, ctx.quotas.cidrsPerVpc);
  if (blocks.some((b) => cidrsOverlap(parseCidr(b), c)))
    throw controllerError("EMU_ERR_VPC_RANGE", cidrBlock);
  const associationId = newId("vpc-cidr-assoc");
  const next: Vpc = {
    ...vpc,
    secondaryCidrs: [...(vpc.secondaryCidrs ?? []), { cidrBlock: c.cidr, associationId }],
  };
  ctx.tx.put("vpc", vpcId, next);
  return { vpc: next, associationId, cidrBlock: c.cidr };
}

/** What DisassociateVpcCidrBlock removed. */
export interface DisassociatedCidr {
  readonly family: "IPv4" | "IPv6";
  readonly vpcId: string;
  readonly associationId: string;
  readonly cidrBlock: string;
}

/**
 * DisassociateVpcCidrBlock: a secondary IPv4 block or the IPv6 block, by association id. The
 * primary IPv4 block cannot go (OperationNotPermitted); a block with subnets in it neither
 * (DependencyViolation).
 */
export function disassociateVpcCidr(
  ctx: ScopedOpContext,
  associationId: string,
): DisassociatedCidr {
  const vpc = scopedList(ctx, "vpc").find(
    (v) =>
      v.cidrAssociationId === associationId ||
      v.ipv6AssociationId === associationId ||
      (v.secondaryCidrs ?? []).some((s) => s.associationId === associationId),
  );
  if (vpc === undefined) throw controllerError("EMU_ERR_VPC_CIDR_ASSOC_NOT_FOUND", associationId);
  if (vpc.cidrAssociationId === associationId)
    throw controllerError("EMU_ERR_VPC_CIDR_PRIMARY", associationId);
  const subnets = scopedList(ctx, "subnet").filter((s) => s.vpcId === vpc.vpcId);
  if (vpc.ipv6AssociationId === associationId && vpc.ipv6CidrBlock !== undefined) {
    const users = subnets.filter((s) => s.ipv6CidrBlock !== undefined);
    if (users.length > 0)
      throw controllerError(
        "EMU_ERR_VPC_CIDR_IN_USE",
        associationId,
        users.map((s) => s.subnetId).join(", "),
      );
    const { ipv6CidrBlock: block, ipv6AssociationId: _a, ...rest } = vpc;
    ctx.tx.put("vpc", vpc.vpcId, rest);
    return { family: "IPv6", vpcId: vpc.vpcId, associationId, cidrBlock: block };
  }
  const secondary = (vpc.secondaryCidrs ?? []).find((s) => s.associationId === associationId);
  if (secondary === undefined)
    throw controllerError("EMU_ERR_VPC_CIDR_ASSOC_NOT_FOUND", associationId);
  const block = parseCidr(secondary.cidrBlock);
  const users = subnets.filter((s) => cidrContains(block, parseCidr(s.cidrBlock)));
  if (users.length > 0)
    throw controllerError(
      "EMU_ERR_VPC_CIDR_IN_USE",
      associationId,
      users.map((s) => s.subnetId).join(", "),
    );
  ctx.tx.put("vpc", vpc.vpcId, {
    ...vpc,
    secondaryCidrs: (vpc.secondaryCidrs ?? []).filter((s) => s.associationId !== associationId),
  });
  return { family: "IPv4", vpcId: vpc.vpcId, associationId, cidrBlock: secondary.cidrBlock };
}

/** ModifyVpcTenancy: only to `default` (AWS: dedicated -> default). */
export function modifyVpcTenancy(ctx: ScopedOpContext, vpcId: string, tenancy: string): void {
  const vpc = requireVpc(ctx, vpcId);
  if (tenancy !== "default") throw controllerError("EMU_ERR_VPC_TENANCY", tenancy);
  ctx.tx.put("vpc", vpcId, { ...vpc, instanceTenancy: "default" });
}
