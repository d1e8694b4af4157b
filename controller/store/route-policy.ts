/**
 * The routing part of the policy state (docs/routing.md RT-12): every VPC's route tables with
 * each route's target and whether it is active or `blackhole` (RT-10), the effective table of
 * every subnet, and the active peering connections. Read by StateStore.readPolicyState() for the
 * policy compiler (controller/policy/compile.ts), which turns them into per-ENI routes.
 *
 * Why no clock: a route's state changes on writes (detach, delete, accept, terminate) except a
 * NAT gateway's `deleting` second (NAT-3), which the compiler already treats as `blackhole`.
 */
import type {
  NatGatewayState,
  PeeringState,
  RouteState,
  RouteTableState,
} from "../policy/policy-state.js";
import type { RouteTable, StoredRoute } from "../model/routing.js";
import type { Vpc } from "../model/vpc.js";
import { publicAddressOf } from "./address-ops.js";
import { localDestinations, routeTablesOfVpc } from "./routing-ops.js";
import type { StateReader } from "./transaction.js";

/** RT-10 for the data path: whether the route's target can carry traffic now. */
function storedRouteState(reader: StateReader, t: RouteTable, r: StoredRoute): RouteState {
  const destination = r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ?? "";
  if (r.gatewayId !== undefined) {
    const active = reader.get("internetGateway", r.gatewayId)?.vpcId === t.vpcId;
    return { destination, target: "internet-gateway", targetId: r.gatewayId, active };
  }
  if (r.egressOnlyInternetGatewayId !== undefined) {
    const id = r.egressOnlyInternetGatewayId;
    const active = reader.get("egressOnlyInternetGateway", id) !== undefined;
    return { destination, target: "egress-only-internet-gateway", targetId: id, active };
  }
  if (r.natGatewayId !== undefined) {
    const n = reader.get("natGateway", r.natGatewayId);
    const active = n !== undefined && n.deleteTime === undefined;
    return { destination, target: "nat-gateway", targetId: r.natGatewayId, active };
  }
  if (r.vpcPeeringConnectionId !== undefined) {
    const p = reader.get("vpcPeeringConnection", r.vpcPeeringConnectionId);
    const active = p !== undefined && p.status === "active";
    return { destination, target: "peering", targetId: r.vpcPeeringConnectionId, active };
  }
  if (r.instanceId !== undefined) {
    const i = reader.get("instance", r.instanceId);
    const active = i !== undefined && i.state !== "terminated";
    return { destination, target: "instance", targetId: r.instanceId, active };
  }
  if (r.networkInterfaceId !== undefined) {
    const active = reader.get("networkInterface", r.networkInterfaceId) !== undefined;
    return { destination, target: "network-interface", targetId: r.networkInterfaceId, active };
  }
  return { destination, target: "local", targetId: "", active: false };
}

/** A table as the compiler reads it: local routes first (RT-2), then the stored ones. */
function routeTableState(reader: StateReader, v: Vpc, t: RouteTable): RouteTableState {
  const local: RouteState[] = localDestinations(v).map((destination) => ({
    destination,
    target: "local",
    targetId: "local",
    active: true,
  }));
  return {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    routes: [...local, ...t.routes.map((r) => storedRouteState(reader, t, r))],
  };
}

/** What readPolicyState adds for routing. */
export interface RoutingPolicyState {
  readonly routeTables: RouteTableState[];
  /** Subnet id -> its effective route table id. */
  readonly subnetTables: Map<string, string>;
  readonly peerings: PeeringState[];
  /**
   * ENI id -> its public IPv4 addresses and the private addresses they stand for (EIP-6: an
   * Elastic IP first, else a running instance's launch-time IP), only for ENIs of VPCs with an
   * internet gateway attached: the gateway does the 1:1 NAT (docs/routing.md IGW-5).
   */
  readonly publicIpv4: Map<string, { publicIp: string; privateIp: string }[]>;
  /** NAT gateways not deleted (docs/routing.md NAT-8); their Elastic IP only with a gateway. */
  readonly natGateways: NatGatewayState[];
}

