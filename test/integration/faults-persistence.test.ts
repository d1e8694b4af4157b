/**
 * Chaos faults are state: they survive a controller restart on the same state file, expire on
 * their duration even across a restart (past-due faults expire as the controller starts), a
 * timer expires the others, and delayed conntrack faults take hold at their start. The
 * controller's clock is injected (ManualClock) where time must jump.
 *
 *   Controller #1 (state.db, clock T) --stop--> Controller #2 (same state.db, clock T + x)
 *        ^ fetch /v1/faults, EC2Client             ^ RawAgent(agent-db: db-1)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { RawAgent, api, ec2Client, seedTopology, until, type Topology } from "./faults-harness.js";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-faults-"));
const running: StartedController[] = [];
const agents: RawAgent[] = [];
let n = 0;

afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  await Promise.all(running.splice(0).map((c) => c.stop()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(statePath: string, clock?: ManualClock): Promise<StartedController> {
  const ctl = await new Controller(
    { listen: "127.0.0.1:0", statePath, log: () => {} },
    clock === undefined ? {} : { clock },
  ).start();
  running.push(ctl);
  return ctl;
}

async function stop(ctl: StartedController): Promise<void> {
  await Promise.all(agents.splice(0).map((a) => a.close()));
  running.splice(running.indexOf(ctl), 1);
  await ctl.stop();
}

/** A fresh state file with the seed topology; the controller still running. */
async function seeded(
  clock?: ManualClock,
): Promise<{ ctl: StartedController; path: string; topo: Topology }> {
  const path = join(dir, `state-${++n}.db`);
  const ctl = await start(path, clock);
  const ec2 = ec2Client(ctl);
  const topo = await seedTopology(ec2);
  ec2.destroy();
  return { ctl, path, topo };
}

function dbAgent(ctl: StartedController, topo: Topology): RawAgent {
  const a = new RawAgent(ctl, "agent-db", [topo.dbInstance]);
  agents.push(a);
  return a;
}

describe("faults across controller restarts", () => {
  it("keeps faults (id, revision, selectors, window) and pushes them after a restart", async () => {
    const clock = new ManualClock();
    const { ctl, path, topo } = await seeded(clock);
    const created = (
      await api(ctl, "POST", "/v1/faults", {
        from: "sg:web-sg",
        to: "sg:db-sg",
        effects: { loss: { percent: 20 } },
        durationMs: 600_000,
        seed: 5,
      })
    ).body;
    const revision = ctl.revision();
    await stop(ctl);

    clock.advance(1000);
    const again = await start(path, clock);
    expect(again.revision()).toBe(revision);
    const got = (await api(again, "GET", `/v1/faults/${created.faultId}`)).body;
    expect(got).toMatchObject({
      faultId: created.faultId,
      revision: created.revision,
      from: [topo.webSg],
      to: [topo.dbSg],
      seed: 5,
      createdAt: created.createdAt,
      expiresAt: created.expiresAt,
      resolved: { from: [topo.webEni], to: [topo.dbEni] },
    });
    const db = dbAgent(again, topo);
    await until("agent-db's first snapshot to carry the fault", () =>
      db.faultIds().includes(created.faultId),
    );
    await until(
      "the fault to be active",
      async () =>
        (await api(again, "GET", `/v1/faults/${created.faultId}`)).body.state === "active",
    );
  });

  it("expires a fault whose end passed while the controller was down, as it starts", async () => {
    const clock = new ManualClock();
    const { ctl, path, topo } = await seeded(clock);
    const short = (
      await api(ctl, "POST", "/v1/faults", {
        from: "sg:web-sg",
        to: "sg:db-sg",
        effects: { blackhole: true },
        durationMs: 60_000,
      })
    ).body;
    const long = (
      await api(ctl, "POST", "/v1/faults", {
        from: "sg:web-sg",
        to: "sg:db-sg",
        effects: { reject: true },
        durationMs: 600_000,
      })
    ).body;
    const revision = ctl.revision();
    await stop(ctl);

    clock.advance(61_000);
    const again = await start(path, clock);
    expect(again.revision()).toBe(revision + 1);
    expect(again.store.get("fault", short.faultId)!.expired).toBe(true);
    const views = (await api(again, "GET", "/v1/faults")).body.faults;
    expect(views.map((v: { faultId: string; state: string }) => [v.faultId, v.state])).toEqual([
      [short.faultId, "expired"],
      [long.faultId, expect.stringMatching(/^(pending|active)$/)],
    ]);
    const db = dbAgent(again, topo);
    await until("agent-db's snapshot", () => db.latest());
    expect(db.faultIds()).toEqual([long.faultId]);

    // A manual clock moves only by hand: sweep() applies it (the timer does so in real time).
    clock.advance(600_000);
    again.faults.sweep();
    expect((await api(again, "GET", `/v1/faults/${long.faultId}`)).body.state).toBe("expired");
    await until("agent-db to drop it", () => db.faultIds().length === 0);
    // Expired faults stay listed (with their counters) until removed.
    expect((await api(again, "GET", "/v1/faults")).body.faults).toHaveLength(2);
  });

  it("expires a fault on its duration by the timer (a state change that recompiles)", async () => {
    const { ctl, topo } = await seeded();
    const db = dbAgent(ctl, topo);
    const v = (
      await api(ctl, "POST", "/v1/faults", {
        from: "sg:web-sg",
        to: "sg:db-sg",
        effects: { delay: { latencyMs: 10 } },
        durationMs: 300,
      })
    ).body;
    await until("agent-db to get it", () => db.faultIds().includes(v.faultId));
    const rev = ctl.revision();
    await until(
      "the fault to expire",
      async () => (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.state === "expired",
    );
    await until("the expiry to be written", () => ctl.revision() === rev + 1);
    await until("agent-db to drop it", () => db.faultIds().length === 0);
  });

  it("applies a delayed conntrack fault at its start: allowance, timeouts, flush epoch", async () => {
    const clock = new ManualClock();
    const { ctl, topo } = await seeded(clock);
    const db = dbAgent(ctl, topo);
    await until("agent-db's snapshot", () => db.latest());
    const eni = () => db.latest()!.snapshot.enis![0]!;
    const allowance = eni().allowance;
    const v = (
      await api(ctl, "POST", "/v1/faults", {
        from: "sg:db-sg",
        effects: { conntrack: { allowance: 5, flush: true, timeouts: { udp: 3 } } },
        startAfterMs: 1000,
        durationMs: 5000,
      })
    ).body;
    expect(v).toMatchObject({ to: [], resolved: { from: [topo.dbEni] } });
    expect((await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.agents).toEqual([]);
    expect(eni().allowance).toBe(allowance);

    clock.advance(1000);
    ctl.faults.sweep();
    await until("the override at agent-db", () => eni().allowance === 5);
    expect(eni().timeouts).toMatchObject({ udp: 3 });
    const started = ctl.revision();
    expect(Number(eni().conntrackEpoch)).toBe(v.revision);
    expect((await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.agents).toEqual(["agent-db"]);
    await until(
      "the fault to be active",
      async () => (await api(ctl, "GET", `/v1/faults/${v.faultId}`)).body.state === "active",
    );

    clock.advance(5000);
    ctl.faults.sweep();
    expect(ctl.revision()).toBe(started + 1);
    await until("the allowance back", () => eni().allowance === allowance);
  });
});
