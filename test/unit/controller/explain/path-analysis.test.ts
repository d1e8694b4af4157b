/**
 * Explain's analysis on a three-tier state (three-tier-state.ts): every hop there and back,
 * judged by the agent's matchers (EXP-1..EXP-6, docs/observability.md "Explain").
 */
import { describe, expect, it } from "vitest";
import {
  ExplainError,
  explain,
  type ExplainResult,
  type ExplainSources,
} from "../../../../controller/explain/explain-service.js";
import type { PolicyState } from "../../../../controller/policy/policy-state.js";
import { ACL, IGW, RTB, SG, VPC, WEB_EIP, threeTierState } from "./three-tier-state.js";

const INTERNET = { name: "internet", address: "198.51.100.10" };

function run(
  src: string,
  dst: string,
  opts: Parameters<typeof threeTierState>[0] = {},
  sourcePorts?: string,
): ExplainResult {
  const sources: ExplainSources = { state: threeTierState(opts), externals: [INTERNET] };
  return explain({ src, dst, ...(sourcePorts !== undefined ? { sourcePorts } : {}) }, sources);
}

/** "path hop@node reason" of every denying hop. */
function denials(r: ExplainResult): string[] {
  return r.hops
    .filter((h) => h.verdict === "deny" || h.verdict === "partial")
    .map((h) => `${h.path} ${h.hop} ${h.reason ?? ""} ${h.explanationCode ?? ""}`.trim());
}

