/**
 * Issue 12 item 3 / item 4: docs/experiments.md's commands run as written. Each `<!-- example:
 * NAME -->` sh block runs verbatim in bash (`vpcemu` on PATH) against a local runtime of
 * examples/two-tier.yaml started as a user would (`vpcemu up -f ...`, a separate process), and
 * the test checks what the doc says: `holds` exits 0 with every testcase passing and the fault
 * visible in the latency, `fails` exits 1 and its JUnit names the failing probe and phase, the
 * revoked rule is back. Then a run interrupted with SIGINT rolls back its fault and its EC2 rule.
 *
 *   internet 198.51.100.10 --> web 10.0.1.10 (web-sg: 80, 443)
 *                              web --> db 10.0.2.20 (db-sg: 3306 from web-sg)
 *   (namespaces vpcemu-exp<pid>-*, runtime dir and controller port of its own)
 *
 * Needs root, /dev/net/tun and iproute2 (fails naming what is missing, never skips).
 */
import {
  DescribeNetworkAclsCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
} from "@aws-sdk/client-ec2";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Journal } from "../../../cli/chaos/experiment-run.js";
import { deleteNamespace, listNamespaces } from "../../../cli/runtime/netns.js";
import { TWO_TIER_EXAMPLE, VPCEMU_BIN } from "../../../cli/runtime/paths.js";
import { readRuntimeState, type RuntimeState } from "../../../cli/runtime/runtime-state.js";
import {
  examplesOf,
  extractDocBlocks,
  shellCommands,
  unmarkedBlocks,
} from "../../e2e/helpers/doc-blocks.js";
import { REPO_ROOT, runShellCommands, transcript } from "../../e2e/helpers/run-doc-example.js";
import { requireNetnsPrerequisites } from "../../helpers/prerequisites.js";

const DOC = readFileSync(join(REPO_ROOT, "docs", "experiments.md"), "utf8");
const EXAMPLES = examplesOf(extractDocBlocks(DOC), "sh");

const dir = mkdtempSync(join(tmpdir(), "vpcemu-exp-docs-"));
const PREFIX = `vpcemu-exp${process.pid}-`;
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
let ec2: EC2Client;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" });

/** The doc's --out directories (written where the doc says; removed after the test). */
const OUT_DIRS = [...new Set([...DOC.matchAll(/--out (\/tmp\/[\w-]+)/g)].map((m) => m[1]!))];

function vpcemu(args: string[], timeoutMs = 30_000): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [VPCEMU_BIN, ...args], {
    env,
    encoding: "utf8",
    timeout: timeoutMs,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

async function runDoc(commands: readonly string[], timeoutMs = 120_000) {
  const { results, raw } = await runShellCommands(commands, { cwd: REPO_ROOT, env, timeoutMs });
  expect(results.length, `${transcript(results)}\n${JSON.stringify(raw)}`).toBe(commands.length);
  return results;
}

/**
 * GET on the controller. Why the one retry: `vpcemu(...)` runs the CLI with spawnSync, which
 * blocks this process's event loop (25 s for a `chaos run`); meanwhile the controller closes the
 * pooled keep-alive connection, and the first fetch after it can pick that dead socket before
 * the close is seen ("other side closed", UND_ERR_SOCKET). A fresh connection is the answer.
 */
const get = async <T>(path: string): Promise<T> => {
  const once = async () =>
    (await (
      await fetch(`${state.controllerUrl}${path}`, { signal: AbortSignal.timeout(3000) })
    ).json()) as T;
  try {
    return await once();
  } catch (err) {
    const code = (err as { cause?: { code?: string } }).cause?.code;
    if (code !== "UND_ERR_SOCKET") throw err;
    return once();
  }
};

async function settle(timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const r = await get<{ enforced: boolean; agents: unknown[] }>("/v1/revision");
      if (r.enforced && r.agents.length === state.nodes.length) return;
      last = JSON.stringify(r);
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`runtime did not settle: ${last}`);
    await sleep(200);
  }
}

