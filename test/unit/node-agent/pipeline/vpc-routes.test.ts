/**
 * The agent's route step (docs/routing.md RT-12..RT-17): longest-prefix match over an ENI's
 * compiled routes, and the verdict it gives with the mapping table.
 */
import { describe, expect, it } from "vitest";
import type { CompiledRoute, MappingEntry } from "../../../../node-agent/filter/policy.js";
import { parseIpAddress } from "../../../../node-agent/packet/address.js";
import { RouteTable } from "../../../../node-agent/pipeline/route-table.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import {
  VpcRouteTable,
  externalVerdict,
  internetVerdict,
  routeVerdict,
} from "../../../../node-agent/pipeline/vpc-routes.js";

const bytes = (a: string) => parseIpAddress(a)!;

const routes: CompiledRoute[] = [
  { destination: "10.0.0.0/16", kind: "local", targetId: "local" },
  { destination: "2001:db8:a::/56", kind: "local", targetId: "local" },
  { destination: "10.1.0.0/16", kind: "peering", targetId: "pcx-1", peerVpcId: "vpc-b" },
  { destination: "10.1.9.0/24", kind: "blackhole", targetId: "nat-gone" },
  { destination: "10.2.0.0/16", kind: "blackhole", targetId: "pcx-pending" },
  { destination: "0.0.0.0/0", kind: "internet-gateway", targetId: "igw-1" },
  { destination: "2001:db8:b::/48", kind: "peering", targetId: "pcx-1", peerVpcId: "vpc-b" },
  { destination: "2001:db8:b:1::/64", kind: "blackhole", targetId: "eni-gone" },
  { destination: "not-a-cidr", kind: "local", targetId: "local" },
];

describe("VpcRouteTable (RT-12: longest prefix match)", () => {
  const t = new VpcRouteTable(routes);

  it.each([
    ["10.0.3.4", "local"],
    ["10.1.2.3", "peering"],
    ["10.1.9.200", "blackhole"], // the /24 beats the /16
    ["10.2.0.1", "blackhole"],
    ["10.3.0.1", "internet-gateway"], // only 0.0.0.0/0 matches
    ["2001:db8:a:ff::1", "local"],
    ["2001:db8:b:2::1", "peering"],
    ["2001:db8:b:1::1", "blackhole"], // the /64 beats the /48
  ])("sends %s by its %s route", (addr, kind) => {
    expect(t.lookup(bytes(addr))?.kind).toBe(kind);
  });

  it("finds no route where nothing matches, and counts unparsable destinations", () => {
    expect(t.lookup(bytes("2001:db8:c::1"))).toBeUndefined();
    expect(new VpcRouteTable([routes[0]!]).lookup(bytes("10.1.0.1"))).toBeUndefined();
    expect(t.invalid).toBe(1);
  });

  it("matches /0 and /32 prefixes at their edges", () => {
    const edge = new VpcRouteTable([
      { destination: "10.0.0.7/32", kind: "blackhole", targetId: "eni-x" },
      { destination: "0.0.0.0/0", kind: "local", targetId: "local" },
      { destination: "::/0", kind: "local", targetId: "local" },
    ]);
    expect(edge.lookup(bytes("10.0.0.7"))?.kind).toBe("blackhole");
    expect(edge.lookup(bytes("10.0.0.8"))?.kind).toBe("local");
    expect(edge.lookup(bytes("255.255.255.255"))?.kind).toBe("local");
    expect(edge.lookup(bytes("ffff::1"))?.kind).toBe("local");
  });
});

const entry = (address: string, eniId: string, vpcId: string): MappingEntry => ({
  address,
  eniId,
  subnetId: vpcId === "" ? "internet" : `subnet-${vpcId}`,
  vpcId,
  agentId: "agent-1",
  endpoint: "127.0.0.1:7001",
});

describe("routeVerdict (RT-13..RT-17)", () => {
  const mapping = new RouteTable([
    entry("10.0.1.10", "eni-a2", "vpc-a"),
    entry("10.1.1.10", "eni-b1", "vpc-b"),
    entry("10.1.9.10", "eni-b9", "vpc-b"),
    entry("10.2.1.10", "eni-c1", "vpc-c"),
    entry("10.3.1.10", "eni-d1", "vpc-d"),
    entry("198.51.100.10", "", ""),
  ]);
  const table = new VpcRouteTable(routes);
  const verdict = (dst: string, t: VpcRouteTable | undefined = table) =>
    routeVerdict(t, "vpc-a", bytes(dst), mapping.lookup(bytes(dst)));

  it.each([
    ["10.0.1.10", "a local destination (RT-13)", undefined],
    ["10.0.1.99", "an address of the VPC no ENI has", DropReason.NoRoute],
    ["10.1.1.10", "the peer VPC over an active peering (RT-14)", undefined],
    ["10.1.9.10", "a blackhole route (RT-15)", DropReason.BlackholeRoute],
    ["10.2.1.10", "a route to a peering not accepted (PCX-9)", DropReason.BlackholeRoute],
    ["10.3.1.10", "another VPC through an internet gateway route (RT-16)", DropReason.NoRoute],
    [
      "198.51.100.10",
      "the emulated internet through the internet gateway route (RT-17)",
      undefined,
    ],
  ])("%s: %s", (dst, _what, expected) => {
    expect(verdict(dst)).toBe(expected);
  });

  it("refuses a peering route whose peer VPC is not the destination's", () => {
    const wrong = new VpcRouteTable([
      { destination: "10.0.0.0/16", kind: "local", targetId: "local" },
      { destination: "10.2.0.0/16", kind: "peering", targetId: "pcx-2", peerVpcId: "vpc-b" },
    ]);
    expect(verdict("10.2.1.10", wrong)).toBe(DropReason.NoRoute);
  });

  it("refuses every other VPC when no route matches (RT-16)", () => {
    const localOnly = new VpcRouteTable([routes[0]!]);
    expect(verdict("10.1.1.10", localOnly)).toBe(DropReason.NoRoute);
    expect(verdict("10.0.1.10", localOnly)).toBeUndefined();
  });

  it("without compiled routes (an older controller) reaches its own VPC only, as before", () => {
    expect(
      routeVerdict(undefined, "vpc-a", bytes("10.0.1.10"), mapping.lookup(bytes("10.0.1.10"))),
    ).toBeUndefined();
    expect(
      routeVerdict(undefined, "vpc-a", bytes("10.1.1.10"), mapping.lookup(bytes("10.1.1.10"))),
    ).toBe(DropReason.NoRoute);
  });
});

