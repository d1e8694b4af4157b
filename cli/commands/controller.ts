/**
 * `vpcemu controller [--listen HOST:PORT] [--state PATH] [--join-token T] [--auth-keys K]
 * [--region R] [--conntrack-max N]`: runs the controller in the foreground until SIGINT or
 * SIGTERM, printing its endpoints. Exit 0 on a clean stop, 1 when it cannot start.
 */
import { Controller } from "../../controller/app.js";
import { ConfigError, DEFAULT_LISTEN } from "../../controller/config.js";
import { READY_IPC_ENV, type ControllerReadyMessage } from "../runtime/controller-process.js";
import { parseCommandArgs, UsageError } from "./usage.js";

/**
 * Real ms per FIS ms (ControllerDeps.fisTimeScale, docs/fis.md "Time"): 0.1 runs PT1M in 6 s.
 * For tests only; unset means real time.
 */
export const FIS_TIME_SCALE_ENV = "VPCEMU_FIS_TIME_SCALE";

const USAGE = `Usage: vpcemu controller [options]

Runs the controller: the EC2 Query API at /, the JSON API at /v1, the agent hub at /v1/agents/ws.

Options:
  --listen HOST:PORT     listen address (default ${DEFAULT_LISTEN}; port 0 = any free port)
  --state PATH           SQLite state file, or :memory: (default $VPCEMU_STATE or ./.vpcemu/state.db)
  --join-token TOKEN     token agents must present (required when listening beyond loopback;
                         default $VPCEMU_JOIN_TOKEN)
  --auth-keys KEYS       verify EC2 SigV4 signatures: AKID:SECRET[,AKID:SECRET] or @file.json
  --region REGION        region shown in ARNs (default us-east-1)
  --conntrack-max N      default per-instance conntrack allowance (default 65536)`;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    args,
    {
      listen: { type: "string" },
      state: { type: "string" },
      "join-token": { type: "string" },
      "auth-keys": { type: "string" },
      region: { type: "string" },
      "conntrack-max": { type: "string" },
    },
    USAGE,
  );
  if (parsed === undefined) return 0;
  const v = parsed.values as Record<string, string | undefined>;
  let conntrackMax: number | undefined;
  if (v["conntrack-max"] !== undefined) {
    conntrackMax = Number(v["conntrack-max"]);
    if (!Number.isInteger(conntrackMax) || conntrackMax <= 0) {
      throw new UsageError(
        `--conntrack-max must be a positive integer, got '${v["conntrack-max"]}'\n${USAGE}`,
      );
    }
  }
  const joinToken = v["join-token"] ?? process.env["VPCEMU_JOIN_TOKEN"];
  // Why an environment variable and no option: a testing knob (the netns FIS tests run PT1M
  // in seconds under the local runtime, which passes its environment on), not a user setting.
  const fisTimeScaleText = process.env[FIS_TIME_SCALE_ENV];
  let fisTimeScale: number | undefined;
  if (fisTimeScaleText !== undefined && fisTimeScaleText !== "") {
    fisTimeScale = Number(fisTimeScaleText);
    if (!Number.isFinite(fisTimeScale) || fisTimeScale <= 0 || fisTimeScale > 1) {
      process.stderr.write(
        `vpcemu controller: $${FIS_TIME_SCALE_ENV} must be a number in (0, 1], got '${fisTimeScaleText}'\n`,
      );
      return 1;
    }
  }
  let controller: Controller;
  try {
    controller = new Controller(
      {
        ...(v.listen !== undefined ? { listen: v.listen } : {}),
        ...(v.state !== undefined ? { statePath: v.state } : {}),
        ...(joinToken !== undefined && joinToken !== "" ? { joinToken } : {}),
        ...(v["auth-keys"] !== undefined ? { authKeys: v["auth-keys"] } : {}),
        ...(v.region !== undefined ? { region: v.region } : {}),
        ...(conntrackMax !== undefined ? { conntrackMax } : {}),
      },
      fisTimeScale !== undefined ? { fisTimeScale } : {},
    );
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vpcemu controller: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  let started;
  try {
    started = await controller.start();
  } catch (err) {
    process.stderr.write(`vpcemu controller: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  process.stdout.write(
    [
      `vpcemu controller listening on ${started.url}`,
      `  EC2 Query API: ${started.ec2Endpoint}  (aws --endpoint-url ${started.ec2Endpoint} ec2 ...)`,
      `  JSON API:      ${started.url}/v1/agents, /v1/revision, /v1/conntrack`,
      `  agents:        ${started.agentUrl}${started.config.joinToken !== undefined ? " (join token required)" : ""}`,
      `  state:         ${started.config.statePath} (revision ${started.revision()})`,
      "",
    ].join("\n"),
  );
  // Why: a supervisor (the local runtime, cli/runtime/controller-process.ts) that spawned this
  // process with an IPC channel learns when it listens, where, and that it is this pid; the
  // channel is dropped at once so the controller lives on without its supervisor.
  if (process.env[READY_IPC_ENV] === "1" && process.send !== undefined) {
    const ready: ControllerReadyMessage = {
      type: "vpcemu-controller-listening",
      url: started.url,
      port: started.port,
      pid: process.pid,
    };
    process.send(ready, () => process.disconnect());
  }
  await new Promise<void>((resolve) => {
    const done = (): void => {
      process.off("SIGINT", done);
      process.off("SIGTERM", done);
      resolve();
    };
    process.on("SIGINT", done);
    process.on("SIGTERM", done);
  });
  process.stdout.write("vpcemu controller: stopping\n");
  await started.stop();
  return 0;
}
