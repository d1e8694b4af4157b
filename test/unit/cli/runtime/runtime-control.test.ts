/**
 * The local runtime's control socket (process faults) with a recording twin of `vpcemu up`:
 * the CLI's `vpcemu chaos kill-agent|restart-agent|pause-agent|kill-controller` reach it
 * through the state file's socket, errors come back with their code, and nothing is left behind.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../../cli/main.js";
import {
  callRuntimeControl,
  controlSocketPath,
  ProcessFaultError,
  serveRuntimeControl,
  type ControlServer,
  type RuntimeProcessControl,
} from "../../../../cli/runtime/runtime-control.js";
import { writeRuntimeState } from "../../../../cli/runtime/runtime-state.js";

let dir: string;
let server: ControlServer;
const calls: string[] = [];
let out = "";
let err = "";

/** Records every call; `nope` is an unknown node, `web` is already paused. */
const twin: RuntimeProcessControl = {
  async killAgent(node, downMs) {
    if (node === "nope")
      throw new ProcessFaultError("EMU_ERR_RUNTIME_UNKNOWN_NODE", "unknown node 'nope'", 404);
    calls.push(`kill ${node} ${downMs}`);
    return { node, pid: 41, message: `killed the agent of ${node}` };
  },
  async restartAgent(node) {
    calls.push(`restart ${node}`);
    return { node, pid: 41, newPid: 42, message: `restarted the agent of ${node}` };
  },
  async pauseAgent(node, durationMs) {
    if (node === "web") {
      throw new ProcessFaultError("EMU_ERR_RUNTIME_ALREADY_PAUSED", "already paused", 409);
    }
    calls.push(`pause ${node} ${durationMs}`);
    return { node, message: `paused the agent of ${node}` };
  },
  async killController(downMs) {
    calls.push(`kill-controller ${downMs}`);
    return { message: "stopped the controller" };
  },
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-control-"));
  server = await serveRuntimeControl(dir, twin);
  calls.length = 0;
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});

afterEach(async () => {
  vi.restoreAllMocks();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeState(withSocket = true): void {
  writeRuntimeState(dir, {
    version: 1,
    pid: process.pid,
    startedAt: new Date().toISOString(),
    controllerUrl: "http://127.0.0.1:1",
    ec2Endpoint: "http://127.0.0.1:1",
    namespacePrefix: "vpcemu-",
    nodes: [],
    ...(withSocket ? { controlSocket: controlSocketPath(dir) } : {}),
  });
}

describe("runtime control socket", () => {
  it("serves the operations on <dir>/control.sock, owner-only", async () => {
    expect(statSync(controlSocketPath(dir)).mode & 0o777).toBe(0o600);
    expect(await callRuntimeControl(dir, "restart-agent", { node: "db" })).toEqual({
      node: "db",
      pid: 41,
      newPid: 42,
      message: "restarted the agent of db",
    });
    await callRuntimeControl(dir, "pause-agent", { node: "db", durationMs: 3000 });
    await callRuntimeControl(dir, "kill-controller", { downMs: 0 });
    expect(calls).toEqual(["restart db", "pause db 3000", "kill-controller 0"]);
  });

  it("answers refusals with their code and bad requests with EMU_ERR_RUNTIME_BAD_REQUEST", async () => {
    await expect(callRuntimeControl(dir, "kill-agent", { node: "nope" })).rejects.toMatchObject({
      code: "EMU_ERR_RUNTIME_UNKNOWN_NODE",
      status: 404,
    });
    await expect(callRuntimeControl(dir, "pause-agent", { node: "db" })).rejects.toMatchObject({
      code: "EMU_ERR_RUNTIME_BAD_REQUEST",
      message: "pause-agent: durationMs must be a duration in ms",
    });
    await expect(callRuntimeControl(dir, "kill-agent", {})).rejects.toMatchObject({
      code: "EMU_ERR_RUNTIME_BAD_REQUEST",
    });
  });

  it("says so when nothing listens, and close() removes the socket", async () => {
    await server.close();
    expect(existsSync(controlSocketPath(dir))).toBe(false);
    await expect(callRuntimeControl(dir, "restart-agent", { node: "db" })).rejects.toMatchObject({
      code: "EMU_ERR_RUNTIME_UNREACHABLE",
    });
  });
});

describe("vpcemu chaos process faults", () => {
  it("kill-agent, restart-agent, pause-agent and kill-controller reach the runtime", async () => {
    writeState();
    const rd = ["--runtime-dir", dir];
    expect(await main(["chaos", "kill-agent", "db", "--for", "10s", ...rd])).toBe(0);
    expect(await main(["chaos", "kill-agent", "db", ...rd])).toBe(0);
    expect(await main(["chaos", "restart-agent", "db", ...rd])).toBe(0);
    expect(await main(["chaos", "pause-agent", "db", "--for", "1.5s", ...rd])).toBe(0);
    expect(await main(["chaos", "kill-controller", "--for", "0s", ...rd])).toBe(0);
    expect(calls).toEqual([
      "kill db 10000",
      "kill db 1000",
      "restart db",
      "pause db 1500",
      "kill-controller 0",
    ]);
    expect(out).toContain("killed the agent of db\n");
    expect(err).toBe("");
  });

  it("prints the runtime's code on a refusal (exit 1), usage errors exit 2", async () => {
    writeState();
    const rd = ["--runtime-dir", dir];
    expect(await main(["chaos", "pause-agent", "web", "--for", "5s", ...rd])).toBe(1);
    expect(err).toContain(
      "vpcemu chaos pause-agent: EMU_ERR_RUNTIME_ALREADY_PAUSED: already paused",
    );
    expect(await main(["chaos", "pause-agent", "db", ...rd])).toBe(2);
    expect(err).toContain("pause-agent needs --for D");
    expect(await main(["chaos", "pause-agent", "db", "--for", "5", ...rd])).toBe(2);
    expect(err).toContain("--for 5: a duration needs a unit");
    expect(await main(["chaos", "kill-agent", ...rd])).toBe(2);
    expect(err).toContain("kill-agent needs one NODE");
  });

  it("refuses without a runtime, or with one from an older vpcemu", async () => {
    expect(await main(["chaos", "kill-agent", "db", "--runtime-dir", dir])).toBe(1);
    expect(err).toContain("no local runtime");
    writeState(false);
    expect(await main(["chaos", "kill-agent", "db", "--runtime-dir", dir])).toBe(1);
    expect(err).toContain("takes no process faults");
  });
});
