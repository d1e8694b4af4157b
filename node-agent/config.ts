/**
 * Agent configuration, validated once (sanitizeAgentConfig) and immutable afterwards. The CLI
 * (cli/commands/agent.ts) builds the raw input from argv; tests build it directly.
 */
import { parseIpAddress } from "./packet/address.js";
import { parseEndpoint, type Endpoint } from "./overlay/transport.js";

/** Where the agent's TUN devices go. */
export type TunPlacementMode =
  /** Create in the agent's namespace, move into `netns` (`ip netns` name), configure there. */
  | { readonly kind: "netns"; readonly netns: string }
  /** The agent already runs in the node's namespace (container sidecar). */
  | { readonly kind: "in-place" };

/** An external node this agent hosts (`--external NAME=ADDR`). */
export interface ExternalNode {
  /** Node name ("internet"); the mapping table reports it as the entry's subnetId. */
  readonly name: string;
  readonly address: string;
}

/** The validated configuration (sanitizeAgentConfig). */
export interface AgentConfig {
  readonly agentId: string;
  /** ws(s):// URL of the controller's agent hub, or http(s):// of the controller. */
  readonly controllerUrl: string | undefined;
  readonly joinToken: string;
  /** Hosted instances (their ENIs come in snapshots). */
  readonly instanceIds: readonly string[];
  /** Hosted ENIs not attached to a listed instance. */
  readonly eniIds: readonly string[];
  /** External nodes (outside every VPC) this agent hosts. */
  readonly externals: readonly ExternalNode[];
  readonly placement: TunPlacementMode;
  /** Name of the first TUN in the node: "eth0" (netns) / "vpc0" (in place); later ones count up. */
  readonly tunBaseName: string;
  /** UDP bind address of the underlay. */
  readonly underlayBind: Endpoint;
  /** Endpoint other agents send to, when it differs from the bound one (NAT, 0.0.0.0). */
  readonly underlayAdvertise: Endpoint | undefined;
  readonly mtu: number;
  /** Node-level conntrack allowance (MET-1); undefined = the controller's default. */
  readonly conntrackMax: number | undefined;
  /** CT-4 stand-in: track every flow on this node. */
  readonly autoTracked: boolean;
  /** Conntrack and counters report period. */
  readonly reportIntervalMs: number;
  readonly flowLogs: boolean;
  readonly flowLogWindowMs: number;
  readonly accountId: string;
  /**
   * `--metrics-listen`: where GET /metrics (Prometheus) is served; undefined = no listener.
   * Beyond loopback only with a join token, as the controller's own listener.
   */
  readonly metricsListen: Endpoint | undefined;
}

/** Raw input: any subset, agentId required. */
export type AgentConfigInput = Partial<AgentConfig> & { readonly agentId: string };

