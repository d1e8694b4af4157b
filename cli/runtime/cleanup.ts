/**
 * Clean-up of a local runtime whose `vpcemu up` process is gone (killed or crashed), from its
 * state file. Kept apart from local-runtime.ts so `vpcemu down` does not load the controller.
 */
import { readFileSync, rmSync } from "node:fs";
import { deleteNamespace } from "./netns.js";
import { controlSocketPath } from "./runtime-control.js";
import {
  ephemeralStatePath,
  processAlive,
  removeRuntimeState,
  type RuntimeState,
} from "./runtime-state.js";

/**
 * Removes what a runtime recorded in its state file when its `up` process is gone: kills the
 * recorded agents and agent hosts (a host's pid is recorded on each of its nodes; paused ones too: SIGKILL needs no SIGCONT) and controller, deletes the recorded namespaces,
 * removes the file, the control socket and the private controller database. Used by `vpcemu down`
 * and by `up` before starting over a stale file.
 */
export async function cleanUpRuntime(state: RuntimeState, dir: string): Promise<void> {
  for (const node of state.nodes) {
    if (
      node.agentPid !== undefined &&
      processAlive(node.agentPid) &&
      (isVpcemuProcess(node.agentPid, "agent") || isVpcemuProcess(node.agentPid, "agent-host"))
    ) {
      try {
        process.kill(node.agentPid, "SIGKILL");
      } catch {
        // Why: exited in between.
      }
    }
    await deleteNamespace(node.namespace);
  }
  const controller = state.controllerPid;
  if (
    controller !== undefined &&
    processAlive(controller) &&
    isVpcemuProcess(controller, "controller")
  ) {
    try {
      // Why SIGKILL: its `up` is gone and its state file is about to be removed.
      process.kill(controller, "SIGKILL");
    } catch {
      // Why: exited in between.
    }
  }
  rmSync(controlSocketPath(dir), { force: true });
  removeDatabaseFiles(ephemeralStatePath(dir));
  removeRuntimeState(dir);
}

/** Removes an SQLite database and its -wal/-shm/-journal companions. */
export function removeDatabaseFiles(path: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"])
    rmSync(`${path}${suffix}`, { force: true });
}

/** Guards against killing a recycled pid: the process must be a vpcemu `command` (agent, controller). */
function isVpcemuProcess(pid: number, command: "agent" | "agent-host" | "controller"): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return (
      cmdline.includes(command) &&
      cmdline.some((a) => a.endsWith("vpcemu.js") || a.endsWith("main.ts"))
    );
  } catch {
    return false;
  }
}
