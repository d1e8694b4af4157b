/**
 * Issue 9 "Done when": docs/chaos.md's recipes run as written. Each row of its recipe table
 * (`<!-- recipes: two-tier -->`) and each `<!-- example: NAME -->` sh block runs verbatim in bash
 * (`vpcemu` on PATH) against a local runtime of examples/two-tier.yaml started as a user would
 * (`vpcemu up -f ...`, a separate process), then the test checks with real traffic that the
 * recipe does what its row says, and clears every fault before the next one.
 *
 *   internet 198.51.100.10 --> web 10.0.1.10 (web-sg: 80, 443)      all in us-east-1a
 *                              at web's public IP (igw route, IGW-5, RT-17)
 *                              web --> db 10.0.2.20 (db-sg: 3306 from web-sg)
 *   servers: web http :80 and :443 (a 125 KB page), db tcp echo :3306
 *   (namespaces vpcemu-tcd<pid>-*, runtime dir and controller port of its own)
 *
 * Needs root, /dev/net/tun and iproute2 (fails naming what is missing, never skips).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DescribeInstancesCommand, EC2Client } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Probes, type ProbeResult } from "../../../cli/runtime/probes.js";
import { TWO_TIER_EXAMPLE, VPCEMU_BIN } from "../../../cli/runtime/paths.js";
import { readRuntimeState, type RuntimeState } from "../../../cli/runtime/runtime-state.js";
import {
  examplesOf,
  extractDocBlocks,
  extractRecipes,
  shellCommands,
  unmarkedBlocks,
} from "../../e2e/helpers/doc-blocks.js";
import {
  REPO_ROOT,
  runShellCommands,
  transcript,
  type ShellCommandResult,
} from "../../e2e/helpers/run-doc-example.js";
import { requireNetnsPrerequisites } from "../../helpers/prerequisites.js";
import { waitUntil } from "../../helpers/wait-until.js";

const DOC = readFileSync(join(REPO_ROOT, "docs", "chaos.md"), "utf8");
const RECIPES = extractRecipes(DOC, "two-tier");
const EXAMPLES = examplesOf(extractDocBlocks(DOC), "sh");

const dir = mkdtempSync(join(tmpdir(), "vpcemu-chaos-docs-"));
const PREFIX = `vpcemu-tcd${process.pid}-`;
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
let probes: Probes;
const WEB = "10.0.1.10";
const DB = "10.0.2.20";
/** web's public IP (DescribeInstances): where the internet node reaches web (IGW-5, RT-17). */
let webPublic = "";
// Why 125 KB: one argv string holds at most 128 KiB (MAX_ARG_STRLEN).
const BIG_PAGE = "x".repeat(125_000);

/** Runs `vpcemu ARGS` for the test's own checks (not part of any recipe). */
function vpcemu(args: string[], timeoutMs = 30_000): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [VPCEMU_BIN, ...args], {
    env,
    encoding: "utf8",
    timeout: timeoutMs,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Runs doc commands verbatim in one bash from the repository root. */
async function runDoc(
  commands: readonly string[],
  timeoutMs = 90_000,
): Promise<ShellCommandResult[]> {
  const { results, raw } = await runShellCommands(commands, { cwd: REPO_ROOT, env, timeoutMs });
  expect(results.length, `${transcript(results)}\n${JSON.stringify(raw)}`).toBe(commands.length);
  return results;
}

const get = async <T>(path: string): Promise<T> =>
  (await (
    await fetch(`${state.controllerUrl}${path}`, { signal: AbortSignal.timeout(3000) })
  ).json()) as T;

/** Until the controller answers and every agent of the runtime enforces its revision. */
async function settle(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const r = await get<{ enforced: boolean; agents: unknown[]; revision: number }>(
        "/v1/revision",
      );
      if (r.enforced && r.agents.length === state.nodes.length) return;
      last = JSON.stringify(r);
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`runtime did not settle: ${last}`);
    await sleep(200);
  }
}

interface FaultCounters {
  matched: number;
  dropped: number;
  duplicated: number;
}

/** The counters of the only fault stored. */
async function counters(): Promise<FaultCounters> {
  const { faults } = await get<{ faults: { counters: FaultCounters }[] }>("/v1/faults");
  expect(faults.length).toBe(1);
  return faults[0]!.counters;
}

