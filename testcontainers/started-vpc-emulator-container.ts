/**
 * StartedVpcEmulatorContainer: a running controller, its EC2 endpoint and the way app containers
 * join the emulated VPC (`attach()`). Talks to the controller over HTTP only (EC2 Query API via
 * the AWS SDK, JSON API via fetch).
 *
 * Lifecycle: started -> stop() / `await using` disposal: every attached sidecar is stopped and its
 * instance terminated, then the controller, then the underlay network if the module created it.
 */
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  AbstractStartedContainer,
  type StartedNetwork,
  type StartedTestContainer,
} from "testcontainers";
import {
  agentKeyFor,
  logTail,
  startAgentSidecar,
  type AttachedInstance,
  type AttachExternalOptions,
  type AttachOptions,
} from "./attach.js";
import {
  VPCEMU_CONTROLLER_ALIAS as CONTROLLER_ALIAS,
  VPCEMU_CONTROLLER_PORT as CONTROLLER_PORT,
  VPCEMU_INSTANCE_IMAGE_ID as IMAGE_ID,
  VPCEMU_UNDERLAY_PORT as UNDERLAY_PORT,
} from "./constants.js";
import { VpcEmulatorFaults } from "./faults.js";
import {
  runExperimentOnContainers,
  type ExperimentRun,
  type ExperimentSource,
  type RunExperimentOptions,
} from "./experiments.js";
import { getJson, type ConntrackReport, type CountersReport } from "./json-api.js";

const ATTACH_TIMEOUT_MS = 45_000;

/** Credentials the EC2 client signs with (the emulator accepts any unless started with keys). */
export interface VpcEmulatorCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface StartedVpcEmulatorOptions {
  readonly image: string;
  readonly network: StartedNetwork;
  readonly ownsNetwork: boolean;
  readonly region: string;
  readonly joinToken: string;
  /** Each sidecar's key derives from it (docs/agent.md "Agent identity"). */
  readonly agentSecret: string;
  readonly credentials: VpcEmulatorCredentials;
}

/** Which table `conntrack()` reads: one instance (all its ENIs) or one ENI. */
export type ConntrackQuery =
  | { readonly instance: string; readonly refresh?: boolean }
  | { readonly eni: string; readonly refresh?: boolean };

/** GET /v1/agents, as far as the module needs it. */
interface AgentView {
  readonly id: string;
  readonly connected: boolean;
  readonly enforcedRevision: number;
}

export class StartedVpcEmulatorContainer extends AbstractStartedContainer {
  private readonly attached = new Set<AttachedInstance>();
  private ec2: EC2Client | undefined;

  /**
   * Chaos: network faults by AWS identity (`add`, `partition`, `list`, `clear`), process faults
   * on agent sidecars (`killAgent`, `pauseAgent`, `restartAgent`) and a controller crash
   * (`killController`); docs/chaos.md.
   */
  readonly faults: VpcEmulatorFaults = new VpcEmulatorFaults({
    apiUrl: () => this.jsonApiBase(),
    waitForAgent: (i) => this.waitForAgent(i.agentId, i.agent, i.privateIp),
    attached: () => [...this.attached],
    execInEmulator: (command) => this.exec(command),
  });

  constructor(
    started: StartedTestContainer,
    private readonly opts: StartedVpcEmulatorOptions,
  ) {
    super(started);
  }

  /** http://HOST:PORT of the EC2 Query API (a loopback-mapped port). */
  getEc2Endpoint(): string {
    return `http://${this.getHost()}:${this.getMappedPort(CONTROLLER_PORT)}`;
  }

  /** Base URL of the JSON API (`/v1/...`). */
  getApiUrl(): string {
    return this.getEc2Endpoint();
  }

  /**
   * getApiUrl() with the key pair as user info, for this module's own JSON calls (json-api.ts
   * turns it into `Authorization: Basic`): a controller in auth mode (withCredentials) requires
   * its keys on /v1 too (docs/json-api.md "Auth mode"); one without ignores them.
   */
  private jsonApiBase(): string {
    const u = new URL(this.getApiUrl());
    u.username = encodeURIComponent(this.opts.credentials.accessKeyId);
    u.password = encodeURIComponent(this.opts.credentials.secretAccessKey);
    return u.toString();
  }

