/**
 * The compiler's routing part (docs/routing.md RT-12..RT-17, PCX-8, PCX-9): each hosted ENI gets
 * its subnet's effective route table (local routes, targets with their state, peering routes
 * naming the peer VPC, blackhole when the target is gone); agents receive the mapping of peered
 * VPCs; an SG rule referencing a peer VPC's group holds the members' addresses only while the
 * peering is active (REF-4, REF-5).
 */
import { describe, expect, it } from "vitest";
import * as hub from "../../../../controller/hub/wire.js";
import { PolicyCompiler, type AgentPlacement } from "../../../../controller/policy/compile.js";
import * as agent from "../../../../node-agent/control/wire.js";
import type {
  NetworkInterfaceState,
  PolicyState,
  RouteState,
  StateChange,
} from "../../../../controller/policy/policy-state.js";

const VPC_A = "vpc-0000000000000000a";
const VPC_B = "vpc-0000000000000000b";
const SUB_A = "subnet-0000000000000000a";
const SUB_B = "subnet-0000000000000000b";
const RTB_A = "rtb-0000000000000000a";
const RTB_B = "rtb-0000000000000000b";
const SG_A = "sg-0000000000000000a";
const SG_B = "sg-0000000000000000b";
const SG_B_OTHER = "sg-0000000000000000c";
const PCX = "pcx-00000000000000001";

function eni(
  n: number,
  vpcId: string,
  subnetId: string,
  groupIds: string[],
): NetworkInterfaceState {
  const third = vpcId === VPC_A ? 0 : 1;
  return {
    eniId: `eni-${String(n).padStart(17, "0")}`,
    subnetId,
    vpcId,
    privateIpv4: [`10.${third}.1.${10 + n}`],
    ipv6: [],
    groupIds,
    sourceDestCheck: true,
  };
}

const A1 = eni(1, VPC_A, SUB_A, [SG_A]);
const B1 = eni(2, VPC_B, SUB_B, [SG_B]);
const B2 = eni(3, VPC_B, SUB_B, [SG_B_OTHER]);

const local = (destination: string): RouteState => ({
  destination,
  target: "local",
  targetId: "local",
  active: true,
});

interface Opts {
  revision?: number;
  peered?: boolean;
  routesA?: RouteState[];
}

/** Two VPCs 10.0/16 and 10.1/16; A's group admits tcp 22 from B's group sg-...b. */
function state({ revision = 1, peered = false, routesA = [] }: Opts = {}): PolicyState {
  return {
    revision,
    vpcs: [
      { vpcId: VPC_A, cidrBlocks: ["10.0.0.0/16"], ipv6CidrBlocks: [] },
      { vpcId: VPC_B, cidrBlocks: ["10.1.0.0/16"], ipv6CidrBlocks: [] },
    ],
    subnets: [
      {
        subnetId: SUB_A,
        vpcId: VPC_A,
        cidrBlock: "10.0.1.0/24",
        networkAclId: "acl-a",
        routeTableId: RTB_A,
      },
      {
        subnetId: SUB_B,
        vpcId: VPC_B,
        cidrBlock: "10.1.1.0/24",
        networkAclId: "acl-b",
        routeTableId: RTB_B,
      },
    ],
    securityGroups: [
      {
        groupId: SG_A,
        vpcId: VPC_A,
        groupName: "a",
        rules: [
          {
            ruleId: "sgr-a1",
            groupId: SG_A,
            isEgress: false,
            protocol: "6",
            fromPort: 22,
            toPort: 22,
            referencedGroupId: SG_B,
          },
        ],
      },
      { groupId: SG_B, vpcId: VPC_B, groupName: "b", rules: [] },
      { groupId: SG_B_OTHER, vpcId: VPC_B, groupName: "b2", rules: [] },
    ],
    networkAcls: [],
    prefixLists: [],
    networkInterfaces: [A1, B1, B2],
    instances: [],
    routeTables: [
      { routeTableId: RTB_A, vpcId: VPC_A, routes: [local("10.0.0.0/16"), ...routesA] },
      { routeTableId: RTB_B, vpcId: VPC_B, routes: [local("10.1.0.0/16")] },
    ],
    ...(peered
      ? { peerings: [{ peeringId: PCX, requesterVpcId: VPC_A, accepterVpcId: VPC_B }] }
      : {}),
  };
}

