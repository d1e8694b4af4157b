/**
 * The chaos fault JSON API (/v1/faults) on a real controller with raw agents: create, list,
 * get, delete; refused input stores nothing; live membership; stale faults; `active` only once
 * every affected agent acked; counters summed over agents; partitions.
 *
 *   fetch /v1/faults, EC2Client --HTTP--> Controller 127.0.0.1:<port> (":memory:")
 *                                            | /v1/agents/ws
 *         RawAgent(agent-web: web-1)  RawAgent(agent-db: db-1, acks by hand)  RawAgent(agent-inet)
 */
import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DeleteSecurityGroupCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from "@aws-sdk/client-ec2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { MAX_JSON_BODY_BYTES } from "../../controller/api/routes.js";
import {
  RawAgent,
  api,
  ec2Client,
  runInstance,
  seedTopology,
  until,
  type Topology,
} from "./faults-harness.js";

let ctl: StartedController;
let ec2: EC2Client;
let topo: Topology;
let web: RawAgent;
let db: RawAgent;
let inet: RawAgent;
const agents: RawAgent[] = [];

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  ec2 = ec2Client(ctl);
  topo = await seedTopology(ec2);
  web = new RawAgent(ctl, "agent-web", [topo.webInstance]);
  db = new RawAgent(ctl, "agent-db", [topo.dbInstance]);
  inet = new RawAgent(ctl, "agent-inet", [], true, [
    { name: "internet", address: "198.51.100.10" },
  ]);
  agents.push(web, db, inet);
  await Promise.all(agents.map((a) => a.opened));
  await until(
    "three agents connected",
    () => ctl.hub.agents().filter((a) => a.connected).length === 3,
  );
  await ctl.waitForEnforced(ctl.revision(), 5000);
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  ec2?.destroy();
  await ctl?.stop();
});

async function clear(): Promise<void> {
  const r = await api(ctl, "DELETE", "/v1/faults");
  expect(r.status).toBe(200);
}

const SLOW_DB = {
  from: ["sg:web-sg"],
  to: "db-sg",
  protocol: "tcp",
  ports: "3306",
  effects: { delay: { latencyMs: 50, jitterMs: 10, distribution: "normal" } },
  seed: 42,
  description: "slow db",
};

afterEach(async () => {
  db.setAutoAck(true);
  db.ackLatest();
  await clear();
});

