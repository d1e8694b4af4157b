/**
 * The agent sidecar: a vpcemu agent started in an app container's network namespace
 * (`withNetworkMode("container:<id>")`, NET_ADMIN, /dev/net/tun), which creates the ENI's TUN there
 * in place and carries the app's VPC traffic over the underlay network to the other agents.
 *
 *   app container (on the underlay network)          sidecar (same network namespace)
 *   ┌───────────────────────────────────────────────────────────────────────┐
 *   │ eth0 172.x.y.z (underlay, internal)   tun: 10.0.1.10/24 (ENI) <- agent │
 *   │ app sockets ---- route 10.0.0.0/16 ----> tun ---> filter ---> Geneve/UDP│
 *   └───────────────────────────────────────────────────────────────────────┘
 *
 * Lifecycle: attached -> detach() (sidecar stopped, instance terminated) -> detached; detach is
 * idempotent and runs on `await using` disposal.
 */
import { createHmac } from "node:crypto";
import type { StartedNetwork, StartedTestContainer } from "testcontainers";
import { GenericContainer } from "testcontainers";
import { VPCEMU_LABEL } from "./constants.js";

/** Where and as what an app container joins the emulated VPC. */
export interface AttachOptions {
  /** Subnet id (`subnet-...`) or its Name tag. */
  readonly subnet: string;
  /** Security group ids (`sg-...`) or group names in the subnet's VPC; default: the VPC default SG. */
  readonly securityGroups?: readonly string[];
  /** Private IPv4 of the primary ENI; default: the next free address of the subnet. */
  readonly privateIp?: string;
  /**
   * A launch-time public IPv4 address (RunInstances `AssociatePublicIpAddress`, from
   * 198.18.0.0/15): the address an external node (`attachExternal`) reaches the instance at,
   * while its subnet routes to an internet gateway (docs/routing.md IGW-5).
   */
  readonly publicIp?: boolean;
  /** Name tag of the instance. */
  readonly name?: string;
}

/** An address outside every VPC (an internet client, AWS-BEHAVIOUR's emulated internet). */
export interface AttachExternalOptions {
  /** Address the container gets, from a documentation range (e.g. 198.51.100.10). */
  readonly address: string;
  /** Node name the controller lists it under; default `internet`. */
  readonly name?: string;
}

/** An app container joined to the emulated VPC; dispose (or detach()) to undo it. */
export interface AttachedInstance extends AsyncDisposable {
  /** The instance RunInstances created; "" for an external node. */
  readonly instanceId: string;
  /** Its primary ENI; "" for an external node. */
  readonly eniId: string;
  /** The ENI's primary private IPv4 (or the external address). */
  readonly privateIp: string;
  /**
   * The instance's public IPv4 at attach time (`publicIp: true`); absent without one. An Elastic
   * IP associated later is not reflected here (DescribeInstances `PublicIpAddress` is).
   */
  readonly publicIp?: string;
  /** Agent id the controller lists in GET /v1/agents. */
  readonly agentId: string;
  /** The sidecar container running the agent. */
  readonly agent: StartedTestContainer;
  /** Stops the sidecar and terminates the instance; idempotent. */
  detach(): Promise<void>;
}

/** Everything an agent sidecar needs to know. */
export interface SidecarSpec {
  readonly image: string;
  readonly appContainer: StartedTestContainer;
  readonly network: StartedNetwork;
  readonly controllerUrl: string;
  readonly joinToken: string;
  readonly agentId: string;
  /** The agent's credential (agentKeyFor), handed over in $VPCEMU_AGENT_KEY. */
  readonly agentKey: string;
  readonly underlayPort: number;
  /** `["--instance", "i-..."]` or `["--external", "internet=198.51.100.10"]`. */
  readonly hosts: readonly string[];
}

/**
 * The key of an agent id under the emulator's agent secret (docs/agent.md "Agent identity"):
 * hex HMAC-SHA256(secret, "vpcemu-agent-key:" + id), as controller/hub/agent-keys.ts derives
 * it (repeated here: the module imports neither app).
 */
export function agentKeyFor(agentSecret: string, agentId: string): string {
  return createHmac("sha256", agentSecret).update(`vpcemu-agent-key:${agentId}`).digest("hex");
}

/** GenericContainer plus the TUN device, which testcontainers has no `with*()` for. */
export class AgentSidecarContainer extends GenericContainer {
  constructor(image: string) {
    super(image);
    this.hostConfig.Devices = [
      { PathOnHost: "/dev/net/tun", PathInContainer: "/dev/net/tun", CgroupPermissions: "rwm" },
    ];
  }
}

/** The underlay address of the app container; a clear error when it is not on the network. */
export function underlayAddressOf(app: StartedTestContainer, network: StartedNetwork): string {
  let ip = "";
  try {
    ip = app.getIpAddress(network.getName());
  } catch {
    ip = "";
  }
  if (!ip) {
    throw new Error(
      `vpcemu attach: container ${app.getName()} is not on the emulator's underlay network ` +
        `${network.getName()}; start it with .withNetwork(emulator.getNetwork())`,
    );
  }
  return ip;
}

/** Starts the agent in the app container's network namespace. */
export async function startAgentSidecar(spec: SidecarSpec): Promise<StartedTestContainer> {
  const underlayIp = underlayAddressOf(spec.appContainer, spec.network);
  return new AgentSidecarContainer(spec.image)
    .withPullPolicy({ shouldPull: () => false })
    .withNetworkMode(`container:${spec.appContainer.getId()}`)
    .withAddedCapabilities("NET_ADMIN")
    .withLabels({ [VPCEMU_LABEL]: "agent", "io.vpcemu.agent-id": spec.agentId })
    .withEnvironment({ VPCEMU_AGENT_KEY: spec.agentKey })
    .withCommand([
      "agent",
      "--controller",
      spec.controllerUrl,
      "--agent-id",
      spec.agentId,
      ...spec.hosts,
      "--in-place",
      "--underlay",
      `${underlayIp}:${spec.underlayPort}`,
      "--join-token",
      spec.joinToken,
    ])
    .start();
}

/** Last lines of a container's log, for error messages. */
export async function logTail(container: StartedTestContainer, lines = 30): Promise<string> {
  try {
    const stream = await container.logs({ tail: lines });
    const chunks: string[] = [];
    await new Promise<void>((resolve) => {
      const done = (): void => resolve();
      stream.on("data", (c: Buffer | string) => chunks.push(c.toString()));
      stream.on("end", done);
      stream.on("error", done);
      setTimeout(done, 2_000);
    });
    return chunks.join("").trim();
  } catch (err) {
    return `(logs unavailable: ${(err as Error).message})`;
  }
}
