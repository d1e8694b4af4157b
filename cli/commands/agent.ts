/**
 * `vpcemu agent`: runs one node agent in the foreground until SIGINT/SIGTERM (docs/agent.md).
 *
 *   vpcemu agent --controller URL --agent-id ID [--instance i-...]... [--eni eni-...]...
 *                [--external NAME=ADDR]... [--netns NS | --in-place] [--underlay HOST:PORT]
 *                [--advertise HOST:PORT] [--join-token T] [--agent-key K | --agent-key-file F]
 *                [--conntrack-max N] [--auto-tracked]
 *                [--tun-name eth0] [--mtu 9001] [--report-interval MS] [--no-flow-logs]
 *                [--flow-log-window MS]
 *                [--metrics-listen HOST:PORT]
 *
 * Exit codes: 0 after a signal, 1 when the agent cannot start (not root, no /dev/net/tun, no
 * iproute2, missing namespace, port in use), 2 for wrong arguments.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import {
  Agent,
  controllerControl,
  type AgentLogger,
  type StartedAgent,
} from "../../node-agent/agent.js";
import {
  AgentConfigError,
  sanitizeAgentConfig,
  type AgentConfig,
  type ExternalNode,
} from "../../node-agent/config.js";
import { formatEndpoint, parseEndpoint } from "../../node-agent/overlay/transport.js";
import { openUdpTransport } from "../../node-agent/overlay/udp-transport.js";
import { TunSetupError } from "../../node-agent/tun/tun-device.js";
import { checkIproute2 } from "../../node-agent/tun/tun-placement.js";
import { LinuxTunProvider } from "../../node-agent/tun/tun-provider.js";
import { parseCommandArgs, UsageError } from "./usage.js";

const USAGE = `Usage: vpcemu agent --controller URL --agent-id ID [options]

Runs a node agent: creates a TUN device per hosted ENI (and external node), filters its
traffic like an AWS security group + network ACL, and carries it to other agents over UDP.

Options:
  --controller URL        controller (http://host:port or ws://host:port/v1/agents/ws)
  --agent-id ID           this agent's id (unique per controller)
  --instance ID           host this instance's ENIs (repeatable)
  --eni ID                host this ENI (repeatable)
  --external NAME=ADDR    host an external node outside every VPC, e.g. internet=198.51.100.10
  --netns NS              create the TUN here and move it into network namespace NS
  --in-place              configure the TUN in the agent's own namespace (container sidecar; default)
  --underlay HOST:PORT    UDP underlay bind address (default 127.0.0.1:0)
  --advertise HOST:PORT   underlay endpoint other agents send to (default: the bound one)
  --join-token T          controller join token (default $VPCEMU_JOIN_TOKEN)
  --agent-key K           this agent's credential (default $VPCEMU_AGENT_KEY; docs/agent.md
                          "Agent identity"); without one the controller issues it on joining
  --agent-key-file F      read the credential from F, and write an issued one there
                          (default $VPCEMU_AGENT_KEY_FILE)
  --conntrack-max N       tracked-connection allowance per instance (MET-1)
  --auto-tracked          track every flow (CT-4 stand-in: NLB, NAT gateway ...)
  --tun-name NAME         first TUN name in the node (default eth0 with --netns, vpc0 in place)
  --mtu N                 TUN MTU (default 9001)
  --report-interval MS    conntrack/counters/flow-log report period (default 5000)
  --no-flow-logs          do not aggregate flow logs
  --flow-log-window MS    flow-log aggregation window (default 60000: AWS aggregates in at
                          most 1 minute, FL-3; shorter windows publish records sooner)
  --metrics-listen H:P    serve Prometheus metrics at http://H:P/metrics (default off;
                          beyond loopback only with a join token)
  -h, --help              show this help`;

const OPTIONS = {
  controller: { type: "string" },
  "agent-id": { type: "string" },
  instance: { type: "string", multiple: true },
  eni: { type: "string", multiple: true },
  external: { type: "string", multiple: true },
  netns: { type: "string" },
  "in-place": { type: "boolean" },
  underlay: { type: "string" },
  advertise: { type: "string" },
  "join-token": { type: "string" },
  "agent-key": { type: "string" },
  "agent-key-file": { type: "string" },
  "conntrack-max": { type: "string" },
  "auto-tracked": { type: "boolean" },
  "tun-name": { type: "string" },
  mtu: { type: "string" },
  "report-interval": { type: "string" },
  "no-flow-logs": { type: "boolean" },
  "flow-log-window": { type: "string" },
  "metrics-listen": { type: "string" },
} as const;

/** The agent's credential and where to keep an issued one (docs/agent.md "Agent identity"). */
export function parseAgentKeyArgs(args: readonly string[]): {
  agentKey: string;
  keyFile: string | undefined;
} {
  const v = parseCommandArgs(args, OPTIONS, USAGE)?.values ?? {};
  const keyFile =
    (v["agent-key-file"] as string | undefined) ?? process.env.VPCEMU_AGENT_KEY_FILE ?? undefined;
  let agentKey = (v["agent-key"] as string | undefined) ?? process.env.VPCEMU_AGENT_KEY ?? "";
  if (agentKey === "" && keyFile !== undefined && keyFile !== "" && existsSync(keyFile)) {
    agentKey = readFileSync(keyFile, "utf8").trim();
  }
  return { agentKey, keyFile: keyFile === "" ? undefined : keyFile };
}

