/**
 * Chaos faults in the policy compiler (controller/policy/compile-faults.ts via PolicyCompiler):
 * selectors resolved live to port keys, pairs, partitions, which agents receive a fault, the
 * conntrack overrides, stale and expired faults, and object reuse for unchanged faults.
 */
import { describe, expect, it } from "vitest";
import { PolicyCompiler, type AgentPlacement } from "../../../../controller/policy/compile.js";
import { partitionCuts } from "../../../../controller/policy/compile-faults.js";
import type { FaultState, PolicyState } from "../../../../controller/policy/policy-state.js";
import {
  DB1,
  PL_ADMIN,
  SG_DB,
  SG_WEB,
  SUBNET_DB,
  SUBNET_WEB,
  WEB1,
  change,
  eni,
  instanceOf,
  seedState,
} from "./fixtures.js";

const WEB2 = eni(3, SUBNET_WEB, [SG_WEB]);
const T0 = 1_700_000_000_000;

function fault(id: number, f: Partial<FaultState> = {}): FaultState {
  return {
    faultId: `flt-${String(id).padStart(17, "0")}`,
    from: [SG_WEB],
    to: [SG_DB],
    direction: "one-way",
    protocol: -1,
    fromPort: -1,
    toPort: -1,
    effects: { delay: { latencyMs: 50, jitterMs: 10, correlation: 0, distribution: "normal" } },
    seed: 7,
    queueLimitPackets: 0,
    description: "",
    createdAtMs: T0,
    startsAtMs: T0,
    expiresAtMs: null,
    revision: 2,
    expired: false,
    started: true,
    ...f,
  };
}

function withFaults(state: PolicyState, faults: FaultState[], revision = state.revision) {
  return { ...state, revision, faults };
}

const PLACEMENTS: AgentPlacement[] = [
  {
    agentId: "agent-web",
    endpoint: "127.0.0.1:7001",
    instanceIds: [WEB1.instanceId!],
    eniIds: [],
    externals: [],
  },
  {
    agentId: "agent-db",
    endpoint: "127.0.0.1:7002",
    instanceIds: [DB1.instanceId!],
    eniIds: [],
    externals: [],
  },
  {
    agentId: "agent-inet",
    endpoint: "127.0.0.1:7003",
    instanceIds: [],
    eniIds: [],
    externals: [{ name: "internet", address: "198.51.100.10" }],
  },
];

function compileWith(faults: FaultState[], state = seedState(2)) {
  const c = new PolicyCompiler();
  const r = c.update(withFaults(state, faults), PLACEMENTS);
  return { c, r };
}

