/**
 * `vpcemu chaos ...`: network faults by AWS identity through the controller's JSON API
 * (`add`, `conntrack`, `partition`, `ls`, `show`, `rm`, `clear`), and process faults of the
 * local runtime through `vpcemu up`'s control socket (`kill-agent`, `restart-agent`,
 * `pause-agent`, `kill-controller`). docs/chaos.md is the user's guide.
 *
 * The controller is `--endpoint URL`, else $VPCEMU_ENDPOINT, else the running local runtime's
 * (its state file in --runtime-dir), else http://127.0.0.1:4566.
 */
import {
  ADD_OPTIONS,
  CONNECTION_OPTIONS,
  CONNTRACK_OPTIONS,
  conntrackRequestFromFlags,
  faultRequestFromFlags,
  PARTITION_OPTIONS,
  partitionRequestFromArgs,
  type FlagValues,
} from "../chaos/fault-args.js";
import { FaultApiError, FaultClient, type FaultView } from "../chaos/fault-api.js";
import { runExperimentCommand } from "../chaos/experiment-command.js";
import { ExperimentError } from "../chaos/experiment-spec.js";
import { formatFaultDetail, formatFaultTable } from "../chaos/format-faults.js";
import { parseDuration, UnitError } from "../chaos/units.js";
import {
  callRuntimeControl,
  ProcessFaultError,
  type ProcessFaultBody,
  type ProcessFaultOp,
} from "../runtime/runtime-control.js";
import {
  processAlive,
  readRuntimeState,
  runtimeDir,
  stateFilePath,
} from "../runtime/runtime-state.js";
import { parseCommandArgs, UsageError, type OptionSpec } from "./usage.js";

export const DEFAULT_ENDPOINT = "http://127.0.0.1:4566";

const USAGE = `Usage: vpcemu chaos <subcommand> [options]

Network faults by AWS identity (docs/chaos.md):
  add --from REF --to REF [--both] [--proto P [--port N|A-B]] EFFECT... [--after D] [--for D]
      [--seed N] [--queue-limit N] [--description TEXT] [--no-wait] [-o json]
      effects: --delay 50ms [--jitter 10ms] [--correlation 25%] [--distribution normal]
               --loss 5% [--loss-correlation 25%] | --loss-ge p[,r[,1-h[,1-k]]]
               --duplicate 1%  --corrupt 0.1%  --reorder 25% [--reorder-gap 5] (with --delay)
               --rate 10mbit [--rate-queue 256KiB]  --blackhole  --reject
  conntrack --on REF [--allowance N] [--flush] [--tcp-timeout 30s] [--udp-timeout 5s]
            [--udp-stream-timeout 10s] [--for D]
  partition GROUP GROUP [...] [--one-way] [--mode complete|majorities-ring|bridge] [--for D]
            (a GROUP is a comma-separated list of REFs)
  ls [-o json]      show ID [-o json]      rm ID [ID...]      clear
  add, conntrack and partition print the fault id once every affected agent enforces it
  (--no-wait: at once).

Scenario runs (docs/experiments.md):
  run EXPERIMENT.yaml [--out DIR]   probes before, during and after a timeline of faults, rule
                                    changes and process faults; rolls back what it injected
                                    (also on Ctrl-C); writes journal.json, junit.xml and
                                    timeline.svg to DIR (default ./experiment-report); exit 1
                                    when the hypothesis failed
  run EXPERIMENT.yaml --nodes NODES.json [--out DIR]
                                    the same with Docker app containers and agent sidecars as
                                    the nodes (the testcontainers module, compose)

Process faults of the local runtime ('vpcemu up'):
  kill-agent NODE [--for D]     SIGKILL the node's agent; 'up' starts it again after D (default 1s)
  restart-agent NODE            stop the agent and start a new one; waits until it is ready
  pause-agent NODE --for D      SIGSTOP the agent, SIGCONT after D (the timer runs in 'up')
  kill-controller [--for D]     SIGKILL the controller; 'up' starts it again after D (default 1s)

REF: sg-..., subnet-..., i-..., eni-..., pl-..., a CIDR, '*', tag:Key=Value, sg:NAME,
     subnet:NAME, instance:NAME, az:NAME, node:NAME, or a bare name that only one resource has.
Units: durations us, ms, s, m, h; percentages need '%'; rates bit, kbit, mbit, gbit (bits/s)
       or bps, kbps, mbps (bytes/s).

Options:
  --endpoint URL     the controller (default: $VPCEMU_ENDPOINT, the local runtime's, or
                     ${DEFAULT_ENDPOINT})
  --runtime-dir DIR  the local runtime's directory (default /run/vpcemu, $VPCEMU_RUNTIME_DIR)`;

type Sub = (args: string[]) => Promise<number>;

const SUBCOMMANDS: Record<string, Sub> = {
  add: runAdd,
  conntrack: runConntrack,
  partition: runPartition,
  ls: runList,
  list: runList,
  show: runShow,
  rm: runRemove,
  clear: runClear,
  run: runRun,
  "kill-agent": (a) => runProcessFault("kill-agent", a),
  "restart-agent": (a) => runProcessFault("restart-agent", a),
  "pause-agent": (a) => runProcessFault("pause-agent", a),
  "kill-controller": (a) => runProcessFault("kill-controller", a),
};

