import { describe, expect, it } from "vitest";
import {
  PolicyCompiler,
  compileEniPolicy,
  PolicyIndex,
  protocolNumber,
  mergeStateChanges,
  type AgentPlacement,
} from "../../../../controller/policy/compile.js";
import type { PolicyState } from "../../../../controller/policy/policy-state.js";
import {
  ACL_DB,
  DB1,
  PL_ADMIN,
  SG_DB,
  SG_DEFAULT,
  SG_WEB,
  SUBNET_WEB,
  VPC,
  WEB1,
  change,
  eni,
  instanceOf,
  seedState,
} from "./fixtures.js";

const placeWeb: AgentPlacement = {
  agentId: "agent-web",
  endpoint: "127.0.0.1:7001",
  instanceIds: [WEB1.instanceId!],
  eniIds: [],
  externals: [],
};
const placeDb: AgentPlacement = {
  agentId: "agent-db",
  endpoint: "127.0.0.1:7002",
  instanceIds: [],
  eniIds: [DB1.eniId],
  externals: [],
};
const placeInternet: AgentPlacement = {
  agentId: "agent-internet",
  endpoint: "127.0.0.1:7000",
  instanceIds: [],
  eniIds: [],
  externals: [{ name: "internet", address: "198.51.100.10" }],
};

function compileOne(state: PolicyState, eniId: string) {
  const index = new PolicyIndex(state);
  return compileEniPolicy(index.enis.get(eniId)!, index, state.revision);
}

describe("protocolNumber", () => {
  it.each([
    ["-1", -1],
    ["tcp", 6],
    ["6", 6],
    ["udp", 17],
    ["icmp", 1],
    ["icmpv6", 58],
    ["58", 58],
    ["47", 47],
  ])("maps %s to %i (RULE-4)", (text, n) => {
    expect(protocolNumber(text)).toBe(n);
  });
});

