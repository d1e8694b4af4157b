/**
 * `vpcemu up --agent-processes N|per-node` (docs/local-runtime.md "Agent processes") and
 * `vpcemu agent-host`, which only `up` starts (it takes its nodes over an IPC channel).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../../cli/main.js";
import { parseAgentProcesses } from "../../../../cli/runtime/local-runtime.js";

let out = "";
let err = "";

beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe("--agent-processes", () => {
  it("takes a count of host processes, or per-node (0) for one agent process per node", () => {
    expect(parseAgentProcesses("2")).toBe(2);
    expect(parseAgentProcesses("1")).toBe(1);
    expect(parseAgentProcesses("0")).toBe(0);
    expect(parseAgentProcesses("per-node")).toBe(0);
  });

  it.each(["two", "-1", "1.5", "", "2000"])(
    "refuses '%s' with a message naming the option",
    (v) => {
      expect(() => parseAgentProcesses(v)).toThrow(
        `--agent-processes must be a number of processes (0-1024) or 'per-node', got '${v}'`,
      );
    },
  );

  it("vpcemu up exits 2 on a bad value, before touching anything, and documents the option", async () => {
    expect(await main(["up", "--agent-processes", "many"])).toBe(2);
    expect(err).toContain("--agent-processes must be a number of processes");
    expect(await main(["up", "--help"])).toBe(0);
    expect(out).toContain("--agent-processes N");
  });
});

describe("vpcemu agent-host", () => {
  it("is listed, and refuses to run without the IPC channel of 'vpcemu up' (exit 2)", async () => {
    expect(await main(["--help"])).toBe(0);
    expect(out).toMatch(/^ {2}agent-host /m);
    expect(await main(["agent-host"])).toBe(2);
    expect(err).toContain("takes its nodes from 'vpcemu up' over an IPC channel");
  });
});
