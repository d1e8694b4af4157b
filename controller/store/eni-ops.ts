import { controllerError, invalidValue } from "../errors.js";
import { newId, newMacAddress } from "../ids.js";
import { ipv4FromBigint, ipv6FromBigint, parseCidr, sanitizeAddress } from "../model/cidr.js";
import type { Instance, InstanceStateName } from "../model/instance.js";
import type { ConntrackSpec, NetworkInterface } from "../model/network-interface.js";
import type { Tags } from "../model/tags.js";
import { SUBNET_RESERVED_HIGH, SUBNET_RESERVED_LOW, type Subnet } from "../model/vpc.js";
import { scopeFields, scopedGet, scopedList, type ScopedOpContext } from "./scope.js";
import { checkGroupSetRuleQuota } from "./sg-ops.js";
import { requireSubnet, requireVpc } from "./vpc-ops.js";

export function requireEni(ctx: ScopedOpContext, id: string): NetworkInterface {
  const e = scopedGet(ctx, "networkInterface", id);
  if (e === undefined) throw controllerError("EMU_ERR_ENI_NOT_FOUND", id);
  return e;
}

export function requireInstance(ctx: ScopedOpContext, id: string): Instance {
  const i = scopedGet(ctx, "instance", id);
  if (i === undefined) {
    if (!/^i-[0-9a-f]{8,17}$/.test(id)) throw controllerError("EMU_ERR_INSTANCE_MALFORMED_ID", id);
    throw controllerError("EMU_ERR_INSTANCE_NOT_FOUND", id);
  }
  return i;
}

/**
 * Validates an ENI's group set: exists (ERR-5), same VPC (ERR-34), ≤ quota (ERR-15), their rules
 * together ≤ rulesPerEni. DEF-4 default.
 */
function resolveGroups(
  ctx: ScopedOpContext,
  subnet: Subnet,
  groupIds: readonly string[] | undefined,
): string[] {
  if (groupIds === undefined || groupIds.length === 0) {
    const fallback = [requireVpc(ctx, subnet.vpcId).defaultGroupId];
    checkGroupSetRuleQuota(ctx, fallback);
    return fallback;
  }
  const unique = [...new Set(groupIds)];
  const missing = unique.filter((g) => scopedGet(ctx, "securityGroup", g) === undefined);
  if (missing.length === 1) throw controllerError("EMU_ERR_SG_NOT_FOUND", missing[0] ?? "");
  if (missing.length > 1)
    throw controllerError("EMU_ERR_SG_NOT_FOUND_MANY", missing.map((m) => `'${m}'`).join(", "));
  for (const g of unique) {
    if (ctx.tx.get("securityGroup", g)?.vpcId !== subnet.vpcId)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER",
        `Security group ${g} and subnet ${subnet.subnetId} belong to different networks.`,
      );
  }
  if (unique.length > ctx.quotas.groupsPerEni) throw controllerError("EMU_ERR_SG_PER_ENI_LIMIT");
  checkGroupSetRuleQuota(ctx, unique);
  return unique;
}

/** Addresses used in `subnet` (by family), from every ENI in the transaction's view. */
function usedAddresses(ctx: ScopedOpContext, subnetId: string): Set<string> {
  const used = new Set<string>();
  for (const e of ctx.tx.list("networkInterface")) {
    if (e.subnetId !== subnetId) continue;
    for (const a of e.privateIps) used.add(a);
    for (const a of e.ipv6) used.add(a);
  }
  return used;
}

class AddressAllocator {
  private readonly used: Set<string>;
  constructor(
    private readonly ctx: ScopedOpContext,
    private readonly subnet: Subnet,
  ) {
    this.used = usedAddresses(ctx, subnet.subnetId);
  }

  /** A requested private IPv4: inside the subnet, not reserved, free. */
  claimV4(text: string, param: string): string {
    const a = sanitizeAddress(text, param, 4);
    const c = parseCidr(this.subnet.cidrBlock);
    if (a.value < c.first || a.value > c.last)
      throw controllerError("EMU_ERR_ADDRESS_OUT_OF_SUBNET", text);
    if (
      a.value < c.first + BigInt(SUBNET_RESERVED_LOW) ||
      a.value > c.last - BigInt(SUBNET_RESERVED_HIGH)
    )
      throw invalidValue(text, param, "Address is in subnet's reserved address range.");
    if (this.used.has(a.text)) throw controllerError("EMU_ERR_ADDRESS_IN_USE", a.text);
    this.used.add(a.text);
    return a.text;
  }

  nextV4(): string {
    const c = parseCidr(this.subnet.cidrBlock);
    for (
      let v = c.first + BigInt(SUBNET_RESERVED_LOW);
      v <= c.last - BigInt(SUBNET_RESERVED_HIGH);
      v++
    ) {
      const t = ipv4FromBigint(v);
      if (!this.used.has(t)) {
        this.used.add(t);
        return t;
      }
    }
    throw controllerError("EMU_ERR_SUBNET_FULL", this.subnet.subnetId);
  }

