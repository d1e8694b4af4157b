/**
 * `vpcemu down [--runtime-dir DIR]`: stops the runtime `vpcemu up` started (SIGTERM to its
 * process, which removes its nodes), or, when that process is gone, removes what its state file
 * records itself. Leaves no namespace, TUN device or agent process behind.
 */
import { cleanUpRuntime } from "../runtime/cleanup.js";
import {
  processAlive,
  readRuntimeState,
  runtimeDir,
  stateFilePath,
} from "../runtime/runtime-state.js";
import { parseCommandArgs } from "./usage.js";

const USAGE = `Usage: vpcemu down [--runtime-dir DIR]

Stops the local runtime started by 'vpcemu up' and removes its namespaces, TUN devices and
agent processes.`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(args, { "runtime-dir": { type: "string" } }, USAGE);
  if (!parsed) return 0;
  const dir = runtimeDir(parsed.values["runtime-dir"] as string | undefined);
  const state = readRuntimeState(dir);
  if (!state) {
    process.stderr.write(`vpcemu down: no local runtime (${stateFilePath(dir)} does not exist)\n`);
    return 0;
  }
  if (processAlive(state.pid)) {
    process.kill(state.pid, "SIGTERM");
    const deadline = Date.now() + 20_000;
    while (processAlive(state.pid) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (processAlive(state.pid)) {
      process.stderr.write(
        `vpcemu down: 'vpcemu up' (pid ${state.pid}) did not stop in 20 s; killing it\n`,
      );
      process.kill(state.pid, "SIGKILL");
    }
  }
  // Whatever the up process left (it was killed, or crashed): remove it from the record.
  const left = readRuntimeState(dir);
  if (left) await cleanUpRuntime(left, dir);
  process.stdout.write("vpcemu is down\n");
  return 0;
}
