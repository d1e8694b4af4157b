/**
 * `vpcemu chaos run EXPERIMENT.yaml [--endpoint URL] [--runtime-dir DIR | --nodes FILE] [--out DIR]`:
 * reads and validates the experiment (file:line errors, exit 2), runs it against the local
 * runtime (experiment-local.ts) or, with --nodes, Docker containers (experiment-containers.ts),
 * writes journal.json, junit.xml and timeline.svg into --out (default ./experiment-report) and exits 0 when the hypothesis held, 1 when it failed or a step or the
 * rollback failed, 130/143 when interrupted (after the rollback). docs/experiments.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { missingPrerequisites, PrerequisiteError } from "../runtime/netns.js";
import {
  processAlive,
  readRuntimeState,
  runtimeDir,
  stateFilePath,
} from "../runtime/runtime-state.js";
import { localRunEnv, unknownNodes } from "./experiment-local.js";
import { failureLines, journalJson, junitXml, timelineSvg } from "./experiment-report.js";
import {
  nodesWithoutAgent,
  parseNodesFile,
  unknownNodeIssues,
  type ContainerNodes,
} from "./experiment-nodes.js";
import { runExperiment, type Journal, type RunEnv } from "./experiment-run.js";
import { ExperimentError, parseExperiment, type Experiment } from "./experiment-spec.js";

export const DEFAULT_OUT_DIR = "experiment-report";

/** Reads an experiment file; ExperimentError (file:line) when it is not valid. */
export function readExperiment(path: string): Experiment {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ExperimentError([
      { at: { file: path, line: 1, path: "" }, message: `cannot read: ${(err as Error).message}` },
    ]);
  }
  return parseExperiment(text, path);
}

/** Writes the three reports; returns their paths. */
export function writeReports(
  journal: Journal,
  outDir: string,
): { journal: string; junit: string; svg: string } {
  mkdirSync(outDir, { recursive: true });
  const paths = {
    journal: join(outDir, "journal.json"),
    junit: join(outDir, "junit.xml"),
    svg: join(outDir, "timeline.svg"),
  };
  writeFileSync(paths.journal, journalJson(journal));
  writeFileSync(paths.junit, junitXml(journal));
  writeFileSync(paths.svg, timelineSvg(journal));
  return paths;
}

export async function runExperimentCommand(opts: {
  file: string;
  endpoint: string;
  runtimeDir?: string;
  outDir?: string;
  /** The nodes are Docker containers (experiment-nodes.ts) instead of the local runtime's. */
  nodesFile?: string;
}): Promise<number> {
  const exp = readExperiment(opts.file);
  const log = (line: string) => process.stderr.write(`[${new Date().toISOString()}] ${line}\n`);
  let env: RunEnv;
  let close = async (): Promise<void> => undefined;
  if (opts.nodesFile !== undefined) {
    const nodes = readNodesFile(opts.nodesFile);
    const issues = [...unknownNodeIssues(exp, nodes), ...nodesWithoutAgent(exp, nodes)];
    if (issues.length > 0) throw new ExperimentError(issues);
    // Why: loaded only here: the Docker client is not needed (nor loaded) for the local runtime.
    const { openContainerRunEnv } = await import("./experiment-containers.js");
    ({ env, close } = await openContainerRunEnv({ exp, nodes, endpoint: opts.endpoint, log }));
  } else {
    env = localEnv(exp, opts, log);
  }
  const outDir = resolve(opts.outDir ?? DEFAULT_OUT_DIR);

  const abort = new AbortController();
  let signalled: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (signalled) return; // Why: a second Ctrl-C must not cut the rollback short.
    signalled = sig;
    log(`${sig}: stopping the method and rolling back`);
    abort.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let journal: Journal;
  try {
    log(`experiment '${exp.title}' (${exp.probes.length} probes, ${exp.steps.length} steps)`);
    journal = await runExperiment(exp, env, abort.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await close();
  }
  const paths = writeReports(journal, outDir);
  for (const line of failureLines(journal)) process.stdout.write(`FAILED ${line}\n`);
  process.stdout.write(
    `${journal.outcome === "held" ? "hypothesis held" : `${journal.outcome}: ${journal.reason ?? ""}`}\n` +
      `reports: ${paths.journal} ${paths.junit} ${paths.svg}\n`,
  );
  if (signalled) return signalled === "SIGINT" ? 130 : 143;
  return journal.outcome === "held" ? 0 : 1;
}

/** The local runtime's env; an Error when no runtime runs, an ExperimentError for unknown nodes. */
function localEnv(
  exp: Experiment,
  opts: { endpoint: string; runtimeDir?: string },
  log: (line: string) => void,
): RunEnv {
  const dir = runtimeDir(opts.runtimeDir);
  const state = readRuntimeState(dir);
  if (!state || !processAlive(state.pid)) {
    throw new Error(
      `no local runtime (${stateFilePath(dir)} ${state ? "names a process that is gone" : "does not exist"}): probes run inside its nodes; start one with 'vpcemu up' (or give --nodes for Docker containers)`,
    );
  }
  const missing = missingPrerequisites().filter((m) => m.what !== "/dev/net/tun");
  if (missing.length > 0) throw new PrerequisiteError(missing);
  const unknown = unknownNodes(exp, state);
  if (unknown.length > 0) {
    throw new ExperimentError([
      {
        at: { file: exp.file, line: 1, path: "" },
        message: `unknown node${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `'${u}'`).join(", ")} (the runtime has: ${state.nodes.map((n) => n.name).join(", ")})`,
      },
    ]);
  }
  return localRunEnv({ state, runtimeDir: dir, endpoint: opts.endpoint, log });
}

/** Reads a nodes file (--nodes); ExperimentError (file:line) when it is not valid. */
export function readNodesFile(path: string): ContainerNodes {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ExperimentError([
      { at: { file: path, line: 1, path: "" }, message: `cannot read: ${(err as Error).message}` },
    ]);
  }
  return parseNodesFile(text, path);
}
