/**
 * `vpcemu explain` argv handling (docs/observability.md "Explain", EXP-6): usage errors exit 2,
 * a missing controller or runtime exits 1 naming what is missing; nothing is sent.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../../cli/main.js";

let dir: string;
let out = "";
let err = "";

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-explain-"));
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});

afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe("vpcemu explain (argv)", () => {
  it("prints its usage with -h", async () => {
    expect(await main(["explain", "-h"])).toBe(0);
    expect(out).toContain("Usage: vpcemu explain");
  });

  it.each([
    [["explain"], "expected SRC and DST"],
    [["explain", "web"], "expected SRC and DST"],
    [["explain", "web", "db:1/tcp", "extra"], "expected SRC and DST"],
    [["explain", "-o", "yaml", "web", "db:1/tcp"], "-o must be 'json' or 'text'"],
    [["explain", "--nosuch", "web", "db:1/tcp"], "Unknown option '--nosuch'"],
  ])("refuses %j as a usage error (exit 2)", async (argv, message) => {
    expect(await main(argv)).toBe(2);
    expect(err).toContain(message);
  });

  it("names the missing controller when there is no runtime and no --endpoint (exit 1)", async () => {
    expect(await main(["explain", "--runtime-dir", dir, "web", "db:1/tcp"])).toBe(1);
    expect(err).toContain("no controller: give --endpoint URL or start a local runtime");
  });

  it("refuses --probe without a local runtime, before asking the controller (exit 1)", async () => {
    const argv = ["explain", "--runtime-dir", dir, "--endpoint", "http://127.0.0.1:9"];
    expect(await main([...argv, "--probe", "web", "db:1/tcp"])).toBe(1);
    expect(err).toContain(
      "--probe sends a real packet inside the local runtime, and there is none",
    );
  });
});