describe("explain path analysis (three tiers)", () => {
  it.each([
    // [src, dst, reachable, denials]
    ["web", "app:8080/tcp", true, []],
    ["web", "app:5353/udp", true, []],
    ["web", "app/icmp", true, []],
    ["app", "db:5432/tcp", true, []],
    ["app", "db:6379/tcp", true, []],
    ["web", "web2:80/tcp", true, []],
    ["web", "web2:22/tcp", true, []],
    ["app", "web/icmp", true, []],
    [
      "web",
      "app:9000/tcp",
      false,
      [
        "forward nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
        "forward sg-ingress sg_no_match ENI_SG_RULES_MISMATCH",
      ],
    ],
    ["web", "db:5432/tcp", false, ["return nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION"]],
    [
      "app",
      "db:27017/tcp",
      false,
      [
        "forward nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION",
        "forward nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
        "forward sg-ingress sg_no_match ENI_SG_RULES_MISMATCH",
        // No entry was opened, so db's (empty) egress rules judge the reply.
        "return sg-egress sg_no_match ENI_SG_RULES_MISMATCH",
      ],
    ],
    [
      "app",
      "web:80/tcp",
      false,
      [
        "forward nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION",
        "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
      ],
    ],
    [
      "db",
      "app:8080/tcp",
      false,
      [
        "forward sg-egress sg_no_match ENI_SG_RULES_MISMATCH",
        "forward sg-ingress sg_no_match ENI_SG_RULES_MISMATCH",
        "return nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION",
        "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
        "return sg-ingress sg_no_match ENI_SG_RULES_MISMATCH",
      ],
    ],
  ] as const)("%s -> %s: reachable %s (EXP-1, EXP-2, EXP-3)", (src, dst, reachable, denied) => {
    const r = run(src, dst);
    expect(r.reachable).toBe(reachable);
    expect(denials(r)).toEqual(denied);
  });

  it("names the admitting rule and NACL entry of every hop, and conntrack for the reply (EXP-2)", () => {
    const r = run("web", "app:8080/tcp");
    const by = (path: string, hop: string) => r.hops.find((h) => h.path === path && h.hop === hop)!;
    expect(by("forward", "route")).toMatchObject({
      componentId: RTB,
      route: { destination: "10.70.0.0/16", kind: "local" },
    });
    expect(by("forward", "sg-egress")).toMatchObject({ groupId: SG.web, via: "rule" });
    expect(by("forward", "nacl-outbound")).toMatchObject({ componentId: ACL.web, ruleNumber: 100 });
    expect(by("forward", "nacl-inbound")).toMatchObject({ componentId: ACL.app, ruleNumber: 100 });
    expect(by("forward", "sg-ingress").detail).toMatch(
      /app-?|sg-0000000000000e002.*tcp 8080 from sg-0000000000000e001/,
    );
    expect(by("return", "sg-egress")).toMatchObject({ via: "conntrack", groupId: SG.app });
    expect(by("return", "nacl-outbound")).toMatchObject({
      componentId: ACL.app,
      ruleNumber: 100,
      portRanges: [{ from: 32768, to: 60999, allow: true, ruleNumber: 100 }],
    });
    expect(by("return", "nacl-inbound")).toMatchObject({ componentId: ACL.web, ruleNumber: 110 });
    expect(by("return", "sg-ingress")).toMatchObject({ via: "conntrack" });
  });

  it("says which groups matched nothing (EXP-2)", () => {
    const h = run("web", "db:6379/tcp").hops.find((x) => x.hop === "sg-ingress")!;
    expect(h).toMatchObject({
      verdict: "deny",
      componentId: SG.db,
      explanationCode: "ENI_SG_RULES_MISMATCH",
    });
    expect(h.detail).toBe(`no ingress rule of groups [${SG.db}] matched`);
  });

  it("skips NACLs within a subnet (NACL-7)", () => {
    const r = run("web", "web2:80/tcp");
    expect(r.hops.filter((h) => h.hop.startsWith("nacl")).map((h) => h.verdict)).toEqual([
      "skip",
      "skip",
      "skip",
      "skip",
    ]);
  });

  it("judges the reply on each part of the ephemeral range (EXP-3)", () => {
    // app's outbound return entry to the web subnet is 1024-65535: all of 1000-2000 but 1000-1023.
    const r = run("web", "app:8080/tcp", {}, "1000-2000");
    const h = r.hops.find((x) => x.path === "return" && x.hop === "nacl-outbound")!;
    expect(h.verdict).toBe("partial");
    expect(h.portRanges).toEqual([
      { from: 1000, to: 1023, allow: false, ruleNumber: 32767 },
      { from: 1024, to: 2000, allow: true, ruleNumber: 100 },
    ]);
    expect(r).toMatchObject({ reachable: false, partial: true, forwardReachable: true });
    expect(run("web", "app:8080/tcp", {}, "1500").reachable).toBe(true);
  });

  it("routes through the internet gateway to web's Elastic IP and back (IGW-5, IGW-6, EXP-5)", () => {
    const r = run("internet", `${WEB_EIP}:80/tcp`, { withIgw: true });
    expect(r.reachable).toBe(true);
    expect(r.destination).toMatchObject({ address: "10.70.1.10", addressedAs: WEB_EIP });
    expect(r.hops.find((h) => h.hop === "internet-gateway")).toMatchObject({
      verdict: "allow",
      componentId: IGW,
    });
    const back = r.hops.find((h) => h.path === "return" && h.hop === "route")!;
    expect(back).toMatchObject({ verdict: "allow", componentId: IGW });
  });

  it("refuses the internet without a gateway route, and a sender without a public IP (IGW-5, IGW-6)", () => {
    // No gateway: no Elastic IP, so the address is nobody's and the internet has no route.
    expect(denials(run("internet", "web:80/tcp"))[0]).toBe(
      "forward route no_route NO_ROUTE_TO_DESTINATION",
    );
    expect(denials(run("app", "internet:443/tcp", { withIgw: true }))).toEqual([
      "forward route no_public_ip",
      "forward nacl-outbound nacl_denied SUBNET_ACL_RESTRICTION",
      "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
    ]);
    // web has the Elastic IP, but its NACL admits replies only from the VPC.
    expect(denials(run("web", "internet:443/tcp", { withIgw: true }))).toEqual([
      "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
    ]);
  });

  it("hairpins to a public IP through the internet gateway only from a public IP (IGW-10)", () => {
    const r = run("app", `${WEB_EIP}:80/tcp`, { withIgw: true });
    expect(denials(r)[0]).toBe("forward route no_public_ip");
    expect(r.hops[1]).toMatchObject({ componentId: IGW, route: { kind: "internet-gateway" } });
  });

  it("reports a stopped instance as BAD_STATE (INST-2)", () => {
    expect(denials(run("web", "app:8080/tcp", { stopped: ["app"] }))).toEqual([
      "forward instance instance_stopped BAD_STATE",
    ]);
  });

  it("resolves nodes by Name tag, instance id, ENI id and address", () => {
    const a = run("web", "10.70.2.10:8080/tcp");
    const b = run("i-00000000000000e01", "eni-00000000000000e03:8080/tcp");
    expect(a.source.eniId).toBe(b.source.eniId);
    expect(a.destination.eniId).toBe(b.destination.eniId);
    expect(a.source).toMatchObject({ label: "web", address: "10.70.1.10", policyRevision: 7 });
  });

  it.each([
    [
      "nosuch",
      "app:80/tcp",
      "unknown-node",
      "unknown node 'nosuch' (nodes: web, web2, app, db, internet)",
    ],
    ["web", "10.70.1.300:80/tcp", "bad-address", "'10.70.1.300' is not an IP address"],
    ["web", "app:99999/tcp", "bad-flow", "port '99999' is not a number 0-65535"],
    [
      "web",
      "app/sctp",
      "bad-flow",
      "unknown protocol 'sctp' in 'app/sctp' (tcp, udp, icmp or icmpv6)",
    ],
    ["web", "app/tcp", "bad-flow", "tcp needs a port: 'app:PORT/tcp'"],
    ["web", "app:8/icmp", "bad-flow", "icmp has no port: write 'app/icmp'"],
    [
      "web",
      "web:80/tcp",
      "bad-flow",
      "source and destination are the same ENI (eni-00000000000000e01): such traffic never leaves the node",
    ],
    [
      "web",
      "[2001:db8::1]:80/tcp",
      "bad-flow",
      "10.70.1.10 and 2001:db8::1 are of different address families",
    ],
    [
      "10.9.9.9",
      "web:80/tcp",
      "unknown-node",
      "no node has the address 10.9.9.9 (a source must be a node of the emulator)",
    ],
    ["i-0000000000000dead", "web:80/tcp", "unknown-node", "unknown instance 'i-0000000000000dead'"],
  ])("refuses %s -> %s precisely (EXP-6)", (src, dst, kind, message) => {
    let err: unknown;
    try {
      run(src, dst);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExplainError);
    expect(err).toMatchObject({ kind, message });
  });
});

