import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { helpText, main, version } from "../../../cli/main.js";

let out = "";
let err = "";

beforeEach(() => {
  out = "";
  err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => ((err += String(s)), true));
});
afterEach(() => vi.restoreAllMocks());

describe("vpcemu main", () => {
  it("lists every command in --help", async () => {
    expect(await main(["--help"])).toBe(0);
    for (const cmd of ["controller", "agent", "up", "down", "exec", "conntrack", "chaos", "demo"]) {
      expect(out).toMatch(new RegExp(`^  ${cmd} `, "m"));
    }
    expect(helpText()).toContain("Usage: vpcemu <command>");
  });

  it("prints the package version", async () => {
    expect(await main(["--version"])).toBe(0);
    expect(out).toBe(`vpcemu ${version()}\n`);
    expect(version()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("exits 2 on no command, an unknown command or an unknown option", async () => {
    expect(await main([])).toBe(2);
    expect(await main(["frobnicate"])).toBe(2);
    expect(err).toContain("vpcemu: unknown command 'frobnicate'");
    expect(await main(["--frobnicate"])).toBe(2);
    expect(err).toContain("vpcemu: unknown option '--frobnicate'");
    // Prototype names are unknown commands too (issue 14 item 4).
    for (const name of ["constructor", "__proto__", "toString", "hasOwnProperty"]) {
      expect(await main([name])).toBe(2);
      expect(err).toContain(`vpcemu: unknown command '${name}'`);
    }
  });

  it("exits 2 on a command's unknown flag or missing arguments", async () => {
    expect(await main(["exec", "--bogus", "web", "--", "true"])).toBe(2);
    expect(err).toContain("vpcemu exec: unknown option '--bogus'");
    expect(await main(["exec", "web"])).toBe(2);
    expect(err).toContain("expected NODE -- CMD");
    expect(await main(["conntrack", "-o", "yaml", "web"])).toBe(2);
    expect(err).toContain("-o must be 'json' or 'text'");
    expect(await main(["down", "--nope"])).toBe(2);
    expect(err).toContain("vpcemu down: Unknown option '--nope'");
  });

  it("exits 1 with a clear message when no runtime is running", async () => {
    const dir = `/tmp/vpcemu-unit-${process.pid}-none`;
    expect(await main(["exec", "--runtime-dir", dir, "web", "--", "true"])).toBe(1);
    expect(err).toContain(
      `no local runtime (${dir}/runtime.json does not exist): start one with 'vpcemu up'`,
    );
  });

  it("prints a command's help with --help and exits 0", async () => {
    expect(await main(["exec", "--help"])).toBe(0);
    expect(out).toContain("Usage: vpcemu exec");
    expect(await main(["conntrack", "-h"])).toBe(0);
    expect(out).toContain("Usage: vpcemu conntrack");
    expect(await main(["chaos", "--help"])).toBe(0);
    expect(out).toContain("Usage: vpcemu chaos <subcommand>");
    expect(await main(["chaos", "add", "-h"])).toBe(0);
  });

  it("exits 2 on chaos without a subcommand or with an unknown one", async () => {
    expect(await main(["chaos"])).toBe(2);
    expect(await main(["chaos", "explode"])).toBe(2);
    expect(err).toContain("vpcemu chaos: unknown subcommand 'explode'");
    for (const name of ["constructor", "__proto__", "valueOf"]) {
      expect(await main(["chaos", name])).toBe(2);
      expect(err).toContain(`vpcemu chaos: unknown subcommand '${name}'`);
    }
    expect(await main(["chaos", "ls", "--bogus"])).toBe(2);
    expect(err).toContain("Unknown option '--bogus'");
    expect(await main(["chaos", "show"])).toBe(2);
    expect(err).toContain("expected one fault ID");
    expect(await main(["chaos", "ls", "-o", "yaml"])).toBe(2);
    expect(err).toContain("-o yaml: must be 'json' or 'text'");
  });
});

describe("vpcemu up with a broken topology file", () => {
  it("exits 1 naming file, line and field, before starting anything", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "vpcemu-unit-up-"));
    try {
      const file = join(dir, "bad.yaml");
      writeFileSync(file, "vpcs:\n  - name: main\n    cidr: 10.0.0.0/8\n");
      expect(await main(["up", "-f", file, "--runtime-dir", dir])).toBe(1);
      expect(err).toContain(
        `${file}:3: vpcs[0].cidr: expected an IPv4 CIDR from /16 to /28, got '10.0.0.0/8'`,
      );
      expect(await main(["up", "--bogus"])).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
