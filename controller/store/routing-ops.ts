/**
 * Internet gateways, egress-only internet gateways, route tables, routes and associations
 * (docs/routing.md IGW-, RT-). API state only: nothing here reaches the policy compiler.
 *
 * A VPC's first main route table is derived from the VPC record (its ids are `mainRouteTableId`,
 * or derived from the VPC id for older records) until something changes it (a route, an
 * association, a tag): then it is written as a RouteTable record (`materialize`). Local routes
 * are never stored: they follow the VPC's CIDR blocks (RT-2).
 */
import { controllerError } from "../errors.js";
import { newId } from "../ids.js";
import {
  cidrContains,
  parseCidr,
  sanitizeIpv4Cidr,
  sanitizeIpv6Cidr,
  type Cidr,
} from "../model/cidr.js";
import type {
  EgressOnlyInternetGateway,
  InternetGateway,
  RouteTable,
  RouteTarget,
  StoredRoute,
} from "../model/routing.js";
import type { Tags } from "../model/tags.js";
import { vpcIpv4Cidrs, type Vpc } from "../model/vpc.js";
import { requireEni } from "./eni-ops.js";
import { hasMappedPublicAddresses } from "./address-ops.js";
import { peeringJoins, visiblePeering } from "./peering-ops.js";
import {
  getInScope,
  listInScope,
  scopeFields,
  scopedGet,
  type Scope,
  type ScopedOpContext,
} from "./scope.js";
import type { StateReader } from "./transaction.js";
import { requireSubnet, requireVpc } from "./vpc-ops.js";

// ---- main route table (RT-1)

/** The main route table ids of `v` (records older than them: derived from the VPC id). */
export function mainRouteTableIds(v: Vpc): { routeTableId: string; associationId: string } {
  const hex = v.vpcId.slice("vpc-".length);
  return {
    routeTableId: v.mainRouteTableId ?? `rtb-${hex}`,
    associationId: v.mainRouteTableAssociationId ?? `rtbassoc-${hex}`,
  };
}

/** The VPC's first main table as long as it was never written. */
function derivedMainTable(v: Vpc): RouteTable {
  const ids = mainRouteTableIds(v);
  return {
    routeTableId: ids.routeTableId,
    vpcId: v.vpcId,
    routes: [],
    associations: [],
    mainAssociationId: ids.associationId,
    ownerId: v.ownerId,
    region: v.region,
    tags: {},
  };
}

/** Every route table of `v`: the stored ones, and the derived main one unless it was written. */
export function routeTablesOfVpc(reader: StateReader, v: Vpc): RouteTable[] {
  const stored = reader.list("routeTable").filter((t) => t.vpcId === v.vpcId);
  const mainId = mainRouteTableIds(v).routeTableId;
  return stored.some((t) => t.routeTableId === mainId) ? stored : [derivedMainTable(v), ...stored];
}

/** Every route table in `scope`, VPC by VPC. */
export function routeTablesInScope(reader: StateReader, scope: Scope): RouteTable[] {
  return listInScope(reader, "vpc", scope).flatMap((v) => routeTablesOfVpc(reader, v));
}

/** The route table `id` in the request's scope, stored or derived. */
export function findRouteTable(
  reader: StateReader,
  scope: Scope,
  id: string,
): RouteTable | undefined {
  const stored = getInScope(reader, "routeTable", id, scope);
  if (stored !== undefined) return stored;
  return routeTablesInScope(reader, scope).find((t) => t.routeTableId === id);
}

/** The route table `id`, written if it was derived (so it can be changed); NotFound otherwise. */
export function materializeRouteTable(ctx: ScopedOpContext, id: string): RouteTable {
  const t = findRouteTable(ctx.tx, ctx.scope, id);
  if (t === undefined) throw controllerError("EMU_ERR_ROUTE_TABLE_NOT_FOUND", id);
  if (ctx.tx.get("routeTable", id) === undefined) ctx.tx.put("routeTable", id, t);
  return t;
}

/** The table a subnet uses: its explicit association, else its VPC's main table (RT-3). */
export function routeTableOfSubnet(
  reader: StateReader,
  v: Vpc,
  subnetId: string,
): RouteTable | undefined {
  const tables = routeTablesOfVpc(reader, v);
  return (
    tables.find((t) => t.associations.some((a) => a.subnetId === subnetId)) ??
    tables.find((t) => t.mainAssociationId !== undefined)
  );
}

// ---- internet gateways (IGW-)

export function requireInternetGateway(ctx: ScopedOpContext, id: string): InternetGateway {
  const g = scopedGet(ctx, "internetGateway", id);
  if (g === undefined) throw controllerError("EMU_ERR_IGW_NOT_FOUND", id);
  return g;
}

