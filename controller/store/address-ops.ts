/**
 * Public IPv4 addresses and NAT gateways (docs/routing.md EIP-, NAT-): Elastic IPs
 * (Allocate/Associate/Disassociate/ReleaseAddress), the public IP an instance gets at launch
 * (AssociatePublicIpAddress, MapPublicIpOnLaunch), and public NAT gateways holding an Elastic IP.
 * Addresses come from EMULATED_PUBLIC_IPV4_RANGE and are unique across every account and
 * region. API state only: no address is mapped on the data path yet.
 *
 * Records: an Elastic IP is stored under its allocation id; a launch-time public IP under
 * `launch:<public ip>` (it has no AWS id) and is freed when its instance stops being live.
 *
 * NAT gateway states (NAT-3), derived from its times (no timer writes the store):
 *
 *   CreateNatGateway -> pending --(NAT_TRANSITION_MS)--> available
 *   DeleteNatGateway -> deleting --(NAT_TRANSITION_MS)--> deleted (listed for an hour)
 */
import { controllerError } from "../errors.js";
import { newId } from "../ids.js";
import { ipv4FromBigint, parseAddress, parseCidr } from "../model/cidr.js";
import {
  EMULATED_PUBLIC_IPV4_RANGE,
  type Address,
  type NatGateway,
  type NatGatewayState,
} from "../model/routing.js";
import type { Tags } from "../model/tags.js";
import { SUBNET_RESERVED_HIGH, SUBNET_RESERVED_LOW } from "../model/vpc.js";
import { requireEni } from "./eni-ops.js";
import { scopeFields, scopedGet, scopedList, type ScopedOpContext } from "./scope.js";
import type { StateReader } from "./transaction.js";
import { requireSubnet } from "./vpc-ops.js";

/** How long a NAT gateway stays `pending` after creation and `deleting` after deletion. */
export const NAT_TRANSITION_MS = 1000;
/** How long a deleted NAT gateway is still listed (AWS: about an hour). */
export const NAT_DELETED_VISIBLE_MS = 60 * 60 * 1000;

/** The state of `n` at `nowMs` (NAT-3). */
export function natGatewayState(n: NatGateway, nowMs: number): NatGatewayState {
  if (n.deleteTime !== undefined)
    return nowMs - Date.parse(n.deleteTime) < NAT_TRANSITION_MS ? "deleting" : "deleted";
  return nowMs - Date.parse(n.createTime) < NAT_TRANSITION_MS ? "pending" : "available";
}

/** Whether a launch-time public IP still belongs to a live instance (EIP-7). */
function launchAddressLive(reader: StateReader, a: Address): boolean {
  if (a.launch === undefined) return true;
  const i = reader.get("instance", a.launch.instanceId);
  if (i === undefined || i.state === "terminated") return false;
  const eni =
    a.association === undefined
      ? undefined
      : reader.get("networkInterface", a.association.networkInterfaceId);
  return eni?.attachment?.instanceId === i.instanceId;
}

/** Every public IP in use (any scope): Elastic IPs and live launch-time IPs. */
function usedPublicIps(reader: StateReader): Set<string> {
  return new Set(
    reader
      .list("address")
      .filter((a) => launchAddressLive(reader, a))
      .map((a) => a.publicIp),
  );
}

/**
 * The first free address of the emulated range (its network and broadcast addresses skipped),
 * other than `avoid` (an address just released that the caller must not be given back).
 */
function nextPublicIp(reader: StateReader, avoid?: string): string {
  const used = usedPublicIps(reader);
  const r = parseCidr(EMULATED_PUBLIC_IPV4_RANGE);
  for (let v = r.first + 1n; v < r.last; v++) {
    const ip = ipv4FromBigint(v);
    if (!used.has(ip) && ip !== avoid) return ip;
  }
  throw controllerError("EMU_ERR_ADDRESS_RANGE_EXHAUSTED", EMULATED_PUBLIC_IPV4_RANGE);
}