describe("compileEniPolicy", () => {
  it("turns protocol text into numbers and keeps tcp port ranges (RULE-4, RULE-6)", () => {
    const p = compileOne(seedState(), WEB1.eniId);
    expect(p.ingress.map((r) => [r.protocol, r.fromPort, r.toPort, r.cidrs])).toEqual([
      [6, 80, 80, ["0.0.0.0/0"]],
      [6, 443, 443, ["0.0.0.0/0"]],
      [6, 22, 22, ["203.0.113.1/32"]],
    ]);
    expect(p.ingress[0]!.peer).toEqual({ kind: "cidr" });
    expect(p.ingress[0]!.groupId).toBe(SG_WEB);
  });

  it("gives protocol -1 rules -1/-1 ports whatever From/To say (RULE-5)", () => {
    const p = compileOne(seedState(), WEB1.eniId);
    expect(p.egress).toHaveLength(1);
    expect(p.egress[0]).toMatchObject({
      protocol: -1,
      fromPort: -1,
      toPort: -1,
      cidrs: ["0.0.0.0/0"],
    });
  });

  it("keeps icmp type/code in fromPort/toPort (RULE-6)", () => {
    const p = compileOne(seedState(), DB1.eniId);
    expect(p.ingress.find((r) => r.protocol === 1)).toMatchObject({ fromPort: 8, toPort: -1 });
  });

  it("expands an SG reference to members' private IPv4 /32 and IPv6 /128 (REF-1)", () => {
    const web2 = eni(3, SUBNET_WEB, [SG_WEB], {
      privateIpv4: ["10.0.1.13", "10.0.1.50"],
      ipv6: ["2001:db8::13"],
    });
    const p = compileOne(seedState(1, [WEB1, DB1, web2]), DB1.eniId);
    const ref = p.ingress.find((r) => r.peer.kind === "sg")!;
    expect(ref.peer).toEqual({ kind: "sg", groupId: SG_WEB });
    expect(ref.cidrs).toEqual(["10.0.1.11/32", "10.0.1.13/32", "10.0.1.50/32", "2001:db8::13/128"]);
    expect(ref).toMatchObject({ protocol: 6, fromPort: 3306, toPort: 3306 });
  });

  it("expands a self-reference to every member, the ENI itself included (REF-3, DEF-1)", () => {
    const a = eni(4, SUBNET_WEB, [SG_DEFAULT]);
    const b = eni(5, SUBNET_WEB, [SG_DEFAULT, SG_WEB]);
    const p = compileOne(seedState(1, [a, b]), a.eniId);
    expect(p.ingress[0]).toMatchObject({ protocol: -1, cidrs: ["10.0.1.14/32", "10.0.1.15/32"] });
  });

  it("expands a referenced group with no members to no CIDRs (REF-2)", () => {
    const p = compileOne(seedState(1, [DB1]), DB1.eniId);
    expect(p.ingress.find((r) => r.peer.kind === "sg")!.cidrs).toEqual([]);
  });

  it("does not count ENIs of terminated instances as members (REF-2)", () => {
    const s = seedState();
    const terminated: PolicyState = {
      ...s,
      instances: s.instances.map((i) =>
        i.instanceId === WEB1.instanceId ? { ...i, state: "terminated" } : i,
      ),
    };
    const p = compileOne(terminated, DB1.eniId);
    expect(p.ingress.find((r) => r.peer.kind === "sg")!.cidrs).toEqual([]);
  });

  it("expands a prefix list to its current entries (REF-7)", () => {
    const p = compileOne(seedState(), DB1.eniId);
    const pl = p.ingress.find((r) => r.peer.kind === "prefix-list")!;
    expect(pl.peer).toEqual({ kind: "prefix-list", prefixListId: PL_ADMIN });
    expect(pl.cidrs).toEqual(["192.0.2.0/24"]);
  });

  it("unions the rules of all the ENI's groups (RULE-1)", () => {
    const both = eni(6, SUBNET_WEB, [SG_WEB, SG_DB]);
    const p = compileOne(seedState(1, [both]), both.eniId);
    expect(p.ingress.map((r) => r.groupId)).toEqual([SG_WEB, SG_WEB, SG_WEB, SG_DB, SG_DB, SG_DB]);
    expect(p.egress).toHaveLength(2);
  });

  it("sorts the subnet NACL per direction, `*` entries 32767/32768 last (NACL-3, NACL-4)", () => {
    const p = compileOne(seedState(), DB1.eniId);
    expect(p.naclIn.map((e) => e.ruleNumber)).toEqual([100, 200, 32767, 32768]);
    expect(p.naclOut.map((e) => e.ruleNumber)).toEqual([100, 32767]);
    expect(p.naclIn[0]).toEqual({
      ruleNumber: 100,
      action: "deny",
      protocol: 1,
      cidr: "0.0.0.0/0",
      fromPort: -1,
      toPort: -1,
      icmpType: 8,
      icmpCode: -1,
    });
    expect(p.naclIn[1]).toMatchObject({
      protocol: 6,
      cidr: "10.0.1.0/24",
      fromPort: 3306,
      toPort: 3306,
      icmpType: -1,
    });
    expect(p.naclIn[3]).toMatchObject({
      ruleNumber: 32768,
      cidr: "::/0",
      action: "deny",
      protocol: -1,
    });
  });

  it("uses AWS default timeouts unless configured (TO-1)", () => {
    expect(compileOne(seedState(), WEB1.eniId).timeouts).toEqual({
      tcpEstablished: 432000,
      udp: 30,
      udpStream: 180,
    });
    const tuned = { ...WEB1, tcpEstablishedTimeout: 60, udpTimeout: 45, udpStreamTimeout: 90 };
    expect(compileOne(seedState(1, [tuned]), WEB1.eniId).timeouts).toEqual({
      tcpEstablished: 60,
      udp: 45,
      udpStream: 90,
    });
  });

  it("carries addresses, subnet, VPC, instance and source/dest check", () => {
    const p = compileOne(seedState(7), WEB1.eniId);
    expect(p).toMatchObject({
      revision: 7,
      eniId: WEB1.eniId,
      instanceId: WEB1.instanceId,
      vpcId: VPC,
      subnetId: SUBNET_WEB,
      ipv4: ["10.0.1.11"],
      ipv6: [],
      sourceDestCheck: true,
      autoTracked: false,
    });
  });
});