/** A configuration value is invalid; the message names it. */
export class AgentConfigError extends Error {
  readonly code = "EMU_ERR_AGENT_CONFIG";
  constructor(message: string) {
    super(message);
    this.name = "AgentConfigError";
  }
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Validates and fills defaults; throws AgentConfigError naming the offending value. */
export function sanitizeAgentConfig(input: AgentConfigInput): AgentConfig {
  if (!NAME.test(input.agentId)) {
    throw new AgentConfigError(`agent id '${input.agentId}' must match ${NAME.source}`);
  }
  const controllerUrl = input.controllerUrl;
  if (controllerUrl !== undefined && !/^(wss?|https?):\/\/[^\s]+$/.test(controllerUrl)) {
    throw new AgentConfigError(
      `controller URL '${controllerUrl}' must be ws://, wss://, http:// or https://`,
    );
  }
  for (const id of input.instanceIds ?? []) {
    if (!/^i-[0-9a-z]+$/.test(id))
      throw new AgentConfigError(`instance id '${id}' must look like i-0123456789abcdef0`);
  }
  for (const id of input.eniIds ?? []) {
    if (!/^eni-[0-9a-z]+$/.test(id))
      throw new AgentConfigError(`ENI id '${id}' must look like eni-0123456789abcdef0`);
  }
  const names = new Set<string>();
  for (const e of input.externals ?? []) {
    if (!NAME.test(e.name))
      throw new AgentConfigError(`external node name '${e.name}' must match ${NAME.source}`);
    if (!parseIpAddress(e.address)) {
      throw new AgentConfigError(`external node '${e.name}': '${e.address}' is not an IP address`);
    }
    if (names.has(e.name)) throw new AgentConfigError(`external node '${e.name}' given twice`);
    names.add(e.name);
  }
  const placement = input.placement ?? { kind: "in-place" };
  if (placement.kind === "netns" && !NAME.test(placement.netns)) {
    throw new AgentConfigError(`network namespace '${placement.netns}' must match ${NAME.source}`);
  }
  const underlayBind = input.underlayBind ?? "127.0.0.1:0";
  checkEndpoint("underlay", underlayBind);
  if (input.underlayAdvertise !== undefined)
    checkEndpoint("advertised underlay", input.underlayAdvertise);
  const mtu = input.mtu ?? 9001;
  if (!Number.isInteger(mtu) || mtu < 1280 || mtu > 65535) {
    throw new AgentConfigError(`MTU ${mtu} must be an integer in 1280..65535`);
  }
  const reportIntervalMs = input.reportIntervalMs ?? 5000;
  if (!(reportIntervalMs >= 100))
    throw new AgentConfigError(`report interval ${reportIntervalMs} ms is below 100 ms`);
  const flowLogWindowMs = input.flowLogWindowMs ?? 60_000;
  if (!(flowLogWindowMs >= 1000))
    throw new AgentConfigError(`flow-log window ${flowLogWindowMs} ms is below 1 s`);
  if (
    input.conntrackMax !== undefined &&
    !(Number.isInteger(input.conntrackMax) && input.conntrackMax >= 0)
  ) {
    throw new AgentConfigError(
      `conntrack max ${input.conntrackMax} must be a non-negative integer`,
    );
  }
  const metricsListen = input.metricsListen;
  if (metricsListen !== undefined) {
    checkEndpoint("metrics", metricsListen);
    const host = parseEndpoint(metricsListen).host;
    if (!isLoopbackHost(host) && (input.joinToken ?? "") === "") {
      throw new AgentConfigError(
        `serving metrics on ${host} (beyond loopback) requires a join token: pass --join-token TOKEN`,
      );
    }
  }
  const tunBaseName = input.tunBaseName ?? (placement.kind === "netns" ? "eth0" : "vpc0");
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,10}[0-9]$/.test(tunBaseName)) {
    throw new AgentConfigError(
      `TUN name '${tunBaseName}' must be ≤ 12 characters ending in a digit (eth0)`,
    );
  }
  return {
    agentId: input.agentId,
    controllerUrl,
    joinToken: input.joinToken ?? "",
    instanceIds: [...(input.instanceIds ?? [])],
    eniIds: [...(input.eniIds ?? [])],
    externals: [...(input.externals ?? [])],
    placement,
    tunBaseName,
    underlayBind,
    underlayAdvertise: input.underlayAdvertise,
    mtu,
    conntrackMax: input.conntrackMax,
    autoTracked: input.autoTracked ?? false,
    reportIntervalMs,
    flowLogs: input.flowLogs ?? true,
    flowLogWindowMs,
    accountId: input.accountId ?? "123456789012",
    metricsListen,
  };
}

function checkEndpoint(what: string, ep: string): void {
  try {
    parseEndpoint(ep);
  } catch {
    throw new AgentConfigError(`${what} endpoint '${ep}' must be HOST:PORT ([v6]:PORT for IPv6)`);
  }
}

/** localhost, ::1 and 127.0.0.0/8 (a copy of the controller's rule, STYLE.md §2). */
function isLoopbackHost(host: string): boolean {
  if (host === "localhost" || host === "::1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The TUN name of the i-th port: base "eth0" -> eth0, eth1, ... */
export function tunNameFor(base: string, index: number): string {
  const m = /^(.*?)(\d+)$/.exec(base)!;
  return `${m[1]}${Number(m[2]) + index}`;
}
