import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_ENDPOINT, resolveEndpoint } from "../../../../cli/commands/chaos.js";
import { writeRuntimeState } from "../../../../cli/runtime/runtime-state.js";
import { UnitError } from "../../../../cli/chaos/units.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-endpoint-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const runtimeAt = (pid: number) =>
  writeRuntimeState(dir, {
    version: 1,
    pid,
    startedAt: "2026-01-01T00:00:00.000Z",
    controllerUrl: "http://127.0.0.1:40001",
    ec2Endpoint: "http://127.0.0.1:40001",
    namespacePrefix: "vpcemu-",
    nodes: [],
  });

describe("vpcemu chaos: which controller", () => {
  it("takes --endpoint first, then $VPCEMU_ENDPOINT", () => {
    runtimeAt(process.pid);
    const values = { endpoint: "http://10.9.8.7:4566/", "runtime-dir": dir };
    expect(resolveEndpoint(values, { VPCEMU_ENDPOINT: "http://other:1" })).toBe(
      "http://10.9.8.7:4566",
    );
    expect(resolveEndpoint({ "runtime-dir": dir }, { VPCEMU_ENDPOINT: "http://other:1" })).toBe(
      "http://other:1",
    );
  });

  it("uses the running local runtime's controller, else 127.0.0.1:4566", () => {
    expect(resolveEndpoint({ "runtime-dir": dir }, {})).toBe(DEFAULT_ENDPOINT);
    runtimeAt(process.pid);
    expect(resolveEndpoint({ "runtime-dir": dir }, {})).toBe("http://127.0.0.1:40001");
    runtimeAt(2 ** 22 + 12345); // a pid no process has: the runtime is gone
    expect(resolveEndpoint({ "runtime-dir": dir }, {})).toBe(DEFAULT_ENDPOINT);
  });

  it("refuses an endpoint that is not an http(s) URL, naming it", () => {
    expect(() => resolveEndpoint({ endpoint: "127.0.0.1:4566" }, {})).toThrow(UnitError);
    expect(() => resolveEndpoint({ endpoint: "ftp://h/" }, {})).toThrow(
      "--endpoint ftp://h/: expected an http:// or https:// URL",
    );
  });
});
