/**
 * The seed's security group, created by CloudFormation (examples/cloudformation/
 * seed-security-group.yaml), enforced on packets: two in-process agents under the real
 * controller, FakeTun devices and a MemoryBus underlay. The stack is created with plain
 * CloudFormation Query requests (unsigned, `Version=2010-05-15`), the instances with the EC2 SDK.
 *
 *   Controller 127.0.0.1:<port> (":memory:")   CloudFormation stack "seed": group seed-sg
 *           | /v1/agents/ws                     (tcp 80 and 443 from 0.0.0.0/0 and ::/0)
 *   agent-client (i-client, default group)  <--- MemoryBus (Geneve) --->  agent-web (i-web, seed-sg)
 *
 * AWS-BEHAVIOUR CFN-20 (stack resources are ordinary EC2 resources), RULE-*, CT-1.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import {
  expectDropped,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp } from "../helpers/packet-builder.js";
import { waitUntil } from "../helpers/wait-until.js";

const TEMPLATE = join(
  import.meta.dirname,
  "../../examples/cloudformation/seed-security-group.yaml",
);

let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
let clientIp = "";
let webIp = "";
let clientTun: FakeTun;
let webTun: FakeTun;
let web: StartedAgent;

/** One unsigned CloudFormation Query request; the XML body, or an Error with it. */
async function cfn(params: Record<string, string>): Promise<string> {
  const res = await fetch(ctl.url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ Version: "2010-05-15", ...params }).toString(),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${params["Action"]}: ${res.status} ${text}`);
  return text;
}

function element(xml: string, name: string): string {
  return new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? "";
}

beforeAll(async () => {
  h = await startTestController();
  ({ ctl, ec2 } = h);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.60.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.60.1.0/24" }))
  ).Subnet!.SubnetId!;
  await cfn({
    Action: "CreateStack",
    StackName: "seed",
    TemplateBody: readFileSync(TEMPLATE, "utf8"),
    "Parameters.member.1.ParameterKey": "VpcId",
    "Parameters.member.1.ParameterValue": vpcId,
  });
  let stack = "";
  await waitUntil(
    "the seed stack to complete",
    async () => {
      stack = await cfn({ Action: "DescribeStacks", StackName: "seed" });
      return element(stack, "StackStatus").endsWith("_COMPLETE");
    },
    10_000,
    20,
  );
  expect(element(stack, "StackStatus")).toBe("CREATE_COMPLETE");
  const seedSg = element(stack, "OutputValue");
  const defaultSg = (
    await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: "vpc-id", Values: [vpcId] },
          { Name: "group-name", Values: ["default"] },
        ],
      }),
    )
  ).SecurityGroups![0]!.GroupId!;
  const run = async (group: string) =>
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          SecurityGroupIds: [group],
        }),
      )
    ).Instances![0]!;
  const c = await run(defaultSg);
  const w = await run(seedSg);
  clientIp = c.PrivateIpAddress!;
  webIp = w.PrivateIpAddress!;
  const agent = (agentId: string, instanceId: string, endpoint: string) =>
    h.startAgent({ agentId, instanceIds: [instanceId], endpoint, reportIntervalMs: 200 });
  const a = await agent("agent-client", c.InstanceId!, "127.0.0.1:7301");
  const b = await agent("agent-web", w.InstanceId!, "127.0.0.1:7302");
  web = b.agent;
  await Promise.all([a.agent.enforced(ctl.revision()), b.agent.enforced(ctl.revision())]);
  clientTun = await a.tuns.tun(c.NetworkInterfaces![0]!.NetworkInterfaceId!);
  webTun = await b.tuns.tun(w.NetworkInterfaces![0]!.NetworkInterfaceId!);
});

afterAll(async () => {
  await h?.stop();
});

const syn = (srcPort: number, dstPort: number) =>
  buildTcp({ src: clientIp, dst: webIp, srcPort, dstPort, flags: TcpFlag.SYN, seq: 1 });

describe("the seed's group, created by CloudFormation, on packets", () => {
  it.each([80, 443])("admits a SYN to tcp/%i (the stack's ingress rules)", async (port) => {
    clientTun.send(syn(41000 + port, port));
    const got = await webTun.nextReceived();
    const d = decodePacket(got, 0, got.length);
    expect(typeof d === "string" ? d : d.dstPort).toBe(port);
  });

  it("drops a SYN to tcp/22, which no rule of the group admits", async () => {
    await expectDropped(web, clientTun, syn(41022, 22), DropReason.SgNoMatch);
    expect(webTun.received()).toEqual([]);
  });
});