const placeA: AgentPlacement = {
  agentId: "agent-a",
  endpoint: "127.0.0.1:7001",
  instanceIds: [],
  eniIds: [A1.eniId],
  externals: [],
};
const placeB: AgentPlacement = {
  agentId: "agent-b",
  endpoint: "127.0.0.1:7002",
  instanceIds: [],
  eniIds: [B1.eniId, B2.eniId],
  externals: [],
};

const pcxRoute = (active: boolean): RouteState => ({
  destination: "10.1.0.0/16",
  target: "peering",
  targetId: PCX,
  active,
});

function change(revision: number, extra: Partial<StateChange> = {}): StateChange {
  return {
    revision,
    vpcIds: [],
    subnetIds: [],
    groupIds: [],
    networkAclIds: [],
    prefixListIds: [],
    eniIds: [],
    instanceIds: [],
    ...extra,
  };
}

describe("PolicyCompiler routes (docs/routing.md RT-12)", () => {
  it("gives each ENI its subnet's table: local routes, a peering route naming the peer VPC", () => {
    const r = new PolicyCompiler().update(state({ peered: true, routesA: [pcxRoute(true)] }), [
      placeA,
    ]);
    const a = r.snapshots.get("agent-a")!.enis[0]!;
    expect(a.routeTableId).toBe(RTB_A);
    expect(a.routes).toEqual([
      { destination: "10.0.0.0/16", kind: "local", targetId: "local" },
      { destination: "10.1.0.0/16", kind: "peering", targetId: PCX, peerVpcId: VPC_B },
    ]);
  });

  it.each([
    ["a peering that is not active (PCX-9)", { ...pcxRoute(false) }, false],
    ["an active peering the state does not list", { ...pcxRoute(true) }, false],
    [
      "a deleted NAT gateway (NAT-4)",
      { destination: "10.1.0.0/16", target: "nat-gateway", targetId: "nat-1", active: false },
      true,
    ],
    [
      "a deleted ENI",
      { destination: "10.1.0.0/16", target: "network-interface", targetId: "eni-x", active: false },
      true,
    ],
  ] as const)("compiles a route to %s as blackhole (RT-10, RT-15)", (_name, route, peered) => {
    const r = new PolicyCompiler().update(state({ peered, routesA: [route as RouteState] }), [
      placeA,
    ]);
    expect(r.snapshots.get("agent-a")!.enis[0]!.routes![1]).toEqual({
      destination: "10.1.0.0/16",
      kind: "blackhole",
      targetId: route.targetId,
    });
  });

  it("keeps gateway and interface kinds; an instance target is an interface route", () => {
    const routesA: RouteState[] = [
      { destination: "0.0.0.0/0", target: "internet-gateway", targetId: "igw-1", active: true },
      { destination: "10.9.0.0/16", target: "nat-gateway", targetId: "nat-1", active: true },
      { destination: "10.8.0.0/16", target: "instance", targetId: "i-1", active: true },
    ];
    const r = new PolicyCompiler().update(state({ routesA }), [placeA]);
    expect(
      r.snapshots
        .get("agent-a")!
        .enis[0]!.routes!.slice(1)
        .map((x) => x.kind),
    ).toEqual(["internet-gateway", "nat-gateway", "network-interface"]);
  });

  it("compiles no routes when the state carries no routing (an ENI reaches its own VPC only)", () => {
    const { routeTables: _r, ...bare } = state();
    const r = new PolicyCompiler().update(bare, [placeA]);
    const a = r.snapshots.get("agent-a")!.enis[0]!;
    expect(a.routes).toBeUndefined();
    expect(a.routeTableId).toBeUndefined();
  });

  it("shares one routes array per table and keeps it across compiles while unchanged", () => {
    const c = new PolicyCompiler();
    const first = c.update(state({ revision: 1 }), [placeA, placeB]);
    const [b1, b2] = first.snapshots.get("agent-b")!.enis;
    expect(b1!.routes).toBe(b2!.routes);
    const second = c.update(state({ revision: 2 }), [placeA, placeB], change(2));
    expect(second.changedAgents).toEqual([]);
    expect(second.snapshots.get("agent-a")!.enis[0]!.routes).toBe(
      first.snapshots.get("agent-a")!.enis[0]!.routes,
    );
  });

  it("recompiles the ENIs of a table whose routes changed, though the store named no id", () => {
    const c = new PolicyCompiler();
    c.update(state({ revision: 1 }), [placeA, placeB]);
    const r = c.update(
      state({
        revision: 2,
        routesA: [
          { destination: "10.1.0.0/16", target: "nat-gateway", targetId: "n", active: false },
        ],
      }),
      [placeA, placeB],
      change(2),
    );
    expect(r.recompiledEnis).toEqual([A1.eniId]);
    expect(r.changedAgents).toEqual(["agent-a"]);
  });
});