async function dbSgIngress(): Promise<IpPermission[]> {
  const r = await ec2.send(
    new DescribeSecurityGroupsCommand({ Filters: [{ Name: "group-name", Values: ["db-sg"] }] }),
  );
  return r.SecurityGroups![0]!.IpPermissions ?? [];
}

interface JUnitCase {
  name: string;
  failure?: { message: string; "#text"?: string };
  skipped?: unknown;
}

function readReports(out: string): { journal: Journal; cases: JUnitCase[]; failures: number } {
  const journal = JSON.parse(readFileSync(join(out, "journal.json"), "utf8")) as Journal;
  const xml = readFileSync(join(out, "junit.xml"), "utf8");
  expect(XMLValidator.validate(xml)).toBe(true);
  const doc = parser.parse(xml) as {
    testsuites: { failures: string; testsuite: { testcase: JUnitCase | JUnitCase[] } };
  };
  const tc = doc.testsuites.testsuite.testcase;
  expect(XMLValidator.validate(readFileSync(join(out, "timeline.svg"), "utf8"))).toBe(true);
  return {
    journal,
    cases: Array.isArray(tc) ? tc : [tc],
    failures: Number(doc.testsuites.failures),
  };
}

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
  ec2 = new EC2Client({
    endpoint: state.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    maxAttempts: 1,
  });
  await settle();
}, 150_000);

afterAll(async () => {
  if (up && up.exitCode === null) {
    vpcemu(["down"], 60_000);
    if (up.exitCode === null) up.kill("SIGKILL");
  }
  // Why: a runtime killed mid-way leaves its namespaces; only ours carry this prefix.
  for (const ns of await listNamespaces(PREFIX).catch(() => [])) {
    await deleteNamespace(ns).catch(() => undefined);
  }
  rmSync(dir, { recursive: true, force: true });
  for (const out of OUT_DIRS) rmSync(out, { recursive: true, force: true });
}, 90_000);

