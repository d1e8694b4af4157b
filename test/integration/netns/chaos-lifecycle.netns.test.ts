/**
 * Chaos fault lifecycle on real traffic (issue 9, item 7): a conntrack allowance shrunk at run
 * time (AWS-BEHAVIOUR MET-1, MET-2, MET-3), and faults that survive a controller crash and
 * expire on time, also while the controller is down (the agents apply [start, end) by their own
 * clocks). Real namespaces, TUN devices, agents over loopback UDP, kernel TCP sockets; the
 * controller is the runtime's child process (`vpcemu controller --state FILE`), which
 * kill-controller SIGKILLs and starts again from the same file. Root required.
 *
 *   public 10.0.1.0/24              private 10.0.2.0/24
 *   web 10.0.1.10 (web-sg) -------> db 10.0.2.20 (db-sg)
 *                                     tcp 22, 3306, 3307 echo: tracked (from 10.0.0.0/16 only)
 *                                     tcp 80 echo: untracked (80 from 0.0.0.0/0 + egress all /0)
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { processAlive } from "../../../cli/runtime/runtime-state.js";
import { DB, startChaosRuntime, type ChaosRuntime } from "../../helpers/chaos-runtime.js";
import type { FaultView } from "../../helpers/chaos-api.js";

let rt: ChaosRuntime;
const figures: string[] = [];

const sleepUntil = (atMs: number): Promise<void> =>
  new Promise((r) => setTimeout(r, Math.max(0, atMs - Date.now())));

beforeAll(async () => {
  rt = await startChaosRuntime("lc", ["web", "db"], { persistentState: true });
  const db = rt.probe("db");
  for (const port of [22, 80, 3306, 3307]) await db.tcpEchoServer(port);
  await rt.probe("web").tcpConnect(DB, 3306, 5000); // the web probe is up
}, 180_000);

afterEach(async () => {
  await rt?.api.clearEnforced(rt.agentCount, 30_000);
});

afterAll(async () => {
  if (figures.length > 0) console.log(`chaos lifecycle, measured:\n  ${figures.join("\n  ")}`);
  await rt?.[Symbol.asyncDispose]();
});

/** db's MET-3 counter as the controller last heard it (waits for the first counters report). */
async function allowanceExceeded(): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const c = await rt.api.counters(rt.eni("db"));
    // GET /v1/counters?eni= answers {agentId, takenAtMs, receivedAtMs, counters: EniCounters}.
    const n = (c?.counters as { conntrackAllowanceExceeded?: number } | undefined)
      ?.conntrackAllowanceExceeded;
    if (typeof n === "number") return n;
    if (Date.now() > deadline) throw new Error(`no counters report for db: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe("chaos fault lifecycle on real traffic", () => {
  it("a shrunk allowance drops new tracked flows only; established and untracked flows go on (MET-1, MET-2, MET-3)", async () => {
    const web = rt.probe("web");
    const first = await web.session(DB, 22);
    const second = await web.session(DB, 22);
    try {
      expect(await first.send()).toMatchObject({ ok: true });
      expect(await second.send()).toMatchObject({ ok: true });
      const exceededBefore = await allowanceExceeded();

      // db already tracks at least these two flows: an allowance of 1 is exceeded.
      const fault = await rt.api.addActive({
        from: ["instance:db"],
        effects: { conntrack: { allowance: 1 } },
      });
      const established = [await first.send(), await second.send()];
      const newTracked = await web.tcpConnect(DB, 22, 1500);
      const newUntracked = await web.tcpEcho(DB, 80, 2000);
      // MET-3: the dropped SYNs are counted (reported with the agent's periodic counters).
      const deadline = Date.now() + 20_000;
      let exceeded = await allowanceExceeded();
      while (exceeded <= exceededBefore && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        exceeded = await allowanceExceeded();
      }
      figures.push(
        `allowance 1: established ${established.map((r) => r.ok).join("/")}, new tracked ${newTracked.error ?? "ok"}, ` +
          `new untracked ${newUntracked.ok ? "ok" : newUntracked.error}; conntrack_allowance_exceeded ${exceededBefore} -> ${exceeded}`,
      );
      expect(established).toMatchObject([{ ok: true }, { ok: true }]); // MET-1: old entries work
      expect(newTracked).toMatchObject({ ok: false, error: "timeout" }); // MET-1: SYN dropped
      expect(newUntracked).toMatchObject({ ok: true }); // MET-2: takes no allowance
      expect(exceeded).toBeGreaterThan(exceededBefore); // MET-3

      // Removing the fault gives the allowance back.
      await rt.api.removeEnforced(fault.faultId, rt.agentCount);
      expect(await web.tcpEcho(DB, 22, 2000)).toMatchObject({ ok: true });
    } finally {
      await first.close();
      await second.close();
    }
  }, 90_000);

  it("a SIGKILLed controller comes back from its state file: SGs and faults survive, faults expire on time, also while it is down, and new rules are enforced after", async () => {
    const web = rt.probe("web");
    const blackhole = (port: number, durationMs: number) =>
      rt.api.addActive({
        from: ["sg:web-sg"],
        to: ["sg:db-sg"],
        protocol: "tcp",
        ports: String(port),
        durationMs,
        effects: { blackhole: true },
      });
    const long = await blackhole(3306, 45_000);
    const short = await blackhole(3307, 6_000);
    const longEnd = Date.parse(long.expiresAt!);
    const shortEnd = Date.parse(short.expiresAt!);
    expect(longEnd - Date.parse(long.createdAt)).toBe(45_000);
    // Connect timeouts of 900 ms stay below the first SYN retransmission (1 s): an "ok" means
    // the very first SYN went through.
    expect(await web.tcpConnect(DB, 3306, 900)).toMatchObject({ ok: false, error: "timeout" });
    expect(await web.tcpConnect(DB, 3307, 900)).toMatchObject({ ok: false, error: "timeout" });

    // Down until 5 s after the short fault's end: it ends while no controller runs.
    const downMs = Math.max(1000, shortEnd + 5000 - Date.now());
    const pidBefore = rt.runtime.controllerPid;
    const killed = await rt.runtime.killController(downMs);
    const downUntil = Date.now() + downMs;
    // A crash: the process was SIGKILLed (its parent's waitpid says so), it is gone.
    expect(pidBefore).toBeGreaterThan(0);
    expect(killed).toMatchObject({ pid: pidBefore, exit: "SIGKILL" });
    expect(processAlive(pidBefore!)).toBe(false);
    await expect(rt.api.revision()).rejects.toThrow();
    await sleepUntil(shortEnd + 300);
    const shortAfterEnd = await web.tcpConnect(DB, 3307, 900);
    const longWhileDown = await web.tcpConnect(DB, 3306, 900);
    const stillDown = Date.now() < downUntil;

    // Back: wait for every agent to reconnect and enforce the restarted controller's revision.
    await rt.api.waitEnforced(rt.agentCount, 0, 20_000);
    const reconnectMs = Date.now() - downUntil;
    const pidAfter = rt.runtime.controllerPid;
    const longView = await rt.api.get(long.faultId);
    const shortView = await rt.api.get(short.faultId);
    const snapshot = await rt.api.snapshot(rt.runtime.node("web").agentId);
    const snapshotFaults = ((snapshot.faults ?? []) as { faultId: string }[]).map((f) => f.faultId);
    const longAfterRestart = await web.tcpConnect(DB, 3306, 900);

    // Expiry on time: still cut 1.5 s before the end, open 250 ms after it.
    expect(
      longEnd - 1500 - Date.now(),
      "the restart took the long fault's whole life",
    ).toBeGreaterThan(0);
    await sleepUntil(longEnd - 1500);
    const beforeEnd = await web.tcpConnect(DB, 3306, 900);
    await sleepUntil(longEnd + 250);
    const afterEnd = await web.tcpConnect(DB, 3306, 900);
    const expired = await rt.api.waitFor(
      long.faultId,
      (v) => v === undefined || v.state === "expired",
      "expired",
      10_000,
    );
    figures.push(
      `restart: controller down ${downMs} ms (short fault ended ${stillDown ? "while it was down" : "AFTER it came back"}), ` +
        `agents reconnected and enforcing ${reconnectMs} ms after it was back; long fault after restart ${longView?.state}, ` +
        `short ${shortView?.state ?? "gone"}; expiry: ${beforeEnd.error ?? "ok"} at end-1.5 s, ` +
        `${afterEnd.ok ? "ok" : afterEnd.error} at end+250 ms (connect ${afterEnd.ms} ms)`,
    );

    expect(pidAfter).toBeGreaterThan(0);
    expect(pidAfter).not.toBe(pidBefore);
    // No graceful close: the killed controller never got to log its stop.
    const controllerLog = readFileSync(
      join(rt.runtime.runtimeDir, "logs", "controller.log"),
      "utf8",
    );
    expect(controllerLog.match(/vpcemu controller listening on/g)).toHaveLength(2);
    expect(controllerLog).not.toContain("vpcemu controller: stopping");
    expect(stillDown).toBe(true);
    expect(shortAfterEnd).toMatchObject({ ok: true }); // expired by the agent's own clock
    expect(longWhileDown).toMatchObject({ ok: false, error: "timeout" }); // agents keep it
    // The restarted controller has the fault from its database, unchanged, and sends it again.
    expect(longView).toMatchObject({
      faultId: long.faultId,
      state: "active",
      expiresAt: long.expiresAt,
      revision: long.revision,
    } satisfies Partial<FaultView>);
    expect(shortView === undefined || shortView.state === "expired").toBe(true);
    expect(snapshotFaults).toContain(long.faultId);
    expect(longAfterRestart).toMatchObject({ ok: false, error: "timeout" });
    expect(beforeEnd).toMatchObject({ ok: false, error: "timeout" });
    expect(afterEnd).toMatchObject({ ok: true });
    expect(expired === undefined || expired.state === "expired").toBe(true);

    // The SGs came back from the file, and a rule change after the restart is enforced: without
    // db-sg's rule for 10.0.0.0/16, web's new connection to db:3306 is dropped; with it, it passes.
    const dbSg = rt.sg("db-sg");
    const described = await rt.runtime.ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [dbSg] }),
    );
    expect(described.SecurityGroups?.[0]?.IpPermissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/16" }] }),
        expect.objectContaining({ IpProtocol: "tcp", FromPort: 80, ToPort: 80 }),
      ]),
    );
    const vpcRule: IpPermission[] = [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "10.0.0.0/16" }] }];
    const enforced = async () =>
      rt.api.waitEnforced(rt.agentCount, (await rt.api.revision()).revision, 20_000);
    await rt.runtime.ec2.send(
      new RevokeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: vpcRule }),
    );
    let restored = false;
    try {
      await enforced();
      expect(await web.tcpConnect(DB, 3306, 900)).toMatchObject({ ok: false, error: "timeout" });
      await rt.runtime.ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: vpcRule }),
      );
      restored = true;
      await enforced();
      expect(await web.tcpConnect(DB, 3306, 2000)).toMatchObject({ ok: true });
    } finally {
      if (!restored) {
        await rt.runtime.ec2
          .send(new AuthorizeSecurityGroupIngressCommand({ GroupId: dbSg, IpPermissions: vpcRule }))
          .catch(() => undefined);
      }
    }
  }, 150_000);
});