describe("PolicyCompiler peering (PCX-8, REF-4, REF-5)", () => {
  it("gives agents the mapping of VPCs peered with their ENIs' VPCs, only while active", () => {
    const c = new PolicyCompiler();
    const unpeered = c.update(state({ revision: 1 }), [placeA, placeB]);
    expect(new Set(unpeered.snapshots.get("agent-a")!.mapping.map((m) => m.vpcId))).toEqual(
      new Set([VPC_A]),
    );
    const peered = c.update(state({ revision: 2, peered: true }), [placeA, placeB], change(2));
    expect(new Set(peered.snapshots.get("agent-a")!.mapping.map((m) => m.vpcId))).toEqual(
      new Set([VPC_A, VPC_B]),
    );
    expect(new Set(peered.snapshots.get("agent-b")!.mapping.map((m) => m.vpcId))).toEqual(
      new Set([VPC_A, VPC_B]),
    );
  });

  it("expands a rule referencing a peer VPC's group to exactly its members while peered", () => {
    const r = new PolicyCompiler().update(state({ peered: true }), [placeA]);
    expect(r.snapshots.get("agent-a")!.enis[0]!.ingress[0]!.cidrs).toEqual(["10.1.1.12/32"]);
  });

  it("makes the rule stale (no CIDRs) once the peering is gone, and live again on re-peering", () => {
    const c = new PolicyCompiler();
    c.update(state({ revision: 1, peered: true }), [placeA]);
    const gone = c.update(state({ revision: 2 }), [placeA], change(2));
    expect(gone.recompiledEnis).toEqual([A1.eniId]);
    expect(gone.snapshots.get("agent-a")!.enis[0]!.ingress[0]!.cidrs).toEqual([]);
    const back = c.update(state({ revision: 3, peered: true }), [placeA], change(3));
    expect(back.snapshots.get("agent-a")!.enis[0]!.ingress[0]!.cidrs).toEqual(["10.1.1.12/32"]);
  });
});

describe("routes on the wire (policy.proto CompiledRoute)", () => {
  it("carries every route kind to the agent unchanged", () => {
    const routesA: RouteState[] = [
      pcxRoute(true),
      { destination: "10.7.0.0/16", target: "nat-gateway", targetId: "nat-1", active: false },
      { destination: "0.0.0.0/0", target: "internet-gateway", targetId: "igw-1", active: true },
      {
        destination: "::/0",
        target: "egress-only-internet-gateway",
        targetId: "eigw-1",
        active: true,
      },
      { destination: "10.9.0.0/16", target: "nat-gateway", targetId: "nat-2", active: true },
      { destination: "10.8.0.0/16", target: "network-interface", targetId: "eni-9", active: true },
    ];
    const snap = new PolicyCompiler()
      .update(state({ peered: true, routesA }), [placeA])
      .snapshots.get("agent-a")!;
    expect(snap.enis[0]!.routes).toHaveLength(7);
    expect(agent.decodeControllerFrame(hub.encodeSnapshotFrame(snap, 1))).toEqual({
      kind: "snapshot",
      snapshot: snap,
      generation: 1,
      reuseMapping: false,
    });
  });
});
