/**
 * docs/observability.md "Capture" runs as written: its `capture`, `capture-errors` and
 * `capture-api` sh blocks run verbatim in bash (`vpcemu` on PATH) against a local runtime of
 * examples/two-tier.yaml started as a user would (`vpcemu up -f ...`, a separate process), and
 * the test checks what the page says they show: db's dropped pings and accepted MySQL SYN with
 * their verdict comments, the Geneve underlay decoded by tshark with vpcemu's ENI options, the
 * precise errors of bad input, and the JSON API's answers.
 *
 *   web 10.0.1.10 (web-sg) --> db 10.0.2.20 (db-sg: tcp 3306 from web-sg only)
 *   (namespaces vpcemu-tcap<pid>-*, runtime dir and controller port of its own)
 *
 * Needs root, /dev/net/tun, iproute2 and tshark (fails naming what is missing, never skips).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TWO_TIER_EXAMPLE, VPCEMU_BIN } from "../../../cli/runtime/paths.js";
import { readRuntimeState, type RuntimeState } from "../../../cli/runtime/runtime-state.js";
import { examplesOf, extractDocBlocks, shellCommands } from "../../e2e/helpers/doc-blocks.js";
import {
  REPO_ROOT,
  runShellCommands,
  transcript,
  type ShellCommandResult,
} from "../../e2e/helpers/run-doc-example.js";
import { requireNetnsPrerequisites } from "../../helpers/prerequisites.js";
import { requireTshark } from "../../helpers/tshark.js";
import { waitUntil } from "../../helpers/wait-until.js";

const DOC = readFileSync(join(REPO_ROOT, "docs", "observability.md"), "utf8");
const EXAMPLES = examplesOf(extractDocBlocks(DOC), "sh");

const dir = mkdtempSync(join(tmpdir(), "vpcemu-capture-docs-"));
const PREFIX = `vpcemu-tcap${process.pid}-`;
const binDir = join(dir, "bin");
const env: NodeJS.ProcessEnv = {
  ...process.env,
  VPCEMU_RUNTIME_DIR: dir,
  PATH: `${binDir}:${process.env.PATH ?? ""}`,
};
delete env.VPCEMU_ENDPOINT;

let up: ChildProcess | undefined;
let upOutput = "";
let state: RuntimeState;

async function runDoc(name: string, timeoutMs = 90_000): Promise<ShellCommandResult[]> {
  const code = EXAMPLES.get(name);
  if (code === undefined) throw new Error(`docs/observability.md has no example '${name}'`);
  const commands = shellCommands(code);
  const { results, raw } = await runShellCommands(commands, { cwd: REPO_ROOT, env, timeoutMs });
  expect(results.length, `${transcript(results)}\n${JSON.stringify(raw)}`).toBe(commands.length);
  return results;
}

/** tshark's field rows (its warning about running as root left out). */
function rowsOf(output: string): string[][] {
  return output
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("Running as user"))
    .map((l) => l.split("\t"));
}

/** Until every agent of the runtime enforces the controller's revision. */
async function settle(): Promise<void> {
  await waitUntil(
    "the runtime's agents to enforce the revision",
    async () => {
      try {
        const r = (await (await fetch(`${state.controllerUrl}/v1/revision`)).json()) as {
          enforced: boolean;
          agents: unknown[];
        };
        return r.enforced && r.agents.length === state.nodes.length;
      } catch {
        return false;
      }
    },
    60_000,
    100,
  );
}

