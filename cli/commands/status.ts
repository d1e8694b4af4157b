/**
 * `vpcemu status [--runtime-dir DIR] [-o json]`: what the local runtime's state file records,
 * with whether each process still runs: `vpcemu up`, the controller (URL, pid, log) and every
 * node's agent. Exit 0 while `up` runs, 1 when no runtime does (no state file, or its `up` is
 * gone). Reads the file only; loads no controller code.
 */
import {
  processAlive,
  readRuntimeState,
  runtimeDir,
  stateFilePath,
} from "../runtime/runtime-state.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu status [--runtime-dir DIR] [-o json]

Shows the local runtime started by 'vpcemu up': its process, the controller (URL, process id,
log) and each node's namespace, addresses and agent process id, each marked running or gone.
Exit 0 while 'vpcemu up' runs, 1 when no runtime does.

  --runtime-dir DIR   the runtime's directory (default /run/vpcemu, $VPCEMU_RUNTIME_DIR)
  -o json             the state file's record, with a "running" flag per process`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    { "runtime-dir": { type: "string" }, output: { type: "string", short: "o" } },
    USAGE,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  if (v.output !== undefined && v.output !== "json") {
    throw new UsageError(`-o takes json, got '${String(v.output)}'\n${USAGE}`);
  }
  const dir = runtimeDir(typeof v["runtime-dir"] === "string" ? v["runtime-dir"] : undefined);
  const state = readRuntimeState(dir);
  if (!state) {
    process.stderr.write(
      `vpcemu status: no local runtime (${stateFilePath(dir)} does not exist)\n`,
    );
    return 1;
  }
  const up = processAlive(state.pid);
  const running = (pid: number | undefined): boolean => pid !== undefined && processAlive(pid);
  if (v.output === "json") {
    const view = {
      ...state,
      running: up,
      controllerRunning: running(state.controllerPid),
      nodes: state.nodes.map((n) => ({ ...n, agentRunning: running(n.agentPid) })),
    };
    process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
    return up ? 0 : 1;
  }
  const mark = (pid: number | undefined): string =>
    pid === undefined ? "down" : `pid ${pid}${running(pid) ? "" : " (gone)"}`;
  const width = Math.max(8, ...state.nodes.map((n) => n.name.length));
  process.stdout.write(
    [
      `vpcemu up   pid ${state.pid}${up ? "" : " (gone: 'vpcemu down' cleans up)"}, since ${state.startedAt}, ${dir}`,
      `controller  ${state.controllerUrl}  ${mark(state.controllerPid)}${state.controllerLog ? `  log ${state.controllerLog}` : ""}`,
      "nodes:",
      ...state.nodes.map(
        (n) =>
          `  ${n.name.padEnd(width)}  ${[...n.addresses, ...(n.publicIps ?? []).map((p) => `${p} (public)`)].join(", ").padEnd(16)}  ${n.namespace}  agent ${mark(n.agentPid)}${n.agentHost !== undefined ? ` (agent host ${n.agentHost})` : ""}`,
      ),
      "",
    ].join("\n"),
  );
  if (!up) process.stderr.write(`vpcemu status: 'vpcemu up' (pid ${state.pid}) is gone\n`);
  return up ? 0 : 1;
}