describe("allowance (MET-1)", () => {
  it("defaults to 65536, then node, then instance tag", () => {
    const s = seedState();
    const c = new PolicyCompiler();
    let r = c.update(s, [placeWeb]);
    expect(r.snapshots.get("agent-web")!.enis[0]!.allowance).toBe(65536);
    r = c.update(s, [{ ...placeWeb, conntrackMax: 100 }], change(1, {}));
    expect(r.snapshots.get("agent-web")!.enis[0]!.allowance).toBe(100);
    const tagged: PolicyState = {
      ...s,
      instances: [instanceOf(WEB1, { "vpcemu:conntrack-max": "7" })],
    };
    r = c.update(
      tagged,
      [{ ...placeWeb, conntrackMax: 100 }],
      change(2, { instanceIds: [WEB1.instanceId!] }),
    );
    expect(r.snapshots.get("agent-web")!.enis[0]!.allowance).toBe(7);
  });

  it("marks auto-tracked nodes (CT-4)", () => {
    const r = new PolicyCompiler().update(seedState(), [{ ...placeWeb, autoTracked: true }]);
    expect(r.snapshots.get("agent-web")!.enis[0]!.autoTracked).toBe(true);
  });
});

describe("mapping table", () => {
  it("maps every VPC address to ENI, subnet, VPC, agent and endpoint; unhosted ENIs get ''", () => {
    const r = new PolicyCompiler().update(seedState(), [placeWeb]);
    expect(r.snapshots.get("agent-web")!.mapping).toEqual([
      {
        address: "10.0.1.11",
        eniId: WEB1.eniId,
        subnetId: SUBNET_WEB,
        vpcId: VPC,
        agentId: "agent-web",
        endpoint: "127.0.0.1:7001",
      },
      {
        address: "10.0.2.12",
        eniId: DB1.eniId,
        subnetId: DB1.subnetId,
        vpcId: VPC,
        agentId: "",
        endpoint: "",
      },
    ]);
  });

  it("adds external nodes with vpcId '' and subnetId = node name, and gives their agent every VPC", () => {
    const r = new PolicyCompiler().update(seedState(), [placeWeb, placeDb, placeInternet]);
    const ext = {
      address: "198.51.100.10",
      eniId: "",
      subnetId: "internet",
      vpcId: "",
      agentId: "agent-internet",
      endpoint: "127.0.0.1:7000",
    };
    expect(r.snapshots.get("agent-web")!.mapping).toContainEqual(ext);
    const inet = r.snapshots.get("agent-internet")!;
    expect(inet.enis).toEqual([]);
    expect(inet.mapping.map((m) => m.address)).toEqual(["10.0.1.11", "10.0.2.12", "198.51.100.10"]);
  });

  it("hosts an ENI on the first claiming agent only", () => {
    const dup: AgentPlacement = { ...placeDb, agentId: "agent-zzz", eniIds: [WEB1.eniId] };
    const r = new PolicyCompiler().update(seedState(), [dup, placeWeb]);
    expect(r.snapshots.get("agent-web")!.enis.map((e) => e.eniId)).toEqual([WEB1.eniId]);
    expect(r.snapshots.get("agent-zzz")!.enis).toEqual([]);
  });

  it("keeps a disconnected agent's endpoint, but lets a connected agent's claim win", () => {
    const c = new PolicyCompiler();
    const away: AgentPlacement = { ...placeDb, agentId: "agent-a-old", connected: false };
    const r1 = c.update(seedState(), [placeWeb, away]);
    expect(r1.snapshots.get("agent-web")!.mapping).toContainEqual(
      expect.objectContaining({
        eniId: DB1.eniId,
        agentId: "agent-a-old",
        endpoint: "127.0.0.1:7002",
      }),
    );
    expect(r1.snapshots.get("agent-a-old")!.enis.map((e) => e.eniId)).toEqual([DB1.eniId]);
    // A connected agent with a larger id claims the same ENI: the hosting moves to it.
    const moved: AgentPlacement = {
      ...placeDb,
      agentId: "agent-z-new",
      endpoint: "127.0.0.1:7012",
    };
    const r2 = c.update(seedState(), [placeWeb, away, moved]);
    expect(r2.snapshots.get("agent-web")!.mapping).toContainEqual(
      expect.objectContaining({
        eniId: DB1.eniId,
        agentId: "agent-z-new",
        endpoint: "127.0.0.1:7012",
      }),
    );
    expect(r2.snapshots.get("agent-z-new")!.enis.map((e) => e.eniId)).toEqual([DB1.eniId]);
    expect(r2.snapshots.get("agent-a-old")!.enis).toEqual([]);
  });
});