  private v6Cidr() {
    if (this.subnet.ipv6CidrBlock === undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Subnet ${this.subnet.subnetId} has no IPv6 CIDR block`,
      );
    return parseCidr(this.subnet.ipv6CidrBlock);
  }

  claimV6(text: string, param: string): string {
    const c = this.v6Cidr();
    const a = sanitizeAddress(text, param, 6);
    if (a.value < c.first || a.value > c.last)
      throw controllerError("EMU_ERR_ADDRESS_OUT_OF_SUBNET", text);
    if (this.used.has(a.text)) throw controllerError("EMU_ERR_ADDRESS_IN_USE", a.text);
    this.used.add(a.text);
    return a.text;
  }

  nextV6(): string {
    const c = this.v6Cidr();
    for (let v = c.first + 4n; v <= c.last; v++) {
      const t = ipv6FromBigint(v);
      if (!this.used.has(t)) {
        this.used.add(t);
        return t;
      }
    }
    throw controllerError("EMU_ERR_SUBNET_FULL", this.subnet.subnetId);
  }
}

export interface CreateEniInput {
  readonly subnetId: string;
  readonly groupIds?: readonly string[];
  /** Primary first; explicit addresses. */
  readonly privateIps?: readonly string[];
  readonly secondaryPrivateIpCount?: number;
  readonly ipv6Addresses?: readonly string[];
  readonly ipv6Count?: number;
  readonly description?: string;
  readonly conntrack?: ConntrackSpec;
  readonly tags?: Tags;
}

/** CreateNetworkInterface (API-27): addresses allocated from the subnet; DEF-4 groups. */
export function createNetworkInterface(
  ctx: ScopedOpContext,
  input: CreateEniInput,
): NetworkInterface {
  const subnet = requireSubnet(ctx, input.subnetId);
  const groupIds = resolveGroups(ctx, subnet, input.groupIds);
  if (scopedList(ctx, "networkInterface").length >= ctx.quotas.enisPerRegion)
    throw controllerError("EMU_ERR_ENI_LIMIT");
  const alloc = new AddressAllocator(ctx, subnet);
  const privateIps = (input.privateIps ?? []).map((a) => alloc.claimV4(a, "PrivateIpAddress"));
  if (privateIps.length === 0) privateIps.push(alloc.nextV4());
  for (let i = 0; i < (input.secondaryPrivateIpCount ?? 0); i++) privateIps.push(alloc.nextV4());
  const ipv6 = (input.ipv6Addresses ?? []).map((a) => alloc.claimV6(a, "Ipv6Address"));
  for (let i = 0; i < (input.ipv6Count ?? 0); i++) ipv6.push(alloc.nextV6());
  const eni: NetworkInterface = {
    eniId: newId("eni"),
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    description: input.description ?? "",
    privateIps,
    ipv6,
    groupIds,
    sourceDestCheck: true,
    macAddress: newMacAddress(),
    ...scopeFields(ctx.scope),
    ...input.conntrack,
    tags: input.tags ?? {},
  };
  ctx.tx.put("networkInterface", eni.eniId, eni);
  for (const g of groupIds) ctx.tx.touch("securityGroup", g);
  return eni;
}

/** DeleteNetworkInterface: attached ENIs are in use. */
export function deleteNetworkInterface(ctx: ScopedOpContext, eniId: string): void {
  const eni = requireEni(ctx, eniId);
  if (eni.attachment !== undefined) throw controllerError("EMU_ERR_ENI_IN_USE", eniId);
  ctx.tx.delete("networkInterface", eniId);
  for (const g of eni.groupIds) ctx.tx.touch("securityGroup", g);
}

export type EniAttributeChange =
  | { readonly kind: "groups"; readonly groupIds: readonly string[] }
  | { readonly kind: "description"; readonly description: string }
  | { readonly kind: "sourceDestCheck"; readonly value: boolean }
  | { readonly kind: "conntrack"; readonly spec: ConntrackSpec }
  | {
      readonly kind: "deleteOnTermination";
      readonly attachmentId: string;
      readonly value: boolean;
    };

/** ModifyNetworkInterfaceAttribute (API-28): one attribute; group changes touch old and new groups. */
export function modifyNetworkInterface(
  ctx: ScopedOpContext,
  eniId: string,
  change: EniAttributeChange,
): void {
  const eni = requireEni(ctx, eniId);
  let next: NetworkInterface;
  switch (change.kind) {
    case "groups": {
      const groupIds = resolveGroups(ctx, requireSubnet(ctx, eni.subnetId), change.groupIds);
      for (const g of [...eni.groupIds, ...groupIds]) ctx.tx.touch("securityGroup", g);
      next = { ...eni, groupIds };
      break;
    }
    case "description":
      next = { ...eni, description: change.description };
      break;
    case "sourceDestCheck":
      next = { ...eni, sourceDestCheck: change.value };
      break;
    case "conntrack":
      next = { ...eni, ...change.spec };
      break;
    case "deleteOnTermination": {
      if (eni.attachment === undefined || eni.attachment.attachmentId !== change.attachmentId)
        throw invalidValue(change.attachmentId, "Attachment.AttachmentId");
      next = { ...eni, attachment: { ...eni.attachment, deleteOnTermination: change.value } };
      break;
    }
  }
  ctx.tx.put("networkInterface", eniId, next);
  if (eni.attachment !== undefined) ctx.tx.touch("instance", eni.attachment.instanceId);
}
