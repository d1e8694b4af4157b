/**
 * Elastic IP addresses (docs/routing.md EIP-): Allocate/Associate/Disassociate/ReleaseAddress,
 * DescribeAddresses; and the public address an ENI shows (`association`, the instance's
 * `ipAddress`). Addresses come from EMULATED_PUBLIC_IPV4_RANGE (model/routing.ts). API only.
 */
import { controllerError } from "../errors.js";
import type { Address } from "../model/routing.js";
import {
  allocateAddress,
  associateAddress,
  disassociateAddress,
  elasticIps,
  liveAssociation,
  publicAddressOf,
  releaseAddress,
} from "../store/address-ops.js";
import { ensureDefaultVpc } from "../store/default-vpc.js";
import { mutate, scopeOfRequest, type ActionHandler, type Ec2Context } from "./context.js";
import { applyFilters, paginate, parseFilters, tagSet, tagSpecifications } from "./describe.js";
import type { XmlTree } from "./xml.js";

/** `ec2-198-18-0-1.compute-1.amazonaws.com` (us-east-1) or `ec2-...<region>.compute.amazonaws.com`. */
export function publicDnsName(region: string, ip: string): string {
  const host = `ec2-${ip.replace(/\./g, "-")}`;
  return region === "us-east-1"
    ? `${host}.compute-1.amazonaws.com`
    : `${host}.${region}.compute.amazonaws.com`;
}

/** An ENI address's `association{publicIp,publicDnsName,ipOwnerId,allocationId,associationId}`. */
export function eniAssociationXml(
  c: Ec2Context,
  eniId: string,
  privateIp: string | undefined,
): XmlTree | undefined {
  if (privateIp === undefined) return undefined;
  const a = publicAddressOf(c.store.reader(), eniId, privateIp);
  if (a === undefined) return undefined;
  return {
    publicIp: a.publicIp,
    publicDnsName: publicDnsName(c.region, a.publicIp),
    ipOwnerId: a.ipOwnerId,
    allocationId: a.allocationId,
    associationId: a.associationId,
  };
}

/** The public IPv4 of an instance's primary ENI (DescribeInstances `ipAddress`), if any. */
export function instancePublicIp(
  c: Ec2Context,
  eniId: string | undefined,
  privateIp: string,
): string | undefined {
  if (eniId === undefined) return undefined;
  return publicAddressOf(c.store.reader(), eniId, privateIp)?.publicIp;
}

/** The association an Elastic IP shows: an ENI's, or its NAT gateway's (NAT-2). */
function associationView(c: Ec2Context, a: Address) {
  const reader = c.store.reader();
  if (a.natGatewayId !== undefined) {
    const n = reader.get("natGateway", a.natGatewayId);
    if (n !== undefined)
      return {
        associationId: undefined,
        networkInterfaceId: n.networkInterfaceId,
        privateIpAddress: n.privateIp,
        instanceId: undefined,
      };
  }
  const assoc = liveAssociation(reader, a);
  if (assoc === undefined) return undefined;
  const eni = reader.get("networkInterface", assoc.networkInterfaceId);
  return {
    associationId: assoc.associationId,
    networkInterfaceId: assoc.networkInterfaceId,
    privateIpAddress: assoc.privateIpAddress,
    instanceId: eni?.attachment?.instanceId,
  };
}

function addressXml(c: Ec2Context, a: Address): XmlTree {
  const v = associationView(c, a);
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: "vpc",
    associationId: v?.associationId,
    instanceId: v?.instanceId,
    networkInterfaceId: v?.networkInterfaceId,
    networkInterfaceOwnerId: v === undefined ? undefined : a.ownerId,
    privateIpAddress: v?.privateIpAddress,
    publicIpv4Pool: "amazon",
    networkBorderGroup: a.region,
    tagSet: tagSet(a.tags),
  };
}