describe("explain path analysis (routes: peering, blackhole; RT-10, RT-14, RT-15)", () => {
  const VPC2 = "vpc-0000000000000e002";
  const SUBNET2 = "subnet-00000000000e0009";
  const RTB2 = "rtb-0000000000000e002";
  const PCX = "pcx-0000000000000e001";

  /** The three tiers plus VPC2 10.80.0.0/16 with `peer` 10.80.1.10 (default-allow NACL, SG app-sg's copy). */
  function peered(opts: { route?: "pcx" | "blackhole" | "none"; back?: boolean } = {}) {
    const base = threeTierState();
    const rt = base.routeTables![0]!;
    const routes = [...rt.routes];
    if (opts.route === "pcx")
      routes.push({ destination: "10.80.0.0/16", target: "peering", targetId: PCX, active: true });
    if (opts.route === "blackhole")
      routes.push({ destination: "10.80.0.0/16", target: "peering", targetId: PCX, active: false });
    const state: PolicyState = {
      ...base,
      vpcs: [...base.vpcs, { vpcId: VPC2, cidrBlocks: ["10.80.0.0/16"], ipv6CidrBlocks: [] }],
      subnets: [
        ...base.subnets,
        {
          subnetId: SUBNET2,
          vpcId: VPC2,
          cidrBlock: "10.80.1.0/24",
          networkAclId: "acl-0000000000000e009",
          routeTableId: RTB2,
        },
      ],
      securityGroups: [
        ...base.securityGroups,
        {
          groupId: "sg-0000000000000e009",
          vpcId: VPC2,
          groupName: "peer-sg",
          rules: [
            {
              ruleId: "sgr-0000000000000e901",
              groupId: "sg-0000000000000e009",
              isEgress: false,
              protocol: "-1",
              fromPort: -1,
              toPort: -1,
              cidrIpv4: "10.70.0.0/16",
            },
            {
              ruleId: "sgr-0000000000000e902",
              groupId: "sg-0000000000000e009",
              isEgress: true,
              protocol: "-1",
              fromPort: -1,
              toPort: -1,
              cidrIpv4: "0.0.0.0/0",
            },
          ],
        },
      ],
      networkAcls: [
        ...base.networkAcls,
        {
          networkAclId: "acl-0000000000000e009",
          vpcId: VPC2,
          isDefault: true,
          entries: [
            {
              ruleNumber: 100,
              egress: false,
              ruleAction: "allow",
              protocol: "-1",
              cidrBlock: "0.0.0.0/0",
            },
            {
              ruleNumber: 100,
              egress: true,
              ruleAction: "allow",
              protocol: "-1",
              cidrBlock: "0.0.0.0/0",
            },
          ],
        },
      ],
      networkInterfaces: [
        ...base.networkInterfaces,
        {
          eniId: "eni-00000000000000e09",
          subnetId: SUBNET2,
          vpcId: VPC2,
          instanceId: "i-00000000000000e09",
          privateIpv4: ["10.80.1.10"],
          ipv6: [],
          groupIds: ["sg-0000000000000e009"],
          sourceDestCheck: true,
        },
      ],
      instances: [
        ...base.instances,
        {
          instanceId: "i-00000000000000e09",
          subnetId: SUBNET2,
          vpcId: VPC2,
          state: "running",
          primaryEniId: "eni-00000000000000e09",
          tags: { Name: "peer" },
        },
      ],
      routeTables: [
        { ...rt, routes },
        {
          routeTableId: RTB2,
          vpcId: VPC2,
          routes: [
            { destination: "10.80.0.0/16", target: "local", targetId: "local", active: true },
            ...(opts.back
              ? [
                  {
                    destination: "10.70.0.0/16",
                    target: "peering" as const,
                    targetId: PCX,
                    active: true,
                  },
                ]
              : []),
          ],
        },
      ],
      peerings:
        opts.route === "pcx" ? [{ peeringId: PCX, requesterVpcId: VPC, accepterVpcId: VPC2 }] : [],
    };
    return (src: string, dst: string) => explain({ src, dst }, { state, externals: [] });
  }

  it("reaches a peered VPC only with a route each way (RT-14)", () => {
    const both = peered({ route: "pcx", back: true })("peer", "web:80/tcp");
    expect(both.reachable).toBe(true);
    expect(both.hops.find((h) => h.path === "return" && h.hop === "route")).toMatchObject({
      route: { kind: "peering", targetId: PCX },
    });
    expect(denials(peered({ route: "pcx" })("peer", "web:80/tcp"))).toEqual([
      "forward route no_route NO_ROUTE_TO_DESTINATION",
    ]);
    // web's NACL admits replies from its own VPC only.
    expect(denials(peered({ route: "pcx", back: true })("web", "peer:443/tcp"))).toEqual([
      "return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION",
    ]);
  });

  it("names a blackhole route BAD_STATE_ROUTE and no route NO_ROUTE_TO_DESTINATION (RT-10, RT-15, RT-16)", () => {
    expect(denials(peered({ route: "blackhole", back: true })("web", "peer:443/tcp"))[0]).toBe(
      "forward route blackhole_route BAD_STATE_ROUTE",
    );
    expect(denials(peered({ route: "none", back: true })("web", "peer:443/tcp"))[0]).toBe(
      "forward route no_route NO_ROUTE_TO_DESTINATION",
    );
  });
});