/** Route tables of every VPC, the effective table of every subnet, active peerings. */
export function readRoutingPolicyState(reader: StateReader): RoutingPolicyState {
  const routeTables: RouteTableState[] = [];
  const subnetTables = new Map<string, string>();
  const mainTables = new Map<string, string>();
  for (const v of reader.list("vpc")) {
    for (const t of routeTablesOfVpc(reader, v)) {
      routeTables.push(routeTableState(reader, v, t));
      if (t.mainAssociationId !== undefined) mainTables.set(v.vpcId, t.routeTableId);
      for (const a of t.associations)
        if (a.subnetId !== undefined) subnetTables.set(a.subnetId, t.routeTableId);
    }
  }
  // RT-1, RT-3: a subnet without an explicit association uses its VPC's main table.
  for (const s of reader.list("subnet")) {
    const main = mainTables.get(s.vpcId);
    if (!subnetTables.has(s.subnetId) && main !== undefined) subnetTables.set(s.subnetId, main);
  }
  const peerings: PeeringState[] = reader
    .list("vpcPeeringConnection")
    .filter((p) => p.status === "active")
    .map((p) => ({
      peeringId: p.vpcPeeringConnectionId,
      requesterVpcId: p.requester.vpcId,
      accepterVpcId: p.accepter.vpcId,
    }));
  return {
    routeTables,
    subnetTables,
    peerings,
    publicIpv4: readPublicIpv4(reader),
    natGateways: readNatGateways(reader),
  };
}

/**
 * RoutingPolicyState.natGateways. Why from creation, not from `available`: the state's
 * pending second is a clock reading (NAT-3) and the compiler has no clock; a NAT gateway
 * carries traffic from the revision that created it until the one that deleted it.
 */
function readNatGateways(reader: StateReader): NatGatewayState[] {
  const gatewayVpcs = new Set<string>();
  for (const g of reader.list("internetGateway"))
    if (g.vpcId !== undefined) gatewayVpcs.add(g.vpcId);
  return reader
    .list("natGateway")
    .filter((n) => n.deleteTime === undefined)
    .map((n) => ({
      natGatewayId: n.natGatewayId,
      eniId: n.networkInterfaceId,
      vpcId: n.vpcId,
      subnetId: n.subnetId,
      privateIp: n.privateIp,
      ...(gatewayVpcs.has(n.vpcId) ? { publicIp: n.publicIp } : {}),
    }))
    .sort((a, b) => (a.natGatewayId < b.natGatewayId ? -1 : 1));
}

/** RoutingPolicyState.publicIpv4: one pass over the addresses, then EIP-6's choice per pair. */
function readPublicIpv4(
  reader: StateReader,
): Map<string, { publicIp: string; privateIp: string }[]> {
  const out = new Map<string, { publicIp: string; privateIp: string }[]>();
  const gatewayVpcs = new Set<string>();
  for (const g of reader.list("internetGateway"))
    if (g.vpcId !== undefined) gatewayVpcs.add(g.vpcId);
  if (gatewayVpcs.size === 0) return out;
  const seen = new Set<string>();
  for (const a of reader.list("address")) {
    const assoc = a.association;
    if (assoc === undefined) continue;
    const key = `${assoc.networkInterfaceId}|${assoc.privateIpAddress}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const eni = reader.get("networkInterface", assoc.networkInterfaceId);
    if (eni === undefined || !gatewayVpcs.has(eni.vpcId)) continue;
    const view = publicAddressOf(reader, eni.eniId, assoc.privateIpAddress);
    if (view === undefined) continue;
    let list = out.get(eni.eniId);
    if (list === undefined) {
      list = [];
      out.set(eni.eniId, list);
    }
    list.push({ publicIp: view.publicIp, privateIp: assoc.privateIpAddress });
  }
  return out;
}
