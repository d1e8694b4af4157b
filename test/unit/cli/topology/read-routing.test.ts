/**
 * The routing keys of a topology file (docs/topology.md "internetGateways" .. "peerings",
 * `publicIp`): what is read, and the precise error for each bad value, at its line and path.
 */
import { describe, expect, it } from "vitest";
import { parseTopology, TopologyError } from "../../../../cli/topology/topology.js";

const BASE = `vpcs:
  - { name: main, cidr: 10.0.0.0/16 }
  - { name: other, cidr: 10.1.0.0/16 }
subnets:
  - { name: public, vpc: main, cidr: 10.0.1.0/24 }
  - { name: private, vpc: main, cidr: 10.0.2.0/24 }
  - { name: far, vpc: other, cidr: 10.1.1.0/24 }
instances:
  - { name: web, subnet: public, publicIp: true }
  - { name: db, subnet: private }
  - { name: peer, subnet: far }
`;

const ROUTED = `${BASE}internetGateways:
  - { name: igw, vpc: main }
elasticIps:
  - { name: nat-eip }
natGateways:
  - { name: nat, subnet: public, elasticIp: nat-eip }
peerings:
  - { name: main-other, vpc: main, peerVpc: other }
routeTables:
  - name: public-rt
    vpc: main
    subnets: [public]
    routes:
      - { destination: 0.0.0.0/0, internetGateway: igw }
      - { destination: 10.1.0.0/16, peering: main-other }
  - name: private-rt
    vpc: main
    subnets: [private]
    routes:
      - { destination: 0.0.0.0/0, natGateway: nat }
`;

/** Parses `text` expecting failure; returns the formatted issue lines. */
function issuesOf(text: string): string[] {
  try {
    parseTopology(text, "t.yaml");
  } catch (err) {
    expect(err).toBeInstanceOf(TopologyError);
    return (err as Error).message.split("\n");
  }
  throw new Error("expected a TopologyError");
}

