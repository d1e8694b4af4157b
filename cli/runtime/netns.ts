/**
 * Node namespaces of the local runtime, through iproute2 (`ip netns ...`). A node namespace
 * `vpcemu-<name>` holds only `lo` (up) when created; the node's agent later moves its TUN in and
 * configures addresses and routes (node-agent/tun/). Nothing here routes the namespace anywhere:
 * a node namespace has no way out of the emulator (DESIGN.md, network safety).
 *
 * Also the prerequisite check shared by `vpcemu up/exec/demo` and test/helpers/prerequisites.ts.
 */
import { execFile, spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";

/** Prefix of every namespace the local runtime creates. */
export const NODE_NAMESPACE_PREFIX = "vpcemu-";

/** Characters allowed in a node name (they end up in /run/netns/<ns> and in argv). */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Namespace name for a node (`web` -> `vpcemu-web`). Throws on names unusable as a file name. */
export function namespaceName(node: string, prefix: string = NODE_NAMESPACE_PREFIX): string {
  if (!NODE_NAME.test(node)) {
    throw new Error(`invalid node name '${node}': use letters, digits, '.', '_' or '-'`);
  }
  return `${prefix}${node}`;
}

/** Runs `ip ARGS...`; resolves with stdout, rejects with iproute2's stderr in the message. */
export function ip(args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("ip", [...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr).trim() || err.message;
        reject(new Error(`ip ${args.join(" ")}: ${detail}`));
      } else {
        resolve(String(stdout));
      }
    });
  });
}

/** Creates namespace `ns` with `lo` up. Fails if it already exists. */
export async function createNamespace(ns: string): Promise<void> {
  await ip(["netns", "add", ns]);
  try {
    await ip(["-n", ns, "link", "set", "lo", "up"]);
  } catch (err) {
    await ip(["netns", "del", ns]).catch(() => undefined);
    throw err;
  }
}

/** True when /run/netns/<ns> exists. */
export async function namespaceExists(ns: string): Promise<boolean> {
  return (await listNamespaces("")).includes(ns);
}

/** Namespaces whose name starts with `prefix`, sorted. */
export async function listNamespaces(prefix: string = NODE_NAMESPACE_PREFIX): Promise<string[]> {
  const out = await ip(["netns", "list"]);
  return out
    .split("\n")
    .map((line) => line.trim().split(/\s+/)[0] ?? "")
    .filter((name) => name !== "" && name.startsWith(prefix))
    .sort();
}

/** Process ids running inside `ns` (`ip netns pids`). */
export async function namespacePids(ns: string): Promise<number[]> {
  const out = await ip(["netns", "pids", ns]);
  return out
    .split(/\s+/)
    .filter((s) => s !== "")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

/** Interface names inside `ns` (`lo`, and the TUN once the agent placed it). */
export async function namespaceLinks(ns: string): Promise<string[]> {
  const out = await ip(["-n", ns, "-o", "link", "show"]);
  return out
    .split("\n")
    .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1])
    .filter((n): n is string => n !== undefined);
}

/**
 * Deletes `ns` after killing every process still inside it (SIGKILL: they are leftovers of a
 * node being removed). A missing namespace is not an error. Devices inside (the node's TUN) go
 * with it.
 */
export async function deleteNamespace(ns: string): Promise<void> {
  if (!(await namespaceExists(ns))) return;
  for (const pid of await namespacePids(ns).catch(() => [])) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Why: the process may have exited between the listing and the kill.
    }
  }
  await ip(["netns", "del", ns]);
}

/** Spawns `cmd args...` inside `ns` (`ip netns exec`); the caller owns the child. */
export function spawnInNamespace(
  ns: string,
  cmd: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  return spawn("ip", ["netns", "exec", ns, cmd, ...args], options);
}

export interface NamespaceRunResult {
  /** Exit code, or null when killed by a signal (e.g. on timeout). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/**
 * Runs `cmd args...` inside `ns` to completion, capturing output. `timeoutMs` kills it with
 * SIGKILL and sets `timedOut`; `input` is written to its stdin.
 */
export function runInNamespace(
  ns: string,
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs?: number; input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<NamespaceRunResult> {
  return new Promise((resolve, reject) => {
    const child = spawnInNamespace(ns, cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: opts.env ?? process.env,
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
          }, opts.timeoutMs);
    child.on("error", (err) => {
      if (timer) clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    // Why: a command that exits without reading its stdin (or before we write) makes this write
    // fail with EPIPE; the result is the exit status above, not an uncaught exception.
    child.stdin?.on("error", () => undefined);
    child.stdin?.end(opts.input ?? "");
  });
}

/** Absolute path of `cmd` on PATH, or undefined. */
export function findOnPath(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, cmd);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Why: not in this PATH entry; keep looking.
    }
  }
  return undefined;
}

/** One missing prerequisite of the local runtime, with what to do about it. */
export interface MissingPrerequisite {
  readonly what: string;
  readonly fix: string;
}

/** CAP_NET_ADMIN is bit 12 of the effective capability set. */
function hasNetAdmin(): boolean {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const hex = /^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1];
    return hex !== undefined && (BigInt(`0x${hex}`) & (1n << 12n)) !== 0n;
  } catch {
    return false;
  }
}

/**
 * What the local runtime needs and is missing: Linux, root (CAP_NET_ADMIN), /dev/net/tun,
 * iproute2 `ip`; plus any of `extraCommands` (e.g. "ping", "iperf3"), named with their Debian
 * package. Empty when everything is present.
 */
export function missingPrerequisites(extraCommands: readonly string[] = []): MissingPrerequisite[] {
  const missing: MissingPrerequisite[] = [];
  if (process.platform !== "linux") {
    return [{ what: `Linux (this is ${process.platform})`, fix: "run vpcemu on Linux" }];
  }
  const uid = process.getuid?.() ?? -1;
  if (uid !== 0 && !hasNetAdmin()) {
    missing.push({
      what: "root (CAP_NET_ADMIN)",
      fix: "run as root, e.g. `sudo vpcemu ...` (namespaces and TUN devices need CAP_NET_ADMIN)",
    });
  }
  if (!existsSync("/dev/net/tun")) {
    missing.push({
      what: "/dev/net/tun",
      fix: "load the tun module (`modprobe tun`) or create the node: `mkdir -p /dev/net && mknod /dev/net/tun c 10 200`",
    });
  }
  const packages: Record<string, string> = {
    ip: "iproute2",
    ping: "iputils-ping",
    iperf3: "iperf3",
    nft: "nftables",
  };
  for (const cmd of ["ip", ...extraCommands]) {
    if (!findOnPath(cmd)) {
      const pkg = packages[cmd] ?? cmd;
      missing.push({
        what: `the '${cmd}' command`,
        fix: `install it: \`apt-get install ${pkg}\` (or \`bash scripts/setup.sh\`)`,
      });
    }
  }
  return missing;
}

/** Thrown by assertPrerequisites: the message lists every missing thing and its fix. */
export class PrerequisiteError extends Error {
  override readonly name = "PrerequisiteError";
  constructor(readonly missing: readonly MissingPrerequisite[]) {
    super(
      "the local runtime cannot start; missing:\n" +
        missing.map((m) => `  - ${m.what}: ${m.fix}`).join("\n"),
    );
  }
}

/** Throws PrerequisiteError naming everything missing (see missingPrerequisites). */
export function assertPrerequisites(extraCommands: readonly string[] = []): void {
  const missing = missingPrerequisites(extraCommands);
  if (missing.length > 0) throw new PrerequisiteError(missing);
}

export type { ChildProcess };