/** A live association of `a` (its ENI still exists; launch IPs: their instance is live). */
export function liveAssociation(reader: StateReader, a: Address): Address["association"] {
  if (a.association === undefined) return undefined;
  if (reader.get("networkInterface", a.association.networkInterfaceId) === undefined)
    return undefined;
  if (a.launch !== undefined && !launchAddressLive(reader, a)) return undefined;
  return a.association;
}

/** The Elastic IPs of a scope (DescribeAddresses). */
export function elasticIps(reader: StateReader, accountId: string, region: string): Address[] {
  return reader
    .list("address")
    .filter((a) => a.allocationId !== undefined && a.ownerId === accountId && a.region === region);
}

/** What an ENI's private address shows as its public address (EIP-6, EIP-7). */
export interface PublicAddressView {
  readonly publicIp: string;
  /** `amazon` for a launch-time public IP, the account for an Elastic IP. */
  readonly ipOwnerId: string;
  readonly allocationId?: string;
  readonly associationId?: string;
}

/**
 * The public address of `privateIp` on ENI `eniId`: an Elastic IP associated with it, else the
 * launch-time public IP while its instance is running (a stopped instance has none, EIP-7).
 */
export function publicAddressOf(
  reader: StateReader,
  eniId: string,
  privateIp: string,
): PublicAddressView | undefined {
  const hits = reader
    .list("address")
    .filter(
      (a) =>
        a.association?.networkInterfaceId === eniId && a.association.privateIpAddress === privateIp,
    );
  const eip = hits.find((a) => a.allocationId !== undefined && liveAssociation(reader, a));
  if (eip !== undefined)
    return {
      publicIp: eip.publicIp,
      ipOwnerId: eip.ownerId,
      ...(eip.allocationId === undefined ? {} : { allocationId: eip.allocationId }),
      ...(eip.association === undefined ? {} : { associationId: eip.association.associationId }),
    };
  const launch = hits.find((a) => a.launch !== undefined && launchAddressLive(reader, a));
  if (launch === undefined || launch.launch === undefined) return undefined;
  const i = reader.get("instance", launch.launch.instanceId);
  if (i === undefined || i.state !== "running") return undefined;
  return { publicIp: launch.publicIp, ipOwnerId: "amazon" };
}

/** IGW-3: whether anything in `vpcId` has a public address mapped through its gateway. */
export function hasMappedPublicAddresses(reader: StateReader, vpcId: string): boolean {
  const mapped = reader.list("address").some((a) => {
    const assoc = liveAssociation(reader, a);
    if (assoc === undefined) return false;
    // EIP-7: a stopped instance has no public IP mapped.
    if (a.launch !== undefined && reader.get("instance", a.launch.instanceId)?.state !== "running")
      return false;
    return reader.get("networkInterface", assoc.networkInterfaceId)?.vpcId === vpcId;
  });
  const nat = reader
    .list("natGateway")
    .some((n) => n.vpcId === vpcId && n.deleteTime === undefined);
  return mapped || nat;
}

function vpcHasInternetGateway(reader: StateReader, vpcId: string): boolean {
  return reader.list("internetGateway").some((g) => g.vpcId === vpcId);
}

// ---- Elastic IPs (EIP-)

/** AllocateAddress (EIP-1): domain `vpc`; at most elasticIpsPerRegion per scope (EIP-5). */
export function allocateAddress(ctx: ScopedOpContext, tags: Tags, address?: string): Address {
  const limit = ctx.quotas.elasticIpsPerRegion ?? 5;
  if (scopedList(ctx, "address").filter((a) => a.allocationId !== undefined).length >= limit)
    throw controllerError("EMU_ERR_ADDRESS_LIMIT");
  let publicIp: string;
  if (address !== undefined) {
    const a = parseAddress(address);
    const range = parseCidr(EMULATED_PUBLIC_IPV4_RANGE);
    if (a === undefined || a.family !== 4 || a.value <= range.first || a.value >= range.last)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `Invalid value '${address}' for Address. vpcemu allocates addresses from ${EMULATED_PUBLIC_IPV4_RANGE} only.`,
      );
    if (usedPublicIps(ctx.tx).has(a.text))
      throw controllerError("EMU_ERR_ADDRESS_RELEASE_IN_USE", a.text);
    publicIp = a.text;
  } else publicIp = nextPublicIp(ctx.tx);
  const rec: Address = {
    publicIp,
    allocationId: newId("eipalloc"),
    ...scopeFields(ctx.scope),
    tags,
  };
  ctx.tx.put("address", rec.allocationId ?? "", rec);
  return rec;
}