/** The internet gateway attached to `vpcId`, if any. */
export function internetGatewayOfVpc(
  reader: StateReader,
  vpcId: string,
): InternetGateway | undefined {
  return reader.list("internetGateway").find((g) => g.vpcId === vpcId);
}

export function createInternetGateway(ctx: ScopedOpContext, tags: Tags): InternetGateway {
  const g: InternetGateway = {
    internetGatewayId: newId("igw"),
    ...scopeFields(ctx.scope),
    tags,
  };
  ctx.tx.put("internetGateway", g.internetGatewayId, g);
  return g;
}

/** IGW-2: one gateway per VPC, one VPC per gateway. */
export function attachInternetGateway(ctx: ScopedOpContext, igwId: string, vpcId: string): void {
  const g = requireInternetGateway(ctx, igwId);
  requireVpc(ctx, vpcId);
  if (g.vpcId !== undefined) throw controllerError("EMU_ERR_IGW_ALREADY_ATTACHED", igwId, g.vpcId);
  if (internetGatewayOfVpc(ctx.tx, vpcId) !== undefined)
    throw controllerError("EMU_ERR_VPC_HAS_IGW", vpcId);
  ctx.tx.put("internetGateway", igwId, { ...g, vpcId });
}

/** IGW-3: not while the VPC has public addresses mapped (EIPs, launch public IPs, NAT gateways). */
export function detachInternetGateway(ctx: ScopedOpContext, igwId: string, vpcId: string): void {
  const g = requireInternetGateway(ctx, igwId);
  requireVpc(ctx, vpcId);
  if (g.vpcId !== vpcId) throw controllerError("EMU_ERR_IGW_NOT_ATTACHED", igwId, vpcId);
  if (hasMappedPublicAddresses(ctx.tx, vpcId))
    throw controllerError("EMU_ERR_IGW_MAPPED_ADDRESSES", vpcId);
  const { vpcId: _gone, ...rest } = g;
  ctx.tx.put("internetGateway", igwId, rest);
}

/** IGW-4: only while detached. */
export function deleteInternetGateway(ctx: ScopedOpContext, igwId: string): void {
  const g = requireInternetGateway(ctx, igwId);
  if (g.vpcId !== undefined) throw controllerError("EMU_ERR_IGW_DEPENDENCY", igwId);
  ctx.tx.delete("internetGateway", igwId);
}

export function requireEgressOnlyGateway(
  ctx: ScopedOpContext,
  id: string,
): EgressOnlyInternetGateway {
  const g = scopedGet(ctx, "egressOnlyInternetGateway", id);
  if (g === undefined) throw controllerError("EMU_ERR_EIGW_NOT_FOUND", id);
  return g;
}

/** IGW-8: created attached to its VPC; ClientToken makes a retry return the first one. */
export function createEgressOnlyGateway(
  ctx: ScopedOpContext,
  vpcId: string,
  tags: Tags,
): EgressOnlyInternetGateway {
  requireVpc(ctx, vpcId);
  const g: EgressOnlyInternetGateway = {
    egressOnlyInternetGatewayId: newId("eigw"),
    vpcId,
    ...scopeFields(ctx.scope),
    tags,
  };
  ctx.tx.put("egressOnlyInternetGateway", g.egressOnlyInternetGatewayId, g);
  return g;
}

export function deleteEgressOnlyGateway(ctx: ScopedOpContext, id: string): void {
  requireEgressOnlyGateway(ctx, id);
  ctx.tx.delete("egressOnlyInternetGateway", id);
}

// ---- route tables (RT-)

export function createRouteTable(ctx: ScopedOpContext, vpcId: string, tags: Tags): RouteTable {
  const v = requireVpc(ctx, vpcId);
  const t: RouteTable = {
    routeTableId: newId("rtb"),
    vpcId: v.vpcId,
    routes: [],
    associations: [],
    ...scopeFields(ctx.scope),
    tags,
  };
  ctx.tx.put("routeTable", t.routeTableId, t);
  return t;
}

/** RT-6: not the main table, not while associated. */
export function deleteRouteTable(ctx: ScopedOpContext, id: string): void {
  const t = findRouteTable(ctx.tx, ctx.scope, id);
  if (t === undefined) throw controllerError("EMU_ERR_ROUTE_TABLE_NOT_FOUND", id);
  if (t.mainAssociationId !== undefined || t.associations.length > 0)
    throw controllerError("EMU_ERR_ROUTE_TABLE_DEPENDENCY", id);
  ctx.tx.delete("routeTable", id);
}