describe("docs/experiments.md", () => {
  it("marks every sh block, shows the example file as it is, writes to /tmp", () => {
    expect(unmarkedBlocks(extractDocBlocks(DOC), ["sh", "ts"])).toEqual([]);
    expect([...EXAMPLES.keys()]).toEqual(["holds", "fails", "fis"]);
    const file = readFileSync(
      join(REPO_ROOT, "examples", "experiments", "slow-database.yaml"),
      "utf8",
    );
    expect(DOC).toContain(file.trimEnd());
    expect(OUT_DIRS).toEqual([
      "/tmp/slow-database",
      "/tmp/db-rule-revoked",
      "/tmp/fis-private-outage",
    ]);
  });

  it(
    "'holds' exits 0; every testcase passes; web -> db was slower while the fault was on",
    {
      timeout: 180_000,
    },
    async () => {
      const [r] = await runDoc(shellCommands(EXAMPLES.get("holds")!));
      expect(r!.exitCode, transcript([r!])).toBe(0);
      expect(r!.output).toMatch(/^hypothesis held$/m);
      const { journal, cases, failures } = readReports("/tmp/slow-database");
      expect(journal.outcome, journal.reason).toBe("held");
      expect(failures).toBe(0);
      expect(cases.map((c) => c.name)).toContain("web-to-db (during)");
      expect(cases).toHaveLength(5 * 3 + 2);
      // The fault: enforced, removed by the 'remove' step, no fault left behind.
      expect(journal.faults).toHaveLength(1);
      const fault = journal.faults[0]!;
      expect(fault.endT).toBeGreaterThan(fault.addedT);
      const slow = journal.samples.filter(
        (s) =>
          s.probe === "web-to-db" && s.t >= fault.addedT && s.t < fault.endT! - 500 && s.answered,
      );
      expect(slow.length, JSON.stringify(journal.samples)).toBeGreaterThan(0);
      // SYN, SYN-ACK, line, echo: each waits 100 ms (--both).
      expect(Math.max(...slow.map((s) => s.ms!))).toBeGreaterThanOrEqual(300);
      const after = journal.samples.filter((s) => s.probe === "web-to-db" && s.phase === "after");
      expect(Math.min(...after.map((s) => s.ms!))).toBeLessThan(300);
      const { faults } = await get<{ faults: unknown[] }>("/v1/faults");
      expect(faults).toEqual([]);
    },
  );

  it(
    "'fails' exits 1 naming web-to-db, its JUnit has the failure, the revoked rule is back",
    {
      timeout: 180_000,
    },
    async () => {
      const before = await dbSgIngress();
      const [r] = await runDoc(shellCommands(EXAMPLES.get("fails")!));
      expect(r!.exitCode, transcript([r!])).toBe(1);
      expect(r!.output).toMatch(
        /^FAILED probe 'web-to-db' during: \d+ of \d+ samples failed, first at \d{4}-\d\d-\d\dT[\d:.]+Z \(t\+[\d.]+s\): unreachable \(timeout\)$/m,
      );
      const { journal, cases, failures } = readReports("/tmp/db-rule-revoked");
      expect(journal.outcome).toBe("failed");
      expect(journal.stoppedBy).toMatch(/^stop condition: probe 'web-to-db' failed 3 times/);
      expect(failures).toBe(1);
      const failing = cases.filter((c) => c.failure !== undefined);
      expect(failing.map((c) => c.name)).toEqual(["web-to-db (during)"]);
      expect(failing[0]!.failure!.message).toMatch(/^probe 'web-to-db' during: .* first at \d{4}-/);
      expect(cases.find((c) => c.name === "web-to-db (after)")!.failure).toBeUndefined();
      expect(journal.rollback).toMatchObject([
        { ok: true, what: "ec2 authorize-ingress db-sg tcp/3306 web-sg" },
      ]);
      expect(await dbSgIngress()).toEqual(before);
    },
  );

  it(
    "'fis' exits 1: FIS stops the outage on the web-to-db alarm, the NACL is restored, the template deleted",
    {
      timeout: 180_000,
    },
    async () => {
      const acls = async () =>
        (await ec2.send(new DescribeNetworkAclsCommand({}))).NetworkAcls ?? [];
      const aclsBefore = (await acls()).map((a) => a.NetworkAclId).sort();
      const [r] = await runDoc(shellCommands(EXAMPLES.get("fis")!));
      expect(r!.exitCode, transcript([r!])).toBe(1);
      expect(r!.output).toMatch(/^FAILED probe 'web-to-db' during: /m);
      const { journal, cases } = readReports("/tmp/fis-private-outage");
      expect(journal.outcome).toBe("failed");
      expect(journal.experiments).toHaveLength(1);
      const x = journal.experiments[0]!;
      expect(x).toMatchObject({ status: "stopped", created: true });
      expect(x.reason).toMatch(/alarm:web-to-db is in ALARM state/);
      expect(x.endT! - x.startT).toBeLessThan(60_000); // the template said two minutes
      expect(journal.rollback).toMatchObject([
        { ok: true, what: `deleted FIS template ${x.templateId}` },
      ]);
      expect(cases.filter((c) => c.failure).map((c) => c.name)).toEqual(["web-to-db (during)"]);
      expect(cases.find((c) => c.name === "web-to-db (after)")!.failure).toBeUndefined();
      // The clone is gone and the private subnet has its own NACL again.
      const after = await acls();
      expect(after.map((a) => a.NetworkAclId).sort()).toEqual(aclsBefore);
      expect(after.some((a) => a.Tags?.some((t) => t.Key === "managedByFIS"))).toBe(false);
    },
  );

  it(
    "udp probe, fault counter probe and pause-agent step on the real runtime",
    {
      timeout: 120_000,
    },
    async () => {
      const file = join(dir, "process.yaml");
      const out = join(dir, "process");
      writeFileSync(
        file,
        `title: db paused
servers:
  - { node: db, tcp: 3306 }
  - { node: db, udp: 5353 }
hypothesis:
  interval: 300ms
  settle: 2s
  probes:
    - { name: web-to-db, tcp: { from: web, to: db, port: 3306 }, timeout: 1s, samples: 2 }
    # db-sg admits only tcp 3306: udp 5353 from web is dropped (and expected to be)
    - { name: web-to-db-udp, udp: { from: web, to: db, port: 5353 }, expect: unreachable, timeout: 500ms, samples: 1 }
    - { name: matched, counter: { fault: slow, name: matched, min: 0 } }
method:
  - { name: slow, add: "--from sg:web-sg --to sg:db-sg --proto tcp --delay 10ms" }
  - wait: 1s
  - pause-agent: { node: db, for: 2s }
  - wait: 3s
`,
      );
      const r = vpcemu(["chaos", "run", file, "--out", out], 90_000);
      expect(r.code, r.out).toBe(1);
      const { journal, cases } = readReports(out);
      expect(journal.steps.map((st) => st.ok)).toEqual([true, true, true, true]);
      expect(journal.steps[2]!.result).toMatch(/^paused the agent of db/);
      expect(
        cases.filter((c) => c.failure).map((c) => c.name),
        JSON.stringify(journal.verdicts),
      ).toEqual(["web-to-db (during)"]);
      expect(cases.find((c) => c.name === "web-to-db (after)")!.failure).toBeUndefined();
      const udp = journal.samples.filter((x) => x.probe === "web-to-db-udp");
      expect(udp.length).toBeGreaterThan(2);
      expect(udp.every((x) => x.ok && x.answered === false)).toBe(true);
      const matched = journal.samples.filter((x) => x.probe === "matched").map((x) => x.value!);
      expect(Math.max(...matched)).toBeGreaterThan(0);
      expect((await get<{ faults: unknown[] }>("/v1/faults")).faults).toEqual([]);
    },
  );

  it(
    "SIGINT mid-run: the fault and the EC2 rule it added are rolled back, exit 130",
    {
      timeout: 120_000,
    },
    async () => {
      const file = join(dir, "interrupted.yaml");
      const out = join(dir, "interrupted");
      writeFileSync(
        file,
        `title: interrupted
servers:
  - { node: db, tcp: 3306 }
hypothesis:
  interval: 500ms
  probes:
    - { name: web-to-db, tcp: { from: web, to: db, port: 3306 }, samples: 1 }
method:
  - add: --from sg:web-sg --to sg:db-sg --delay 20ms
  - ec2: { action: authorize-ingress, group: db-sg, protocol: tcp, ports: 8443, cidr: 10.0.1.0/24 }
  - wait: 5m
`,
      );
      const run = spawn(process.execPath, [VPCEMU_BIN, "chaos", "run", file, "--out", out], {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      run.stdout!.setEncoding("utf8").on("data", (d: string) => (output += d));
      run.stderr!.setEncoding("utf8").on("data", (d: string) => (output += d));
      const exited = new Promise<number | null>((resolve) =>
        run.on("exit", (code) => resolve(code)),
      );
      const deadline = Date.now() + 60_000;
      while (!output.includes("step 3: wait")) {
        if (run.exitCode !== null || Date.now() > deadline) {
          throw new Error(`the run did not reach its wait step:\n${output}`);
        }
        await sleep(100);
      }
      const { faults } = await get<{ faults: { faultId: string }[] }>("/v1/faults");
      expect(faults).toHaveLength(1);
      expect((await dbSgIngress()).some((p) => p.FromPort === 8443)).toBe(true);
      run.kill("SIGINT");
      expect(await exited, output).toBe(130);
      expect(output).toMatch(/SIGINT: stopping the method and rolling back/);
      expect((await get<{ faults: unknown[] }>("/v1/faults")).faults).toEqual([]);
      expect((await dbSgIngress()).some((p) => p.FromPort === 8443)).toBe(false);
      const { journal, cases } = readReports(out);
      expect(journal.outcome).toBe("aborted");
      expect(journal.rollback.map((x) => x.ok)).toEqual([true, true]);
      expect(cases.find((c) => c.name === "web-to-db (after)")!.skipped).toBeDefined();
    },
  );
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
