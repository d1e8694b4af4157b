/**
 * A real controller and in-process agents on FakeTun devices and a MemoryBus underlay, for the
 * integration tests that drive packets through the agents' pipeline from EC2 API calls:
 *
 *   EC2Client --HTTP--> Controller 127.0.0.1:<port> (":memory:" unless told) | /v1/agents/ws
 *   Agent (controllerControl, FakeTunProvider, bus.transport(endpoint)) ...
 *
 * Each test keeps its own topology (VPCs, groups, rules, instances); this only starts and stops
 * the pieces. `startTestController` gives the controller, a default EC2Client (maxAttempts 1) and
 * a MemoryBus; its `startAgent` starts an agent on that bus and records it, `stop` stops the
 * agents, destroys the clients and stops the controller, in that order.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
  type Instance,
} from "@aws-sdk/client-ec2";
import { expect } from "vitest";
import { Controller, type ControllerDeps, type StartedController } from "../../controller/app.js";
import { Agent, controllerControl, type StartedAgent } from "../../node-agent/agent.js";
import { sanitizeAgentConfig } from "../../node-agent/config.js";
import type { DropReason } from "../../node-agent/pipeline/verdict.js";
import { FakeTunProvider, type FakeTun } from "./fake-tun.js";
import { MemoryBus } from "./memory-transport.js";
import { waitUntil } from "./wait-until.js";

export interface TestEc2ClientOptions {
  /** Default "test". */
  accessKeyId?: string;
  /** Default "test". */
  secretAccessKey?: string;
}

/** An EC2Client on the controller's endpoint, us-east-1, one attempt per call. */
export function testEc2Client(ctl: StartedController, opts: TestEc2ClientOptions = {}): EC2Client {
  return new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region: "us-east-1",
    credentials: {
      accessKeyId: opts.accessKeyId ?? "test",
      secretAccessKey: opts.secretAccessKey ?? "test",
    },
    maxAttempts: 1,
  });
}

export interface InProcessAgentOptions {
  agentId: string;
  instanceIds: string[];
  /** The agent's underlay endpoint on the bus, e.g. "127.0.0.1:7201". */
  endpoint: string;
  reportIntervalMs?: number;
  flowLogWindowMs?: number;
  /** External nodes (e.g. the emulated internet), in the agent's config and its hosting. */
  externals?: { name: string; address: string }[];
  /** E.g. "127.0.0.1:0" to serve the agent's /metrics. */
  metricsListen?: string;
  /** The controller connection's reconnect backoff (ControllerClient's defaults otherwise). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
}

export interface InProcessAgent {
  agent: StartedAgent;
  tuns: FakeTunProvider;
  /** The agent's controller connection (`control.client` to close it from the test). */
  control: ReturnType<typeof controllerControl>;
}

const quiet = { info: () => undefined, warn: () => undefined };

/** Starts one agent connected to `ctl`, on `bus` at `opts.endpoint`, with a quiet logger. */
export async function startInProcessAgent(
  ctl: StartedController,
  bus: MemoryBus,
  opts: InProcessAgentOptions,
): Promise<InProcessAgent> {
  const { agentId, instanceIds, endpoint, externals } = opts;
  const config = sanitizeAgentConfig({
    agentId,
    instanceIds,
    externals,
    reportIntervalMs: opts.reportIntervalMs,
    flowLogWindowMs: opts.flowLogWindowMs,
    metricsListen: opts.metricsListen,
  });
  const tuns = new FakeTunProvider();
  const control = controllerControl({
    url: ctl.agentUrl,
    agentId,
    hosting: { instanceIds, eniIds: [], externals: externals ?? [], underlayEndpoint: endpoint },
    backoffInitialMs: opts.backoffInitialMs,
    backoffMaxMs: opts.backoffMaxMs,
  });
  const agent = await new Agent({
    config,
    tuns,
    transport: bus.transport(endpoint),
    control,
    logger: quiet,
  }).start();
  return { agent, tuns, control };
}

export interface TestControllerOptions {
  /** Default ":memory:". */
  statePath?: string;
  /** The Controller's second argument (e.g. fisTimeScale). */
  deps?: ControllerDeps;
  /** Credentials of the default client `ec2`. */
  ec2?: TestEc2ClientOptions;
}