/** A route's destination: exactly one of the IPv4 and IPv6 CIDR. */
export interface RouteDestination {
  readonly cidr4?: string;
  readonly cidr6?: string;
}

function parseDestination(d: RouteDestination): { cidr: Cidr; key: "v4" | "v6" } {
  if ((d.cidr4 === undefined) === (d.cidr6 === undefined))
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "The request must contain exactly one of destinationCidrBlock, destinationIpv6CidrBlock",
    );
  if (d.cidr4 !== undefined) return { cidr: sanitizeIpv4Cidr(d.cidr4), key: "v4" };
  return { cidr: sanitizeIpv6Cidr(d.cidr6 ?? ""), key: "v6" };
}

function destinationOf(r: StoredRoute): string {
  return r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ?? "";
}

/** The VPC's local route destinations (RT-2). */
export function localDestinations(v: Vpc): string[] {
  return [...vpcIpv4Cidrs(v), ...(v.ipv6CidrBlock === undefined ? [] : [v.ipv6CidrBlock])];
}

const TARGET_FIELDS = [
  "gatewayId",
  "egressOnlyInternetGatewayId",
  "natGatewayId",
  "vpcPeeringConnectionId",
  "networkInterfaceId",
  "instanceId",
] as const;

/** RT-4: the target must exist and belong to the route table's VPC. */
function resolveTarget(ctx: ScopedOpContext, t: RouteTable, target: RouteTarget): RouteTarget {
  const given = TARGET_FIELDS.filter((f) => target[f] !== undefined);
  if (given.length !== 1)
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      `The request must contain exactly one of ${TARGET_FIELDS.join(", ")}`,
    );
  const field = given[0] ?? "gatewayId";
  const id = target[field] ?? "";
  switch (field) {
    case "gatewayId": {
      const g = id.startsWith("igw-") ? scopedGet(ctx, "internetGateway", id) : undefined;
      if (g === undefined) throw controllerError("EMU_ERR_GATEWAY_NOT_FOUND", id);
      if (g.vpcId !== t.vpcId)
        throw controllerError("EMU_ERR_ROUTE_DIFFERENT_NETWORKS", t.routeTableId, id);
      return { gatewayId: id };
    }
    case "egressOnlyInternetGatewayId": {
      const g = requireEgressOnlyGateway(ctx, id);
      if (g.vpcId !== t.vpcId)
        throw controllerError("EMU_ERR_ROUTE_DIFFERENT_NETWORKS", t.routeTableId, id);
      return { egressOnlyInternetGatewayId: id };
    }
    case "natGatewayId": {
      const n = scopedGet(ctx, "natGateway", id);
      if (n === undefined || n.deleteTime !== undefined)
        throw controllerError("EMU_ERR_NAT_NOT_FOUND", id);
      if (n.vpcId !== t.vpcId)
        throw controllerError("EMU_ERR_ROUTE_DIFFERENT_NETWORKS", t.routeTableId, id);
      return { natGatewayId: id };
    }
    case "vpcPeeringConnectionId": {
      const p = visiblePeering(ctx.tx, ctx.scope, id);
      if (p === undefined || !["pending-acceptance", "active"].includes(p.status))
        throw controllerError("EMU_ERR_PCX_NOT_FOUND", id);
      if (!peeringJoins(p, t.vpcId))
        throw controllerError("EMU_ERR_ROUTE_TARGET_DIFFERENT_NETWORKS", t.routeTableId, id);
      return { vpcPeeringConnectionId: id };
    }
    case "networkInterfaceId": {
      const e = requireEni(ctx, id);
      if (e.vpcId !== t.vpcId)
        throw controllerError("EMU_ERR_ROUTE_TARGET_DIFFERENT_NETWORKS", t.routeTableId, id);
      return { networkInterfaceId: id };
    }
    case "instanceId": {
      const i = scopedGet(ctx, "instance", id);
      if (i === undefined || i.state === "terminated")
        throw controllerError("EMU_ERR_INSTANCE_NOT_FOUND", id);
      if (i.vpcId !== t.vpcId)
        throw controllerError("EMU_ERR_ROUTE_TARGET_DIFFERENT_NETWORKS", t.routeTableId, id);
      return {
        instanceId: id,
        ...(i.eniIds[0] === undefined ? {} : { networkInterfaceId: i.eniIds[0] }),
      };
    }
  }
}

