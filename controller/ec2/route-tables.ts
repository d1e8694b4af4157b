/**
 * Route tables (docs/routing.md RT-): Create/Delete/DescribeRouteTables, Create/Replace/
 * DeleteRoute, Associate/DisassociateRouteTable, ReplaceRouteTableAssociation. Each VPC has a
 * main table with its local routes (one per VPC CIDR block); rules live in
 * store/routing-ops.ts. API only: no packet is routed by these tables yet.
 */
import { controllerError } from "../errors.js";
import { natGatewayState } from "../store/address-ops.js";
import { peeringStatus } from "../store/peering-ops.js";
import {
  associateRouteTable,
  createRoute,
  createRouteTable,
  deleteRoute,
  deleteRouteTable,
  disassociateRouteTable,
  localDestinations,
  replaceRoute,
  replaceRouteTableAssociation,
  routeTablesInScope,
  type RouteDestination,
} from "../store/routing-ops.js";
import type { RouteTable, RouteTarget, StoredRoute } from "../model/routing.js";
import { scopeOfRequest, mutate, type ActionHandler, type Ec2Context } from "./context.js";
import { ensureDefaultVpc } from "../store/default-vpc.js";
import {
  applyFilters,
  notFoundError,
  paginate,
  parseFilters,
  selectByIds,
  tagSet,
  tagSpecifications,
} from "./describe.js";
import type { QueryParams } from "./query.js";
import type { XmlTree } from "./xml.js";

export { mainRouteTableIds } from "../store/routing-ops.js";

interface RouteView extends StoredRoute {
  readonly state: "active" | "blackhole";
  readonly origin: "CreateRouteTable" | "CreateRoute";
  readonly local?: boolean;
}

/** RT-10: `blackhole` when the target is gone (deleted, detached, terminated, not active). */
function routeState(c: Ec2Context, t: RouteTable, r: StoredRoute): "active" | "blackhole" {
  const s = c.store;
  const now = Date.now();
  if (r.gatewayId !== undefined)
    return s.get("internetGateway", r.gatewayId)?.vpcId === t.vpcId ? "active" : "blackhole";
  if (r.egressOnlyInternetGatewayId !== undefined)
    return s.get("egressOnlyInternetGateway", r.egressOnlyInternetGatewayId) === undefined
      ? "blackhole"
      : "active";
  if (r.natGatewayId !== undefined) {
    const n = s.get("natGateway", r.natGatewayId);
    return n !== undefined && ["pending", "available"].includes(natGatewayState(n, now))
      ? "active"
      : "blackhole";
  }
  if (r.vpcPeeringConnectionId !== undefined) {
    const p = s.get("vpcPeeringConnection", r.vpcPeeringConnectionId);
    return p !== undefined && peeringStatus(p, now) === "active" ? "active" : "blackhole";
  }
  if (r.instanceId !== undefined) {
    const i = s.get("instance", r.instanceId);
    return i !== undefined && i.state !== "terminated" ? "active" : "blackhole";
  }
  if (r.networkInterfaceId !== undefined)
    return s.get("networkInterface", r.networkInterfaceId) === undefined ? "blackhole" : "active";
  return "blackhole";
}

/** The routes as Describe lists them: local routes first (RT-2), then the stored ones. */
function routesOf(c: Ec2Context, t: RouteTable): RouteView[] {
  const v = c.store.get("vpc", t.vpcId);
  const local: RouteView[] = (v === undefined ? [] : localDestinations(v)).map((d) => ({
    ...(d.includes(":") ? { destinationIpv6CidrBlock: d } : { destinationCidrBlock: d }),
    gatewayId: "local",
    state: "active",
    origin: "CreateRouteTable",
    local: true,
  }));
  return [
    ...local,
    ...t.routes.map((r) => ({ ...r, state: routeState(c, t, r), origin: "CreateRoute" as const })),
  ];
}