describe("topology routing keys", () => {
  it("reads gateways, route tables, Elastic IPs, NAT gateways, peerings and publicIp", () => {
    const t = parseTopology(ROUTED, "t.yaml");
    expect(t.instances.find((i) => i.name === "web")?.publicIp).toBe(true);
    expect(t.instances.find((i) => i.name === "db")?.publicIp).toBeUndefined();
    expect(t.internetGateways.map((g) => [g.name, g.vpc])).toEqual([["igw", "main"]]);
    expect(t.elasticIps.map((e) => e.name)).toEqual(["nat-eip"]);
    expect(t.natGateways.map((n) => [n.name, n.subnet, n.elasticIp])).toEqual([
      ["nat", "public", "nat-eip"],
    ]);
    expect(t.peerings.map((p) => [p.name, p.vpc, p.peerVpc])).toEqual([
      ["main-other", "main", "other"],
    ]);
    expect(
      t.routeTables.map((rt) => [
        rt.name,
        rt.subnets,
        rt.routes.map((r) => [r.destination, r.target.kind, r.target.name]),
      ]),
    ).toEqual([
      [
        "public-rt",
        ["public"],
        [
          ["0.0.0.0/0", "internetGateway", "igw"],
          ["10.1.0.0/16", "peering", "main-other"],
        ],
      ],
      ["private-rt", ["private"], [["0.0.0.0/0", "natGateway", "nat"]]],
    ]);
    expect(t.warnings).toEqual([]);
  });

  it("refuses a route with no target or two targets (RT-4), naming the route", () => {
    const text = `${BASE}internetGateways:
  - { name: igw, vpc: main }
routeTables:
  - name: rt
    vpc: main
    routes:
      - { destination: 0.0.0.0/0 }
      - { destination: 192.0.2.0/24, internetGateway: igw, instance: web }
`;
    expect(issuesOf(text)).toEqual([
      "t.yaml:18: routeTables[0].routes[0]: a route needs one target (RT-4): internetGateway, natGateway, peering, instance; none given",
      "t.yaml:19: routeTables[0].routes[1].instance: a route takes exactly one target (RT-4); got internetGateway and instance",
    ]);
  });

  it("refuses bad CIDRs and unknown references with their path", () => {
    const text = `${BASE}internetGateways:
  - { name: igw, vpc: nowhere }
elasticIps:
  - { name: eip, instance: ghost }
natGateways:
  - { name: nat, subnet: nosuch, elasticIp: missing }
peerings:
  - { name: p, vpc: main, peerVpc: elsewhere }
routeTables:
  - name: rt
    vpc: main
    subnets: [public, gone]
    routes:
      - { destination: 10.300.0.0/16, internetGateway: igw }
      - { destination: "2001:db8::/32", internetGateway: igw }
      - { destination: 0.0.0.0/0, internetGateway: igw2 }
      - { destination: 192.0.2.0/24, natGateway: nat9 }
      - { destination: 198.51.100.0/24, peering: p9 }
      - { destination: 203.0.113.0/24, instance: nobody }
`;
    expect(issuesOf(text)).toEqual([
      "t.yaml:13: internetGateways[0].vpc: unknown VPC 'nowhere'",
      "t.yaml:15: elasticIps[0].instance: unknown instance 'ghost'",
      "t.yaml:17: natGateways[0].subnet: unknown subnet 'nosuch'",
      "t.yaml:17: natGateways[0].elasticIp: unknown Elastic IP 'missing'",
      "t.yaml:19: peerings[0].peerVpc: unknown VPC 'elsewhere'",
      "t.yaml:23: routeTables[0].subnets[1]: unknown subnet 'gone'",
      "t.yaml:25: routeTables[0].routes[0].destination: expected an IPv4 CIDR, got '10.300.0.0/16'",
      "t.yaml:26: routeTables[0].routes[1].destination: expected an IPv4 CIDR, got '2001:db8::/32'",
      "t.yaml:27: routeTables[0].routes[2].internetGateway: unknown internet gateway 'igw2'",
      "t.yaml:28: routeTables[0].routes[3].natGateway: unknown NAT gateway 'nat9'",
      "t.yaml:29: routeTables[0].routes[4].peering: unknown peering 'p9'",
      "t.yaml:30: routeTables[0].routes[5].instance: unknown instance 'nobody'",
    ]);
  });

  it("keeps every reference in the table's VPC and one table per subnet (RT-3, RT-5, IGW-2)", () => {
    const text = `${BASE}internetGateways:
  - { name: igw, vpc: main }
  - { name: igw-b, vpc: main }
  - { name: igw-o, vpc: other }
routeTables:
  - name: a
    vpc: main
    subnets: [public, far]
    routes:
      - { destination: 0.0.0.0/0, internetGateway: igw-o }
      - { destination: 0.0.0.0/0, internetGateway: igw }
      - { destination: 10.0.0.0/16, internetGateway: igw }
      - { destination: 10.0.9.0/24, internetGateway: igw }
  - name: b
    vpc: main
    subnets: [public]
`;
    expect(issuesOf(text)).toEqual([
      "t.yaml:14: internetGateways[1].vpc: VPC 'main' already has internet gateway 'igw' (IGW-2: one per VPC)",
      "t.yaml:19: routeTables[0].subnets[1]: subnet 'far' is in VPC 'other', not 'main'",
      "t.yaml:21: routeTables[0].routes[0].internetGateway: internet gateway 'igw-o' is in VPC 'other', not 'main'",
      "t.yaml:22: routeTables[0].routes[1].destination: a route to 0.0.0.0/0 is already in this table (line 21; RT-5 RouteAlreadyExists)",
      "t.yaml:23: routeTables[0].routes[2].destination: 10.0.0.0/16 is the VPC's CIDR: the table's local route covers it (RT-5)",
      "t.yaml:24: routeTables[0].routes[3].destination: 10.0.9.0/24 is inside the VPC's CIDR 10.0.0.0/16: only an instance may be the target there (RT-5)",
      "t.yaml:27: routeTables[1].subnets[0]: subnet 'public' is already associated with route table 'a' (RT-3: one per subnet)",
    ]);
  });

  it("refuses overlapping or self peerings, shared Elastic IPs and an Elastic IP without a gateway", () => {
    const text = `vpcs:
  - { name: a, cidr: 10.0.0.0/16 }
  - { name: b, cidr: 10.0.128.0/17 }
subnets:
  - { name: s, vpc: a, cidr: 10.0.1.0/24 }
instances:
  - { name: i, subnet: s }
elasticIps:
  - { name: e1, instance: i }
natGateways:
  - { name: n1, subnet: s, elasticIp: e1 }
peerings:
  - { name: p1, vpc: a, peerVpc: b }
  - { name: p2, vpc: a, peerVpc: a }
`;
    expect(issuesOf(text)).toEqual([
      "t.yaml:9: elasticIps[0].instance: instance 'i' is in VPC 'a', which has no internet gateway (EIP-2: Gateway.NotAttached)",
      "t.yaml:11: natGateways[0].elasticIp: Elastic IP 'e1' is already used by instance 'i' (NAT-2)",
      "t.yaml:13: peerings[0].peerVpc: VPC 'b' (10.0.128.0/17) overlaps VPC 'a' (10.0.0.0/16); peered VPCs may not overlap (PCX-3)",
      "t.yaml:14: peerings[1].peerVpc: a VPC cannot peer with itself ('a')",
    ]);
  });

  it("refuses a non-boolean publicIp and unknown route fields", () => {
    const text = `${BASE.replace("publicIp: true", "publicIp: yes-please")}routeTables:
  - name: rt
    vpc: main
    routes:
      - { destination: 0.0.0.0/0, gateway: igw }
`;
    expect(issuesOf(text)).toEqual([
      "t.yaml:9: instances[0].publicIp: expected true or false, got 'yes-please'",
      "t.yaml:16: routeTables[0].routes[0].gateway: unknown field (expected one of: destination, internetGateway, natGateway, peering, instance)",
      "t.yaml:16: routeTables[0].routes[0]: a route needs one target (RT-4): internetGateway, natGateway, peering, instance; none given",
    ]);
  });

  it("warns, without refusing, about a public IP in a subnet with no internet gateway route", () => {
    const t = parseTopology(BASE, "t.yaml");
    expect(t.warnings.map((w) => `${w.at.line}: ${w.at.path}: ${w.message}`)).toEqual([
      "9: instances[0].publicIp: `publicIp: true` but subnet 'public' has no route to an internet gateway: the internet cannot reach this instance (IGW-5)",
    ]);
  });
});