describe("explain path analysis (through a NAT gateway; NAT-8, NAT-9, NAT-12)", () => {
  const NAT = "nat-0000000000000e001";
  const NAT_ENI = "eni-00000000000000e50";
  const RTB_APP = "rtb-0000000000000e003";

  /** The three tiers with the gateway, a NAT gateway in the web subnet and app routed to it. */
  function natState(opts: { natReturn?: boolean; natIgwRoute?: boolean } = {}): PolicyState {
    const base = threeTierState({ withIgw: true });
    const acl = (id: string, extra: PolicyState["networkAcls"][number]["entries"]) =>
      base.networkAcls.map((a) =>
        a.networkAclId === id ? { ...a, entries: [...extra, ...a.entries] } : a,
      );
    let acls = acl(ACL.app, [
      {
        ruleNumber: 90,
        egress: true,
        ruleAction: "allow",
        protocol: "6",
        cidrBlock: "0.0.0.0/0",
        portFrom: 443,
        portTo: 443,
      },
      {
        ruleNumber: 90,
        egress: false,
        ruleAction: "allow",
        protocol: "6",
        cidrBlock: "0.0.0.0/0",
        portFrom: 1024,
        portTo: 65535,
      },
    ]);
    acls = acls.map((a) =>
      a.networkAclId === ACL.web
        ? {
            ...a,
            entries: [
              {
                ruleNumber: 90,
                egress: false,
                ruleAction: "allow" as const,
                protocol: "6",
                cidrBlock: "10.70.2.0/24",
                portFrom: 443,
                portTo: 443,
              },
              ...(opts.natReturn === false
                ? []
                : [
                    {
                      ruleNumber: 95,
                      egress: false,
                      ruleAction: "allow" as const,
                      protocol: "6",
                      cidrBlock: "0.0.0.0/0",
                      portFrom: 1024,
                      portTo: 65535,
                    },
                  ]),
              ...a.entries,
            ],
          }
        : a,
    );
    const main = base.routeTables![0]!;
    return {
      ...base,
      networkAcls: acls,
      subnets: base.subnets.map((s) =>
        s.networkAclId === ACL.app ? { ...s, routeTableId: RTB_APP } : s,
      ),
      natGateways: [
        {
          natGatewayId: NAT,
          eniId: NAT_ENI,
          vpcId: VPC,
          subnetId: base.subnets[0]!.subnetId,
          privateIp: "10.70.1.50",
          publicIp: "198.18.0.9",
        },
      ],
      routeTables: [
        opts.natIgwRoute === false
          ? { ...main, routes: main.routes.filter((r) => r.target === "local") }
          : main,
        {
          routeTableId: RTB_APP,
          vpcId: VPC,
          routes: [
            { destination: "10.70.0.0/16", target: "local", targetId: "local", active: true },
            { destination: "0.0.0.0/0", target: "nat-gateway", targetId: NAT, active: true },
          ],
        },
      ],
    };
  }

  const run = (state: PolicyState) =>
    explain({ src: "app", dst: "internet:443/tcp" }, { state, externals: [INTERNET] });

  it("follows app's packet through the NAT gateway's interface to the internet and back (NAT-8)", () => {
    const r = run(natState());
    expect(denials(r)).toEqual([]);
    expect(r.reachable).toBe(true);
    const at = r.hops.map(
      (h) =>
        `${h.path} ${h.hop} ${h.at === NAT_ENI ? "nat" : h.at.startsWith("eni") ? "app" : h.at}`,
    );
    expect(at).toEqual([
      "forward instance app",
      "forward route app",
      "forward sg-egress app",
      "forward nacl-outbound app",
      "forward nacl-inbound nat",
      "forward sg-ingress nat",
      "forward route nat",
      "forward sg-egress nat",
      "forward nacl-outbound nat",
      "return route internet",
      "return internet-gateway nat",
      "return nacl-inbound nat",
      "return sg-ingress nat",
      "return sg-egress nat",
      "return route nat",
      "return nacl-outbound nat",
      "return nacl-inbound app",
      "return sg-ingress app",
    ]);
    expect(r.hops[1]).toMatchObject({ componentId: NAT, route: { kind: "nat-gateway" } });
    expect(r.labels[NAT_ENI]).toBe(NAT);
    expect(r.hops[6]!.detail).toContain("leaving from 198.18.0.9");
  });

  it("finds the NAT subnet's NACL refusing the replies to the NAT gateway's ports (NAT-9)", () => {
    const r = run(natState({ natReturn: false }));
    expect(denials(r)).toEqual(["return nacl-inbound nacl_denied SUBNET_ACL_RESTRICTION"]);
    expect(r.hops.find((h) => h.verdict === "deny")).toMatchObject({
      at: NAT_ENI,
      portRanges: [{ from: 1024, to: 65535, allow: false, ruleNumber: 32767 }],
    });
  });

  it("refuses at the NAT gateway without an internet gateway route in its subnet (NAT-12)", () => {
    const r = run(natState({ natIgwRoute: false }));
    expect(denials(r)[0]).toBe("forward route no_route NO_ROUTE_TO_DESTINATION");
    expect(r.hops.find((h) => h.verdict === "deny")!.at).toBe(NAT_ENI);
  });
});