export interface TestController {
  ctl: StartedController;
  /** The default client; destroyed by stop(). */
  ec2: EC2Client;
  bus: MemoryBus;
  /** The agents startAgent started, in order. */
  agents: StartedAgent[];
  /** Another EC2Client (e.g. another account's); destroyed by stop(). */
  client(opts?: TestEc2ClientOptions): EC2Client;
  /** startInProcessAgent on this controller and bus; the agent is stopped by stop(). */
  startAgent(opts: InProcessAgentOptions): Promise<InProcessAgent>;
  /** Every controller-connected agent enforces the current revision (CT-17). */
  enforced(timeoutMs?: number): Promise<void>;
  /** Stops the agents, destroys the clients, stops the controller. */
  stop(): Promise<void>;
}

/** A Controller on 127.0.0.1:0 with a quiet log, and an EC2Client on it. */
export async function startTestController(
  opts: TestControllerOptions = {},
): Promise<TestController> {
  const ctl = await new Controller(
    { listen: "127.0.0.1:0", statePath: opts.statePath ?? ":memory:", log: () => {} },
    opts.deps,
  ).start();
  const bus = new MemoryBus();
  const agents: StartedAgent[] = [];
  const clients: EC2Client[] = [];
  const client = (o?: TestEc2ClientOptions) => {
    const c = testEc2Client(ctl, o);
    clients.push(c);
    return c;
  };
  return {
    ctl,
    ec2: client(opts.ec2),
    bus,
    agents,
    client,
    async startAgent(o) {
      const started = await startInProcessAgent(ctl, bus, o);
      agents.push(started.agent);
      return started;
    },
    enforced: (timeoutMs = 5000) => ctl.waitForEnforced(ctl.revision(), timeoutMs),
    async stop() {
      await Promise.all(agents.map((a) => a.stop()));
      for (const c of clients) c.destroy();
      await ctl.stop();
    },
  };
}

export interface WebDbTopology {
  vpcId: string;
  webSubnet: string;
  dbSubnet: string;
  webSg: string;
  dbSg: string;
  /** RunInstances' answer for each instance. */
  web: Instance;
  db: Instance;
}

/**
 * The web/db topology of the two-agent tests, made with 8 EC2 calls in this order: VPC
 * 10.0.0.0/16; subnets 10.0.1.0/24 (web) and 10.0.2.0/24 (db); groups web-sg and db-sg; db-sg
 * admits tcp 3306 from web-sg; one t3.micro in each subnet with its group.
 */
export async function createWebDbTopology(ec2: EC2Client): Promise<WebDbTopology> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet!.SubnetId!;
  const webSubnet = await subnet("10.0.1.0/24");
  const dbSubnet = await subnet("10.0.2.0/24");
  const sg = async (name: string) =>
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }),
      )
    ).GroupId!;
  const webSg = await sg("web-sg");
  const dbSg = await sg("db-sg");
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: dbSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, UserIdGroupPairs: [{ GroupId: webSg }] },
      ],
    }),
  );
  const run = async (subnetId: string, group: string) =>
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          SecurityGroupIds: [group],
        }),
      )
    ).Instances![0]!;
  const web = await run(webSubnet, webSg);
  const db = await run(dbSubnet, dbSg);
  return { vpcId, webSubnet, dbSubnet, webSg, dbSg, web, db };
}

/** Sends `packet` into `tun` and waits (2 s at most) until `agent` counted one more drop of `reason`. */
export async function expectDropped(
  agent: StartedAgent,
  tun: FakeTun,
  packet: Uint8Array,
  reason: DropReason,
): Promise<void> {
  const before = agent.drops()[reason];
  tun.send(packet);
  const deadline = Date.now() + 2000;
  while (agent.drops()[reason] === before && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2));
  }
  expect(agent.drops()[reason]).toBe(before + 1);
}

/** Every silent drop `agents` counted so far, over all reasons. */
function dropTotal(agents: readonly StartedAgent[]): number {
  let n = 0;
  for (const a of agents) for (const v of Object.values(a.drops())) n += v;
  return n;
}

/**
 * Sends `packet` into `from` and waits for its outcome: true once `to` received a packet, false
 * once one of `agents` (those that can drop it: sender and receiver) counted a drop. Throws when
 * neither happens within `timeoutMs`: a packet that vanished without a counted drop is a finding,
 * not a "dropped". Packets `to` held before are discarded first, so every call starts clean.
 */
export async function deliveredOrDropped(
  from: FakeTun,
  to: FakeTun,
  packet: Uint8Array,
  agents: readonly StartedAgent[],
  timeoutMs = 5000,
): Promise<boolean> {
  to.received();
  const before = dropTotal(agents);
  from.send(packet);
  let delivered = false;
  await waitUntil(
    "the packet to be delivered or counted as dropped",
    () => (delivered = to.pending() > 0) || dropTotal(agents) > before,
    timeoutMs,
  );
  return delivered;
}