/** The Elastic IP named by allocation id or public IP, in the request's scope. */
export function requireElasticIp(
  ctx: ScopedOpContext,
  ref: { allocationId?: string; publicIp?: string },
): Address {
  if (ref.allocationId !== undefined) {
    const a = scopedGet(ctx, "address", ref.allocationId);
    if (a === undefined || a.allocationId === undefined)
      throw controllerError("EMU_ERR_ADDRESS_ALLOCATION_NOT_FOUND", ref.allocationId);
    return a;
  }
  if (ref.publicIp === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "AllocationId");
  const a = scopedList(ctx, "address").find(
    (x) => x.allocationId !== undefined && x.publicIp === ref.publicIp,
  );
  if (a === undefined) throw controllerError("EMU_ERR_ADDRESS_NOT_FOUND", ref.publicIp);
  return a;
}

export interface AssociateAddressInput {
  readonly allocationId?: string;
  readonly publicIp?: string;
  readonly instanceId?: string;
  readonly networkInterfaceId?: string;
  readonly privateIpAddress?: string;
  readonly allowReassociation?: boolean;
}

/**
 * AssociateAddress (EIP-2..EIP-4): to an instance (its primary ENI) or an ENI, on its primary or
 * a named private address; the VPC needs an internet gateway; an address already associated is
 * refused unless AllowReassociation; another Elastic IP on the same private address is
 * disassociated.
 */
export function associateAddress(ctx: ScopedOpContext, input: AssociateAddressInput): string {
  const a = requireElasticIp(ctx, input);
  let eniId = input.networkInterfaceId;
  if (input.instanceId !== undefined) {
    const i = scopedGet(ctx, "instance", input.instanceId);
    if (i === undefined || i.state === "terminated")
      throw controllerError("EMU_ERR_INSTANCE_NOT_FOUND", input.instanceId);
    if (eniId === undefined) eniId = i.eniIds[0];
  }
  if (eniId === undefined) throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "InstanceId");
  const eni = requireEni(ctx, eniId);
  const privateIp = input.privateIpAddress ?? eni.privateIps[0] ?? "";
  if (!eni.privateIps.includes(privateIp))
    throw controllerError("EMU_ERR_ADDRESS_PRIVATE_IP", privateIp, eni.eniId);
  if (!vpcHasInternetGateway(ctx.tx, eni.vpcId))
    throw controllerError("EMU_ERR_ADDRESS_NO_IGW", eni.vpcId);
  if (a.natGatewayId !== undefined)
    throw controllerError("EMU_ERR_NAT_ADDRESS_IN_USE", a.allocationId ?? a.publicIp);
  const current = liveAssociation(ctx.tx, a);
  if (current !== undefined && input.allowReassociation !== true)
    throw controllerError(
      "EMU_ERR_ADDRESS_ALREADY_ASSOCIATED",
      a.allocationId ?? a.publicIp,
      current.associationId,
    );
  for (const other of scopedList(ctx, "address")) {
    if (other.allocationId === undefined || other.allocationId === a.allocationId) continue;
    const o = liveAssociation(ctx.tx, other);
    if (o?.networkInterfaceId === eni.eniId && o.privateIpAddress === privateIp) {
      const { association: _x, ...rest } = other;
      ctx.tx.put("address", other.allocationId, rest);
    }
  }
  const associationId = newId("eipassoc");
  ctx.tx.put("address", a.allocationId ?? "", {
    ...a,
    association: { associationId, networkInterfaceId: eni.eniId, privateIpAddress: privateIp },
  });
  ctx.tx.touch("networkInterface", eni.eniId);
  return associationId;
}