function routeXml(c: Ec2Context, r: RouteView): XmlTree {
  const eni =
    r.networkInterfaceId === undefined
      ? undefined
      : c.store.get("networkInterface", r.networkInterfaceId);
  const instanceId = r.instanceId ?? eni?.attachment?.instanceId;
  return {
    destinationCidrBlock: r.destinationCidrBlock,
    destinationIpv6CidrBlock: r.destinationIpv6CidrBlock,
    gatewayId: r.gatewayId,
    egressOnlyInternetGatewayId: r.egressOnlyInternetGatewayId,
    natGatewayId: r.natGatewayId,
    vpcPeeringConnectionId: r.vpcPeeringConnectionId,
    instanceId,
    instanceOwnerId: instanceId === undefined ? undefined : c.accountId,
    networkInterfaceId: r.networkInterfaceId,
    state: r.state,
    origin: r.origin,
  };
}

function associationsOf(t: RouteTable): XmlTree[] {
  return [
    ...(t.mainAssociationId === undefined
      ? []
      : [
          {
            main: true,
            routeTableAssociationId: t.mainAssociationId,
            routeTableId: t.routeTableId,
            associationState: { state: "associated" },
          },
        ]),
    ...t.associations.map((a) => ({
      main: false,
      routeTableAssociationId: a.associationId,
      routeTableId: t.routeTableId,
      subnetId: a.subnetId,
      gatewayId: a.gatewayId,
      associationState: { state: "associated" },
    })),
  ];
}

export function routeTableXml(c: Ec2Context, t: RouteTable): XmlTree {
  return {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    ownerId: t.ownerId,
    routeSet: routesOf(c, t).map((r) => routeXml(c, r)),
    associationSet: associationsOf(t),
    propagatingVgwSet: [],
    tagSet: tagSet(t.tags),
  };
}

/** The request's route tables (stored and derived main ones). */
function visibleTables(c: Ec2Context): RouteTable[] {
  ensureDefaultVpc(c.store, scopeOfRequest(c));
  return routeTablesInScope(c.store.reader(), scopeOfRequest(c));
}

const describeRouteTables: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visibleTables(c),
    p.list("RouteTableId"),
    (t) => t.routeTableId,
    notFoundError("EMU_ERR_ROUTE_TABLE_NOT_FOUND", "EMU_ERR_ROUTE_TABLE_NOT_FOUND_MANY"),
  );
  const routes = (t: RouteTable) => routesOf(c, t);
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "route-table-id": (t) => [t.routeTableId],
      "vpc-id": (t) => [t.vpcId],
      "owner-id": (t) => [t.ownerId],
      "association.main": (t) => [
        ...(t.mainAssociationId === undefined ? [] : ["true"]),
        ...(t.associations.length > 0 ? ["false"] : []),
      ],
      "association.route-table-association-id": (t) => [
        t.mainAssociationId,
        ...t.associations.map((a) => a.associationId),
      ],
      "association.route-table-id": (t) =>
        t.mainAssociationId === undefined && t.associations.length === 0 ? [] : [t.routeTableId],
      "association.association-state": (t) =>
        t.mainAssociationId === undefined && t.associations.length === 0 ? [] : ["associated"],
      // Why: subnets on the main table implicitly have no association (RT-3).
      "association.subnet-id": (t) => t.associations.map((a) => a.subnetId),
      "association.gateway-id": (t) => t.associations.map((a) => a.gatewayId),
      "route.destination-cidr-block": (t) => routes(t).map((r) => r.destinationCidrBlock),
      "route.destination-ipv6-cidr-block": (t) => routes(t).map((r) => r.destinationIpv6CidrBlock),
      "route.gateway-id": (t) => routes(t).map((r) => r.gatewayId),
      "route.egress-only-internet-gateway-id": (t) =>
        routes(t).map((r) => r.egressOnlyInternetGatewayId),
      "route.nat-gateway-id": (t) => routes(t).map((r) => r.natGatewayId),
      "route.vpc-peering-connection-id": (t) => routes(t).map((r) => r.vpcPeeringConnectionId),
      "route.instance-id": (t) => routes(t).map((r) => r.instanceId),
      "route.origin": (t) => routes(t).map((r) => r.origin),
      "route.state": (t) => routes(t).map((r) => r.state),
    },
    (t) => t.tags,
  );
  const { page, nextToken } = paginate(items, p, { min: 5, max: 100 });
  return { routeTableSet: page.map((t) => routeTableXml(c, t)), nextToken };
};

const createRouteTableAction: ActionHandler = (c) => {
  const p = c.params;
  const vpcId = p.req("VpcId");
  const t = mutate(c, (ctx) => createRouteTable(ctx, vpcId, tagSpecifications(p, "route-table")));
  return {
    routeTable: routeTableXml(c, t),
    clientToken: p.str("ClientToken"),
  };
};