export async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === "-h" || sub === "--help" || sub === "help") {
    process.stdout.write(USAGE + "\n");
    return sub === undefined ? 2 : 0;
  }
  // Why hasOwn: `vpcemu chaos constructor` is an unknown subcommand (it crashed the CLI).
  const handler = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined;
  if (!handler) throw new UsageError(`unknown subcommand '${sub}'\n${USAGE}`);
  try {
    return await handler(rest);
  } catch (err) {
    if (err instanceof UnitError) throw new UsageError(err.message);
    if (err instanceof ExperimentError) {
      process.stderr.write(`vpcemu chaos ${sub}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof FaultApiError || err instanceof ProcessFaultError) {
      process.stderr.write(
        `vpcemu chaos ${sub}: ${err.code}: ${err.message.replace(`${err.code}: `, "")}\n`,
      );
      return 1;
    }
    throw err;
  }
}

/**
 * The controller to talk to: --endpoint, else $VPCEMU_ENDPOINT, else the local runtime's when
 * its `up` process runs, else http://127.0.0.1:4566.
 */
export function resolveEndpoint(values: FlagValues, env: NodeJS.ProcessEnv = process.env): string {
  const explicit =
    typeof values.endpoint === "string" ? values.endpoint : env.VPCEMU_ENDPOINT || undefined;
  if (explicit !== undefined) {
    let url: URL;
    try {
      url = new URL(explicit);
    } catch {
      throw new UnitError(`--endpoint ${explicit}: not a URL (e.g. http://127.0.0.1:4566)`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new UnitError(`--endpoint ${explicit}: expected an http:// or https:// URL`);
    }
    return explicit.replace(/\/+$/, "");
  }
  const dir = runtimeDir(
    typeof values["runtime-dir"] === "string" ? values["runtime-dir"] : undefined,
  );
  let state;
  try {
    state = readRuntimeState(dir);
  } catch {
    state = undefined;
  }
  if (state && processAlive(state.pid)) return state.controllerUrl;
  return DEFAULT_ENDPOINT;
}

function parse(args: string[], options: OptionSpec, usage = USAGE, positionals = false) {
  return parseCommandArgs(args, options, usage, positionals);
}

function clientFor(values: FlagValues): FaultClient {
  return new FaultClient(resolveEndpoint(values));
}

function outputOf(values: FlagValues): "text" | "json" {
  const o = values.output;
  if (o === undefined || o === "text") return "text";
  if (o === "json") return "json";
  throw new UsageError(`-o ${String(o)}: must be 'json' or 'text'`);
}

/** How long `add`, `conntrack` and `partition` wait for every affected agent to enforce it. */
const ENFORCE_TIMEOUT_MS = 15_000;

/**
 * `add`, `conntrack` and `partition` wait until every affected agent enforces the fault (unless
 * --no-wait), then print its id (or the whole view with -o json). A fault still pending after
 * ENFORCE_TIMEOUT_MS is stored all the same: a warning says so and the exit code stays 0.
 */
async function printCreated(
  client: FaultClient,
  view: FaultView,
  values: FlagValues,
): Promise<void> {
  const output = outputOf(values);
  let current = view;
  if (values["no-wait"] !== true) {
    const deadline = Date.now() + ENFORCE_TIMEOUT_MS;
    while (current.state === "pending" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      current = await client.get(view.faultId);
    }
    if (current.state === "pending") {
      process.stderr.write(
        `vpcemu chaos: ${view.faultId} is stored but not yet enforced by every agent after ${ENFORCE_TIMEOUT_MS / 1000} s (agents: ${(current.agents ?? []).join(", ") || "none"})\n`,
      );
    }
  }
  if (output === "json") process.stdout.write(JSON.stringify(current, null, 2) + "\n");
  else process.stdout.write(`${current.faultId}\n`);
}

async function runAdd(args: string[]): Promise<number> {
  const parsed = parse(args, ADD_OPTIONS);
  if (!parsed) return 0;
  if (parsed.positionals.length > 0) {
    throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
  }
  const request = faultRequestFromFlags(parsed.values);
  outputOf(parsed.values);
  const client = clientFor(parsed.values);
  await printCreated(client, await client.add(request), parsed.values);
  return 0;
}

async function runConntrack(args: string[]): Promise<number> {
  const parsed = parse(args, CONNTRACK_OPTIONS);
  if (!parsed) return 0;
  const request = conntrackRequestFromFlags(parsed.values);
  outputOf(parsed.values);
  const client = clientFor(parsed.values);
  await printCreated(client, await client.add(request), parsed.values);
  return 0;
}

async function runPartition(args: string[]): Promise<number> {
  const parsed = parse(args, PARTITION_OPTIONS, USAGE, true);
  if (!parsed) return 0;
  const request = partitionRequestFromArgs(parsed.positionals, parsed.values);
  outputOf(parsed.values);
  const client = clientFor(parsed.values);
  await printCreated(client, await client.partition(request), parsed.values);
  return 0;
}

async function runList(args: string[]): Promise<number> {
  const parsed = parse(args, { ...CONNECTION_OPTIONS, output: { type: "string", short: "o" } });
  if (!parsed) return 0;
  const output = outputOf(parsed.values);
  const views = await clientFor(parsed.values).list();
  if (output === "json") process.stdout.write(JSON.stringify({ faults: views }, null, 2) + "\n");
  else process.stdout.write(formatFaultTable(views, Date.now()) + "\n");
  return 0;
}

async function runShow(args: string[]): Promise<number> {
  const parsed = parse(
    args,
    { ...CONNECTION_OPTIONS, output: { type: "string", short: "o" } },
    USAGE,
    true,
  );
  if (!parsed) return 0;
  if (parsed.positionals.length !== 1) throw new UsageError("expected one fault ID (flt-...)");
  const output = outputOf(parsed.values);
  const view = await clientFor(parsed.values).get(parsed.positionals[0]!);
  if (output === "json") process.stdout.write(JSON.stringify(view, null, 2) + "\n");
  else process.stdout.write(formatFaultDetail(view, Date.now()) + "\n");
  return 0;
}

async function runRemove(args: string[]): Promise<number> {
  const parsed = parse(args, CONNECTION_OPTIONS, USAGE, true);
  if (!parsed) return 0;
  if (parsed.positionals.length === 0) throw new UsageError("expected one or more fault IDs");
  const client = clientFor(parsed.values);
  for (const id of parsed.positionals) {
    const view = await client.remove(id);
    process.stdout.write(`${view.faultId}\n`);
  }
  return 0;
}

async function runClear(args: string[]): Promise<number> {
  const parsed = parse(args, CONNECTION_OPTIONS);
  if (!parsed) return 0;
  if (parsed.positionals.length > 0) throw new UsageError("clear takes no arguments");
  const deleted = await clientFor(parsed.values).clear();
  process.stdout.write(`removed ${deleted.length} fault${deleted.length === 1 ? "" : "s"}\n`);
  return 0;
}

async function runRun(args: string[]): Promise<number> {
  const parsed = parse(
    args,
    { ...CONNECTION_OPTIONS, out: { type: "string" }, nodes: { type: "string" } },
    USAGE,
    true,
  );
  if (!parsed) return 0;
  if (parsed.positionals.length !== 1) throw new UsageError("run needs one EXPERIMENT.yaml");
  return runExperimentCommand({
    file: parsed.positionals[0]!,
    endpoint: resolveEndpoint(parsed.values),
    ...(typeof parsed.values["runtime-dir"] === "string"
      ? { runtimeDir: parsed.values["runtime-dir"] }
      : {}),
    ...(typeof parsed.values.out === "string" ? { outDir: parsed.values.out } : {}),
    ...(typeof parsed.values.nodes === "string" ? { nodesFile: parsed.values.nodes } : {}),
  });
}

/** Default downtime of kill-agent and kill-controller: the supervisor's first crash restart. */
const DEFAULT_DOWN_MS = 1000;

async function runProcessFault(op: ProcessFaultOp, args: string[]): Promise<number> {
  const takesNode = op !== "kill-controller";
  const takesFor = op !== "restart-agent";
  const parsed = parse(
    args,
    {
      "runtime-dir": { type: "string" },
      ...(takesFor ? { for: { type: "string" } } : {}),
    },
    USAGE,
    takesNode,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  if (takesNode && parsed.positionals.length !== 1) {
    throw new UsageError(`${op} needs one NODE (a Name tag, instance id, address or 'internet')`);
  }
  const forText = typeof v.for === "string" ? v.for : undefined;
  if (op === "pause-agent" && forText === undefined) {
    throw new UsageError("pause-agent needs --for D (how long the agent stays stopped)");
  }
  const ms =
    forText === undefined
      ? DEFAULT_DOWN_MS
      : parseDuration("--for", forText, { allowZero: op !== "pause-agent" });
  const dir = runtimeDir(typeof v["runtime-dir"] === "string" ? v["runtime-dir"] : undefined);
  const state = readRuntimeState(dir);
  if (!state || !processAlive(state.pid)) {
    throw new Error(
      `no local runtime (${stateFilePath(dir)} ${state ? "names a process that is gone" : "does not exist"}): process faults need 'vpcemu up'; on containers use docker kill/pause (docs/chaos.md)`,
    );
  }
  if (state.controlSocket === undefined) {
    throw new Error(
      `the runtime in ${dir} takes no process faults (started by an older vpcemu): restart it`,
    );
  }
  const body: ProcessFaultBody = {
    ...(takesNode ? { node: parsed.positionals[0]! } : {}),
    ...(op === "pause-agent" ? { durationMs: ms } : {}),
    ...(op === "kill-agent" || op === "kill-controller" ? { downMs: ms } : {}),
  };
  const result = await callRuntimeControl(dir, op, body);
  process.stdout.write(`${result.message}\n`);
  return 0;
}
