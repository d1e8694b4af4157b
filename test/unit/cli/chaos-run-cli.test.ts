/**
 * `vpcemu chaos run` on the command line: in --help, usage errors (exit 2), an invalid experiment
 * file reported with file:line before anything runs (exit 2), and no runtime named clearly.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../../cli/main.js";

let out = "";
let err = "";
let dir: string;

beforeEach(() => {
  out = "";
  err = "";
  dir = mkdtempSync(join(tmpdir(), "vpcemu-chaos-run-"));
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

describe("vpcemu chaos run", () => {
  it("is in vpcemu chaos --help", async () => {
    expect(await main(["chaos", "--help"])).toBe(0);
    expect(out).toMatch(/^ {2}run EXPERIMENT\.yaml \[--out DIR\]/m);
  });

  it("needs exactly one file", async () => {
    expect(await main(["chaos", "run"])).toBe(2);
    expect(err).toContain("run needs one EXPERIMENT.yaml");
    expect(await main(["chaos", "run", "a.yaml", "--bogus"])).toBe(2);
  });

  it("refuses an invalid file with its line, before looking for a runtime (exit 2)", async () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      "title: t\nhypothesis:\n  probes:\n    - { name: p, tcp: { from: web } }\n",
    );
    expect(await main(["chaos", "run", file, "--runtime-dir", dir])).toBe(2);
    expect(err).toContain(`${file}:4: hypothesis.probes[0].tcp.to: required field missing`);
    expect(await main(["chaos", "run", join(dir, "missing.yaml"), "--runtime-dir", dir])).toBe(2);
    expect(err).toMatch(/missing\.yaml:1: cannot read: ENOENT/);
  });

  it("names the missing local runtime", async () => {
    const file = join(dir, "ok.yaml");
    writeFileSync(
      file,
      "title: t\nhypothesis:\n  probes:\n    - { name: p, icmp: { from: web, to: db } }\n",
    );
    expect(await main(["chaos", "run", file, "--runtime-dir", dir])).toBe(1);
    expect(err).toContain(`no local runtime (${join(dir, "runtime.json")} does not exist)`);
  });
});