const allocate: ActionHandler = (c) => {
  const p = c.params;
  const domain = p.str("Domain");
  if (domain !== undefined && domain !== "vpc" && domain !== "standard")
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value '${domain}' for domain.`,
    );
  const tags = tagSpecifications(p, "elastic-ip");
  const address = p.str("Address");
  const a = mutate(c, (ctx) => allocateAddress(ctx, tags, address));
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: "vpc",
    publicIpv4Pool: "amazon",
    networkBorderGroup: a.region,
  };
};

const associate: ActionHandler = (c) => {
  const p = c.params;
  const pick = (name: string) => {
    const v = p.str(name);
    return v === undefined || v === "" ? undefined : v;
  };
  const allocationId = pick("AllocationId");
  const publicIp = pick("PublicIp");
  const instanceId = pick("InstanceId");
  const networkInterfaceId = pick("NetworkInterfaceId");
  const privateIpAddress = pick("PrivateIpAddress");
  const allowReassociation = p.bool("AllowReassociation");
  if (allocationId === undefined && publicIp === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "AllocationId");
  const associationId = mutate(c, (ctx) =>
    associateAddress(ctx, {
      ...(allocationId === undefined ? {} : { allocationId }),
      ...(publicIp === undefined ? {} : { publicIp }),
      ...(instanceId === undefined ? {} : { instanceId }),
      ...(networkInterfaceId === undefined ? {} : { networkInterfaceId }),
      ...(privateIpAddress === undefined ? {} : { privateIpAddress }),
      ...(allowReassociation === undefined ? {} : { allowReassociation }),
    }),
  );
  return { return: true, associationId };
};

const disassociate: ActionHandler = (c) => {
  const p = c.params;
  const associationId = p.str("AssociationId");
  const publicIp = p.str("PublicIp");
  mutate(c, (ctx) =>
    disassociateAddress(ctx, {
      ...(associationId === undefined ? {} : { associationId }),
      ...(publicIp === undefined ? {} : { publicIp }),
    }),
  );
  return { return: true };
};

const release: ActionHandler = (c) => {
  const p = c.params;
  const allocationId = p.str("AllocationId");
  const publicIp = p.str("PublicIp");
  if (allocationId === undefined && publicIp === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "AllocationId");
  mutate(c, (ctx) =>
    releaseAddress(ctx, {
      ...(allocationId === undefined ? {} : { allocationId }),
      ...(publicIp === undefined ? {} : { publicIp }),
    }),
  );
  return { return: true };
};

const describe: ActionHandler = (c) => {
  const p = c.params;
  const scope = scopeOfRequest(c);
  ensureDefaultVpc(c.store, scope);
  let all = elasticIps(c.store.reader(), scope.accountId, scope.region);
  const ids = p.list("AllocationId");
  const ips = p.list("PublicIp");
  for (const id of ids)
    if (!all.some((a) => a.allocationId === id))
      throw controllerError("EMU_ERR_ADDRESS_ALLOCATION_NOT_FOUND", id);
  for (const ip of ips)
    if (!all.some((a) => a.publicIp === ip)) throw controllerError("EMU_ERR_ADDRESS_NOT_FOUND", ip);
  if (ids.length > 0) all = all.filter((a) => ids.includes(a.allocationId ?? ""));
  if (ips.length > 0) all = all.filter((a) => ips.includes(a.publicIp));
  const view = (a: Address) => associationView(c, a);
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "allocation-id": (a) => [a.allocationId],
      "association-id": (a) => [view(a)?.associationId],
      domain: () => ["vpc"],
      "instance-id": (a) => [view(a)?.instanceId],
      "network-interface-id": (a) => [view(a)?.networkInterfaceId],
      "network-interface-owner-id": (a) => (view(a) === undefined ? [] : [a.ownerId]),
      "private-ip-address": (a) => [view(a)?.privateIpAddress],
      "public-ip": (a) => [a.publicIp],
      "network-border-group": (a) => [a.region],
    },
    (a) => a.tags,
  );
  const { page } = paginate(items, p);
  return { addressesSet: page.map((a) => addressXml(c, a)) };
};

/**
 * DescribeAddressesAttribute (`Attribute` domain-name): the scope's Elastic IPs, or those of
 * `AllocationId.N`; vpcemu keeps no reverse DNS (PTR) records, so none carries `ptrRecord`.
 */
const describeAttribute: ActionHandler = (c) => {
  const p = c.params;
  const attribute = p.str("Attribute");
  if (attribute !== undefined && attribute !== "domain-name")
    throw controllerError(
      "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
      `Invalid value '${attribute}' for Attribute.`,
    );
  const scope = scopeOfRequest(c);
  ensureDefaultVpc(c.store, scope);
  let all = elasticIps(c.store.reader(), scope.accountId, scope.region);
  const ids = p.list("AllocationId");
  for (const id of ids)
    if (!all.some((a) => a.allocationId === id))
      throw controllerError("EMU_ERR_ADDRESS_ALLOCATION_NOT_FOUND", id);
  if (ids.length > 0) all = all.filter((a) => ids.includes(a.allocationId ?? ""));
  const { page, nextToken } = paginate(all, p);
  return {
    addressSet: page.map((a) => ({ publicIp: a.publicIp, allocationId: a.allocationId })),
    nextToken,
  };
};

export const ADDRESS_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeAddressesAttribute: describeAttribute,
  AllocateAddress: allocate,
  AssociateAddress: associate,
  DisassociateAddress: disassociate,
  ReleaseAddress: release,
  DescribeAddresses: describe,
};