describe("/v1/faults", () => {
  it("creates a fault (201), lists it, gets it, deletes it (200, then 404)", async () => {
    const before = ctl.revision();
    const created = await api(ctl, "POST", "/v1/faults", SLOW_DB);
    expect(created.status).toBe(201);
    const v = created.body;
    expect(v.faultId).toMatch(/^flt-[0-9a-f]{17}$/);
    expect(v).toMatchObject({
      from: [topo.webSg],
      to: [topo.dbSg],
      direction: "one-way",
      protocol: "tcp",
      ports: "3306",
      effects: { delay: { latencyMs: 50, jitterMs: 10, correlation: 0, distribution: "normal" } },
      seed: 42,
      description: "slow db",
      expiresAt: null,
      revision: before + 1,
      resolved: { from: [topo.webEni], to: [topo.dbEni] },
      agents: ["agent-db", "agent-web"],
      missing: [],
      counters: { matched: 0, delayed: 0, dropped: 0 },
    });
    expect(["pending", "active"]).toContain(v.state);
    expect(Date.parse(v.createdAt)).toBeGreaterThan(0);
    expect(v.startsAt).toBe(v.createdAt);
    expect(ctl.revision()).toBe(before + 1);

    const list = await api(ctl, "GET", "/v1/faults");
    expect(list.status).toBe(200);
    expect(list.body.faults.map((f: { faultId: string }) => f.faultId)).toEqual([v.faultId]);
    const got = await api(ctl, "GET", `/v1/faults/${v.faultId}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ faultId: v.faultId, revision: before + 1 });

    await until(
      "both agents to receive the fault",
      () => web.faultIds().includes(v.faultId) && db.faultIds().includes(v.faultId),
    );
    expect(inet.faultIds()).toEqual([]);

    const del = await api(ctl, "DELETE", `/v1/faults/${v.faultId}`);
    expect(del.status).toBe(200);
    expect(del.body.faultId).toBe(v.faultId);
    expect(ctl.revision()).toBe(before + 2);
    const gone = await api(ctl, "GET", `/v1/faults/${v.faultId}`);
    expect(gone).toEqual({
      status: 404,
      body: { code: "EMU_ERR_FAULT_NOT_FOUND", message: `No fault '${v.faultId}'.` },
    });
    expect((await api(ctl, "DELETE", `/v1/faults/${v.faultId}`)).status).toBe(404);
    await until("the agents to drop it", () => !web.faultIds().includes(v.faultId));
  });

  it("deletes every fault at once, listing their ids", async () => {
    const a = (await api(ctl, "POST", "/v1/faults", SLOW_DB)).body.faultId;
    const b = (
      await api(ctl, "POST", "/v1/faults", {
        from: "*",
        to: "node:internet",
        effects: { blackhole: true },
      })
    ).body.faultId;
    const r = await api(ctl, "DELETE", "/v1/faults");
    expect(r).toEqual({ status: 200, body: { deleted: [a, b] } });
    expect((await api(ctl, "GET", "/v1/faults")).body).toEqual({ faults: [] });
    expect((await api(ctl, "DELETE", "/v1/faults")).body).toEqual({ deleted: [] });
  });

  it("is `pending` until every affected agent acked it, then `active`", async () => {
    db.setAutoAck(false);
    try {
      const v = (await api(ctl, "POST", "/v1/faults", SLOW_DB)).body;
      await until("agent-db to receive it", () => db.faultIds().includes(v.faultId));
      await until("agent-web to ack it", () => ctl.hub.enforcedRevision("agent-web") >= v.revision);
      expect((await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.state).toBe("pending");
      db.ackLatest();
      await until(
        "the fault to be active",
        async () => (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.state === "active",
      );
    } finally {
      db.setAutoAck(true);
      db.ackLatest();
      await clear();
    }
  });

  it("is `scheduled` once acked but before its start, with the window in the view", async () => {
    const v = (
      await api(ctl, "POST", "/v1/faults", { ...SLOW_DB, startAfterMs: 60_000, durationMs: 5000 })
    ).body;
    expect(Date.parse(v.startsAt) - Date.parse(v.createdAt)).toBe(60_000);
    expect(Date.parse(v.expiresAt) - Date.parse(v.startsAt)).toBe(5000);
    await until(
      "the fault to be scheduled",
      async () => (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.state === "scheduled",
    );
    const f = web.latest()!.snapshot.faults!.find((x) => x.faultId === v.faultId)!;
    expect(Number(f.startAtMs)).toBe(Date.parse(v.startsAt));
    expect(Number(f.endAtMs)).toBe(Date.parse(v.expiresAt));
    await clear();
  });

  it("covers an instance that joins web-sg later, with no change to the fault", async () => {
    const v = (await api(ctl, "POST", "/v1/faults", SLOW_DB)).body;
    const web2 = await runInstance(ec2, topo.subnetId, topo.webSg, "web-2");
    const agent2 = new RawAgent(ctl, "agent-web2", [web2.instanceId]);
    agents.push(agent2);
    await until("agent-web2 to receive the fault", () => agent2.faultIds().includes(v.faultId));
    const pairs = agent2.latest()!.snapshot.faults![0]!.pairs!;
    expect(pairs[0]!.from!.portKeys).toEqual([topo.webEni, web2.eniId].sort());
    expect(pairs[0]!.to!.portKeys).toEqual([topo.dbEni]);
    await until("db's copy to include web-2", () =>
      db.latest()!.snapshot.faults?.[0]?.pairs?.[0]?.from?.portKeys?.includes(web2.eniId),
    );
    const got = (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body;
    expect(got.revision).toBe(v.revision);
    expect(got.resolved.from).toEqual([topo.webEni, web2.eniId].sort());
    expect(got.agents).toEqual(["agent-db", "agent-web", "agent-web2"]);
    await until(
      "the fault to be active on all three",
      async () => (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.state === "active",
    );
    await agent2.close();
    expect(
      (
        await until("agent-web2 to be gone", async () => {
          const s = (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body;
          return s.state === "pending" ? s : undefined;
        })
      ).agents,
    ).toContain("agent-web2");
    // web-2 leaves web-sg's members (terminated): the fault no longer waits for agent-web2.
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [web2.instanceId] }));
    await until("the fault to be active again", async () => {
      const s = (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body;
      return s.state === "active" && !s.agents.includes("agent-web2");
    });
  });

  it("keeps a fault whose group was deleted: it matches nothing and shows `stale`", async () => {
    const tmp = (
      await ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: topo.vpcId,
          GroupName: "tmp-sg",
          Description: "t",
        }),
      )
    ).GroupId!;
    const v = (
      await api(ctl, "POST", "/v1/faults", {
        from: "sg:tmp-sg",
        to: "sg:db-sg",
        effects: { loss: { percent: 100 } },
      })
    ).body;
    expect(v.from).toEqual([tmp]);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: tmp }));
    const got = (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body;
    expect(got).toMatchObject({ state: "stale", missing: [tmp], from: [tmp], agents: [] });
    expect((await api(ctl, "GET", "/v1/faults")).body.faults).toHaveLength(1);
    await until("agents without it", () => !db.faultIds().includes(v.faultId));
    await clear();
  });

  it("sums per-fault counters over agents, keeping each agent's latest value", async () => {
    const v = (await api(ctl, "POST", "/v1/faults", SLOW_DB)).body;
    web.sendFaultCounters([{ faultId: v.faultId, matched: 10, delayed: 10 }]);
    db.sendFaultCounters([{ faultId: v.faultId, matched: 5, delayed: 4, queueOverflow: 1 }]);
    web.sendFaultCounters([{ faultId: v.faultId, matched: 12, delayed: 11 }]);
    const counters = await until("the counters", async () => {
      const c = (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.counters;
      return c.matched === 17 ? c : undefined;
    });
    expect(counters).toEqual({
      matched: 17,
      delayed: 15,
      dropped: 0,
      duplicated: 0,
      corrupted: 0,
      reordered: 0,
      rejected: 0,
      queueOverflow: 1,
      rateLimited: 0,
    });
    const removed = (await api(ctl, "DELETE", `/v1/faults/${v.faultId}`)).body;
    expect(removed.counters.matched).toBe(17);
  });

  it("cuts a partition into pairs across groups, one-way only i -> j", async () => {
    const both = await api(ctl, "POST", "/v1/faults/partition", {
      groups: [["sg:web-sg"], ["sg:db-sg"]],
      durationMs: 60_000,
    });
    expect(both.status).toBe(201);
    expect(both.body).toMatchObject({
      from: [],
      to: [],
      partition: { groups: [[topo.webSg], [topo.dbSg]], mode: "complete", oneWay: false },
      direction: "both",
      effects: { blackhole: true },
      agents: ["agent-db", "agent-web"],
    });
    const one = (
      await api(ctl, "POST", "/v1/faults/partition", {
        groups: [["sg:web-sg"], ["sg:db-sg"]],
        oneWay: true,
      })
    ).body;
    await until("both faults at agent-db", () => db.faultIds().length === 2);
    const [b, o] = db.latest()!.snapshot.faults!;
    const ends = (f: typeof b) => f!.pairs!.map((p) => [p.from!.portKeys![0], p.to!.portKeys![0]]);
    expect(ends(b)).toEqual([
      [topo.webEni, topo.dbEni],
      [topo.dbEni, topo.webEni],
    ]);
    expect(ends(o)).toEqual([[topo.webEni, topo.dbEni]]);
    expect(o!.faultId).toBe(one.faultId);
    expect(b!.effects!.blackhole).toBe(true);
    await clear();
  });

  it("serves in-process users: controller.faults.add() returns the view", async () => {
    const v = ctl.faults.add({ from: "web-1", to: "*", effects: { reject: true } });
    expect(v).toMatchObject({ from: [topo.webInstance], to: ["*"], resolved: { to: ["*"] } });
    expect(ctl.faults.list().map((f) => f.faultId)).toEqual([v.faultId]);
    expect(() => ctl.faults.add({ from: "web-1", effects: {} })).toThrow(
      expect.objectContaining({ code: "EMU_ERR_FAULT_INVALID" }),
    );
    await clear();
  });
});

describe("/v1/faults refuses bad input, storing nothing", () => {
  let otherVpcDone = false;
  async function ambiguousSetup(): Promise<void> {
    if (otherVpcDone) return;
    otherVpcDone = true;
    const vpc2 = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.1.0.0/16" }))).Vpc!.VpcId!;
    await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpc2, GroupName: "db-sg", Description: "db" }),
    );
  }

  const blackhole = { effects: { blackhole: true } };
  it.each([
    ["an unknown group", { from: "sg:nope", to: "*", ...blackhole }, "sg:nope"],
    [
      "an unknown group id",
      { from: "sg-0123456789abcdef0", to: "*", ...blackhole },
      "no security group 'sg-0123456789abcdef0'",
    ],
    [
      "an unknown subnet",
      { from: "subnet:nope", to: "*", ...blackhole },
      "no subnet named 'subnet:nope'",
    ],
    [
      "an unknown instance",
      { from: "instance:nope", to: "*", ...blackhole },
      "no instance named 'instance:nope'",
    ],
    [
      "a CIDR that does not parse",
      { from: "10.0.0.0/40", to: "*", ...blackhole },
      "'10.0.0.0/40': the CIDR does not parse",
    ],
    [
      "a delay above 60 s",
      { from: "*", to: "*", effects: { delay: { latencyMs: 61_000 } } },
      "effects.delay.latencyMs 61000 is above 60000",
    ],
    [
      "loss above 100 %",
      { from: "*", to: "*", effects: { loss: { percent: 101 } } },
      "effects.loss.percent 101 is above 100",
    ],
    [
      "a rate of 0",
      { from: "*", to: "*", effects: { rate: { bitsPerSecond: 0 } } },
      "effects.rate.bitsPerSecond must be above 0, got 0",
    ],
    [
      "an unknown effect",
      { from: "*", to: "*", effects: { teleport: true } },
      "unknown effect 'effects.teleport'",
    ],
    ["no effect", { from: "*", to: "*", effects: {} }, "at least one effect"],
    [
      "an unknown field",
      { from: "*", to: "*", ...blackhole, colour: "red" },
      "unknown field 'colour'",
    ],
    ["a body that is not an object", [1], "the body must be a JSON object"],
    ["no body", undefined, "the body must be a JSON object"],
  ])("refuses %s (400 EMU_ERR_FAULT_INVALID naming it)", async (_n, body, part) => {
    const rev = ctl.revision();
    const r = await api(ctl, "POST", "/v1/faults", body);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("EMU_ERR_FAULT_INVALID");
    expect(r.body.message).toContain(part);
    expect(ctl.revision()).toBe(rev);
    expect((await api(ctl, "GET", "/v1/faults")).body.faults).toEqual([]);
  });

  it("refuses an ambiguous name, listing the candidates", async () => {
    await ambiguousSetup();
    const rev = ctl.revision();
    const r = await api(ctl, "POST", "/v1/faults", { from: "sg:db-sg", to: "*", ...blackhole });
    expect(r.status).toBe(400);
    expect(r.body.message).toContain("'sg:db-sg' is ambiguous");
    expect(r.body.message).toContain(topo.dbSg);
    expect(ctl.revision()).toBe(rev);
    // A qualified id or the bare name of a single resource still works.
    expect(
      (await api(ctl, "POST", "/v1/faults", { from: topo.dbSg, to: "web-1", ...blackhole })).status,
    ).toBe(201);
    await clear();
  });

  it.each([
    ["one group", { groups: [["sg:web-sg"]] }, "at least two groups"],
    ["an unknown group", { groups: [["sg:web-sg"], ["sg:nope"]] }, "sg:nope"],
    ["an unknown mode", { groups: [["*"], ["*"]], mode: "ring" }, 'mode "ring"'],
  ])("refuses a partition with %s", async (_n, body, part) => {
    const rev = ctl.revision();
    const r = await api(ctl, "POST", "/v1/faults/partition", body);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("EMU_ERR_FAULT_INVALID");
    expect(r.body.message).toContain(part);
    expect(ctl.revision()).toBe(rev);
  });

  it("refuses a body that is not JSON (400 EMU_ERR_API_BAD_JSON)", async () => {
    const r = await api(ctl, "POST", "/v1/faults", "{not json");
    expect(r.status).toBe(400);
    expect(r.body.code).toBe("EMU_ERR_API_BAD_JSON");
  });

  it("refuses a body over 1 MiB (413 EMU_ERR_API_BODY_TOO_LARGE) without keeping it", async () => {
    const rev = ctl.revision();
    const big = JSON.stringify({
      from: "*",
      to: "*",
      effects: { blackhole: true },
      description: "x".repeat(MAX_JSON_BODY_BYTES),
    });
    const r = await api(ctl, "POST", "/v1/faults", big);
    expect(r).toEqual({
      status: 413,
      body: {
        code: "EMU_ERR_API_BODY_TOO_LARGE",
        message: `The request body exceeds ${MAX_JSON_BODY_BYTES} bytes.`,
      },
    });
    expect(ctl.revision()).toBe(rev);
  });

  it.each([
    ["PUT", "/v1/faults", 405, "EMU_ERR_API_METHOD"],
    ["GET", "/v1/faults/partition", 405, "EMU_ERR_API_METHOD"],
    ["POST", "/v1/faults/flt-0123456789abcdef0", 405, "EMU_ERR_API_METHOD"],
    ["GET", "/v1/faults/flt-0123456789abcdef0", 404, "EMU_ERR_FAULT_NOT_FOUND"],
    ["GET", "/v1/faults/a/b", 404, "EMU_ERR_API_NOT_FOUND"],
  ])("answers %s %s with %i %s", async (method, path, status, code) => {
    const r = await api(ctl, method, path);
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
  });
});
