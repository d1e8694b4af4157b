/**
 * The installed package works (issue 8): `npm pack` (prepack builds dist/), the tarball installed
 * into an empty project from the npm cache the repository's own install filled, then the
 * installed `vpcemu` runs every command's --help, `vpcemu controller` answers the EC2 API, and
 * `vpcemu/testcontainers` imports, with neither tsx nor TypeScript in the consumer's tree. Also:
 * the checkout's bin runs the sources whatever dist/ holds, and VPCEMU_DIST=1 refuses a stale
 * dist/.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, "..", "..");
const NPM_ENV = { ...process.env, npm_config_audit: "false", npm_config_fund: "false" };

let work: string;
let project: string;
let bin: string;
let controller: ChildProcess | undefined;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "vpcemu-pack-"));
  const { stdout } = await run("npm", ["pack", "--pack-destination", work], {
    cwd: REPO,
    env: NPM_ENV,
    maxBuffer: 64 * 1024 * 1024,
  });
  const tarball = stdout.trim().split("\n").pop()!;
  expect(tarball).toMatch(/^vpcemu-.*\.tgz$/);
  project = join(work, "consumer");
  mkdirSync(project);
  writeFileSync(
    join(project, "package.json"),
    JSON.stringify({ name: "consumer", version: "1.0.0", private: true, type: "module" }),
  );
  // --prefer-offline: every dependency is in the npm cache `npm ci` filled for the checkout.
  await run("npm", ["install", join(work, tarball), "--prefer-offline"], {
    cwd: project,
    env: NPM_ENV,
    maxBuffer: 64 * 1024 * 1024,
  });
  bin = join(project, "node_modules", ".bin", "vpcemu");
}, 900_000);

afterAll(() => {
  controller?.kill("SIGKILL");
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("the packed and installed package (issue 8)", () => {
  it("ships a complete dist/ and needs neither tsx nor TypeScript at run time", () => {
    const pkg = join(project, "node_modules", "vpcemu");
    expect(existsSync(join(pkg, "dist", "proto", "gen", "vpcemu.js"))).toBe(true);
    expect(existsSync(join(pkg, "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(pkg, "cli", "main.ts"))).toBe(false);
    const installed = readdirSync(join(project, "node_modules"));
    expect(installed).not.toContain("tsx");
    expect(installed).not.toContain("typescript");
  });

  it("runs `vpcemu --help` and every command's --help", async () => {
    const { stdout } = await run(bin, ["--help"], { cwd: project });
    const commands = stdout
      .split("Commands:\n")[1]!
      .split("\n\n")[0]!
      .split("\n")
      .map((l) => l.trim().split(/\s+/)[0]!);
    expect(commands).toEqual(expect.arrayContaining(["controller", "agent", "up", "demo"]));
    for (const command of commands) {
      const r = await run(bin, [command, "--help"], { cwd: project });
      expect(r.stdout, `vpcemu ${command} --help`).toMatch(/usage/i);
    }
  });

  it("starts `vpcemu controller` and answers the EC2 API", async () => {
    const proc = spawn(bin, ["controller", "--listen", "127.0.0.1:0", "--state", ":memory:"], {
      cwd: project,
      stdio: ["ignore", "pipe", "pipe"],
    });
    controller = proc;
    let out = "";
    const url = await new Promise<string>((ok, fail) => {
      proc.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) ok(m[1]!);
      });
      proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
      proc.on("exit", (code) => fail(new Error(`controller exited ${code}: ${out}`)));
    });
    const ec2 = new EC2Client({
      endpoint: url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    const vpcs = await ec2.send(new DescribeVpcsCommand({}));
    expect(Array.isArray(vpcs.Vpcs)).toBe(true);
    ec2.destroy();
    const exited = new Promise<number | null>((ok) => proc.on("exit", (code) => ok(code)));
    proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    controller = undefined;
  });

  it("imports vpcemu/testcontainers from the consumer project", async () => {
    const { stdout } = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        "const m = await import('vpcemu/testcontainers'); console.log(typeof m.VpcEmulatorContainer)",
      ],
      { cwd: project },
    );
    expect(stdout.trim()).toBe("function");
  });
});

describe("the checkout's bin (issue 8: a stale dist/ cannot break a development tree)", () => {
  it("runs the sources when dist/ is present", async () => {
    const { stdout } = await run(process.execPath, [join(REPO, "bin", "vpcemu.js"), "--version"]);
    expect(stdout).toMatch(/^vpcemu \d+\.\d+\.\d+/);
  });

  it("refuses VPCEMU_DIST=1 with a stale or missing build, naming the fix", async () => {
    const tree = mkdtempSync(join(tmpdir(), "vpcemu-stale-"));
    try {
      cpSync(join(REPO, "bin"), join(tree, "bin"), { recursive: true });
      mkdirSync(join(tree, "cli"));
      writeFileSync(join(tree, "cli", "main.ts"), "throw new Error('sources must not run');\n");
      const env = { ...process.env, VPCEMU_DIST: "1" };
      const missing = await run(process.execPath, [join(tree, "bin", "vpcemu.js")], { env }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/npm run build/) });
      mkdirSync(join(tree, "dist", "cli"), { recursive: true });
      writeFileSync(join(tree, "dist", "cli", "main.js"), "console.log('stale dist ran');\n");
      writeFileSync(join(tree, "dist", "BUILD.json"), JSON.stringify({ sourceDigest: "0" }));
      const stale = await run(process.execPath, [join(tree, "bin", "vpcemu.js")], { env }).catch(
        (e: { code: number; stderr: string }) => e,
      );
      expect(stale).toMatchObject({ code: 2, stderr: expect.stringMatching(/stale/) });
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