describe("PolicyCompiler (incremental)", () => {
  it("recompiles only the ENIs a rule change affects; others keep the identical object", () => {
    const c = new PolicyCompiler();
    const s1 = seedState(1);
    const r1 = c.update(s1, [placeWeb, placeDb]);
    const web1 = r1.snapshots.get("agent-web")!;
    const sg = s1.securityGroups.find((g) => g.groupId === SG_DB)!;
    const s2: PolicyState = {
      ...s1,
      revision: 2,
      securityGroups: s1.securityGroups.map((g) =>
        g.groupId === SG_DB
          ? {
              ...sg,
              rules: [
                ...sg.rules,
                {
                  ruleId: "sgr-new",
                  groupId: SG_DB,
                  isEgress: false,
                  protocol: "17",
                  fromPort: 53,
                  toPort: 53,
                  cidrIpv4: "10.0.0.0/16",
                },
              ],
            }
          : g,
      ),
    };
    const r2 = c.update(s2, [placeWeb, placeDb], change(2, { groupIds: [SG_DB] }));
    expect(r2.recompiledEnis).toEqual([DB1.eniId]);
    expect(r2.changedAgents).toEqual(["agent-db"]);
    expect(r2.snapshots.get("agent-web")).toBe(web1);
    expect(r2.snapshots.get("agent-web")!.enis[0]).toBe(web1.enis[0]);
    const db = r2.snapshots.get("agent-db")!;
    expect(db.revision).toBe(2);
    expect(db.enis[0]!.revision).toBe(2);
    // The mapping did not change: the same array object (the hub then omits it on the wire).
    expect(db.mapping).toBe(r1.snapshots.get("agent-db")!.mapping);
    expect(db.enis[0]!.ingress.at(-1)).toMatchObject({
      ruleId: "sgr-new",
      protocol: 17,
      fromPort: 53,
    });
  });

  it("updates every ENI whose rules reference web-sg when an instance joins it, with no rule change (REF-2)", () => {
    const c = new PolicyCompiler();
    const other = eni(9, SUBNET_WEB, [SG_DEFAULT]);
    const placeOther: AgentPlacement = {
      ...placeWeb,
      agentId: "agent-other",
      instanceIds: [other.instanceId!],
    };
    const placements = [placeWeb, placeDb, placeOther];
    const r1 = c.update(seedState(1, [WEB1, DB1, other]), placements);
    const otherSnap = r1.snapshots.get("agent-other")!;
    const web2 = eni(3, SUBNET_WEB, [SG_WEB]);
    const r2 = c.update(
      seedState(2, [WEB1, DB1, other, web2]),
      placements,
      change(2, { eniIds: [web2.eniId], instanceIds: [web2.instanceId!] }),
    );
    expect(r2.recompiledEnis).toEqual([DB1.eniId]);
    const ref = r2.snapshots.get("agent-db")!.enis[0]!.ingress.find((r) => r.peer.kind === "sg")!;
    expect(ref.cidrs).toEqual(["10.0.1.11/32", "10.0.1.13/32"]);
    // The mapping gained web2's address, so every agent in the VPC gets a new snapshot; the
    // ENI policies that do not reference web-sg keep their identical objects.
    expect(r2.snapshots.get("agent-other")!.enis[0]).toBe(otherSnap.enis[0]);
    expect(r2.snapshots.get("agent-other")!.mapping.map((m) => m.address)).toContain("10.0.1.13");
  });

  it("recompiles members of groups an ENI left (REF-2) and the ENI itself", () => {
    const c = new PolicyCompiler();
    const web2 = eni(3, SUBNET_WEB, [SG_WEB]);
    const placeWeb2: AgentPlacement = {
      ...placeWeb,
      agentId: "agent-web2",
      instanceIds: [web2.instanceId!],
    };
    c.update(seedState(1, [WEB1, DB1, web2]), [placeWeb, placeDb, placeWeb2]);
    const moved = { ...web2, groupIds: [SG_DEFAULT] };
    const r = c.update(
      seedState(2, [WEB1, DB1, moved]),
      [placeWeb, placeDb, placeWeb2],
      change(2, { eniIds: [web2.eniId] }),
    );
    expect([...r.recompiledEnis].sort()).toEqual([DB1.eniId, web2.eniId].sort());
    expect(
      r.snapshots.get("agent-db")!.enis[0]!.ingress.find((x) => x.peer.kind === "sg")!.cidrs,
    ).toEqual(["10.0.1.11/32"]);
  });

  it("recompiles ENIs referencing a changed prefix list only (REF-7)", () => {
    const c = new PolicyCompiler();
    const s1 = seedState(1);
    c.update(s1, [placeWeb, placeDb]);
    const s2: PolicyState = {
      ...s1,
      revision: 2,
      prefixLists: [{ ...s1.prefixLists[0]!, cidrs: ["192.0.2.0/24", "198.51.100.0/24"] }],
    };
    const r = c.update(s2, [placeWeb, placeDb], change(2, { prefixListIds: [PL_ADMIN] }));
    expect(r.recompiledEnis).toEqual([DB1.eniId]);
    expect(r.changedAgents).toEqual(["agent-db"]);
    expect(
      r.snapshots.get("agent-db")!.enis[0]!.ingress.find((x) => x.peer.kind === "prefix-list")!
        .cidrs,
    ).toEqual(["192.0.2.0/24", "198.51.100.0/24"]);
  });

  it("recompiles ENIs of the subnets a NACL change touches", () => {
    const c = new PolicyCompiler();
    const s1 = seedState(1);
    c.update(s1, [placeWeb, placeDb]);
    const s2: PolicyState = {
      ...s1,
      revision: 2,
      networkAcls: s1.networkAcls.map((n) =>
        n.networkAclId === ACL_DB
          ? {
              ...n,
              entries: [
                ...n.entries,
                {
                  ruleNumber: 50,
                  egress: false,
                  ruleAction: "deny" as const,
                  protocol: "-1",
                  cidrBlock: "10.0.1.99/32",
                },
              ],
            }
          : n,
      ),
    };
    const r = c.update(s2, [placeWeb, placeDb], change(2, { networkAclIds: [ACL_DB] }));
    expect(r.recompiledEnis).toEqual([DB1.eniId]);
    expect(r.snapshots.get("agent-db")!.enis[0]!.naclIn[0]).toMatchObject({
      ruleNumber: 50,
      action: "deny",
    });
  });

  it("compiles ENIs of an instance an agent announces later", () => {
    const c = new PolicyCompiler();
    const s = seedState(1);
    let r = c.update(s, [{ ...placeWeb, instanceIds: [] }]);
    expect(r.snapshots.get("agent-web")!.enis).toEqual([]);
    r = c.update(s, [placeWeb], change(1, {}));
    expect(r.changedAgents).toEqual(["agent-web"]);
    expect(r.snapshots.get("agent-web")!.enis.map((e) => e.eniId)).toEqual([WEB1.eniId]);
  });

  it("drops the ENI of a terminated instance from its agent and from the mapping", () => {
    const c = new PolicyCompiler();
    c.update(seedState(1), [placeWeb, placeDb]);
    const s1 = seedState(2);
    const s2: PolicyState = {
      ...s1,
      instances: s1.instances.map((i) =>
        i.instanceId === WEB1.instanceId ? { ...i, state: "terminated" } : i,
      ),
    };
    const r = c.update(s2, [placeWeb, placeDb], change(2, { instanceIds: [WEB1.instanceId!] }));
    expect(r.snapshots.get("agent-web")!.enis).toEqual([]);
    expect(r.snapshots.get("agent-db")!.mapping.map((m) => m.address)).toEqual(["10.0.2.12"]);
    expect([...r.changedAgents].sort()).toEqual(["agent-db", "agent-web"]);
  });

  it("reports no changed agents for a change that touches nothing they use", () => {
    const c = new PolicyCompiler();
    c.update(seedState(1), [placeWeb, placeDb]);
    const r = c.update(
      seedState(2),
      [placeWeb, placeDb],
      change(2, { groupIds: ["sg-unrelated"] }),
    );
    expect(r.recompiledEnis).toEqual([]);
    expect(r.changedAgents).toEqual([]);
    expect(r.snapshots.get("agent-web")!.revision).toBe(1);
  });

  it("merges changes for coalesced writes", () => {
    const m = mergeStateChanges(
      change(2, { groupIds: ["a"], eniIds: ["e"] }),
      change(3, { groupIds: ["a", "b"] }),
    );
    expect(m).toEqual(change(3, { groupIds: ["a", "b"], eniIds: ["e"] }));
  });
});

