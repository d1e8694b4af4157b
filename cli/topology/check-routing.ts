/**
 * Cross-item checks of a topology's routing resources (docs/topology.md "internetGateways" ..
 * "peerings"): names are unique and resolve, every reference stays in the right VPC, a subnet
 * has one route table (RT-3), a VPC one internet gateway (IGW-2), an Elastic IP one user
 * (EIP-3), peered VPCs do not overlap (PCX-3). An instance with a public address in a subnet
 * without a route to an internet gateway is allowed, as on AWS, and becomes a warning: it is
 * unreachable from the internet (IGW-5).
 */
import { duplicates } from "./check-references.js";
import { parseCidr } from "./cidr.js";
import type { Topology, TopologyRoute } from "./topology.js";
import { field, type Reader, type TopologyIssue } from "./yaml-reader.js";

/** Routing cross-checks; problems go to `r`, warnings to `warnings`. */
export function checkRouting(r: Reader, t: Topology, warnings: TopologyIssue[]): void {
  const vpcs = new Map(t.vpcs.map((v) => [v.name, v]));
  const subnets = new Map(t.subnets.map((s) => [s.name, s]));
  const instances = new Map(t.instances.map((i) => [i.name, i]));
  const igws = duplicates(r, t.internetGateways, "internet gateway");
  duplicates(r, t.routeTables, "route table");
  const eips = duplicates(r, t.elasticIps, "Elastic IP");
  const nats = duplicates(r, t.natGateways, "NAT gateway");
  const peerings = duplicates(r, t.peerings, "peering");
  const vpcOfSubnet = (name: string) => subnets.get(name)?.vpc;

  // IGW-2: one gateway per VPC.
  const igwOfVpc = new Map<string, string>();
  for (const g of t.internetGateways) {
    if (g.vpc === undefined) continue;
    if (!vpcs.has(g.vpc)) r.issue(field(g.at, "vpc"), `unknown VPC '${g.vpc}'`);
    else if (igwOfVpc.has(g.vpc))
      r.issue(
        field(g.at, "vpc"),
        `VPC '${g.vpc}' already has internet gateway '${igwOfVpc.get(g.vpc)}' (IGW-2: one per VPC)`,
      );
    else igwOfVpc.set(g.vpc, g.name);
  }

  for (const p of t.peerings) {
    const a = vpcs.get(p.vpc);
    const b = vpcs.get(p.peerVpc);
    if (!a) r.issue(field(p.at, "vpc"), `unknown VPC '${p.vpc}'`);
    if (!b) r.issue(field(p.at, "peerVpc"), `unknown VPC '${p.peerVpc}'`);
    if (!a || !b) continue;
    if (a === b) {
      r.issue(field(p.at, "peerVpc"), `a VPC cannot peer with itself ('${p.vpc}')`);
      continue;
    }
    const ca = parseCidr(a.cidr);
    const cb = parseCidr(b.cidr);
    if (ca && cb && ca.first! <= cb.last! && cb.first! <= ca.last!) {
      r.issue(
        field(p.at, "peerVpc"),
        `VPC '${b.name}' (${b.cidr}) overlaps VPC '${a.name}' (${a.cidr}); peered VPCs may not overlap (PCX-3)`,
      );
    }
    const same = t.peerings.find(
      (o) =>
        o !== p &&
        o.at.line < p.at.line &&
        ((o.vpc === p.vpc && o.peerVpc === p.peerVpc) ||
          (o.vpc === p.peerVpc && o.peerVpc === p.vpc)),
    );
    if (same)
      r.issue(
        field(p.at, "peerVpc"),
        `VPCs '${p.vpc}' and '${p.peerVpc}' are already peered by '${same.name}' (PCX-5)`,
      );
  }

  // EIP-3: one user per Elastic IP (an instance or a NAT gateway); one Elastic IP per instance.
  const eipUser = new Map<string, string>();
  const eipOfInstance = new Map<string, string>();
  for (const e of t.elasticIps) {
    if (e.instance === undefined) continue;
    const inst = instances.get(e.instance);
    if (!inst) {
      r.issue(field(e.at, "instance"), `unknown instance '${e.instance}'`);
      continue;
    }
    const vpc = vpcOfSubnet(inst.subnet);
    if (vpc !== undefined && !igwOfVpc.has(vpc)) {
      r.issue(
        field(e.at, "instance"),
        `instance '${e.instance}' is in VPC '${vpc}', which has no internet gateway (EIP-2: Gateway.NotAttached)`,
      );
    }
    if (eipOfInstance.has(e.instance)) {
      r.issue(
        field(e.at, "instance"),
        `instance '${e.instance}' already has Elastic IP '${eipOfInstance.get(e.instance)}'`,
      );
    }
    eipOfInstance.set(e.instance, e.name);
    eipUser.set(e.name, `instance '${e.instance}'`);
  }
  for (const n of t.natGateways) {
    if (!subnets.has(n.subnet)) r.issue(field(n.at, "subnet"), `unknown subnet '${n.subnet}'`);
    if (!eips.has(n.elasticIp)) {
      r.issue(field(n.at, "elasticIp"), `unknown Elastic IP '${n.elasticIp}'`);
    } else if (eipUser.has(n.elasticIp)) {
      r.issue(
        field(n.at, "elasticIp"),
        `Elastic IP '${n.elasticIp}' is already used by ${eipUser.get(n.elasticIp)} (NAT-2)`,
      );
    } else {
      eipUser.set(n.elasticIp, `NAT gateway '${n.name}'`);
    }
  }

  // Which VPC a route's target belongs to (undefined: unknown, already reported).
  const targetVpcs = (route: TopologyRoute): string[] | undefined => {
    const { kind, name } = route.target;
    const at = field(route.at, kind);
    const unknown = (what: string) => {
      r.issue(at, `unknown ${what} '${name}'`);
      return undefined;
    };
    switch (kind) {
      case "internetGateway": {
        const g = igws.get(name);
        if (!g) return unknown("internet gateway");
        if (g.vpc === undefined) {
          r.issue(at, `internet gateway '${name}' is not attached to a VPC (give it \`vpc:\`)`);
          return undefined;
        }
        return [g.vpc];
      }
      case "natGateway": {
        const n = nats.get(name);
        if (!n) return unknown("NAT gateway");
        const vpc = vpcOfSubnet(n.subnet);
        return vpc === undefined ? undefined : [vpc];
      }
      case "peering": {
        const p = peerings.get(name);
        if (!p) return unknown("peering");
        return [p.vpc, p.peerVpc];
      }
      case "instance": {
        const i = instances.get(name);
        if (!i) return unknown("instance");
        const vpc = vpcOfSubnet(i.subnet);
        return vpc === undefined ? undefined : [vpc];
      }
    }
  };

  const tableOfSubnet = new Map<string, string>();
  for (const table of t.routeTables) {
    const vpc = vpcs.get(table.vpc);
    if (!vpc) r.issue(field(table.at, "vpc"), `unknown VPC '${table.vpc}'`);
    table.subnets.forEach((name, i) => {
      const at = { ...field(table.at, "subnets"), path: `${table.at.path}.subnets[${i}]` };
      const s = subnets.get(name);
      if (!s) r.issue(at, `unknown subnet '${name}'`);
      else if (s.vpc !== table.vpc)
        r.issue(at, `subnet '${name}' is in VPC '${s.vpc}', not '${table.vpc}'`);
      else if (tableOfSubnet.has(name))
        r.issue(
          at,
          `subnet '${name}' is already associated with route table '${tableOfSubnet.get(name)}' (RT-3: one per subnet)`,
        );
      else tableOfSubnet.set(name, table.name);
    });
    const destinations = new Map<string, TopologyRoute>();
    const vpcCidr = vpc ? parseCidr(vpc.cidr) : undefined;
    for (const route of table.routes) {
      const first = destinations.get(route.destination);
      if (first) {
        r.issue(
          field(route.at, "destination"),
          `a route to ${route.destination} is already in this table (line ${first.at.line}; RT-5 RouteAlreadyExists)`,
        );
      } else destinations.set(route.destination, route);
      const dest = parseCidr(route.destination);
      if (vpcCidr && route.destination === vpcCidr.network) {
        r.issue(
          field(route.at, "destination"),
          `${route.destination} is the VPC's CIDR: the table's local route covers it (RT-5)`,
        );
      } else if (
        vpcCidr &&
        dest &&
        route.target.kind !== "instance" &&
        dest.first! >= vpcCidr.first! &&
        dest.last! <= vpcCidr.last!
      ) {
        r.issue(
          field(route.at, "destination"),
          `${route.destination} is inside the VPC's CIDR ${vpc!.cidr}: only an instance may be the target there (RT-5)`,
        );
      }
      const owners = targetVpcs(route);
      if (owners !== undefined && vpc && !owners.includes(table.vpc)) {
        const what = {
          internetGateway: "internet gateway",
          natGateway: "NAT gateway",
          peering: "peering",
          instance: "instance",
        }[route.target.kind];
        r.issue(
          field(route.at, route.target.kind),
          `${what} '${route.target.name}' is in VPC '${owners.join("' / '")}', not '${table.vpc}'`,
        );
      }
    }
  }

  // Allowed, as on AWS, but the address carries nothing without a route to the gateway (IGW-5).
  const hasIgwRoute = (subnet: string) => {
    const table = t.routeTables.find((x) => x.name === tableOfSubnet.get(subnet));
    return (table?.routes ?? []).some((route) => route.target.kind === "internetGateway");
  };
  for (const inst of t.instances) {
    const eip = eipOfInstance.get(inst.name);
    if ((inst.publicIp !== true && eip === undefined) || !subnets.has(inst.subnet)) continue;
    if (hasIgwRoute(inst.subnet)) continue;
    const why = inst.publicIp === true ? "`publicIp: true`" : `Elastic IP '${eip}'`;
    warnings.push({
      at: inst.publicIp === true ? field(inst.at, "publicIp") : { ...inst.at, path: inst.at.path },
      message: `${why} but subnet '${inst.subnet}' has no route to an internet gateway: the internet cannot reach this instance (IGW-5)`,
    });
  }
}
