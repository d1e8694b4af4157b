/**
 * FIS actions on packets: three in-process agents under the real controller (state in a temp
 * file), FakeTun devices and a MemoryBus underlay, so every packet goes through the agents'
 * real pipeline (NACL, SG, conntrack, fault step) as the compiled policy says.
 *
 *   subnet A 10.70.1.0/24 (us-east-1a): i-a1 (agent-a1), i-a2 (agent-a2)
 *   subnet B 10.70.2.0/24 (us-east-1b): i-b  (agent-b)
 *   one group admitting everything from 10.70.0.0/16; the VPC's default NACL
 *
 * disrupt-connectivity (scope all) on subnet A cuts A<->B, also an established TCP
 * connection (NACLs are stateless), keeps a1<->a2 (NACLs do not apply inside a subnet), and
 * StopExperiment brings A<->B back; the time to cut and to restore is measured from the API
 * call to the first packet dropped / delivered. stop-instances silences i-b until it is started
 * again, through the instance state alone (no chaos fault; INST-2); an SSM latency document
 * delays traffic to its target only. FIS-15..FIS-17 (docs/fis.md). FIS durations run at 1/100
 * (fisTimeScale).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import {
  CreateExperimentTemplateCommand,
  FisClient,
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
  type CreateExperimentTemplateCommandInput,
} from "@aws-sdk/client-fis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import {
  deliveredOrDropped,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp, buildUdp } from "../helpers/packet-builder.js";
import { waitUntil } from "../helpers/wait-until.js";

const ACCOUNT = "123456789012";
let dir: string;
let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
let fis: FisClient;
let subnetA = "";
let bId = "";

interface Node {
  ip: string;
  tun: FakeTun;
  agent: StartedAgent;
}
let a1: Node;
let a2: Node;
let b: Node;
let nextPort = 20000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "vpcemu-fis-traffic-"));
  h = await startTestController({
    statePath: join(dir, "state.db"),
    deps: { fisTimeScale: 0.01 },
  });
  ({ ctl, ec2 } = h);
  const credentials = { accessKeyId: "test", secretAccessKey: "test" };
  fis = new FisClient({ endpoint: ctl.url, region: "us-east-1", credentials, maxAttempts: 1 });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.70.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string, az: string) =>
    (
      await ec2.send(
        new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr, AvailabilityZone: az }),
      )
    ).Subnet!.SubnetId!;
  subnetA = await subnet("10.70.1.0/24", "us-east-1a");
  const subnetB = await subnet("10.70.2.0/24", "us-east-1b");
  const sg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "all", Description: "all" }),
    )
  ).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg,
      IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "10.70.0.0/16" }] }],
    }),
  );
  const run = async (subnetId: string, role: string) =>
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          SecurityGroupIds: [sg],
          TagSpecifications: [{ ResourceType: "instance", Tags: [{ Key: "Role", Value: role }] }],
        }),
      )
    ).Instances![0]!;
  const nodes: Node[] = [];
  let port = 7401;
  for (const [s, role] of [
    [subnetA, "a1"],
    [subnetA, "a2"],
    [subnetB, "b"],
  ] as const) {
    const inst = await run(s, role);
    if (role === "b") bId = inst.InstanceId!;
    const { agent, tuns } = await h.startAgent({
      agentId: `agent-${role}`,
      instanceIds: [inst.InstanceId!],
      endpoint: `127.0.0.1:${port++}`,
      reportIntervalMs: 200,
    });
    nodes.push({
      ip: inst.PrivateIpAddress!,
      tun: await tuns.tun(inst.NetworkInterfaces![0]!.NetworkInterfaceId!),
      agent,
    });
  }
  [a1, a2, b] = nodes as [Node, Node, Node];
  await enforced();
});

afterAll(async () => {
  fis?.destroy();
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Every connected agent enforces the current revision (controller's view, CT-17). */
async function enforced(): Promise<void> {
  await ctl.waitForEnforced(ctl.revision(), 10_000);
}

