/**
 * A private local runtime for netns tests: its own namespace prefix (`vpcemu-t<pid>-`), runtime
 * directory and ephemeral controller port, so tests run next to `vpcemu up` and each other.
 * `await using rt = await startTestRuntime(...)` removes everything even when a test fails.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  LocalRuntime,
  type LocalRuntimeOptions,
  type StartedLocalRuntime,
} from "../../cli/runtime/local-runtime.js";
import { Probes } from "../../cli/runtime/probes.js";
import { requireNetnsPrerequisites } from "./prerequisites.js";

export interface TestRuntime extends AsyncDisposable {
  readonly runtime: StartedLocalRuntime;
  readonly probes: Probes;
  /** The runtime's progress lines so far (what `vpcemu up` prints). */
  readonly logs: readonly string[];
}

let counter = 0;

/**
 * Starts a runtime with the given topology file (or none) and probes bound to it; `options`
 * adds runtime options (e.g. agentProcesses).
 */
export async function startTestRuntime(
  topologyFile?: string,
  extraCommands: readonly string[] = [],
  options: Pick<LocalRuntimeOptions, "agentProcesses"> = {},
): Promise<TestRuntime> {
  requireNetnsPrerequisites(extraCommands);
  const dir = mkdtempSync(join(tmpdir(), "vpcemu-test-rt-"));
  const logs: string[] = [];
  let runtime: StartedLocalRuntime;
  try {
    runtime = await new LocalRuntime({
      ...(topologyFile ? { topologyFile } : {}),
      listen: "127.0.0.1:0",
      runtimeDir: dir,
      namespacePrefix: `vpcemu-t${process.pid}x${counter++}-`,
      ...options,
      log: (line) => logs.push(line),
    }).start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\nruntime log:\n${logs.join("\n")}`,
    );
  }
  const probes = new Probes((n) => runtime.node(n).namespace);
  return {
    runtime,
    probes,
    logs,
    async [Symbol.asyncDispose]() {
      await probes.stopAll();
      await runtime.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