/** argv -> validated AgentConfig; throws UsageError or AgentConfigError. */
export function parseAgentArgs(args: readonly string[]): AgentConfig | undefined {
  const parsed = parseCommandArgs(args, OPTIONS, USAGE);
  if (!parsed) return undefined;
  const v = parsed.values;
  const str = (k: string): string | undefined => v[k] as string | undefined;
  const list = (k: string): string[] => (v[k] as string[] | undefined) ?? [];
  const int = (k: string): number | undefined => {
    const s = str(k);
    if (s === undefined) return undefined;
    if (!/^\d+$/.test(s)) throw new UsageError(`--${k} must be a number, got '${s}'\n${USAGE}`);
    return Number(s);
  };
  const agentId = str("agent-id");
  if (!agentId) throw new UsageError(`--agent-id is required\n${USAGE}`);
  const controllerUrl = str("controller");
  if (!controllerUrl) throw new UsageError(`--controller is required\n${USAGE}`);
  const netns = str("netns");
  if (netns !== undefined && v["in-place"] === true) {
    throw new UsageError(`--netns and --in-place exclude each other\n${USAGE}`);
  }
  const externals: ExternalNode[] = list("external").map((e) => {
    const i = e.indexOf("=");
    if (i <= 0) throw new UsageError(`--external must be NAME=ADDRESS, got '${e}'\n${USAGE}`);
    return { name: e.slice(0, i), address: e.slice(i + 1) };
  });
  const instanceIds = list("instance");
  const eniIds = list("eni");
  if (instanceIds.length + eniIds.length + externals.length === 0) {
    throw new UsageError(`give at least one --instance, --eni or --external\n${USAGE}`);
  }
  const conntrackMax = int("conntrack-max");
  const mtu = int("mtu");
  const reportIntervalMs = int("report-interval");
  const flowLogWindowMs = int("flow-log-window");
  const tunBaseName = str("tun-name");
  const underlayAdvertise = str("advertise");
  const metricsListen = str("metrics-listen");
  return sanitizeAgentConfig({
    agentId,
    controllerUrl,
    joinToken: str("join-token") ?? process.env.VPCEMU_JOIN_TOKEN ?? "",
    instanceIds,
    eniIds,
    externals,
    placement: netns !== undefined ? { kind: "netns", netns } : { kind: "in-place" },
    underlayBind: str("underlay") ?? "127.0.0.1:0",
    ...(underlayAdvertise !== undefined ? { underlayAdvertise } : {}),
    ...(metricsListen !== undefined ? { metricsListen } : {}),
    ...(tunBaseName !== undefined ? { tunBaseName } : {}),
    ...(conntrackMax !== undefined ? { conntrackMax } : {}),
    ...(mtu !== undefined ? { mtu } : {}),
    ...(reportIntervalMs !== undefined ? { reportIntervalMs } : {}),
    autoTracked: v["auto-tracked"] === true,
    flowLogs: v["no-flow-logs"] !== true,
    ...(flowLogWindowMs !== undefined ? { flowLogWindowMs } : {}),
  });
}

/** http://h:p[/] -> ws://h:p/v1/agents/ws; ws URLs are taken as given. */
export function hubUrl(controllerUrl: string): string {
  const u = new URL(controllerUrl);
  if (u.protocol === "http:" || u.protocol === "https:") {
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    if (u.pathname === "/" || u.pathname === "") u.pathname = "/v1/agents/ws";
  }
  return u.toString();
}

/** For a wildcard bind (0.0.0.0 / ::), the first non-internal address of that family. */
function advertisedFor(bound: string): string {
  const { host, port } = parseEndpoint(bound);
  if (host !== "0.0.0.0" && host !== "::") return bound;
  const v6 = host === "::";
  for (const [name, addrs] of Object.entries(networkInterfaces())) {
    if (/^(vpc|vpct)/.test(name)) continue;
    for (const a of addrs ?? []) {
      if (!a.internal && (a.family === "IPv6") === v6 && !a.address.startsWith("fe80")) {
        return formatEndpoint(a.address, port);
      }
    }
  }
  return bound;
}

