/**
 * The compiler's NAT gateway part (docs/routing.md NAT-8, NAT-9, RT-18): a NAT gateway that is
 * not deleted becomes one hosted interface of its subnet, placed on ONE agent (an agent hosting
 * its subnet, else its VPC, else any connected one), with allow-all rules (no security groups),
 * its subnet's NACL and route table, every flow tracked, source/dest check off, its Elastic IP
 * as public address while the VPC has an internet gateway; routes to it name its private
 * address as next hop; its mapping entries are marked, and survive the wire both ways.
 */
import { describe, expect, it } from "vitest";
import * as hub from "../../../../controller/hub/wire.js";
import { PolicyCompiler, type AgentPlacement } from "../../../../controller/policy/compile.js";
import * as agent from "../../../../node-agent/control/wire.js";
import type {
  NatGatewayState,
  PolicyState,
  RouteState,
} from "../../../../controller/policy/policy-state.js";

const VPC = "vpc-0000000000000000a";
const PUB = "subnet-0000000000000000p";
const PRIV = "subnet-0000000000000000q";
const RTB_PUB = "rtb-0000000000000000p";
const RTB_PRIV = "rtb-0000000000000000q";
const NAT_ID = "nat-00000000000000001";
const NAT_ENI = "eni-0000000000000000n";
const WEB = "eni-00000000000000001";
const APP = "eni-00000000000000002";

const local: RouteState = {
  destination: "10.0.0.0/16",
  target: "local",
  targetId: "local",
  active: true,
};

function state(nat: NatGatewayState | undefined, revision = 1): PolicyState {
  return {
    revision,
    vpcs: [{ vpcId: VPC, cidrBlocks: ["10.0.0.0/16"], ipv6CidrBlocks: [] }],
    subnets: [
      {
        subnetId: PUB,
        vpcId: VPC,
        cidrBlock: "10.0.1.0/24",
        networkAclId: "acl-p",
        routeTableId: RTB_PUB,
      },
      {
        subnetId: PRIV,
        vpcId: VPC,
        cidrBlock: "10.0.2.0/24",
        networkAclId: "acl-p",
        routeTableId: RTB_PRIV,
      },
    ],
    securityGroups: [{ groupId: "sg-1", vpcId: VPC, groupName: "g", rules: [] }],
    networkAcls: [],
    prefixLists: [],
    networkInterfaces: [
      {
        eniId: WEB,
        subnetId: PUB,
        vpcId: VPC,
        privateIpv4: ["10.0.1.10"],
        ipv6: [],
        groupIds: ["sg-1"],
        sourceDestCheck: true,
      },
      {
        eniId: APP,
        subnetId: PRIV,
        vpcId: VPC,
        privateIpv4: ["10.0.2.10"],
        ipv6: [],
        groupIds: ["sg-1"],
        sourceDestCheck: true,
      },
    ],
    instances: [],
    routeTables: [
      {
        routeTableId: RTB_PUB,
        vpcId: VPC,
        routes: [
          local,
          { destination: "0.0.0.0/0", target: "internet-gateway", targetId: "igw-1", active: true },
        ],
      },
      {
        routeTableId: RTB_PRIV,
        vpcId: VPC,
        routes: [
          local,
          {
            destination: "0.0.0.0/0",
            target: "nat-gateway",
            targetId: NAT_ID,
            active: nat !== undefined,
          },
        ],
      },
    ],
    ...(nat !== undefined ? { natGateways: [nat] } : {}),
  };
}

const NAT: NatGatewayState = {
  natGatewayId: NAT_ID,
  eniId: NAT_ENI,
  vpcId: VPC,
  subnetId: PUB,
  privateIp: "10.0.1.254",
  publicIp: "198.18.0.5",
};

function place(agentId: string, eniIds: string[], connected = true): AgentPlacement {
  return {
    agentId,
    endpoint: `127.0.0.1:${agentId.length}0`,
    connected,
    instanceIds: [],
    eniIds,
    externals: [],
  };
}