beforeAll(async () => {
  requireNetnsPrerequisites(["ping", "bash", "curl"]);
  requireTshark();
  mkdirSync(binDir);
  const shim = join(binDir, "vpcemu");
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${VPCEMU_BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  up = spawn(
    process.execPath,
    [
      VPCEMU_BIN,
      "up",
      "-f",
      TWO_TIER_EXAMPLE,
      "--listen",
      "127.0.0.1:0",
      "--namespace-prefix",
      PREFIX,
    ],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  up.stdout!.setEncoding("utf8").on("data", (d: string) => (upOutput += d));
  up.stderr!.setEncoding("utf8").on("data", (d: string) => (upOutput += d));
  await waitUntil(
    "vpcemu up to come up",
    () => {
      if (up!.exitCode !== null) throw new Error(`vpcemu up exited ${up!.exitCode}:\n${upOutput}`);
      return upOutput.includes("vpcemu is up");
    },
    90_000,
    100,
  );
  state = readRuntimeState(dir)!;
  await settle();
}, 150_000);

afterAll(async () => {
  if (up && up.exitCode === null) {
    spawnSync(process.execPath, [VPCEMU_BIN, "down"], { env, timeout: 60_000 });
    if (up.exitCode === null) up.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
  for (const f of ["db.pcapng", "db-capture.log", "internet.pcapng", "never.pcapng"]) {
    rmSync(join("/tmp", f), { force: true });
  }
}, 90_000);

describe("docs/observability.md Capture", () => {
  it("'capture' writes db's verdicts and the Geneve underlay that tshark reads (CAP-1, CAP-2, CAP-4)", async () => {
    const results = await runDoc("capture");
    const out = transcript(results);
    // ping exits 1 (every echo dropped), bash 1 (db resets the connection); the rest 0.
    expect(
      results.map((r) => r.exitCode),
      out,
    ).toEqual([0, 0, 0, 1, 1, 0, 0, 0]);
    const eni = rowsOf(results[6]!.output);
    const db = state.nodes.find((n) => n.name === "db")!;
    const dbEni = eni[0]![0]!;
    expect(dbEni).toMatch(/^eni-[0-9a-f]+$/);
    const pings = eni.filter((r) => r[3]?.startsWith("verdict=drop reason=sg_no_match"));
    expect(pings.length, out).toBe(2);
    for (const p of pings) {
      expect(p.slice(0, 3)).toEqual([dbEni, "10.0.1.10", "10.0.2.20"]);
      expect(p[3]).toMatch(
        /^verdict=drop reason=sg_no_match dir=ingress groups=\[sg-[0-9a-f]+\] (nacl=acl-[0-9a-f]+ )?nacl_rule=100 conntrack=none$/,
      );
    }
    expect(
      eni.some(
        (r) =>
          r[1] === "10.0.1.10" &&
          /^verdict=accept reason=sg_rule dir=ingress sg_rule=sgr-[0-9a-f]+ .*conntrack=new$/.test(
            r[3] ?? "",
          ),
      ),
      out,
    ).toBe(true);
    expect(
      eni.some(
        (r) =>
          r[1] === "10.0.2.20" &&
          /^verdict=accept reason=conntrack_established dir=egress .*conntrack=established$/.test(
            r[3] ?? "",
          ),
      ),
      out,
    ).toBe(true);
    expect(results[5]!.output).toMatch(/capturing db .*\n\d+ packets captured/);
    // The underlay: Geneve in from web's agent, out to it; options decode as web's and db's ENIs.
    const underlay = rowsOf(results[7]!.output);
    expect(underlay.length, out).toBeGreaterThanOrEqual(4);
    const hex = (s: string): string =>
      Buffer.from(s.padEnd((s.length + 3) & ~3, "\0"), "latin1").toString("hex");
    const incoming = underlay.filter((r) => r[0]!.startsWith("underlay in from="));
    expect(incoming.length, out).toBeGreaterThanOrEqual(3);
    for (const r of incoming) {
      expect(r[1]).toMatch(/^0x[0-9a-f]{6}$/);
      expect(r[2]!.split(",")[1]).toBe(hex(dbEni));
      expect(r[3]).toMatch(/^127\.\d+\.\d+\.\d+,10\.0\.2\.20$/);
    }
    expect(db.instanceId).toBeDefined();
  }, 120_000);

  it("'capture-errors' answers bad input precisely and starts nothing (CAP-6)", async () => {
    const results = await runDoc("capture-errors");
    expect(results.map((r) => [r.exitCode, r.output])).toEqual([
      [2, "vpcemu capture: --filter 'tcp port': can't parse filter expression: syntax error"],
      [1, "vpcemu capture: unknown node 'nosuch' (nodes: internet, web, db)"],
    ]);
    const running = (await (await fetch(`${state.controllerUrl}/v1/captures`)).json()) as {
      captures: unknown[];
    };
    expect(running.captures).toEqual([]);
  });

  it("'capture-api' shows the JSON API's errors and a pcapng answer (CAP-6)", async () => {
    const results = await runDoc("capture-api");
    const out = transcript(results);
    expect(
      results.map((r) => r.exitCode),
      out,
    ).toEqual([0, 0, 0, 0]);
    expect(JSON.parse(results[1]!.output)).toEqual({
      code: "EMU_ERR_API_CAPTURE_TARGET",
      message: expect.stringMatching(
        /^No connected agent hosts instance 'i-0123456789abcdef0'\. Agents: .*internet \(ext:internet\)/,
      ),
    });
    expect(JSON.parse(results[2]!.output)).toEqual({
      code: "EMU_ERR_API_CAPTURE_REFUSED",
      message:
        "Agent 'internet' refused the capture: capture filter 'host 10.0.300.1': invalid IPv4 address '10.0.300.1'",
    });
    expect(results[3]!.output.trim()).toBe("Content-Type: application/x-pcapng");
    const info = spawnSync("capinfos", ["/tmp/internet.pcapng"], { encoding: "utf8" }).stdout;
    expect(info).toMatch(/Name = ext:internet/);
  }, 60_000);
});
