/**
 * `vpcemu exec NODE -- CMD [ARGS...]`: runs a program inside a node's network namespace with
 * stdio inherited; its exit code is passed through. NODE is an instance id, a Name tag, an
 * address, or `internet`.
 */
import { missingPrerequisites, PrerequisiteError, spawnInNamespace } from "../runtime/netns.js";
import { findNode, readRuntimeState, runtimeDir, stateFilePath } from "../runtime/runtime-state.js";
import { UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu exec [--runtime-dir DIR] NODE -- CMD [ARGS...]

Runs CMD inside NODE's network namespace (NODE: instance id, Name tag, address or 'internet').`;

export async function run(args: string[]): Promise<number> {
  const dash = args.indexOf("--");
  const before = dash < 0 ? args : args.slice(0, dash);
  const command = dash < 0 ? [] : args.slice(dash + 1);
  if (before.includes("-h") || before.includes("--help")) {
    process.stdout.write(USAGE + "\n");
    return 0;
  }
  let dir: string | undefined;
  const positionals: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const a = before[i]!;
    if (a === "--runtime-dir") dir = before[++i];
    else if (a.startsWith("--runtime-dir=")) dir = a.slice("--runtime-dir=".length);
    else if (a.startsWith("-")) throw new UsageError(`unknown option '${a}'\n${USAGE}`);
    else positionals.push(a);
  }
  if (positionals.length !== 1 || command.length === 0) {
    throw new UsageError(`expected NODE -- CMD [ARGS...]\n${USAGE}`);
  }
  const state = readRuntimeState(runtimeDir(dir));
  if (!state) {
    throw new Error(
      `no local runtime (${stateFilePath(runtimeDir(dir))} does not exist): start one with 'vpcemu up'`,
    );
  }
  // Entering a namespace needs root (CAP_SYS_ADMIN) and iproute2; the TUN device does not matter here.
  const missing = missingPrerequisites().filter((m) => m.what !== "/dev/net/tun");
  if (missing.length > 0) throw new PrerequisiteError(missing);
  const ref = positionals[0]!;
  const node = findNode(state, ref);
  if (!node) {
    throw new Error(`unknown node '${ref}' (nodes: ${state.nodes.map((n) => n.name).join(", ")})`);
  }
  const child = spawnInNamespace(node.namespace, command[0]!, command.slice(1), {
    stdio: "inherit",
  });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code, signal) =>
        resolve(code ?? (signal ? 128 + signalNumber(signal) : 1)),
      );
    });
  } finally {
    process.off("SIGINT", forward);
    process.off("SIGTERM", forward);
  }
}

function signalNumber(signal: NodeJS.Signals): number {
  return (
    ({ SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[
      signal
    ] ?? 0
  );
}
