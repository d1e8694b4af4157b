/**
 * The local runtime's state file (`<runtime dir>/runtime.json`), written by `vpcemu up` and read
 * by `vpcemu down`, `exec` and `conntrack`. Default directory /run/vpcemu (root-owned tmpfs:
 * gone after a reboot, like the namespaces it describes); `VPCEMU_RUNTIME_DIR` or
 * `--runtime-dir` choose another.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const DEFAULT_RUNTIME_DIR = "/run/vpcemu";

/** The runtime directory: explicit value, else $VPCEMU_RUNTIME_DIR, else /run/vpcemu. */
export function runtimeDir(explicit?: string): string {
  return explicit ?? process.env.VPCEMU_RUNTIME_DIR ?? DEFAULT_RUNTIME_DIR;
}

/** One node: an instance of the controller's state, or the `internet` node. */
export interface RuntimeNode {
  /** Name used by `vpcemu exec NODE`: the Name tag when unique and usable, else the instance id. */
  readonly name: string;
  /** Absent for the internet node. */
  readonly instanceId?: string;
  readonly namespace: string;
  /** Addresses inside the node (the ENI's private IPs, or the internet node's address). */
  readonly addresses: readonly string[];
  /**
   * The instance's public IPv4 addresses (an Elastic IP, else its launch-time public IP, while
   * its VPC has an internet gateway): where the internet node reaches it (docs/routing.md
   * IGW-5, RT-17). Kept current as they change; absent or empty: none.
   */
  readonly publicIps?: readonly string[];
  readonly agentId: string;
  /**
   * Process id of the node's agent while it runs: its agent host process (shared with the other
   * nodes of that host), or the node's own `vpcemu agent` process.
   */
  readonly agentPid?: number;
  /** The agent host (1, 2, ...) that runs the node's agent; absent: a process of its own. */
  readonly agentHost?: number;
  /** The agent's stdout/stderr (its host's log when hosted: lines name the agent id). */
  readonly logFile: string;
}

export interface RuntimeState {
  readonly version: 1;
  /** Process id of `vpcemu up`. */
  readonly pid: number;
  readonly startedAt: string;
  /** http://host:port of the controller (EC2 Query API at /, JSON API at /v1). */
  readonly controllerUrl: string;
  /**
   * Process id of the controller (`vpcemu controller`, a child of `up`) while it runs; absent
   * while it is down (`vpcemu chaos kill-controller`) and in files of older runtimes.
   */
  readonly controllerPid?: number;
  /** The controller's stdout/stderr. */
  readonly controllerLog?: string;
  readonly ec2Endpoint: string;
  readonly namespacePrefix: string;
  readonly nodes: readonly RuntimeNode[];
  /** Unix socket where `up` takes process faults (runtime-control.ts); absent in older files. */
  readonly controlSocket?: string;
}

export function stateFilePath(dir: string): string {
  return join(dir, "runtime.json");
}

/**
 * The controller database `up` keeps in its runtime directory when no `--state` is given:
 * created empty at start, removed at stop (it exists so a killed controller comes back).
 */
export function ephemeralStatePath(dir: string): string {
  return join(dir, "controller-state.db");
}

/** Writes the state atomically (temp file + rename). */
export function writeRuntimeState(dir: string, state: RuntimeState): void {
  mkdirSync(dir, { recursive: true });
  const tmp = `${stateFilePath(dir)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  renameSync(tmp, stateFilePath(dir));
}

/** The state, or undefined when no runtime wrote one in `dir`. */
export function readRuntimeState(dir: string): RuntimeState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFilePath(dir), "utf8");
  } catch {
    return undefined;
  }
  const state = JSON.parse(text) as RuntimeState;
  if (state.version !== 1 || !Array.isArray(state.nodes)) {
    throw new Error(`${stateFilePath(dir)}: not a vpcemu runtime state file`);
  }
  return state;
}

export function removeRuntimeState(dir: string): void {
  rmSync(stateFilePath(dir), { force: true });
}

/** Finds a node by name, instance id, namespace or address (private or public); undefined when none matches. */
export function findNode(state: RuntimeState, ref: string): RuntimeNode | undefined {
  return (
    state.nodes.find((n) => n.name === ref) ??
    state.nodes.find((n) => n.instanceId === ref || n.namespace === ref) ??
    state.nodes.find((n) => n.addresses.includes(ref) || (n.publicIps ?? []).includes(ref))
  );
}

/** True when a process with this id exists and has not exited (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // Why: an exited child its parent has not reaped yet still answers kill(pid, 0).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}
