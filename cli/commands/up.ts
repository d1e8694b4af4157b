/**
 * `vpcemu up [-f topology.yaml] [--listen HOST:PORT] [--state PATH] [--runtime-dir DIR]`:
 * starts the local runtime (controller, namespaces, agents) in the foreground until Ctrl-C,
 * SIGTERM or `vpcemu down`, then removes everything it made.
 */
import { LocalRuntime, parseAgentProcesses } from "../runtime/local-runtime.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu up [-f topology.yaml] [--listen HOST:PORT] [--state PATH] [--runtime-dir DIR]
                 [--namespace-prefix P] [--agent-processes N|per-node]

Starts the controller and, for every instance (from the file or any later RunInstances), a
network namespace and a node agent; plus the 'internet' node (198.51.100.10). Runs until
Ctrl-C or 'vpcemu down'.

  -f, --file PATH        topology file to apply (docs/topology.md)
  --listen HOST:PORT     controller address (default 127.0.0.1:4566)
  --state PATH           controller state database (default: a private file in the runtime
                         directory, removed at stop; :memory: keeps it in memory)
  --runtime-dir DIR      state file and agent logs (default /run/vpcemu, $VPCEMU_RUNTIME_DIR)
  --namespace-prefix P   prefix of node namespace names (default vpcemu-); with another
                         --runtime-dir, lets two runtimes run side by side
  --agent-processes N    agent host processes carrying the nodes' agents (default: one per
                         core); 'per-node' or 0: one agent process per node`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      file: { type: "string", short: "f" },
      listen: { type: "string" },
      state: { type: "string" },
      "runtime-dir": { type: "string" },
      "namespace-prefix": { type: "string" },
      "agent-processes": { type: "string" },
    },
    USAGE,
  );
  if (!parsed) return 0;
  const v = parsed.values;
  let agentProcesses: number | undefined;
  if (typeof v["agent-processes"] === "string") {
    try {
      agentProcesses = parseAgentProcesses(v["agent-processes"]);
    } catch (err) {
      throw new UsageError(`${(err as Error).message}\n${USAGE}`);
    }
  }
  const log = (line: string) => process.stderr.write(`vpcemu up: ${line}\n`);
  // Signals are taken from the start: a Ctrl-C while nodes are being created still ends in an
  // orderly stop once start() returns, instead of leaving namespaces behind.
  let signalled: string | undefined;
  let wake: (() => void) | undefined;
  const onInt = () => {
    signalled ??= "SIGINT";
    wake?.();
  };
  const onTerm = () => {
    signalled ??= "SIGTERM";
    wake?.();
  };
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  try {
    const runtime = await new LocalRuntime({
      ...(typeof v.file === "string" ? { topologyFile: v.file } : {}),
      ...(typeof v.listen === "string" ? { listen: v.listen } : {}),
      ...(typeof v.state === "string" ? { statePath: v.state } : {}),
      ...(typeof v["runtime-dir"] === "string" ? { runtimeDir: v["runtime-dir"] } : {}),
      ...(typeof v["namespace-prefix"] === "string"
        ? { namespacePrefix: v["namespace-prefix"] }
        : {}),
      ...(agentProcesses !== undefined ? { agentProcesses } : {}),
      log,
    }).start();
    if (signalled === undefined) {
      const first = runtime.nodes().find((n) => n.instanceId !== undefined);
      process.stdout.write(
        [
          `vpcemu is up. EC2 endpoint: ${runtime.ec2Endpoint}`,
          ...runtime
            .nodes()
            .map(
              (n) => `  ${n.name.padEnd(20)} ${n.addresses.join(", ").padEnd(16)} ${n.namespace}`,
            ),
          `Try: vpcemu exec internet -- ping -c1 ${first?.addresses[0] ?? "<address>"}`,
          `     aws --endpoint-url ${runtime.ec2Endpoint} --region us-east-1 ec2 describe-instances`,
          "Ctrl-C or 'vpcemu down' stops it.",
          "",
        ].join("\n"),
      );
      await new Promise<void>((resolve) => (wake = resolve));
    }
    log(`${signalled}: stopping`);
    await runtime.stop();
    return 0;
  } finally {
    process.off("SIGINT", onInt);
    process.off("SIGTERM", onTerm);
  }
}
