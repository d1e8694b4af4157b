/**
 * `emulator.runExperiment(...)`: a scenario run (docs/experiments.md) with the attached app
 * containers as its nodes. The module runs the package's own `vpcemu chaos run EXPERIMENT
 * --nodes nodes.json --endpoint URL --out DIR` as a child process: one runner (the CLI's,
 * cli/chaos/experiment-run.ts), and testcontainers/ still imports neither app (STYLE.md §2). The
 * CLI starts a probe container in each source node's network namespace (the agent's image) and
 * drives faults, EC2 rule changes, FIS and agent process faults exactly as against the local
 * runtime; this file only writes the nodes file, waits for the child and reads the journal back.
 *
 *   const run = await emu.runExperiment("exp.yaml", { outDir: "reports/db-outage" });
 *   run.outcome       // "held" | "failed" | "aborted" | "error"; run.exitCode as the CLI's
 *   run.reason        // "the hypothesis failed: probe 'web-to-db' during: ..."
 *   run.reports.junit // reports/db-outage/junit.xml
 *
 * Only types come from cli/chaos (the journal's shape has one definition).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { StartedTestContainer } from "testcontainers";
import { getContainerRuntimeClient } from "testcontainers";
import { stringify } from "yaml";
import type { Journal, Outcome, Verdict } from "../cli/chaos/experiment-run.js";
import type { AttachedInstance } from "./attach.js";

export type {
  Journal as ExperimentJournal,
  Outcome as ExperimentOutcome,
  Verdict as ExperimentVerdict,
};

/**
 * The experiment: the path of a YAML (or JSON) file, YAML text, or the same structure as an
 * object (`{ title, servers, hypothesis, method, stopConditions }`).
 */
export type ExperimentSource = string | Readonly<Record<string, unknown>>;

/** A node: an attached instance, or an app container attached to this emulator. */
export type ExperimentNode = AttachedInstance | StartedTestContainer;

export interface RunExperimentOptions {
  /**
   * Node name used in the experiment -> instance or container. Added to the defaults: every
   * attached instance under its Name tag (the `name` given to attach(), else its instance id),
   * every external node under its name (`internet`).
   */
  readonly nodes?: Readonly<Record<string, ExperimentNode>>;
  /** Where the reports (and nodes.json) go; default: a new directory under the OS temp dir. */
  readonly outDir?: string;
  /** Aborting interrupts the run as Ctrl-C does: the method stops, everything is rolled back. */
  readonly signal?: AbortSignal;
  /** Each line the run logs (steps, rollback) as it happens. */
  readonly log?: (line: string) => void;
}

/** The reports `vpcemu chaos run` writes. */
export interface ExperimentReports {
  readonly dir: string;
  readonly journal: string;
  readonly junit: string;
  readonly svg: string;
}

export interface ExperimentRun {
  /** held: the hypothesis held in every phase; failed, aborted, error as in the journal. */
  readonly outcome: Outcome;
  readonly passed: boolean;
  /** As `vpcemu chaos run`: 0 held, 1 failed or a step or the rollback failed, 130 aborted. */
  readonly exitCode: number;
  /** One line: the first failing probe, its phase and time (or the failed step). */
  readonly reason?: string;
  /** The failing verdicts (probe, phase, samples, failures, message, first failure time). */
  readonly failures: readonly Verdict[];
  readonly journal: Journal;
  readonly reports: ExperimentReports;
  /** What the run printed on stdout (FAILED lines, the outcome, the report paths). */
  readonly output: string;
}

/** The run could not start or finish (invalid experiment or nodes: exit 2; a container gone). */
export class VpcEmulatorExperimentError extends Error {
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
    this.name = "VpcEmulatorExperimentError";
  }
}

/** What runExperiment needs from the started emulator. */
export interface ExperimentHost {
  readonly apiUrl: string;
  readonly image: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly attached: readonly AttachedInstance[];
  /** Name tags of instances (DescribeInstances). */
  instanceNames(instanceIds: readonly string[]): Promise<Map<string, string>>;
}

/** One entry of nodes.json (cli/chaos/experiment-nodes.ts). */
interface NodeEntry {
  container: string;
  address: string;
  agent: string;
  agentId: string;
}

