/**
 * The routing resources of a topology file: internet gateways, route tables with their routes
 * and subnets, Elastic IPs, NAT gateways and VPC peerings (each item's own fields; references
 * between items are checked in check-routing.ts).
 */
import { parseCidr } from "./cidr.js";
import type {
  TopologyElasticIp,
  TopologyInternetGateway,
  TopologyNatGateway,
  TopologyPeering,
  TopologyRoute,
  TopologyRouteTable,
  TopologyRouteTarget,
} from "./topology.js";
import type { MapView, Reader } from "./yaml-reader.js";

/** The fields a route may name its target with, in the order errors list them. */
export const ROUTE_TARGET_FIELDS = [
  "internetGateway",
  "natGateway",
  "peering",
  "instance",
] as const;

/** `internetGateways:` items: a name, the VPC it is attached to (optional). */
export function readInternetGateways(r: Reader, top: MapView): TopologyInternetGateway[] {
  return top.list("internetGateways", (item, path, at): TopologyInternetGateway | undefined => {
    const m = r.map(item, path, ["name", "vpc"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const vpc = m.string("vpc");
    if (!name) return undefined;
    return { name, ...(vpc !== undefined ? { vpc } : {}), at: m.at };
  });
}

/** One route: an IPv4 destination and exactly one target. */
function readRoute(
  r: Reader,
  item: unknown,
  path: string,
  at: TopologyRoute["at"],
): TopologyRoute | undefined {
  const m = r.map(item, path, ["destination", ...ROUTE_TARGET_FIELDS], at);
  if (!m) return undefined;
  const text = m.string("destination", true);
  const cidr = text === undefined ? undefined : parseCidr(text);
  if (text !== undefined && (!cidr || cidr.family !== 4)) {
    r.issue(m.fieldAt("destination"), `expected an IPv4 CIDR, got '${text}'`);
  }
  const given = ROUTE_TARGET_FIELDS.filter((f) => m.has(f));
  if (given.length === 0) {
    r.issue(
      { ...m.at, path },
      `a route needs one target (RT-4): ${ROUTE_TARGET_FIELDS.join(", ")}; none given`,
    );
    return undefined;
  }
  if (given.length > 1) {
    r.issue(
      m.fieldAt(given[1]!),
      `a route takes exactly one target (RT-4); got ${given.join(" and ")}`,
    );
    return undefined;
  }
  const kind = given[0]!;
  const name = m.string(kind, true);
  if (!name || !cidr || cidr.family !== 4) return undefined;
  const target: TopologyRouteTarget = { kind, name };
  return { destination: cidr.network, target, at: m.at };
}

/** `routeTables:` items: a name, its VPC, the subnets it is associated with, routes. */
export function readRouteTables(r: Reader, top: MapView): TopologyRouteTable[] {
  return top.list("routeTables", (item, path, at): TopologyRouteTable | undefined => {
    const m = r.map(item, path, ["name", "vpc", "subnets", "routes"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const vpc = m.string("vpc", true);
    const subnets = m.strings("subnets");
    const routes = m.list("routes", (ri, rpath, rat) => readRoute(r, ri, rpath, rat));
    if (!name || !vpc) return undefined;
    return { name, vpc, subnets, routes, at: m.at };
  });
}

/** `elasticIps:` items: a name, the instance it is associated with (optional). */
export function readElasticIps(r: Reader, top: MapView): TopologyElasticIp[] {
  return top.list("elasticIps", (item, path, at): TopologyElasticIp | undefined => {
    const m = r.map(item, path, ["name", "instance"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const instance = m.string("instance");
    if (!name) return undefined;
    return { name, ...(instance !== undefined ? { instance } : {}), at: m.at };
  });
}

/** `natGateways:` items: a name, its subnet, its Elastic IP (both required, NAT-1). */
export function readNatGateways(r: Reader, top: MapView): TopologyNatGateway[] {
  return top.list("natGateways", (item, path, at): TopologyNatGateway | undefined => {
    const m = r.map(item, path, ["name", "subnet", "elasticIp"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const subnet = m.string("subnet", true);
    const elasticIp = m.string("elasticIp", true);
    if (!name || !subnet || !elasticIp) return undefined;
    return { name, subnet, elasticIp, at: m.at };
  });
}

/** `peerings:` items: a name, the requester VPC and the accepter VPC. */
export function readPeerings(r: Reader, top: MapView): TopologyPeering[] {
  return top.list("peerings", (item, path, at): TopologyPeering | undefined => {
    const m = r.map(item, path, ["name", "vpc", "peerVpc"], at);
    if (!m) return undefined;
    const name = m.string("name", true);
    const vpc = m.string("vpc", true);
    const peerVpc = m.string("peerVpc", true);
    if (!name || !vpc || !peerVpc) return undefined;
    return { name, vpc, peerVpc, at: m.at };
  });
}
