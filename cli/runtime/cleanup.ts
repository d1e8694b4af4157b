/**
 * Clean-up of a local runtime whose `vpcemu up` process is gone (killed or crashed), from its
 * state file. Kept apart from local-runtime.ts so `vpcemu down` does not load the controller.
 */
import { readFileSync } from "node:fs";
import { deleteNamespace } from "./netns.js";
import { processAlive, removeRuntimeState, type RuntimeState } from "./runtime-state.js";

/**
 * Removes what a runtime recorded in its state file when its `up` process is gone: kills the
 * recorded agents, deletes the recorded namespaces, removes the file. Used by `vpcemu down`
 * and by `up` before starting over a stale file.
 */
export async function cleanUpRuntime(state: RuntimeState, dir: string): Promise<void> {
  for (const node of state.nodes) {
    if (
      node.agentPid !== undefined &&
      processAlive(node.agentPid) &&
      isAgentProcess(node.agentPid)
    ) {
      try {
        process.kill(node.agentPid, "SIGKILL");
      } catch {
        // Why: exited in between.
      }
    }
    await deleteNamespace(node.namespace);
  }
  removeRuntimeState(dir);
}

/** Guards against killing a recycled pid: the process must be a vpcemu agent. */
function isAgentProcess(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return (
      cmdline.includes("agent") &&
      cmdline.some((a) => a.endsWith("vpcemu.js") || a.endsWith("main.ts"))
    );
  } catch {
    return false;
  }
}