/** Runs the experiment through `vpcemu chaos run --nodes`; see the file comment. */
export async function runExperimentOnContainers(
  host: ExperimentHost,
  experiment: ExperimentSource,
  options: RunExperimentOptions = {},
): Promise<ExperimentRun> {
  const outDir = resolve(options.outDir ?? mkdtempSync(join(tmpdir(), "vpcemu-experiment-")));
  mkdirSync(outDir, { recursive: true });
  const file = writeExperiment(experiment, outDir);
  const nodes = await nodeEntries(host, options.nodes ?? {});
  const nodesFile = join(outDir, "nodes.json");
  writeFileSync(nodesFile, JSON.stringify({ image: host.image, nodes }, null, 2) + "\n");
  const reports: ExperimentReports = {
    dir: outDir,
    journal: join(outDir, "journal.json"),
    junit: join(outDir, "junit.xml"),
    svg: join(outDir, "timeline.svg"),
  };
  // Why: a journal left by an earlier run must not pass for this one's.
  for (const p of [reports.journal, reports.junit, reports.svg]) rmSync(p, { force: true });

  const args = [
    ...vpcemuCommand(),
    "chaos",
    "run",
    file,
    "--nodes",
    nodesFile,
    "--endpoint",
    host.apiUrl,
    "--out",
    outDir,
  ];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: host.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: host.credentials.secretAccessKey,
      AWS_SESSION_TOKEN: "",
      // The JSON API's credential in auth mode (docs/json-api.md "Auth mode").
      VPCEMU_API_KEY: `${host.credentials.accessKeyId}:${host.credentials.secretAccessKey}`,
      AWS_REGION: host.region,
    },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  let partial = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
    partial += d;
    const lines = partial.split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) options.log?.(line);
  });
  const onAbort = () => child.kill("SIGINT");
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort);
  const exitCode = await new Promise<number>((resolveExit, reject) => {
    child.once("error", reject);
    child.once("close", (code, sig) => resolveExit(code ?? (sig === "SIGINT" ? 130 : 1)));
  }).finally(() => options.signal?.removeEventListener("abort", onAbort));
  if (partial) options.log?.(partial);

  if (!existsSync(reports.journal)) {
    throw new VpcEmulatorExperimentError(
      exitCode,
      `vpcemu runExperiment: the run did not start (exit ${exitCode}): ${stderr.trim() || stdout.trim()}`,
    );
  }
  const journal = JSON.parse(readFileSync(reports.journal, "utf8")) as Journal;
  return {
    outcome: journal.outcome,
    passed: journal.outcome === "held" && exitCode === 0,
    exitCode,
    ...(journal.reason !== undefined ? { reason: journal.reason } : {}),
    failures: journal.verdicts.filter((v) => v.ok === false),
    journal,
    reports,
    output: stdout,
  };
}

/** The experiment as a file the CLI reads: a path as it is, text and objects written to outDir. */
export function writeExperiment(experiment: ExperimentSource, outDir: string): string {
  if (typeof experiment !== "string") {
    const file = join(outDir, "experiment.yaml");
    writeFileSync(file, stringify(experiment));
    return file;
  }
  if (!experiment.includes("\n")) {
    if (existsSync(experiment)) return resolve(experiment);
    if (!experiment.includes(":")) {
      throw new VpcEmulatorExperimentError(
        2,
        `vpcemu runExperiment: experiment file ${experiment} does not exist (pass a path, YAML text or an object)`,
      );
    }
  }
  const file = join(outDir, "experiment.yaml");
  writeFileSync(file, experiment);
  return file;
}

/** Default nodes (attached instances by Name, external nodes by name) plus the caller's. */
async function nodeEntries(
  host: ExperimentHost,
  given: Readonly<Record<string, ExperimentNode>>,
): Promise<Record<string, NodeEntry>> {
  const client = await getContainerRuntimeClient();
  const appOf = new Map<AttachedInstance, string>();
  for (const a of host.attached) {
    const info = await client.container.inspect(client.container.getById(a.agent.getId()));
    appOf.set(a, (info.HostConfig.NetworkMode ?? "").replace(/^container:/, ""));
  }
  const entry = (a: AttachedInstance): NodeEntry => ({
    container: appOf.get(a)!,
    address: a.privateIp,
    agent: a.agent.getId(),
    agentId: a.agentId,
  });
  const names = await host.instanceNames(host.attached.map((a) => a.instanceId).filter(Boolean));
  const out: Record<string, NodeEntry> = {};
  for (const a of host.attached) {
    const name = a.instanceId
      ? (names.get(a.instanceId) ?? a.instanceId)
      : a.agentId.replace(/^agent-/, "");
    out[name] = entry(a);
  }
  for (const [name, node] of Object.entries(given)) {
    if ("agentId" in node && "privateIp" in node) {
      if (!appOf.has(node)) {
        throw new VpcEmulatorExperimentError(
          2,
          `vpcemu runExperiment: node '${name}' (${node.instanceId || node.agentId}) is not attached to this emulator (detached?)`,
        );
      }
      out[name] = entry(node);
      continue;
    }
    const id = node.getId();
    const a = host.attached.find((x) => appOf.get(x) === id || x.agent.getId() === id);
    if (!a) {
      throw new VpcEmulatorExperimentError(
        2,
        `vpcemu runExperiment: node '${name}': container ${node.getName()} is not attached to this emulator (attach() it first)`,
      );
    }
    out[name] = entry(a);
  }
  return out;
}

/**
 * How to start this package's CLI: compiled (dist/testcontainers/experiments.js), its sibling
 * dist/cli/main.js, which needs neither bin/ nor tsx; from the TypeScript sources (a development
 * checkout), bin/vpcemu.js, which loads them through tsx.
 */
export function vpcemuCommand(moduleUrl: string = import.meta.url): string[] {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith(".js")) {
    const main = join(dirname(here), "..", "cli", "main.js");
    if (existsSync(main)) return [main];
  }
  const bin = join(dirname(here), "..", "bin", "vpcemu.js");
  if (existsSync(bin)) return [bin];
  throw new Error(
    `vpcemu runExperiment: neither ../cli/main.js nor ../bin/vpcemu.js beside ${here}`,
  );
}
