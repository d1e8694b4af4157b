/**
 * Route tables as far as vpcemu's state goes: each VPC's main route table with its local
 * routes (one per VPC CIDR block) and its main association. There is no routing state beyond
 * that (no CreateRouteTable, internet gateways or routes): DescribeRouteTables answers what
 * clients read about a VPC (Terraform's aws_vpc reads main_route_table_id).
 */
import { controllerError } from "../errors.js";
import { vpcIpv4Cidrs, type Vpc } from "../model/vpc.js";
import { visible, type ActionHandler, type Ec2Context } from "./context.js";
import { applyFilters, notFoundError, paginate, parseFilters, selectByIds } from "./describe.js";
import type { XmlTree } from "./xml.js";

/** The main route table ids of `v` (records older than them: derived from the VPC id). */
export function mainRouteTableIds(v: Vpc): { routeTableId: string; associationId: string } {
  const hex = v.vpcId.slice("vpc-".length);
  return {
    routeTableId: v.mainRouteTableId ?? `rtb-${hex}`,
    associationId: v.mainRouteTableAssociationId ?? `rtbassoc-${hex}`,
  };
}

interface RouteXml {
  readonly destinationCidrBlock?: string;
  readonly destinationIpv6CidrBlock?: string;
  readonly gatewayId: string;
  readonly state: string;
  readonly origin: string;
}

function routesOf(v: Vpc): RouteXml[] {
  return [
    ...vpcIpv4Cidrs(v).map((cidr) => ({
      destinationCidrBlock: cidr,
      gatewayId: "local",
      state: "active",
      origin: "CreateRouteTable",
    })),
    ...(v.ipv6CidrBlock === undefined
      ? []
      : [
          {
            destinationIpv6CidrBlock: v.ipv6CidrBlock,
            gatewayId: "local",
            state: "active",
            origin: "CreateRouteTable",
          },
        ]),
  ];
}

function routeTableXml(c: Ec2Context, v: Vpc): XmlTree {
  const ids = mainRouteTableIds(v);
  return {
    routeTableId: ids.routeTableId,
    vpcId: v.vpcId,
    ownerId: c.accountId,
    routeSet: routesOf(v).map((r) => ({ ...r })),
    associationSet: [
      {
        main: true,
        routeTableAssociationId: ids.associationId,
        routeTableId: ids.routeTableId,
        associationState: { state: "associated" },
      },
    ],
    propagatingVgwSet: [],
    tagSet: [],
  };
}

const describeRouteTables: ActionHandler = (c) => {
  const p = c.params;
  const all = selectByIds(
    visible(c, "vpc"),
    p.list("RouteTableId"),
    (v) => mainRouteTableIds(v).routeTableId,
    notFoundError("EMU_ERR_ROUTE_TABLE_NOT_FOUND", "EMU_ERR_ROUTE_TABLE_NOT_FOUND_MANY"),
  );
  const items = applyFilters(
    all,
    parseFilters(p),
    {
      "route-table-id": (v) => [mainRouteTableIds(v).routeTableId],
      "vpc-id": (v) => [v.vpcId],
      "owner-id": () => [c.accountId],
      "association.main": () => ["true"],
      "association.route-table-association-id": (v) => [mainRouteTableIds(v).associationId],
      "association.route-table-id": (v) => [mainRouteTableIds(v).routeTableId],
      "association.association-state": () => ["associated"],
      // Why: subnets use the main table implicitly; AWS lists no association for them.
      "association.subnet-id": () => [],
      "association.gateway-id": () => [],
      "route.destination-cidr-block": (v) => routesOf(v).map((r) => r.destinationCidrBlock),
      "route.destination-ipv6-cidr-block": (v) =>
        routesOf(v).map((r) => r.destinationIpv6CidrBlock),
      "route.gateway-id": (v) => routesOf(v).map((r) => r.gatewayId),
      "route.origin": (v) => routesOf(v).map((r) => r.origin),
      "route.state": (v) => routesOf(v).map((r) => r.state),
    },
    () => ({}),
  );
  const { page, nextToken } = paginate(items, p, { min: 5, max: 100 });
  return { routeTableSet: page.map((v) => routeTableXml(c, v)), nextToken };
};

export const ROUTE_TABLE_ACTIONS: Readonly<Record<string, ActionHandler>> = {
  DescribeRouteTables: describeRouteTables,
};
