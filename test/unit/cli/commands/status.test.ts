/**
 * `vpcemu status` reads the local runtime's state file and marks each recorded process as
 * running or gone: `vpcemu up`, the controller (its pid changes with every kill-controller) and
 * the agents (a node's own agent process, or the agent host carrying it). Processes here: this test's own (running) and one that already exited (gone).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../../cli/main.js";
import { writeRuntimeState, type RuntimeState } from "../../../../cli/runtime/runtime-state.js";

let dir: string;
let out = "";
let err = "";
/** A pid that existed and has exited. */
const GONE = spawnSync(process.execPath, ["-e", ""]).pid;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-status-"));
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

function writeState(upPid: number, controllerPid: number | undefined): void {
  const state: RuntimeState = {
    version: 1,
    pid: upPid,
    startedAt: "2026-12-07T17:00:00.000Z",
    controllerUrl: "http://127.0.0.1:4566",
    ...(controllerPid !== undefined ? { controllerPid } : {}),
    controllerLog: join(dir, "logs", "controller.log"),
    ec2Endpoint: "http://127.0.0.1:4566",
    namespacePrefix: "vpcemu-",
    nodes: [
      {
        name: "web",
        instanceId: "i-0123456789abcdef0",
        namespace: "vpcemu-web",
        addresses: ["10.0.1.10"],
        publicIps: ["198.18.0.1"],
        agentId: "i-0123456789abcdef0",
        agentPid: GONE,
        logFile: join(dir, "logs", "web.log"),
      },
      {
        name: "db",
        instanceId: "i-0123456789abcdef1",
        namespace: "vpcemu-db",
        addresses: ["10.0.2.20"],
        agentId: "i-0123456789abcdef1",
        agentPid: process.pid,
        agentHost: 2,
        logFile: join(dir, "logs", "agent-host-2.log"),
      },
    ],
  };
  writeRuntimeState(dir, state);
}

describe("vpcemu status", () => {
  it("shows up, the controller's URL, pid and log, and each node's addresses (public too) and agent, running or gone", async () => {
    writeState(process.pid, process.pid);
    expect(await main(["status", "--runtime-dir", dir])).toBe(0);
    expect(out).toContain(`vpcemu up   pid ${process.pid}, since 2026-12-07T17:00:00.000Z`);
    expect(out).toContain(
      `controller  http://127.0.0.1:4566  pid ${process.pid}  log ${join(dir, "logs", "controller.log")}`,
    );
    expect(out).toMatch(
      new RegExp(
        `web\\s+10\\.0\\.1\\.10, 198\\.18\\.0\\.1 \\(public\\)\\s+vpcemu-web  agent pid ${GONE} \\(gone\\)`,
      ),
    );
    // A node whose agent runs in an agent host process (vpcemu up --agent-processes).
    expect(out).toMatch(
      new RegExp(`db\\s+10\\.0\\.2\\.20\\s+vpcemu-db  agent pid ${process.pid} \\(agent host 2\\)`),
    );
    expect(err).toBe("");
  });

  it("says the controller is down while it is (no pid recorded), and gives the record as JSON", async () => {
    writeState(process.pid, undefined);
    expect(await main(["status", "--runtime-dir", dir])).toBe(0);
    expect(out).toContain("controller  http://127.0.0.1:4566  down");
    out = "";
    expect(await main(["status", "--runtime-dir", dir, "-o", "json"])).toBe(0);
    expect(JSON.parse(out)).toMatchObject({
      pid: process.pid,
      running: true,
      controllerRunning: false,
      nodes: [
        { name: "web", agentPid: GONE, agentRunning: false },
        { name: "db", agentPid: process.pid, agentHost: 2, agentRunning: true },
      ],
    });
  });

  it("exits 1 when no runtime runs: no state file, or its up is gone", async () => {
    expect(await main(["status", "--runtime-dir", dir])).toBe(1);
    expect(err).toContain(`no local runtime (${join(dir, "runtime.json")} does not exist)`);
    writeState(GONE!, undefined);
    expect(await main(["status", "--runtime-dir", dir])).toBe(1);
    expect(err).toContain(`'vpcemu up' (pid ${GONE}) is gone`);
  });
});