/** RT-5: a destination equal to or inside a VPC block may only go to an ENI or an instance. */
function checkAgainstLocal(v: Vpc, dest: Cidr, target: RouteTarget): void {
  for (const block of localDestinations(v)) {
    const b = parseCidr(block);
    if (b.family !== dest.family) continue;
    if (b.cidr === dest.cidr) throw controllerError("EMU_ERR_ROUTE_EXISTS", dest.cidr);
    if (
      cidrContains(b, dest) &&
      target.networkInterfaceId === undefined &&
      target.instanceId === undefined
    )
      throw controllerError("EMU_ERR_ROUTE_MORE_SPECIFIC", dest.cidr);
  }
}

function routeWith(dest: { cidr: Cidr; key: "v4" | "v6" }, target: RouteTarget): StoredRoute {
  return {
    ...(dest.key === "v4"
      ? { destinationCidrBlock: dest.cidr.cidr }
      : { destinationIpv6CidrBlock: dest.cidr.cidr }),
    ...target,
  };
}

/** CreateRoute (RT-4, RT-5): a new destination in the table. */
export function createRoute(
  ctx: ScopedOpContext,
  routeTableId: string,
  destination: RouteDestination,
  target: RouteTarget,
): void {
  const dest = parseDestination(destination);
  const t = materializeRouteTable(ctx, routeTableId);
  const v = requireVpc(ctx, t.vpcId);
  const resolved = resolveTarget(ctx, t, target);
  checkAgainstLocal(v, dest.cidr, resolved);
  if (t.routes.some((r) => destinationOf(r) === dest.cidr.cidr))
    throw controllerError("EMU_ERR_ROUTE_EXISTS", dest.cidr.cidr);
  ctx.tx.put("routeTable", t.routeTableId, {
    ...t,
    routes: [...t.routes, routeWith(dest, resolved)],
  });
}

function requireRouteIndex(
  ctx: ScopedOpContext,
  t: RouteTable,
  dest: { cidr: Cidr; key: "v4" | "v6" },
  verb: "remove" | "replace",
): number {
  const v = requireVpc(ctx, t.vpcId);
  if (localDestinations(v).includes(dest.cidr.cidr))
    throw controllerError("EMU_ERR_ROUTE_LOCAL", verb, dest.cidr.cidr, t.routeTableId);
  const i = t.routes.findIndex((r) => destinationOf(r) === dest.cidr.cidr);
  if (i < 0)
    throw controllerError(
      "EMU_ERR_ROUTE_NOT_FOUND",
      dest.key === "v4" ? "destination-cidr-block" : "destination-ipv6-cidr-block",
      dest.cidr.cidr,
      t.routeTableId,
    );
  return i;
}

/** ReplaceRoute (RT-7): the destination must exist; the new target is checked as CreateRoute's. */
export function replaceRoute(
  ctx: ScopedOpContext,
  routeTableId: string,
  destination: RouteDestination,
  target: RouteTarget,
): void {
  const dest = parseDestination(destination);
  const t = materializeRouteTable(ctx, routeTableId);
  const i = requireRouteIndex(ctx, t, dest, "replace");
  const resolved = resolveTarget(ctx, t, target);
  checkAgainstLocal(requireVpc(ctx, t.vpcId), dest.cidr, resolved);
  const routes = [...t.routes];
  routes[i] = routeWith(dest, resolved);
  ctx.tx.put("routeTable", t.routeTableId, { ...t, routes });
}

/** DeleteRoute (RT-7): local routes cannot go. */
export function deleteRoute(
  ctx: ScopedOpContext,
  routeTableId: string,
  destination: RouteDestination,
): void {
  const dest = parseDestination(destination);
  const t = materializeRouteTable(ctx, routeTableId);
  const i = requireRouteIndex(ctx, t, dest, "remove");
  ctx.tx.put("routeTable", t.routeTableId, {
    ...t,
    routes: t.routes.filter((_r, n) => n !== i),
  });
}