describe("faults in the compiler", () => {
  it("adds nothing without faults (no `faults` key, identical snapshots)", () => {
    const a = new PolicyCompiler().update(seedState(2), PLACEMENTS);
    const b = new PolicyCompiler().update(withFaults(seedState(2), []), PLACEMENTS);
    for (const s of a.snapshots.values()) expect("faults" in s).toBe(false);
    expect([...b.snapshots.values()]).toEqual([...a.snapshots.values()]);
  });

  it("compiles a one-way fault to one pair and sends it to the agents of both sides", () => {
    const { c, r } = compileWith([fault(1)]);
    const f = r.snapshots.get("agent-web")!.faults![0]!;
    expect(f).toEqual({
      faultId: "flt-00000000000000001",
      pairs: [
        {
          from: { any: false, portKeys: [WEB1.eniId] },
          to: { any: false, portKeys: [DB1.eniId] },
          reverse: false,
        },
      ],
      protocol: -1,
      fromPort: -1,
      toPort: -1,
      effects: {
        delay: { latencyMs: 50, jitterMs: 10, correlation: 0, distribution: "normal" },
        blackhole: false,
        reject: false,
      },
      seed: 7,
      startAtMs: 0,
      endAtMs: 0,
      queueLimitPackets: 0,
    });
    expect(r.snapshots.get("agent-db")!.faults).toEqual([f]);
    expect(r.snapshots.get("agent-db")!.faults![0]).toBe(f);
    expect(r.snapshots.get("agent-inet")!.faults).toBeUndefined();
    expect(c.faultResolution("flt-00000000000000001")).toMatchObject({
      from: [WEB1.eniId],
      to: [DB1.eniId],
      stale: [],
      agents: ["agent-db", "agent-web"],
    });
  });

  it("compiles `both` to a second, reverse pair", () => {
    const { r } = compileWith([
      fault(1, { direction: "both", protocol: 6, fromPort: 3306, toPort: 3306 }),
    ]);
    const f = r.snapshots.get("agent-web")!.faults![0]!;
    expect(f.pairs.map((p) => [p.from.portKeys, p.to.portKeys, p.reverse])).toEqual([
      [[WEB1.eniId], [DB1.eniId], false],
      [[DB1.eniId], [WEB1.eniId], true],
    ]);
    expect([f.protocol, f.fromPort, f.toPort]).toEqual([6, 3306, 3306]);
  });

  it("compiles * to any and sends the fault to every agent hosting a port", () => {
    const c = new PolicyCompiler();
    const r = c.update(
      withFaults(seedState(2), [fault(1, { from: ["*"], to: ["node:internet"] })]),
      [
        ...PLACEMENTS,
        {
          agentId: "agent-idle",
          endpoint: "127.0.0.1:7009",
          instanceIds: [],
          eniIds: [],
          externals: [],
        },
      ],
    );
    for (const a of ["agent-web", "agent-db", "agent-inet"]) {
      const f = r.snapshots.get(a)!.faults![0]!;
      expect(f.pairs[0]!.from).toEqual({ any: true, portKeys: [] });
      expect(f.pairs[0]!.to).toEqual({ any: false, portKeys: ["ext:internet"] });
    }
    expect(r.snapshots.get("agent-idle")!.faults).toBeUndefined();
    expect(c.faultResolution("flt-00000000000000001")!.agents).toEqual([
      "agent-db",
      "agent-inet",
      "agent-web",
    ]);
  });

  it.each([
    ["a CIDR", ["10.0.2.0/24"], [DB1.eniId]],
    ["a CIDR holding an external node", ["198.51.100.0/24"], ["ext:internet"]],
    ["a single address", ["10.0.1.11/32"], [WEB1.eniId]],
    ["a subnet", [SUBNET_DB], [DB1.eniId]],
    ["an instance", [WEB1.instanceId!], [WEB1.eniId]],
    ["an ENI", [DB1.eniId], [DB1.eniId]],
    ["a group", [SG_DB], [DB1.eniId]],
    ["an external node", ["node:internet"], ["ext:internet"]],
    ["several selectors", [SG_DB, "node:internet"], [DB1.eniId, "ext:internet"].sort()],
  ])("resolves %s", (_n, to, keys) => {
    const { c } = compileWith([fault(1, { to })]);
    expect(c.faultResolution("flt-00000000000000001")!.to).toEqual(keys);
  });

  it("resolves a prefix list to the ENIs and external nodes inside its entries", () => {
    const state = seedState(2);
    const pl = {
      ...state,
      prefixLists: [{ ...state.prefixLists[0]!, cidrs: ["198.51.100.0/28", "10.0.2.12/32"] }],
    };
    const { c } = compileWith([fault(1, { to: [PL_ADMIN] })], pl);
    expect(c.faultResolution("flt-00000000000000001")!.to).toEqual([DB1.eniId, "ext:internet"]);
  });

  it("resolves tag:K=V through instance tags and az: through subnet zones", () => {
    const state = seedState(2);
    const tagged: PolicyState = {
      ...state,
      subnets: state.subnets.map((s) =>
        s.subnetId === SUBNET_DB
          ? { ...s, availabilityZone: "us-east-1b" }
          : { ...s, availabilityZone: "us-east-1a" },
      ),
      instances: [instanceOf(WEB1, { Role: "front" }), instanceOf(DB1)],
    };
    const { c } = compileWith(
      [fault(1, { from: ["tag:Role=front"], to: ["az:us-east-1b"] })],
      tagged,
    );
    expect(c.faultResolution("flt-00000000000000001")).toMatchObject({
      from: [WEB1.eniId],
      to: [DB1.eniId],
    });
  });

  it("follows group membership live: an instance joining web-sg is in the next compile", () => {
    const c = new PolicyCompiler();
    const placements = [
      ...PLACEMENTS,
      {
        agentId: "agent-web2",
        endpoint: "127.0.0.1:7004",
        instanceIds: [WEB2.instanceId!],
        eniIds: [],
        externals: [],
      },
    ];
    c.update(withFaults(seedState(2), [fault(1)]), placements);
    expect(c.faultResolution("flt-00000000000000001")!.agents).toEqual(["agent-db", "agent-web"]);
    const r = c.update(
      withFaults(seedState(3, [WEB1, DB1, WEB2]), [fault(1)]),
      placements,
      change(3, { eniIds: [WEB2.eniId], instanceIds: [WEB2.instanceId!] }),
    );
    const f = r.snapshots.get("agent-web2")!.faults![0]!;
    expect(f.pairs[0]!.from.portKeys).toEqual([WEB1.eniId, WEB2.eniId]);
    expect(r.changedAgents).toEqual(
      expect.arrayContaining(["agent-web", "agent-db", "agent-web2"]),
    );
    const res = c.faultResolution("flt-00000000000000001")!;
    expect(res.agents).toEqual(["agent-db", "agent-web", "agent-web2"]);
    expect(res.since.get("agent-web2")).toBe(3);
  });

  it("keeps an unchanged fault's object and the agents' snapshots on an unrelated write", () => {
    const c = new PolicyCompiler();
    const first = c.update(withFaults(seedState(2), [fault(1)]), PLACEMENTS);
    const again = c.update(withFaults(seedState(3), [fault(1)]), PLACEMENTS, change(3, {}));
    expect(again.changedAgents).toEqual([]);
    expect(again.snapshots.get("agent-web")).toBe(first.snapshots.get("agent-web"));
    expect(c.faultResolution("flt-00000000000000001")!.since.get("agent-web")).toBe(2);
  });

  it("drops a removed fault from the agents' snapshots", () => {
    const c = new PolicyCompiler();
    c.update(withFaults(seedState(2), [fault(1)]), PLACEMENTS);
    const r = c.update(
      withFaults(seedState(3), []),
      PLACEMENTS,
      change(3, { faultIds: ["flt-00000000000000001"] }),
    );
    expect([...r.changedAgents].sort()).toEqual(["agent-db", "agent-web"]);
    expect(r.snapshots.get("agent-web")!.faults).toBeUndefined();
    expect(c.faultResolution("flt-00000000000000001")).toBeUndefined();
  });

  it("compiles a stale fault (its group deleted) to nothing and names the missing id", () => {
    const gone = "sg-0000000000000000f";
    const { c, r } = compileWith([fault(1, { from: [gone, SG_WEB] })]);
    for (const s of r.snapshots.values()) expect(s.faults).toBeUndefined();
    expect(c.faultResolution("flt-00000000000000001")).toMatchObject({ stale: [gone], agents: [] });
  });

  it("compiles an expired fault to nothing", () => {
    const { r } = compileWith([fault(1, { expired: true })]);
    for (const s of r.snapshots.values()) expect(s.faults).toBeUndefined();
  });

  it("passes the window and Gilbert-Elliott loss in the agent's terms (1-h, 1-k)", () => {
    const { r } = compileWith([
      fault(1, {
        startsAtMs: T0 + 5000,
        expiresAtMs: T0 + 65_000,
        effects: { loss: { gilbertElliott: { p: 1, r: 20, h: 10, k: 95 } } },
      }),
    ]);
    const f = r.snapshots.get("agent-web")!.faults![0]!;
    expect([f.startAtMs, f.endAtMs]).toEqual([T0 + 5000, T0 + 65_000]);
    expect(f.effects.loss).toEqual({
      percent: 0,
      correlation: 0,
      gilbertElliott: true,
      geP: 1,
      geR: 20,
      ge1h: 90,
      ge1k: 5,
    });
  });

  it("compiles a partition to one pair per cut group pair", () => {
    const { r } = compileWith([
      fault(1, {
        from: [],
        to: [],
        partition: { groups: [[SG_WEB], [SG_DB]], mode: "complete", oneWay: false },
        effects: { blackhole: true },
      }),
      fault(2, {
        from: [],
        to: [],
        partition: { groups: [[SG_WEB], [SG_DB]], mode: "complete", oneWay: true },
        effects: { blackhole: true },
      }),
    ]);
    const [both, one] = r.snapshots.get("agent-db")!.faults!;
    expect(both!.pairs.map((p) => [p.from.portKeys[0], p.to.portKeys[0]])).toEqual([
      [WEB1.eniId, DB1.eniId],
      [DB1.eniId, WEB1.eniId],
    ]);
    expect(one!.pairs.map((p) => [p.from.portKeys[0], p.to.portKeys[0]])).toEqual([
      [WEB1.eniId, DB1.eniId],
    ]);
    expect(both!.effects.blackhole).toBe(true);
  });
});