/**
 * Sends `packet` from -> to; true once `to` received it, false once an agent counted it dropped
 * (a NACL, a stopped instance): the outcome, never a quiet time. A delayed packet still counts.
 */
function passes(from: Node, to: Node, packet: Uint8Array): Promise<boolean> {
  return deliveredOrDropped(
    from.tun,
    to.tun,
    packet,
    [a1, a2, b].map((n) => n.agent),
  );
}

/** True when one UDP datagram from -> to is delivered (see passes). */
function udpPasses(from: Node, to: Node): Promise<boolean> {
  const port = nextPort++;
  return passes(
    from,
    to,
    buildUdp({
      src: from.ip,
      dst: to.ip,
      srcPort: port,
      dstPort: 9000,
      payload: new Uint8Array(8),
    }),
  );
}

/** ms from `t0` until udpPasses(from, to) gives `want`, probing one datagram after another. */
async function timeUntil(from: Node, to: Node, want: boolean, t0: number): Promise<number> {
  for (;;) {
    if ((await udpPasses(from, to)) === want) return Date.now() - t0;
    if (Date.now() - t0 > 15_000) throw new Error(`traffic never became ${want ? "open" : "cut"}`);
  }
}

async function start(input: CreateExperimentTemplateCommandInput): Promise<string> {
  const tid = (await fis.send(new CreateExperimentTemplateCommand(input))).experimentTemplate!.id!;
  return (await fis.send(new StartExperimentCommand({ experimentTemplateId: tid }))).experiment!
    .id!;
}

async function instanceState(id: string): Promise<string | undefined> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

async function status(id: string): Promise<string> {
  return (await fis.send(new GetExperimentCommand({ id }))).experiment!.state!.status!;
}

const base = {
  description: "t",
  roleArn: `arn:aws:iam::${ACCOUNT}:role/fis`,
  stopConditions: [{ source: "none" }],
};
const instances = (role: string) => ({
  resourceType: "aws:ec2:instance",
  resourceTags: { Role: role },
  selectionMode: "ALL",
});