const deleteRouteTableAction: ActionHandler = (c) => {
  const id = c.params.req("RouteTableId");
  mutate(c, (ctx) => deleteRouteTable(ctx, id));
  return { return: true };
};

/** Targets vpcemu does not emulate (transit gateways, endpoints, ...): named in the error. */
const UNSUPPORTED_TARGETS = [
  "TransitGatewayId",
  "LocalGatewayId",
  "CarrierGatewayId",
  "CoreNetworkArn",
  "VpcEndpointId",
  "OdbNetworkArn",
  "DestinationPrefixListId",
] as const;

function destinationParams(p: QueryParams): RouteDestination {
  for (const name of UNSUPPORTED_TARGETS)
    if (p.str(name) !== undefined)
      throw controllerError(
        "EMU_ERR_REQ_INVALID_PARAMETER_VALUE",
        `vpcemu does not emulate routes with ${name} (docs/routing.md).`,
      );
  const v4 = p.str("DestinationCidrBlock");
  const v6 = p.str("DestinationIpv6CidrBlock");
  return { ...(v4 === undefined ? {} : { cidr4: v4 }), ...(v6 === undefined ? {} : { cidr6: v6 }) };
}

function targetParams(p: QueryParams): RouteTarget {
  const pick = (wire: string) => p.str(wire);
  const t: Record<string, string> = {};
  const fields: ReadonlyArray<readonly [string, keyof RouteTarget]> = [
    ["GatewayId", "gatewayId"],
    ["EgressOnlyInternetGatewayId", "egressOnlyInternetGatewayId"],
    ["NatGatewayId", "natGatewayId"],
    ["VpcPeeringConnectionId", "vpcPeeringConnectionId"],
    ["NetworkInterfaceId", "networkInterfaceId"],
    ["InstanceId", "instanceId"],
  ];
  for (const [wire, key] of fields) {
    const v = pick(wire);
    if (v !== undefined && v !== "") t[key] = v;
  }
  return t;
}

const createRouteAction: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("RouteTableId");
  const dest = destinationParams(p);
  const target = targetParams(p);
  mutate(c, (ctx) => createRoute(ctx, id, dest, target));
  return { return: true };
};

const replaceRouteAction: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("RouteTableId");
  const dest = destinationParams(p);
  const target = targetParams(p);
  mutate(c, (ctx) => replaceRoute(ctx, id, dest, target));
  return { return: true };
};

const deleteRouteAction: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("RouteTableId");
  const dest = destinationParams(p);
  mutate(c, (ctx) => deleteRoute(ctx, id, dest));
  return { return: true };
};

const associateRouteTableAction: ActionHandler = (c) => {
  const p = c.params;
  const id = p.req("RouteTableId");
  const subnetId = p.str("SubnetId");
  const gatewayId = p.str("GatewayId");
  const associationId = mutate(c, (ctx) =>
    associateRouteTable(ctx, id, {
      ...(subnetId === undefined ? {} : { subnetId }),
      ...(gatewayId === undefined ? {} : { gatewayId }),
    }),
  );
  return { associationId, associationState: { state: "associated" } };
};

const disassociateRouteTableAction: ActionHandler = (c) => {
  const id = c.params.req("AssociationId");
  mutate(c, (ctx) => disassociateRouteTable(ctx, id));
  return { return: true };
};

const replaceAssociationAction: ActionHandler = (c) => {
  const p = c.params;
  const associationId = p.req("AssociationId");
  const routeTableId = p.req("RouteTableId");
  const newAssociationId = mutate(c, (ctx) =>
    replaceRouteTableAssociation(ctx, associationId, routeTableId),
  );
  return { newAssociationId, associationState: { state: "associated" } };
};

export const ROUTE_TABLE_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeRouteTables: describeRouteTables,
  CreateRouteTable: createRouteTableAction,
  DeleteRouteTable: deleteRouteTableAction,
  CreateRoute: createRouteAction,
  ReplaceRoute: replaceRouteAction,
  DeleteRoute: deleteRouteAction,
  AssociateRouteTable: associateRouteTableAction,
  DisassociateRouteTable: disassociateRouteTableAction,
  ReplaceRouteTableAssociation: replaceAssociationAction,
};