describe("the emulated internet only through a gateway (RT-17)", () => {
  const hopFor = (kind: CompiledRoute["kind"], destination = "0.0.0.0/0") =>
    new VpcRouteTable([{ destination, kind, targetId: "x" }]).lookup(bytes("198.51.100.10"));

  it.each([
    ["internet-gateway", 4, undefined],
    ["local", 4, DropReason.NoRoute],
    ["peering", 4, DropReason.NoRoute],
    ["network-interface", 4, DropReason.NoRoute],
    ["egress-only-internet-gateway", 4, DropReason.NoRoute],
    ["blackhole", 4, DropReason.BlackholeRoute],
  ] as const)(
    "an instance sends to the internet by a %s route (IPv%i): %s",
    (kind, family, out) => {
      expect(internetVerdict(hopFor(kind), family)).toBe(out);
    },
  );

  it("drops an instance's packets to the internet without a matching route; IPv6 leaves by an igw or eigw route (IGW-11, IGW-12)", () => {
    expect(internetVerdict(undefined, 4)).toBe(DropReason.NoRoute);
    const v6 = (kind: CompiledRoute["kind"]) =>
      new VpcRouteTable([{ destination: "::/0", kind, targetId: "x" }]).lookup(
        bytes("2001:db8:ff::1"),
      );
    expect(internetVerdict(v6("internet-gateway"), 16)).toBeUndefined();
    expect(internetVerdict(v6("egress-only-internet-gateway"), 16)).toBeUndefined();
    expect(internetVerdict(v6("local"), 16)).toBe(DropReason.NoRoute);
    expect(
      new VpcRouteTable([
        { destination: "::/0", kind: "egress-only-internet-gateway", targetId: "x" },
      ]).v6Gateway,
    ).toBe(true);
    expect(
      new VpcRouteTable([{ destination: "0.0.0.0/0", kind: "internet-gateway", targetId: "x" }])
        .v6Gateway,
    ).toBe(false);
  });

  it("routeVerdict to an external node follows the table: no table or no gateway route drops", () => {
    const mapping = new RouteTable([entry("198.51.100.10", "", "")]);
    const internet = mapping.lookup(bytes("198.51.100.10"));
    const localOnly = new VpcRouteTable([routes[0]!]);
    expect(routeVerdict(localOnly, "vpc-a", bytes("198.51.100.10"), internet)).toBe(
      DropReason.NoRoute,
    );
    expect(routeVerdict(undefined, "vpc-a", bytes("198.51.100.10"), internet)).toBe(
      DropReason.NoRoute,
    );
  });

  it("lets an external node reach public addresses only, never a private one (IGW-5)", () => {
    const mapping = new RouteTable([
      entry("10.0.1.10", "eni-a2", "vpc-a"),
      { ...entry("198.18.0.1", "eni-a2", "vpc-a"), privateAddress: "10.0.1.10" },
      entry("198.51.100.11", "", ""),
    ]);
    const at = (a: string) => externalVerdict(mapping.lookup(bytes(a)));
    expect(at("198.18.0.1")).toBeUndefined();
    expect(at("10.0.1.10")).toBe(DropReason.NoRoute);
    expect(at("198.51.100.11")).toBe(DropReason.NoRoute); // another external node
    expect(at("10.9.9.9")).toBe(DropReason.NoRoute); // nobody's
  });

  it("lets an external node send IPv6 to an ENI's address, which the ENI's agent admits or not (IGW-11, IGW-12)", () => {
    const mapping = new RouteTable([
      entry("2600:1f18:1:100::10", "eni-a2", "vpc-a"),
      entry("2001:db8:ffff::11", "", ""),
    ]);
    const at = (a: string) => externalVerdict(mapping.lookup(bytes(a)), 16);
    expect(at("2600:1f18:1:100::10")).toBeUndefined();
    expect(at("2001:db8:ffff::11")).toBe(DropReason.NoRoute); // another external node
    expect(at("2600:1f18:1:100::99")).toBe(DropReason.NoRoute); // nobody's
  });
});
