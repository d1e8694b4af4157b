/**
 * `vpcemu chaos run --nodes`: a bad nodes file or an experiment naming a node the file lacks is
 * refused with file:line (exit 2) before any Docker engine is asked.
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
  dir = mkdtempSync(join(tmpdir(), "vpcemu-chaos-run-nodes-"));
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const EXPERIMENT =
  "title: t\nhypothesis:\n  probes:\n    - { name: p, tcp: { from: web, to: db, port: 3306 } }\nmethod:\n  - kill-agent: { node: db }\n";

describe("vpcemu chaos run --nodes", () => {
  it("is in vpcemu chaos --help", async () => {
    expect(await main(["chaos", "--help"])).toBe(0);
    expect(out).toMatch(/^ {2}run EXPERIMENT\.yaml --nodes NODES\.json \[--out DIR\]/m);
  });

  it("names a nodes file it cannot read (exit 2)", async () => {
    const exp = join(dir, "exp.yaml");
    writeFileSync(exp, EXPERIMENT);
    const nodes = join(dir, "missing.json");
    expect(await main(["chaos", "run", exp, "--nodes", nodes])).toBe(2);
    expect(err).toMatch(/missing\.json:1: cannot read: ENOENT/);
  });

  it("names each unknown node at its line and a process fault without agent (exit 2)", async () => {
    const exp = join(dir, "exp.yaml");
    writeFileSync(exp, EXPERIMENT);
    const nodes = join(dir, "nodes.json");
    writeFileSync(
      nodes,
      JSON.stringify({ nodes: { db: { container: "x", address: "10.0.2.20" } } }),
    );
    expect(await main(["chaos", "run", exp, "--nodes", nodes])).toBe(2);
    expect(err).toContain(`${exp}:4: hypothesis.probes[0]: unknown node 'web' (${nodes} has: db)`);
    expect(err).toContain(
      `${exp}:6: method[0]: kill-agent: node 'db' has no agent container in ${nodes} (add "agent")`,
    );
  });
});