/** Log lines on stderr, stamped and prefixed with the agent id (one log may hold many agents). */
export function agentLogger(agentId: string): AgentLogger {
  const stamp = (): string => new Date().toISOString();
  return {
    info: (m) => process.stderr.write(`${stamp()} agent ${agentId}: ${m}\n`),
    warn: (m) => process.stderr.write(`${stamp()} agent ${agentId}: WARN ${m}\n`),
  };
}

let iproute2Checked: Promise<void> | undefined;

async function preflight(config: AgentConfig): Promise<void> {
  if (process.platform !== "linux") {
    throw new TunSetupError("EMU_ERR_TUN_NATIVE", "the agent needs Linux (TUN devices)");
  }
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new TunSetupError(
      "EMU_ERR_TUN_NOT_PERMITTED",
      "the agent needs root (CAP_NET_ADMIN) to create TUN devices: run it with sudo or as root",
    );
  }
  // Why once per process: a host process (vpcemu agent-host) starts hundreds of agents.
  iproute2Checked ??= checkIproute2().catch((err: unknown) => {
    iproute2Checked = undefined;
    throw err;
  });
  await iproute2Checked;
  if (config.placement.kind === "netns" && !existsSync(`/run/netns/${config.placement.netns}`)) {
    throw new TunSetupError(
      "EMU_ERR_TUN_CONFIGURE",
      `network namespace '${config.placement.netns}' does not exist (ip netns add ${config.placement.netns})`,
    );
  }
}

/**
 * Starts one agent from a validated config (what `vpcemu agent` and each node of
 * `vpcemu agent-host` run): preflight, underlay socket, controller connection, Agent.start().
 * Throws an Error whose message says what is wrong; nothing is left open then.
 */
export async function startNodeAgent(
  config: AgentConfig,
  keys: { agentKey: string; keyFile: string | undefined },
  log: AgentLogger,
): Promise<StartedAgent> {
  await preflight(config);
  let transport;
  try {
    transport = await openUdpTransport({ bind: config.underlayBind });
  } catch (err) {
    throw new Error(
      `cannot bind the underlay to ${config.underlayBind}: ${(err as Error).message}`,
    );
  }
  const underlayEndpoint = config.underlayAdvertise ?? advertisedFor(transport.localEndpoint);
  const control = controllerControl({
    url: hubUrl(config.controllerUrl!),
    agentId: config.agentId,
    joinToken: config.joinToken,
    ...(keys.agentKey !== "" ? { agentKey: keys.agentKey } : {}),
    onAgentKey: (key) => {
      if (keys.keyFile === undefined) {
        log.info(
          "the controller issued this agent's key (kept in memory; --agent-key-file keeps it)",
        );
        return;
      }
      try {
        writeFileSync(keys.keyFile, `${key}\n`, { mode: 0o600 });
        log.info(`the controller issued this agent's key; written to ${keys.keyFile}`);
      } catch (err) {
        log.warn(`cannot write the agent key to ${keys.keyFile}: ${(err as Error).message}`);
      }
    },
    hosting: {
      instanceIds: config.instanceIds,
      eniIds: config.eniIds,
      externals: config.externals,
      underlayEndpoint,
      ...(config.conntrackMax !== undefined ? { conntrackMax: config.conntrackMax } : {}),
      autoTracked: config.autoTracked,
    },
    onStateChange: (s) => log.info(`controller ${s}`),
    onControllerError: (code, message) => log.warn(`controller error ${code}: ${message}`),
    onSnapshotError: (err, s) =>
      log.warn(`snapshot ${s.revision} not applied: ${(err as Error).message}`),
  });
  let agent: StartedAgent;
  try {
    agent = await new Agent({
      config: { ...config, underlayAdvertise: underlayEndpoint },
      tuns: new LinuxTunProvider(config.placement, config.tunBaseName, config.mtu, undefined, (m) =>
        log.info(m),
      ),
      transport,
      control,
      logger: log,
    }).start();
  } catch (err) {
    await transport.close();
    await control.close();
    throw err;
  }
  const where = config.placement.kind === "netns" ? `netns ${config.placement.netns}` : "in place";
  log.info(`started (${where}), underlay ${underlayEndpoint}, controller ${config.controllerUrl}`);
  if (agent.metricsEndpoint !== undefined)
    log.info(`metrics at http://${agent.metricsEndpoint}/metrics`);
  return agent;
}

export async function run(args: string[]): Promise<number> {
  let config: AgentConfig | undefined;
  try {
    config = parseAgentArgs(args);
  } catch (err) {
    if (err instanceof AgentConfigError) throw new UsageError(`${err.message}\n${USAGE}`);
    throw err;
  }
  if (!config) return 0;
  const keys = parseAgentKeyArgs(args);
  const log = agentLogger(config.agentId);
  let agent: StartedAgent;
  try {
    agent = await startNodeAgent(config, keys, log);
  } catch (err) {
    log.warn((err as Error).message);
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  log.info("stopping");
  await agent.stop();
  return 0;
}