/** DisassociateAddress: by association id (or public IP); the address stays allocated. */
export function disassociateAddress(
  ctx: ScopedOpContext,
  ref: { associationId?: string; publicIp?: string },
): void {
  const a = scopedList(ctx, "address").find(
    (x) =>
      x.allocationId !== undefined &&
      liveAssociation(ctx.tx, x) !== undefined &&
      (ref.associationId !== undefined
        ? x.association?.associationId === ref.associationId
        : x.publicIp === ref.publicIp),
  );
  if (a === undefined) {
    if (ref.associationId === undefined && ref.publicIp === undefined)
      throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "AssociationId");
    if (ref.associationId !== undefined)
      throw controllerError("EMU_ERR_ADDRESS_ASSOC_NOT_FOUND", ref.associationId);
    throw controllerError("EMU_ERR_ADDRESS_NOT_FOUND", ref.publicIp ?? "");
  }
  const { association: _x, ...rest } = a;
  ctx.tx.put("address", a.allocationId ?? "", rest);
}

/** ReleaseAddress (EIP-3): not while associated or held by a NAT gateway. */
export function releaseAddress(
  ctx: ScopedOpContext,
  ref: { allocationId?: string; publicIp?: string },
): void {
  const a = requireElasticIp(ctx, ref);
  if (liveAssociation(ctx.tx, a) !== undefined || a.natGatewayId !== undefined)
    throw controllerError("EMU_ERR_ADDRESS_RELEASE_IN_USE", a.publicIp);
  ctx.tx.delete("address", a.allocationId ?? "");
}

/**
 * EIP-7: a launch-time public IP for the primary private address of an instance's primary ENI.
 * Stale launch records (instances gone) are dropped first.
 */
export function assignLaunchPublicIp(
  ctx: ScopedOpContext,
  instanceId: string,
  eniId: string,
  privateIp: string,
): string {
  for (const a of ctx.tx.list("address")) {
    if (a.launch === undefined) continue;
    if (!launchAddressLive(ctx.tx, a)) ctx.tx.delete("address", `launch:${a.publicIp}`);
    // Why: a RunInstances retry (same ClientToken) returns the same instances and address.
    else if (a.launch.instanceId === instanceId) return a.publicIp;
  }
  const publicIp = nextPublicIp(ctx.tx);
  ctx.tx.put("address", `launch:${publicIp}`, {
    publicIp,
    launch: { instanceId },
    association: {
      associationId: "",
      networkInterfaceId: eniId,
      privateIpAddress: privateIp,
    },
    ...scopeFields(ctx.scope),
    tags: {},
  });
  return publicIp;
}

/**
 * EIP-7: a stopped instance's launch-time public IP was released; started again, it gets a new
 * one (another address of the range) for the same ENI and private address. Elastic IPs stay.
 */
export function renewLaunchPublicIp(ctx: ScopedOpContext, instanceId: string): void {
  for (const a of ctx.tx.list("address")) {
    if (a.launch?.instanceId !== instanceId) continue;
    ctx.tx.delete("address", `launch:${a.publicIp}`);
    const publicIp = nextPublicIp(ctx.tx, a.publicIp);
    ctx.tx.put("address", `launch:${publicIp}`, { ...a, publicIp });
  }
}

// ---- NAT gateways (NAT-)

export interface CreateNatGatewayInput {
  readonly subnetId: string;
  readonly allocationId?: string;
  readonly privateIpAddress?: string;
  readonly clientToken?: string;
  readonly tags: Tags;
}