describe("stopped instances (INST-2, INST-3)", () => {
  /** The seed state with WEB1's instance in `state`, stopped or started at `stateRevision`. */
  const withWeb = (revision: number, state: string, stateRevision?: number): PolicyState => {
    const s = seedState(revision);
    return {
      ...s,
      instances: s.instances.map((i) =>
        i.instanceId === WEB1.instanceId
          ? { ...i, state, ...(stateRevision === undefined ? {} : { stateRevision }) }
          : i,
      ),
    };
  };

  it.each(["stopping", "stopped"])(
    "marks the ENI of a %s instance stopped and keeps its addresses and rules (INST-2)",
    (state) => {
      const running = compileOne(withWeb(1, "running"), WEB1.eniId);
      const p = compileOne(withWeb(2, state, 2), WEB1.eniId);
      expect(p.instanceStopped).toBe(true);
      expect(p.ipv4).toEqual(running.ipv4);
      expect(p.ingress).toEqual(running.ingress);
      expect(p.egress).toEqual(running.egress);
      expect(running.instanceStopped).toBeUndefined();
    },
  );

  it("keeps a stopped instance's ENI a member of its groups (INST-2, REF-2)", () => {
    const p = compileOne(withWeb(2, "stopped", 2), DB1.eniId);
    const fromWeb = p.ingress.find((r) => r.peer.kind === "sg" && r.peer.groupId === SG_WEB)!;
    expect(fromWeb.cidrs).toEqual(["10.0.1.11/32"]);
  });

  it("makes the revision of the last stop or start the conntrack epoch (INST-3)", () => {
    expect(compileOne(withWeb(1, "running"), WEB1.eniId).conntrackEpoch).toBeUndefined();
    expect(compileOne(withWeb(5, "stopped", 5), WEB1.eniId).conntrackEpoch).toBe(5);
    expect(compileOne(withWeb(9, "running", 8), WEB1.eniId).conntrackEpoch).toBe(8);
  });

  it("keeps the ENI hosted and mapped while stopped, and flips it in place on start", () => {
    const c = new PolicyCompiler();
    c.update(withWeb(1, "running"), [placeWeb, placeDb]);
    const stopped = c.update(
      withWeb(2, "stopped", 2),
      [placeWeb, placeDb],
      change(2, { instanceIds: [WEB1.instanceId!], eniIds: [WEB1.eniId] }),
    );
    const web = stopped.snapshots.get("agent-web")!;
    expect(web.enis.map((e) => [e.eniId, e.instanceStopped, e.conntrackEpoch])).toEqual([
      [WEB1.eniId, true, 2],
    ]);
    expect(stopped.snapshots.get("agent-db")!.mapping.map((m) => m.address)).toContain("10.0.1.11");
    const started = c.update(
      withWeb(3, "running", 3),
      [placeWeb, placeDb],
      change(3, { instanceIds: [WEB1.instanceId!], eniIds: [WEB1.eniId] }),
    );
    const again = started.snapshots.get("agent-web")!.enis[0]!;
    expect(again.instanceStopped).toBeUndefined();
    expect(again.conntrackEpoch).toBe(3);
  });
});