describe("partitionCuts (Jepsen grudges over groups)", () => {
  it("complete: every ordered pair; one-way: i -> j for i < j only", () => {
    expect(partitionCuts(3, "complete", false)).toEqual([
      [0, 1],
      [0, 2],
      [1, 0],
      [1, 2],
      [2, 0],
      [2, 1],
    ]);
    expect(partitionCuts(3, "complete", true)).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
  });

  it("majorities-ring of 5: every group drops the two it does not neighbour; each sees a majority", () => {
    const cuts = partitionCuts(5, "majorities-ring", false);
    for (let g = 0; g < 5; g++) {
      const dropped = cuts
        .filter(([, to]) => to === g)
        .map(([from]) => from)
        .sort();
      expect(dropped).toEqual([(g + 2) % 5, (g + 3) % 5].sort());
      expect(5 - dropped.length).toBeGreaterThanOrEqual(3);
    }
  });

  it("bridge of 5: halves {0,1} and {3,4} cut both ways, group 2 reaches everyone", () => {
    const cuts = partitionCuts(5, "bridge", false);
    expect(cuts.some(([a, b]) => a === 2 || b === 2)).toBe(false);
    expect(cuts.sort()).toEqual(
      [
        [0, 3],
        [0, 4],
        [1, 3],
        [1, 4],
        [3, 0],
        [3, 1],
        [4, 0],
        [4, 1],
      ].sort(),
    );
  });
});