/** A free private address for the NAT gateway, taken from the top of the subnet. */
function natPrivateIp(ctx: ScopedOpContext, subnetId: string, cidr: string): string {
  const used = new Set<string>();
  for (const e of ctx.tx.list("networkInterface"))
    if (e.subnetId === subnetId) for (const a of e.privateIps) used.add(a);
  for (const n of ctx.tx.list("natGateway"))
    if (n.subnetId === subnetId && n.deleteTime === undefined) used.add(n.privateIp);
  const c = parseCidr(cidr);
  for (
    let v = c.last - BigInt(SUBNET_RESERVED_HIGH);
    v >= c.first + BigInt(SUBNET_RESERVED_LOW);
    v--
  ) {
    const ip = ipv4FromBigint(v);
    if (!used.has(ip)) return ip;
  }
  throw controllerError("EMU_ERR_SUBNET_FULL", subnetId);
}

/**
 * CreateNatGateway (NAT-1, NAT-2): public, in a subnet, holding an Elastic IP that is not
 * associated elsewhere. A subnet without an internet gateway route is accepted, as AWS does
 * (NAT-5). ClientToken makes a retry return the first gateway.
 */
export function createNatGateway(ctx: ScopedOpContext, input: CreateNatGatewayInput): NatGateway {
  if (input.clientToken !== undefined) {
    const earlier = scopedList(ctx, "natGateway").find((n) => n.clientToken === input.clientToken);
    if (earlier !== undefined) return earlier;
  }
  const subnet = requireSubnet(ctx, input.subnetId);
  if (input.allocationId === undefined)
    throw controllerError("EMU_ERR_REQ_MISSING_PARAMETER", "AllocationId");
  const eip = requireElasticIp(ctx, { allocationId: input.allocationId });
  if (eip.natGatewayId !== undefined || liveAssociation(ctx.tx, eip) !== undefined)
    throw controllerError("EMU_ERR_NAT_ADDRESS_IN_USE", input.allocationId);
  let privateIp: string;
  if (input.privateIpAddress !== undefined) {
    const a = parseAddress(input.privateIpAddress);
    const c = parseCidr(subnet.cidrBlock);
    if (a === undefined || a.family !== 4 || a.value < c.first || a.value > c.last)
      throw controllerError("EMU_ERR_ADDRESS_OUT_OF_SUBNET", input.privateIpAddress);
    const taken =
      ctx.tx.list("networkInterface").some((e) => e.privateIps.includes(a.text)) ||
      ctx.tx.list("natGateway").some((n) => n.deleteTime === undefined && n.privateIp === a.text);
    if (taken) throw controllerError("EMU_ERR_ADDRESS_IN_USE", a.text);
    privateIp = a.text;
  } else privateIp = natPrivateIp(ctx, subnet.subnetId, subnet.cidrBlock);
  const n: NatGateway = {
    natGatewayId: newId("nat"),
    vpcId: subnet.vpcId,
    subnetId: subnet.subnetId,
    allocationId: input.allocationId,
    publicIp: eip.publicIp,
    privateIp,
    networkInterfaceId: newId("eni"),
    createTime: ctx.now,
    ...(input.clientToken === undefined ? {} : { clientToken: input.clientToken }),
    ...scopeFields(ctx.scope),
    tags: input.tags,
  };
  ctx.tx.put("natGateway", n.natGatewayId, n);
  ctx.tx.put("address", input.allocationId, { ...eip, natGatewayId: n.natGatewayId });
  return n;
}

/** DeleteNatGateway (NAT-3, NAT-4): -> deleting -> deleted; its Elastic IP stays allocated. */
export function deleteNatGateway(ctx: ScopedOpContext, id: string): NatGateway {
  const n = scopedGet(ctx, "natGateway", id);
  if (n === undefined) throw controllerError("EMU_ERR_NAT_NOT_FOUND", id);
  if (n.deleteTime !== undefined) return n;
  const next: NatGateway = { ...n, deleteTime: ctx.now };
  ctx.tx.put("natGateway", id, next);
  const eip = scopedGet(ctx, "address", n.allocationId);
  if (eip?.natGatewayId === id) {
    const { natGatewayId: _x, ...rest } = eip;
    ctx.tx.put("address", n.allocationId, rest);
  }
  return next;
}