  getRegion(): string {
    return this.opts.region;
  }

  /** The key pair the emulator verifies (withCredentials), else test/test (accepted unverified). */
  getCredentials(): VpcEmulatorCredentials {
    return this.opts.credentials;
  }

  /** The internal underlay network: start app containers with `.withNetwork(this.getNetwork())`. */
  getNetwork(): StartedNetwork {
    return this.opts.network;
  }

  /** Agent join token the controller requires. */
  getJoinToken(): string {
    return this.opts.joinToken;
  }

  /** Controller URL as agents on the underlay network see it. */
  getAgentControllerUrl(): string {
    return `ws://${CONTROLLER_ALIAS}:${CONTROLLER_PORT}/v1/agents/ws`;
  }

  /** An EC2Client for this emulator (created once, destroyed on stop). */
  getEc2Client(): EC2Client {
    this.ec2 ??= new EC2Client({
      endpoint: this.getEc2Endpoint(),
      region: this.getRegion(),
      credentials: this.getCredentials(),
      maxAttempts: 1,
    });
    return this.ec2;
  }

  /** The last conntrack report of an instance or ENI (refresh: ask the agent first). */
  async conntrack(query: ConntrackQuery): Promise<ConntrackReport> {
    const params = new URLSearchParams();
    if ("instance" in query) params.set("instance", query.instance);
    else params.set("eni", query.eni);
    if (query.refresh !== false) params.set("refresh", "1");
    return getJson<ConntrackReport>(this.jsonApiBase(), `/v1/conntrack?${params.toString()}`);
  }

  /** The last counters report of an ENI (agents report every few seconds). */
  async counters(eni: string): Promise<CountersReport> {
    return getJson<CountersReport>(
      this.jsonApiBase(),
      `/v1/counters?eni=${encodeURIComponent(eni)}`,
    );
  }

  /**
   * Flow-log lines of an ENI in AWS's default v2 format (AWS-BEHAVIOUR FL-1): 14 space-separated
   * fields ending in ACCEPT/REJECT and the log status. Records arrive per aggregation window (FL-3).
   */
  async flowLogs(eni: string, limit?: number): Promise<string[]> {
    const q = new URLSearchParams({ eni });
    if (limit !== undefined) q.set("limit", String(limit));
    const body = await getJson<{ records: string[] }>(this.jsonApiBase(), `/v1/flow-logs?${q}`);
    return body.records;
  }

  /** The controller's current revision. */
  async revision(): Promise<number> {
    const body = await getJson<{ revision: number }>(this.jsonApiBase(), "/v1/revision");
    return body.revision;
  }

