/**
 * Fan-out batching of placement pushes (controller/hub/compile-push.ts, issue 15 item 4): with
 * more than DEFER_FANOUT_ABOVE agents, agents joining one after another do not each push a new
 * mapping table to every connected agent; the connected ones get the newcomers' endpoints in a
 * few batched pushes, and enforcement (GET /v1/revision, waitForEnforced) waits for them.
 *
 *   Controller (in-process, :memory:) <--ws-- 40 ControllerClients, then 20 more at once
 *   each hosting one instance of one subnet / one SG (AWS SDK v3 RunInstances)
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import { DEFER_FANOUT_ABOVE } from "../../controller/hub/compile-push.js";
import type { AgentSnapshot } from "../../node-agent/filter/policy.js";
import { ControllerClient } from "../../node-agent/control/controller-client.js";

const FIRST = 40;
const LATER = 20;

let ctl: StartedController;
let ec2: EC2Client;
let instanceIds: string[] = [];
const clients: ControllerClient[] = [];
/** Snapshots each client received, in order. */
const received = new Map<string, AgentSnapshot[]>();

function client(i: number): ControllerClient {
  const agentId = `fanout-${i}`;
  received.set(agentId, []);
  const c = new ControllerClient({
    url: ctl.agentUrl,
    agentId,
    hosting: {
      instanceIds: [instanceIds[i]!],
      eniIds: [],
      externals: [],
      underlayEndpoint: `127.0.0.1:${21000 + i}`,
    },
    onSnapshot: (s) => {
      received.get(agentId)!.push(s);
    },
  });
  clients.push(c);
  c.start();
  return c;
}

beforeAll(async () => {
  ctl = await new Controller({
    listen: "127.0.0.1:0",
    statePath: ":memory:",
    log: () => {},
  }).start();
  ec2 = new EC2Client({
    endpoint: ctl.ec2Endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))
  ).Subnet!.SubnetId!;
  const sg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "g", Description: "g" }),
    )
  ).GroupId!;
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12345678",
      MinCount: FIRST + LATER,
      MaxCount: FIRST + LATER,
      SubnetId: subnetId,
      SecurityGroupIds: [sg],
    }),
  );
  instanceIds = out.Instances!.map((i) => i.InstanceId!);
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  ec2?.destroy();
  await ctl?.stop();
});

describe("placement pushes to many agents", () => {
  it("batches the newcomers' endpoints into a few pushes to the connected agents, and enforcement waits for them", async () => {
    expect(FIRST).toBeGreaterThan(DEFER_FANOUT_ABOVE);
    const first = Array.from({ length: FIRST }, (_, i) => client(i));
    await Promise.all(first.map((c) => c.enforced(ctl.revision())));
    await ctl.waitForEnforced(ctl.revision(), 30_000);
    const before = new Map([...received].map(([id, s]) => [id, s.length]));

    const later = Array.from({ length: LATER }, (_, i) => client(FIRST + i));
    await Promise.all(later.map((c) => c.enforced(ctl.revision())));
    // Enforced means every agent holds every newcomer's endpoint: deferred pushes included.
    await ctl.waitForEnforced(ctl.revision(), 30_000);

    for (let i = 0; i < FIRST; i++) {
      const id = `fanout-${i}`;
      const snaps = received.get(id)!;
      const pushes = snaps.length - before.get(id)!;
      // Unbatched, each of the 20 joins would push a new table to every connected agent.
      expect(pushes, id).toBeGreaterThanOrEqual(1);
      expect(pushes, id).toBeLessThan(LATER / 2);
      const mapping = snaps.at(-1)!.mapping;
      for (let j = 0; j < FIRST + LATER; j++) {
        const entry = mapping.find((m) => m.agentId === `fanout-${j}`);
        expect(entry?.endpoint, `${id} knows fanout-${j}`).toBe(`127.0.0.1:${21000 + j}`);
      }
    }
  }, 60_000);
});