/** Tracked flows web -> db:3306 in db's table that are still in the handshake. */
function dbHandshakes(): number {
  const r = vpcemu(["conntrack", "db", "-o", "json"]);
  expect(r.code, r.out).toBe(0);
  const enis = JSON.parse(r.out) as {
    entries: { state: string; original: { src: string; dstPort: number } }[];
  }[];
  return enis
    .flatMap((e) => e.entries)
    .filter((e) => e.original.src === WEB && e.original.dstPort === 3306 && /^SYN/.test(e.state))
    .length;
}

const webToDb = (timeoutMs = 1500) => probes.tcpRequest("web", DB, 3306, timeoutMs);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function rtts(n: number, probe: () => Promise<ProbeResult>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await probe();
    expect(r.ok, JSON.stringify(r)).toBe(true);
    ms.push(r.ms!);
  }
  return median(ms);
}

/** What each recipe's row says, checked with traffic: `before` runs before the command. */
interface RecipeCheck {
  before?(): Promise<unknown>;
  after(before: unknown, output: string): Promise<void>;
}

const CHECKS: Record<string, RecipeCheck> = {
  "slow database": {
    before: async () => rtts(3, () => webToDb()),
    async after(before) {
      // The SYN and the request line each wait 100 ms on their way to db:3306.
      const slow = await rtts(3, () => webToDb(3000));
      expect(slow).toBeGreaterThanOrEqual((before as number) + 150);
      const web = await rtts(3, () => probes.httpGet("internet", webPublic, 80, 3000));
      expect(web).toBeLessThan(slow - 100);
    },
  },
  "flaky link": {
    async after() {
      const deadline = Date.now() + 60_000;
      let c = await counters();
      while (c.dropped === 0 && Date.now() < deadline) {
        await webToDb(3000);
        await sleep(200);
        c = await counters();
      }
      expect(c.matched).toBeGreaterThan(0);
      expect(c.dropped).toBeGreaterThan(0);
    },
  },
  "db port closed": {
    async after() {
      const t0 = performance.now();
      const r = await webToDb(3000);
      expect(r).toMatchObject({ ok: false, error: "ECONNREFUSED" });
      expect(performance.now() - t0).toBeLessThan(2500); // at once, not after the 3 s timeout
    },
  },
  "thin pipe": {
    before: async () => {
      const r = await probes.httpGet("internet", webPublic, 443, 20_000);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      return r.ms!;
    },
    async after(before) {
      // 125 KB = 1 Mbit: a second at 1 Mbit/s.
      const r = await probes.httpGet("internet", webPublic, 443, 30_000);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      expect(r.ms!).toBeGreaterThanOrEqual(800);
      expect(r.ms!).toBeGreaterThan((before as number) + 500);
    },
  },
  "AZ outage": {
    async after() {
      expect(await probes.httpGet("internet", webPublic, 80, 1500)).toMatchObject({ ok: false });
      expect(await webToDb()).toMatchObject({ ok: false, error: "timeout" });
    },
  },
  "asymmetric partition": {
    before: async () => dbHandshakes(),
    async after(before) {
      expect(await webToDb()).toMatchObject({ ok: false, error: "timeout" });
      // web's SYN reached db (tracked there); db's SYN-ACK is what the cut drops.
      expect(dbHandshakes()).toBeGreaterThan(before as number);
    },
  },
  "conntrack exhaustion": {
    before: async () => {
      const session = await probes.session("web", DB, 3306, 3000);
      expect(await session.send()).toMatchObject({ ok: true });
      return session;
    },
    async after(before) {
      const session = before as Awaited<ReturnType<Probes["session"]>>;
      try {
        expect(await webToDb()).toMatchObject({ ok: false, error: "timeout" });
        expect(await session.send()).toMatchObject({ ok: true }); // open flows go on (MET-1)
      } finally {
        await session.close();
      }
    },
  },
  "agent death": {
    async after() {
      const killedAt = Date.now();
      expect(await webToDb()).toMatchObject({ ok: false });
      let back: ProbeResult = { ok: false };
      while (!back.ok && Date.now() - killedAt < 45_000) back = await webToDb();
      expect(back.ok).toBe(true);
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(8_000); // down for --for 10s
    },
  },
};