describe("compiler: NAT gateways (docs/routing.md NAT-8, NAT-9, RT-18)", () => {
  it("places the NAT gateway's interface on the agent hosting its subnet, with no SG, NACL and routes of its subnet, every flow tracked (NAT-8, NAT-9)", () => {
    const r = new PolicyCompiler().update(state(NAT), [
      place("agent-a", [APP]),
      place("agent-b", [WEB]),
    ]);
    const b = r.snapshots.get("agent-b")!;
    const nat = b.enis.find((e) => e.eniId === NAT_ENI)!;
    expect(r.snapshots.get("agent-a")!.enis.map((e) => e.eniId)).toEqual([APP]);
    expect(nat.natGateway).toEqual({
      natGatewayId: NAT_ID,
      idleTimeout: 350,
      portsPerDestination: 55_000,
    });
    expect(nat.subnetId).toBe(PUB);
    expect(nat.ipv4).toEqual(["10.0.1.254"]);
    expect(nat.sourceDestCheck).toBe(false);
    expect(nat.autoTracked).toBe(true);
    expect(nat.ingress.map((x) => x.cidrs)).toEqual([["0.0.0.0/0", "::/0"]]);
    expect(nat.egress.map((x) => [x.protocol, x.ruleId])).toEqual([[-1, NAT_ID]]);
    expect(nat.routes!.map((x) => x.kind)).toEqual(["local", "internet-gateway"]);
    expect(nat.publicIpv4).toEqual([{ publicIp: "198.18.0.5", privateIp: "10.0.1.254" }]);
    // Mapping: its private address marked, its Elastic IP as a public entry, on every agent.
    for (const s of r.snapshots.values()) {
      expect(s.mapping.find((m) => m.address === "10.0.1.254")).toMatchObject({
        eniId: NAT_ENI,
        agentId: "agent-b",
        natGateway: true,
      });
      expect(s.mapping.find((m) => m.address === "198.18.0.5")).toMatchObject({
        eniId: NAT_ENI,
        privateAddress: "10.0.1.254",
      });
    }
  });

  it("routes to the NAT gateway name its private address as next hop; deleted, they are blackhole without one (NAT-8, RT-15)", () => {
    const c = new PolicyCompiler();
    const on = c.update(state(NAT), [place("agent-a", [APP, WEB])]);
    const app = on.snapshots.get("agent-a")!.enis.find((e) => e.eniId === APP)!;
    expect(app.routes![1]).toEqual({
      destination: "0.0.0.0/0",
      kind: "nat-gateway",
      targetId: NAT_ID,
      nextHop: "10.0.1.254",
    });
    const off = c.update(state(undefined, 2), [place("agent-a", [APP, WEB])]);
    const after = off.snapshots.get("agent-a")!;
    expect(after.enis.map((e) => e.eniId)).toEqual([APP, WEB]);
    expect(after.enis[0]!.routes![1]).toEqual({
      destination: "0.0.0.0/0",
      kind: "blackhole",
      targetId: NAT_ID,
    });
    expect(after.mapping.some((m) => m.eniId === NAT_ENI)).toBe(false);
  });

  it("falls back to an agent of the VPC, then any connected agent; without a gateway no Elastic IP (NAT-8)", () => {
    const noIgw = { ...NAT, publicIp: undefined } as NatGatewayState;
    delete (noIgw as { publicIp?: string }).publicIp;
    const r = new PolicyCompiler().update(state(noIgw), [
      place("agent-0", [], false),
      place("agent-x", []),
      place("agent-y", [APP]),
    ]);
    const y = r.snapshots.get("agent-y")!;
    const nat = y.enis.find((e) => e.eniId === NAT_ENI)!;
    expect(nat.publicIpv4).toBeUndefined();
    const r2 = new PolicyCompiler().update(state(NAT), [
      place("agent-x", []),
      place("agent-z", [], false),
    ]);
    expect(r2.snapshots.get("agent-x")!.enis.map((e) => e.eniId)).toEqual([NAT_ENI]);
  });

  it("keeps a NAT gateway on its agent while that agent stays connected, so its translations survive (NAT-8)", () => {
    const c = new PolicyCompiler();
    const hostOfNat = (r: ReturnType<PolicyCompiler["update"]>) =>
      [...r.snapshots.values()].find((s) => s.enis.some((e) => e.eniId === NAT_ENI))?.agentId;
    // Only agent-b is there: the NAT gateway goes to it (any connected agent).
    expect(hostOfNat(c.update(state(NAT), [place("agent-b", [APP])]))).toBe("agent-b");
    // agent-a joins hosting an ENI of the NAT gateway's subnet: the NAT gateway stays.
    const both = [place("agent-a", [WEB]), place("agent-b", [APP])];
    expect(hostOfNat(c.update(state(NAT, 2), both))).toBe("agent-b");
    // agent-b leaves: it moves to agent-a, and stays there when agent-b is back.
    expect(
      hostOfNat(c.update(state(NAT, 3), [place("agent-a", [WEB]), place("agent-b", [APP], false)])),
    ).toBe("agent-a");
    expect(hostOfNat(c.update(state(NAT, 4), both))).toBe("agent-a");
  });

  it("an interface or instance route names the interface's primary address (RT-18); NAT fields survive the wire", () => {
    const s = state(NAT);
    const withEni: PolicyState = {
      ...s,
      routeTables: [
        s.routeTables![0]!,
        {
          ...s.routeTables![1]!,
          routes: [
            ...s.routeTables![1]!.routes,
            {
              destination: "10.9.0.0/16",
              target: "network-interface",
              targetId: WEB,
              active: true,
            },
          ],
        },
      ],
    };
    const r = new PolicyCompiler().update(withEni, [place("agent-a", [APP, WEB])]);
    const snap = r.snapshots.get("agent-a")!;
    const app = snap.enis.find((e) => e.eniId === APP)!;
    expect(app.routes![2]).toMatchObject({ kind: "network-interface", nextHop: "10.0.1.10" });
    expect(snap.mapping.find((m) => m.address === "10.0.1.254")!.natGateway).toBe(true);
    expect(agent.decodeControllerFrame(hub.encodeSnapshotFrame(snap, 1))).toEqual({
      kind: "snapshot",
      snapshot: snap,
      generation: 1,
      reuseMapping: false,
    });
  });
});