describe("conntrack faults", () => {
  const ct = (
    id: number,
    conntrack: NonNullable<FaultState["effects"]["conntrack"]>,
    f: Partial<FaultState> = {},
  ) => fault(id, { from: [SG_DB], to: [], effects: { conntrack }, ...f });

  it("shrink the allowance (min with the node's), replace timeouts, set the flush epoch", () => {
    const c = new PolicyCompiler();
    const placements = PLACEMENTS.map((p) =>
      p.agentId === "agent-db" ? { ...p, conntrackMax: 500 } : p,
    );
    const r = c.update(
      withFaults(seedState(4), [
        ct(1, { allowance: 10, timeouts: { udp: 5, tcpEstablished: 60 } }, { revision: 2 }),
        ct(2, { allowance: 1000, flush: true, timeouts: { udp: 7 } }, { revision: 3 }),
      ]),
      placements,
    );
    const db = r.snapshots.get("agent-db")!;
    expect(db.faults).toBeUndefined();
    expect(db.enis[0]).toMatchObject({
      eniId: DB1.eniId,
      allowance: 10,
      timeouts: { tcpEstablished: 60, udp: 7, udpStream: 180 },
      conntrackEpoch: 3,
    });
    expect(r.snapshots.get("agent-web")!.enis[0]!.conntrackEpoch).toBeUndefined();
    expect(c.faultResolution("flt-00000000000000002")!.agents).toEqual(["agent-db"]);

    const node = c.update(
      withFaults(seedState(5), [ct(3, { allowance: 100_000 })]),
      placements,
      change(5, {}),
    );
    expect(node.snapshots.get("agent-db")!.enis[0]!.allowance).toBe(500);
  });

  it("keep the larger epoch of a flush fault and the instance's last stop or start (INST-3)", () => {
    const c = new PolicyCompiler();
    const s = seedState(9);
    const state = (stateRevision: number, revision: number) =>
      withFaults(
        {
          ...s,
          instances: s.instances.map((i) =>
            i.instanceId === DB1.instanceId ? { ...i, stateRevision } : i,
          ),
        },
        [ct(1, { flush: true }, { revision: 6 })],
        revision,
      );
    const epoch = (r: ReturnType<PolicyCompiler["update"]>) =>
      r.snapshots.get("agent-db")!.enis[0]!.conntrackEpoch;
    expect(epoch(c.update(state(4, 9), PLACEMENTS))).toBe(6);
    expect(
      epoch(c.update(state(8, 10), PLACEMENTS, change(10, { instanceIds: [DB1.instanceId!] }))),
    ).toBe(8);
  });

  it("wait for their start and let go when removed (back to the unchanged policy)", () => {
    const c = new PolicyCompiler();
    const base = c.update(seedState(2), PLACEMENTS).snapshots.get("agent-db")!.enis[0]!;
    const notYet = c.update(
      withFaults(seedState(3), [ct(1, { allowance: 1 }, { started: false })]),
      PLACEMENTS,
      change(3, { faultIds: ["flt-00000000000000001"] }),
    );
    expect(notYet.snapshots.get("agent-db")!.enis[0]).toBe(base);
    const on = c.update(
      withFaults(seedState(4), [ct(1, { allowance: 1 })]),
      PLACEMENTS,
      change(4, { faultIds: ["flt-00000000000000001"] }),
    );
    expect(on.snapshots.get("agent-db")!.enis[0]!.allowance).toBe(1);
    expect(c.faultResolution("flt-00000000000000001")!.since.get("agent-db")).toBe(4);
    const off = c.update(
      withFaults(seedState(5), []),
      PLACEMENTS,
      change(5, { faultIds: ["flt-00000000000000001"] }),
    );
    expect(off.snapshots.get("agent-db")!.enis[0]).toBe(base);
    expect(off.changedAgents).toEqual(["agent-db"]);
  });
});
