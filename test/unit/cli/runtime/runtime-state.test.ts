import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  findNode,
  processAlive,
  readRuntimeState,
  removeRuntimeState,
  writeRuntimeState,
  type RuntimeState,
} from "../../../../cli/runtime/runtime-state.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const STATE: RuntimeState = {
  version: 1,
  pid: process.pid,
  startedAt: "2026-01-01T00:00:00.000Z",
  controllerUrl: "http://127.0.0.1:4566",
  ec2Endpoint: "http://127.0.0.1:4566/",
  namespacePrefix: "vpcemu-",
  nodes: [
    {
      name: "internet",
      namespace: "vpcemu-internet",
      addresses: ["198.51.100.10"],
      agentId: "internet",
      logFile: "/x",
    },
    {
      name: "web",
      instanceId: "i-0123456789abcdef0",
      namespace: "vpcemu-web",
      addresses: ["10.0.1.10"],
      publicIps: ["198.18.0.1"],
      agentId: "i-0123456789abcdef0",
      logFile: "/y",
    },
  ],
};

describe("runtime state file", () => {
  it("round-trips and is removed", () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcemu-state-"));
    dirs.push(dir);
    expect(readRuntimeState(dir)).toBeUndefined();
    writeRuntimeState(dir, STATE);
    expect(readRuntimeState(dir)).toEqual(STATE);
    removeRuntimeState(dir);
    expect(readRuntimeState(dir)).toBeUndefined();
  });

  it.each([
    ["web", "web"],
    ["i-0123456789abcdef0", "web"],
    ["internet", "internet"],
    ["10.0.1.10", "web"],
    ["198.18.0.1", "web"], // its public IP (IGW-5)
    ["vpcemu-web", "web"],
  ])("finds node %s", (ref, name) => {
    expect(findNode(STATE, ref)?.name).toBe(name);
  });

  it("finds nothing for an unknown node", () => {
    expect(findNode(STATE, "db")).toBeUndefined();
  });

  it("tells live processes from gone ones", () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(2 ** 22 + 12345)).toBe(false);
  });
});