beforeAll(async () => {
  requireNetnsPrerequisites();
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
  const deadline = Date.now() + 90_000;
  while (!upOutput.includes("vpcemu is up")) {
    if (up.exitCode !== null) throw new Error(`vpcemu up exited ${up.exitCode}:\n${upOutput}`);
    if (Date.now() > deadline) throw new Error(`vpcemu up did not come up in 90 s:\n${upOutput}`);
    await sleep(100);
  }
  state = readRuntimeState(dir)!;
  probes = new Probes((n) => state.nodes.find((x) => x.name === n)!.namespace);
  const ec2 = new EC2Client({
    endpoint: state.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  const described = await ec2.send(
    new DescribeInstancesCommand({ Filters: [{ Name: "tag:Name", Values: ["web"] }] }),
  );
  ec2.destroy();
  webPublic = described.Reservations![0]!.Instances![0]!.PublicIpAddress!;
  await probes.server("web", "http", 80);
  await probes.server("web", "http", 443, BIG_PAGE);
  await probes.server("db", "tcp", 3306);
  await settle();
}, 150_000);

afterAll(async () => {
  await probes?.stopAll();
  if (up && up.exitCode === null) {
    vpcemu(["down"], 60_000);
    if (up.exitCode === null) up.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
}, 90_000);

describe("docs/chaos.md", () => {
  it("marks every sh and ts block, and has a check for every recipe", () => {
    expect(unmarkedBlocks(extractDocBlocks(DOC), ["sh", "ts"])).toEqual([]);
    expect(RECIPES.map((r) => r.name)).toEqual(Object.keys(CHECKS));
    expect([...EXAMPLES.keys()]).toEqual(["manage", "process"]);
  });

  for (const recipe of RECIPES) {
    it(
      `recipe '${recipe.name}' runs as written and does what its row says`,
      { timeout: 180_000 },
      async () => {
        const check = CHECKS[recipe.name]!;
        const before = await check.before?.();
        try {
          const [result] = await runDoc([recipe.command]);
          expect(result!.exitCode, transcript([result!])).toBe(0);
          if (
            recipe.command.startsWith("vpcemu chaos add") ||
            recipe.command.includes(" partition ")
          ) {
            expect(result!.output).toMatch(/^flt-[0-9a-f]{17}$/m);
          }
          await check.after(before, result!.output);
        } finally {
          const cleared = vpcemu(["chaos", "clear"]);
          expect(cleared.code, cleared.out).toBe(0);
          await settle();
        }
      },
    );
  }

  it("'manage' adds, lists, shows, removes and clears", { timeout: 120_000 }, async () => {
    const results = await runDoc(shellCommands(EXAMPLES.get("manage")!));
    expect(
      results.map((r) => r.exitCode),
      transcript(results),
    ).toEqual(results.map(() => 0));
    expect(results[1]!.output).toMatch(
      /^flt-[0-9a-f]{17}\s+active\s+sg-\S+\s+->\s+sg-\S+\s+delay 20ms ±5ms/m,
    );
    expect(JSON.parse(results[2]!.output)).toMatchObject({ faults: [{ state: "active" }] });
    expect(results[3]!.output).toMatch(/^fault\s+flt-/m);
    expect(results[4]!.output).toMatch(/^flt-[0-9a-f]{17}$/m);
    expect(results[5]!.output).toBe("removed 0 faults");
  });

  it(
    "'process' pauses, restarts and kills; the runtime recovers",
    { timeout: 180_000 },
    async () => {
      const results = await runDoc(shellCommands(EXAMPLES.get("process")!));
      expect(
        results.map((r) => r.exitCode),
        transcript(results),
      ).toEqual([0, 0, 0]);
      expect(results[0]!.output).toMatch(/^paused the agent of web/);
      expect(results[1]!.output).toMatch(/^restarted the agent of db: pid \d+ -> \d+, ready/);
      expect(results[2]!.output).toMatch(/^killed the controller \(pid \d+, SIGKILL\)/);
      // The pause (--for 3s) is over once web's agent runs again, not after a guessed 3 s;
      // settle() then waits for the restarted controller and every agent to enforce.
      const webAgent = readRuntimeState(dir)!.nodes.find((n) => n.name === "web")!.agentPid!;
      await waitUntil(
        "web's agent to be resumed (SIGCONT)",
        () => !stoppedProcess(webAgent),
        30_000,
        100,
      );
      await settle();
      expect(await webToDb(3000)).toMatchObject({ ok: true });
      expect(await probes.httpGet("internet", webPublic, 80, 3000)).toMatchObject({ ok: true });
    },
  );
});

/** True while `pid` is stopped (SIGSTOP): state T in /proc/PID/stat. */
function stoppedProcess(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