/** AssociateRouteTable (RT-3): a subnet of the same VPC, or the VPC's internet gateway (edge). */
export function associateRouteTable(
  ctx: ScopedOpContext,
  routeTableId: string,
  target: { subnetId?: string; gatewayId?: string },
): string {
  if ((target.subnetId === undefined) === (target.gatewayId === undefined))
    throw controllerError(
      "EMU_ERR_REQ_PARAMETER_COMBINATION",
      "The request must contain exactly one of subnetId, gatewayId",
    );
  const t = materializeRouteTable(ctx, routeTableId);
  const v = requireVpc(ctx, t.vpcId);
  const tables = routeTablesOfVpc(ctx.tx, v);
  if (target.subnetId !== undefined) {
    const s = requireSubnet(ctx, target.subnetId);
    if (s.vpcId !== t.vpcId)
      throw controllerError("EMU_ERR_ROUTE_TARGET_DIFFERENT_NETWORKS", routeTableId, s.subnetId);
    if (tables.some((x) => x.associations.some((a) => a.subnetId === s.subnetId)))
      throw controllerError("EMU_ERR_ROUTE_TABLE_ALREADY_ASSOCIATED", routeTableId);
  } else {
    const id = target.gatewayId ?? "";
    const g = scopedGet(ctx, "internetGateway", id);
    if (g === undefined) throw controllerError("EMU_ERR_GATEWAY_NOT_FOUND", id);
    if (g.vpcId !== t.vpcId)
      throw controllerError("EMU_ERR_ROUTE_DIFFERENT_NETWORKS", routeTableId, id);
    if (tables.some((x) => x.associations.some((a) => a.gatewayId === id)))
      throw controllerError("EMU_ERR_ROUTE_TABLE_ALREADY_ASSOCIATED", routeTableId);
  }
  const associationId = newId("rtbassoc");
  const current = ctx.tx.get("routeTable", t.routeTableId) ?? t;
  ctx.tx.put("routeTable", t.routeTableId, {
    ...current,
    associations: [
      ...current.associations,
      {
        associationId,
        ...(target.subnetId === undefined ? {} : { subnetId: target.subnetId }),
        ...(target.gatewayId === undefined ? {} : { gatewayId: target.gatewayId }),
      },
    ],
  });
  return associationId;
}

/** The table holding association `id` (explicit or main) in the request's scope. */
function tableOfAssociation(ctx: ScopedOpContext, id: string): RouteTable {
  const t = routeTablesInScope(ctx.tx, ctx.scope).find(
    (x) => x.mainAssociationId === id || x.associations.some((a) => a.associationId === id),
  );
  if (t === undefined) throw controllerError("EMU_ERR_ROUTE_TABLE_ASSOC_NOT_FOUND", id);
  return t;
}

/** DisassociateRouteTable (RT-3): the subnet falls back to the main table; not the main one. */
export function disassociateRouteTable(ctx: ScopedOpContext, associationId: string): void {
  const t = tableOfAssociation(ctx, associationId);
  if (t.mainAssociationId === associationId)
    throw controllerError("EMU_ERR_ROUTE_TABLE_MAIN_ASSOCIATION", associationId);
  ctx.tx.put("routeTable", t.routeTableId, {
    ...t,
    associations: t.associations.filter((a) => a.associationId !== associationId),
  });
}

/**
 * ReplaceRouteTableAssociation (RT-8): moves an explicit association to another table of the VPC,
 * or makes another table the main one (the main association moves, with a new id).
 */
export function replaceRouteTableAssociation(
  ctx: ScopedOpContext,
  associationId: string,
  routeTableId: string,
): string {
  const from = tableOfAssociation(ctx, associationId);
  const to = findRouteTable(ctx.tx, ctx.scope, routeTableId);
  if (to === undefined) throw controllerError("EMU_ERR_ROUTE_TABLE_NOT_FOUND", routeTableId);
  if (to.vpcId !== from.vpcId)
    throw controllerError(
      "EMU_ERR_ROUTE_TARGET_DIFFERENT_NETWORKS",
      routeTableId,
      from.routeTableId,
    );
  const newAssociationId = newId("rtbassoc");
  materializeRouteTable(ctx, from.routeTableId);
  materializeRouteTable(ctx, to.routeTableId);
  const a = ctx.tx.get("routeTable", from.routeTableId) ?? from;
  if (a.mainAssociationId === associationId) {
    const { mainAssociationId: _m, ...rest } = a;
    ctx.tx.put("routeTable", a.routeTableId, rest);
    const b = ctx.tx.get("routeTable", to.routeTableId) ?? to;
    ctx.tx.put("routeTable", b.routeTableId, { ...b, mainAssociationId: newAssociationId });
    return newAssociationId;
  }
  const moved = a.associations.find((x) => x.associationId === associationId);
  ctx.tx.put("routeTable", a.routeTableId, {
    ...a,
    associations: a.associations.filter((x) => x.associationId !== associationId),
  });
  const b = ctx.tx.get("routeTable", to.routeTableId) ?? to;
  ctx.tx.put("routeTable", b.routeTableId, {
    ...b,
    associations: [...b.associations, { ...moved, associationId: newAssociationId }],
  });
  return newAssociationId;
}

/** Tags on a route table, derived main tables included (written first). */
export function routeTableForTags(ctx: ScopedOpContext, id: string): void {
  if (findRouteTable(ctx.tx, ctx.scope, id) !== undefined) materializeRouteTable(ctx, id);
}