describe("FIS actions on packets", { timeout: 120_000 }, () => {
  it("disrupt-connectivity cuts A<->B (also an established connection), keeps a1<->a2, and StopExperiment restores (FIS-15)", async () => {
    expect(await udpPasses(a1, b)).toBe(true);
    expect(await udpPasses(a1, a2)).toBe(true);
    // An established TCP connection a1:31000 -> b:80.
    const seg = (from: Node, to: Node, sp: number, dp: number, flags: number) =>
      buildTcp({ src: from.ip, dst: to.ip, srcPort: sp, dstPort: dp, flags, seq: 1, ack: 1 });
    b.tun.received();
    a1.tun.received();
    a1.tun.send(seg(a1, b, 31000, 80, TcpFlag.SYN));
    await b.tun.nextReceived();
    b.tun.send(seg(b, a1, 80, 31000, TcpFlag.SYN | TcpFlag.ACK));
    await a1.tun.nextReceived();
    a1.tun.send(seg(a1, b, 31000, 80, TcpFlag.ACK));
    await b.tun.nextReceived();

    const t0 = Date.now();
    const id = await start({
      ...base,
      targets: {
        A: {
          resourceType: "aws:ec2:subnet",
          resourceArns: [`arn:aws:ec2:us-east-1:${ACCOUNT}:subnet/${subnetA}`],
          selectionMode: "ALL",
        },
      },
      actions: {
        cut: {
          actionId: "aws:network:disrupt-connectivity",
          parameters: { duration: "PT12H", scope: "all" },
          targets: { Subnets: "A" },
        },
      },
    });
    const cutMs = await timeUntil(a1, b, false, t0);
    await enforced();
    expect(await status(id)).toBe("running");
    expect(await udpPasses(a1, b)).toBe(false);
    expect(await udpPasses(b, a2)).toBe(false);
    expect(await udpPasses(a1, a2)).toBe(true);
    expect(await udpPasses(a2, a1)).toBe(true);
    expect(await passes(a1, b, seg(a1, b, 31000, 80, TcpFlag.ACK | TcpFlag.PSH))).toBe(false);

    const t1 = Date.now();
    await fis.send(new StopExperimentCommand({ id }));
    const restoreMs = await timeUntil(a1, b, true, t1);
    await enforced();
    expect(await udpPasses(b, a2)).toBe(true);
    b.tun.received();
    a1.tun.send(seg(a1, b, 31000, 80, TcpFlag.ACK | TcpFlag.PSH));
    await b.tun.nextReceived();
    console.log(
      `FIS disrupt-connectivity: cut ${cutMs} ms after StartExperiment, restored ${restoreMs} ms after StopExperiment`,
    );
    expect(cutMs).toBeLessThan(5000);
    expect(restoreMs).toBeLessThan(5000);
  });

  it("stop-instances silences the instance until FIS starts it again, with no fault added (FIS-16, INST-2)", async () => {
    const faults = async () =>
      ((await (await fetch(`${ctl.url}/v1/faults`)).json()) as { faults: unknown[] }).faults;
    expect(await udpPasses(a1, b)).toBe(true);
    const stoppedDrops = () => b.agent.drops()[DropReason.InstanceStopped];
    const before = stoppedDrops();
    const id = await start({
      ...base,
      targets: { B: instances("b") },
      actions: {
        stop: {
          actionId: "aws:ec2:stop-instances",
          parameters: { startInstancesAfterDuration: "PT12H" },
          targets: { Instances: "B" },
        },
      },
    });
    await timeUntil(a1, b, false, Date.now());
    await enforced();
    expect(await instanceState(bId)).toBe("stopped");
    expect(await udpPasses(a1, b)).toBe(false);
    expect(await udpPasses(b, a1)).toBe(false);
    expect(await udpPasses(a1, a2)).toBe(true);
    // The instance state silences it, on its own agent: no chaos fault is involved.
    expect(stoppedDrops()).toBeGreaterThan(before);
    expect(await faults()).toEqual([]);
    await fis.send(new StopExperimentCommand({ id }));
    await enforced();
    expect(await instanceState(bId)).toBe("running");
    expect(await udpPasses(a1, b)).toBe(true);
    expect(await udpPasses(b, a1)).toBe(true);
    expect(await status(id)).toBe("stopped");
    expect(await faults()).toEqual([]);
  });

  it("an SSM latency document delays traffic to its target only (FIS-17)", async () => {
    const rtt = async (from: Node, to: Node): Promise<number> => {
      const t = Date.now();
      expect(await udpPasses(from, to)).toBe(true);
      return Date.now() - t;
    };
    const id = await start({
      ...base,
      targets: { B: instances("b") },
      actions: {
        slow: {
          actionId: "aws:ssm:send-command",
          parameters: {
            documentArn: "arn:aws:ssm:us-east-1::document/AWSFIS-Run-Network-Latency",
            documentParameters: JSON.stringify({
              DurationSeconds: "43200",
              DelayMilliseconds: "300",
              JitterMilliseconds: "0",
            }),
            duration: "PT12H",
          },
          targets: { Instances: "B" },
        },
      },
    });
    await waitUntil(
      "the experiment to run",
      async () => (await status(id)) === "running",
      10_000,
      10,
    );
    await enforced();
    const slow = await rtt(b, a1);
    const fast = await rtt(a2, a1);
    const fastToB = await rtt(a1, b);
    expect(slow).toBeGreaterThanOrEqual(290);
    expect(fast).toBeLessThan(200);
    expect(fastToB).toBeLessThan(200);
    await fis.send(new StopExperimentCommand({ id }));
    await enforced();
    expect(await rtt(b, a1)).toBeLessThan(200);
  });
});
