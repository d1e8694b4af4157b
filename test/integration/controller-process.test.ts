/**
 * The local runtime's controller supervisor (cli/runtime/controller-process.ts) on a real
 * `vpcemu controller` child process: a kill is a SIGKILL and the controller comes back on the same
 * URL with its state file after the downtime; a controller that dies unasked is started again; a
 * stop is a clean one. Loopback only, no root.
 *
 *   ControllerProcess --spawn--> node bin/vpcemu.js controller --listen 127.0.0.1:0 --state FILE
 *        ^ IPC "listening" (then dropped)           (logs/controller.log)
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControllerProcess } from "../../cli/runtime/controller-process.js";
import { processAlive } from "../../cli/runtime/runtime-state.js";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-ctlproc-"));
const logFile = join(dir, "controller.log");
const lines: string[] = [];
let starts = 0;
const controller = new ControllerProcess({
  listen: "127.0.0.1:0",
  statePath: join(dir, "state.db"),
  logFile,
  log: (l) => lines.push(l),
  onStart: () => starts++,
});

async function api<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${controller.url}${path}`, {
    ...init,
    signal: AbortSignal.timeout(5_000),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Polls until the controller answers again with a pid other than `old`. */
async function back(old: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pid = controller.pid;
    if (pid !== undefined && pid !== old) {
      await api("/v1/revision");
      return pid;
    }
    if (Date.now() > deadline) throw new Error(`not back: ${lines.join("\n")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  await controller.start();
}, 90_000);

afterAll(async () => {
  await controller.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("ControllerProcess", () => {
  it("kill() SIGKILLs it; after the downtime it answers on the same URL with its state", async () => {
    const url = controller.url;
    const fault = await api<{ faultId: string }>("/v1/faults", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        from: ["10.9.0.0/16"],
        to: ["10.8.0.0/16"],
        effects: { blackhole: true },
      }),
    });
    const { revision } = await api<{ revision: number }>("/v1/revision");
    const pid = controller.pid!;
    const killed = await controller.kill(300);
    expect(killed).toMatchObject({ pid, how: "SIGKILL" });
    expect(processAlive(pid)).toBe(false);
    expect(controller.pid).toBeUndefined();
    expect(controller.downUntilMs).toBe(killed.untilMs);
    await expect(fetch(`${url}/v1/revision`)).rejects.toThrow();

    const newPid = await back(pid);
    expect(controller.url).toBe(url);
    expect(await api("/v1/revision")).toMatchObject({ revision });
    expect(await api(`/v1/faults/${fault.faultId}`)).toMatchObject({ faultId: fault.faultId });
    expect(newPid).not.toBe(pid);
    expect(starts).toBe(2);
    // The killed process never logged a stop.
    expect(readFileSync(logFile, "utf8")).not.toContain("vpcemu controller: stopping");
  }, 90_000);

  it("starts a controller that died unasked again, and stops it cleanly", async () => {
    const pid = controller.pid!;
    process.kill(pid, "SIGKILL");
    await back(pid);
    expect(lines.join("\n")).toMatch(/controller exited \(SIGKILL\); starting it again in 1 s/);
    const last = controller.pid!;
    await controller.stop();
    expect(processAlive(last)).toBe(false);
    expect(readFileSync(logFile, "utf8")).toContain("vpcemu controller: stopping");
  }, 90_000);
});