  /**
   * Resolves once every connected agent has acknowledged (enforces) the controller's current
   * revision: after an API change, traffic sees the new policy from then on.
   */
  async waitForPolicy(timeoutMs = 15_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const revision = await this.revision();
      const agents = (await this.agents()).filter((a) => a.connected);
      if (agents.every((a) => a.enforcedRevision >= revision)) return revision;
      if (Date.now() > deadline) {
        const lagging = agents.filter((a) => a.enforcedRevision < revision);
        throw new Error(
          `vpcemu: agents did not enforce revision ${revision} within ${timeoutMs} ms: ` +
            lagging.map((a) => `${a.id}@${a.enforcedRevision}`).join(", "),
        );
      }
      await sleep(100);
    }
  }

  /**
   * Joins `container` to the emulated VPC: RunInstances in the emulator, then an agent sidecar in
   * the container's network namespace that gives it the ENI (a TUN with the private IP and a route
   * for the VPC). Resolves once the agent enforces the current policy. The container must be on
   * `getNetwork()`.
   */
  async attach(container: StartedTestContainer, options: AttachOptions): Promise<AttachedInstance> {
    const ec2 = this.getEc2Client();
    const subnetId = await this.resolveSubnet(options.subnet);
    const groupIds = await this.resolveGroups(subnetId, options.securityGroups ?? []);
    const run = await ec2.send(
      new RunInstancesCommand({
        ImageId: IMAGE_ID,
        InstanceType: "t3.micro",
        MinCount: 1,
        MaxCount: 1,
        // EIP-7: a launch-time public IP is asked for on the primary interface.
        ...(options.publicIp === true
          ? {
              NetworkInterfaces: [
                {
                  DeviceIndex: 0,
                  SubnetId: subnetId,
                  AssociatePublicIpAddress: true,
                  ...(groupIds.length > 0 ? { Groups: groupIds } : {}),
                  ...(options.privateIp ? { PrivateIpAddress: options.privateIp } : {}),
                },
              ],
            }
          : {
              SubnetId: subnetId,
              ...(groupIds.length > 0 ? { SecurityGroupIds: groupIds } : {}),
              ...(options.privateIp ? { PrivateIpAddress: options.privateIp } : {}),
            }),
        ...(options.name
          ? {
              TagSpecifications: [
                { ResourceType: "instance", Tags: [{ Key: "Name", Value: options.name }] },
              ],
            }
          : {}),
      }),
    );
    const instance = run.Instances?.[0];
    const instanceId = instance?.InstanceId ?? "";
    const eni = instance?.NetworkInterfaces?.[0];
    const eniId = eni?.NetworkInterfaceId ?? "";
    const privateIp = instance?.PrivateIpAddress ?? eni?.PrivateIpAddress ?? "";
    const publicIp = instance?.PublicIpAddress;
    if (!instanceId || !privateIp)
      throw new Error("vpcemu attach: RunInstances returned no instance");
    const terminate = async (): Promise<void> => {
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    };
    try {
      return await this.startSidecar(container, `agent-${instanceId}`, ["--instance", instanceId], {
        instanceId,
        eniId,
        privateIp,
        ...(publicIp ? { publicIp } : {}),
        terminate,
      });
    } catch (err) {
      await terminate().catch(() => undefined);
      throw err;
    }
  }

  /**
   * Joins `container` as a node outside every VPC (an internet client) with `address`: its agent
   * enforces no security group; VPC agents route replies to it.
   */
  async attachExternal(
    container: StartedTestContainer,
    options: AttachExternalOptions,
  ): Promise<AttachedInstance> {
    const name = options.name ?? "internet";
    return this.startSidecar(
      container,
      `agent-${name}`,
      ["--external", `${name}=${options.address}`],
      { instanceId: "", eniId: "", privateIp: options.address, terminate: async () => undefined },
    );
  }

  /**
   * Runs a scenario (docs/experiments.md: steady-state hypothesis, method, stop conditions,
   * rollback) with the attached containers as its nodes, as `vpcemu chaos run` does; probes run
   * in the source node's network namespace. Resolves with the outcome, the journal and the report
   * paths (also when the hypothesis failed); rejects only when the run could not start.
   */
  async runExperiment(
    experiment: ExperimentSource,
    options: RunExperimentOptions = {},
  ): Promise<ExperimentRun> {
    return runExperimentOnContainers(
      {
        apiUrl: this.getApiUrl(),
        image: this.opts.image,
        region: this.getRegion(),
        credentials: this.getCredentials(),
        attached: [...this.attached],
        instanceNames: async (ids) => {
          const names = new Map<string, string>();
          if (ids.length === 0) return names;
          const out = await this.getEc2Client().send(
            new DescribeInstancesCommand({ InstanceIds: [...ids] }),
          );
          for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
            const name = i.Tags?.find((t) => t.Key === "Name")?.Value;
            if (i.InstanceId && name) names.set(i.InstanceId, name);
          }
          return names;
        },
      },
      experiment,
      options,
    );
  }

  /** Stops sidecars (terminating their instances), the controller, then an owned network. */
  protected override async containerStopping(): Promise<void> {
    const all = [...this.attached];
    await Promise.allSettled(all.map((a) => a.detach()));
    this.ec2?.destroy();
    this.ec2 = undefined;
  }

  protected override async containerStopped(): Promise<void> {
    if (this.opts.ownsNetwork) await this.opts.network.stop().catch(() => undefined);
  }

  private async startSidecar(
    app: StartedTestContainer,
    agentId: string,
    hosts: readonly string[],
    ids: {
      instanceId: string;
      eniId: string;
      privateIp: string;
      publicIp?: string;
      terminate: () => Promise<void>;
    },
  ): Promise<AttachedInstance> {
    const agent = await startAgentSidecar({
      image: this.opts.image,
      appContainer: app,
      network: this.opts.network,
      controllerUrl: this.getAgentControllerUrl(),
      joinToken: this.opts.joinToken,
      agentId,
      agentKey: agentKeyFor(this.opts.agentSecret, agentId),
      underlayPort: UNDERLAY_PORT,
      hosts,
    });
    let detached: Promise<void> | undefined;
    const attachedInstance: AttachedInstance = {
      instanceId: ids.instanceId,
      eniId: ids.eniId,
      privateIp: ids.privateIp,
      ...(ids.publicIp !== undefined ? { publicIp: ids.publicIp } : {}),
      agentId,
      agent,
      detach: () => {
        detached ??= (async () => {
          this.attached.delete(attachedInstance);
          await agent.stop({ remove: true, timeout: 2_000 }).catch(() => undefined);
          await ids.terminate().catch(() => undefined);
        })();
        return detached;
      },
      [Symbol.asyncDispose]: () => attachedInstance.detach(),
    };
    this.attached.add(attachedInstance);
    try {
      await this.waitForAgent(agentId, agent, ids.privateIp);
    } catch (err) {
      await attachedInstance.detach();
      throw err;
    }
    return attachedInstance;
  }

  /** Waits until the agent is connected, enforces the current revision and its TUN is up. */
  private async waitForAgent(
    agentId: string,
    agent: StartedTestContainer,
    address: string,
  ): Promise<void> {
    const deadline = Date.now() + ATTACH_TIMEOUT_MS;
    let last = "not listed by the controller";
    for (;;) {
      const view = (await this.agents()).find((a) => a.id === agentId);
      if (view?.connected) {
        const revision = await this.revision();
        if (view.enforcedRevision >= revision) {
          const addr = await agent.exec(["ip", "-o", "addr", "show"]);
          if (addr.exitCode === 0 && addr.output.includes(` ${address}/`)) return;
          last = `connected at revision ${view.enforcedRevision}, but no interface has ${address} yet`;
        } else {
          last = `connected, enforcing revision ${view.enforcedRevision} < ${revision}`;
        }
      } else if (view) {
        last = "listed but not connected";
      }
      if (Date.now() > deadline) {
        throw new Error(
          `vpcemu attach: agent ${agentId} not ready within ${ATTACH_TIMEOUT_MS} ms (${last}); ` +
            `agent log:\n${await logTail(agent)}`,
        );
      }
      await sleep(150);
    }
  }

  private async agents(): Promise<AgentView[]> {
    const body = await getJson<unknown>(this.jsonApiBase(), "/v1/agents");
    const list = Array.isArray(body) ? body : ((body as { agents?: unknown[] }).agents ?? []);
    return list.map((raw) => {
      const a = raw as Record<string, unknown>;
      return {
        id: String(a.id ?? a.agentId ?? ""),
        connected: Boolean(a.connected),
        enforcedRevision: Number(a.enforcedRevision ?? a.enforced ?? -1),
      };
    });
  }

  private async resolveSubnet(subnet: string): Promise<string> {
    if (subnet.startsWith("subnet-")) return subnet;
    const out = await this.getEc2Client().send(
      new DescribeSubnetsCommand({ Filters: [{ Name: "tag:Name", Values: [subnet] }] }),
    );
    const ids = (out.Subnets ?? []).map((s) => s.SubnetId ?? "");
    if (ids.length !== 1 || !ids[0]) {
      throw new Error(
        `vpcemu attach: subnet '${subnet}' matches ${ids.length} subnets by Name tag`,
      );
    }
    return ids[0];
  }

  private async resolveGroups(subnetId: string, groups: readonly string[]): Promise<string[]> {
    const names = groups.filter((g) => !g.startsWith("sg-"));
    if (names.length === 0) return [...groups];
    const ec2 = this.getEc2Client();
    const subnet = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [subnetId] }));
    const vpcId = subnet.Subnets?.[0]?.VpcId ?? "";
    const out = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "group-name", Values: names },
        ],
      }),
    );
    const byName = new Map((out.SecurityGroups ?? []).map((g) => [g.GroupName, g.GroupId]));
    return groups.map((g) => {
      if (g.startsWith("sg-")) return g;
      const id = byName.get(g);
      if (!id) throw new Error(`vpcemu attach: no security group '${g}' in ${vpcId}`);
      return id;
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
