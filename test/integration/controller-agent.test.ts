/**
 * End to end through the real controller: AWS SDK v3 -> EC2 Query API -> SQLite store ->
 * compiler -> hub -> WebSocket/protobuf -> ControllerClient (in-process agents).
 *
 *   EC2Client --HTTP--> Controller 127.0.0.1:<port> (":memory:" state)
 *                          |  /v1/agents/ws
 *          +---------------+----------------+
 *   ControllerClient(web: i-web)   ControllerClient(db: i-db)
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import { ControllerClient } from "../../node-agent/control/controller-client.js";
import type { AgentSnapshot } from "../../node-agent/filter/policy.js";
import { startTestController, type TestController } from "../helpers/in-process-agents.js";

let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
const clients: ControllerClient[] = [];

beforeAll(async () => {
  h = await startTestController();
  ({ ctl, ec2 } = h);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await h?.stop();
});

function startAgent(agentId: string, instanceIds: string[], endpoint: string) {
  const snapshots: AgentSnapshot[] = [];
  const client = new ControllerClient({
    url: ctl.agentUrl,
    agentId,
    hosting: { instanceIds, eniIds: [], externals: [], underlayEndpoint: endpoint },
    onSnapshot: (s) => {
      snapshots.push(s);
    },
  });
  clients.push(client);
  client.start();
  return { client, snapshots };
}

async function getJson(path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`${ctl.url}${path}`);
  return { status: res.status, body: await res.json() };
}

describe("controller end to end (EC2 SDK -> agent snapshot)", () => {
  let webSg = "";
  let dbSg = "";
  let subnetId = "";
  let webInstance = "";
  let dbInstance = "";

  it("delivers the seed scenario's compiled policy to the agents hosting its instances", async () => {
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }));
    const vpcId = vpc.Vpc!.VpcId!;
    subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" })))
      .Subnet!.SubnetId!;
    webSg = (
      await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "web-sg", Description: "web" }),
      )
    ).GroupId!;
    dbSg = (
      await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "db-sg", Description: "db" }),
      )
    ).GroupId!;
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: webSg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "tcp", FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "203.0.113.1/32" }] },
        ],
      }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: dbSg,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 3306,
            ToPort: 3306,
            UserIdGroupPairs: [{ GroupId: webSg }],
          },
        ],
      }),
    );
    const run = async (sg: string) =>
      (
        await ec2.send(
          new RunInstancesCommand({
            ImageId: "ami-12345678",
            InstanceType: "t3.micro",
            MinCount: 1,
            MaxCount: 1,
            SubnetId: subnetId,
            SecurityGroupIds: [sg],
          }),
        )
      ).Instances![0]!;
    const web = await run(webSg);
    const db = await run(dbSg);
    webInstance = web.InstanceId!;
    dbInstance = db.InstanceId!;

    const webAgent = startAgent("agent-web", [webInstance], "127.0.0.1:7101");
    const dbAgent = startAgent("agent-db", [dbInstance], "127.0.0.1:7102");
    // waitForEnforced counts connected agents only: first let both say Hello and swap in.
    await Promise.all([
      webAgent.client.enforced(ctl.revision()),
      dbAgent.client.enforced(ctl.revision()),
    ]);
    await ctl.waitForEnforced(ctl.revision(), 5000);

    const webPolicy = webAgent.snapshots.at(-1)!.enis[0]!;
    expect(webPolicy.instanceId).toBe(webInstance);
    expect(webPolicy.ipv4).toEqual([web.PrivateIpAddress]);
    expect(webPolicy.ingress.map((r) => [r.protocol, r.fromPort, r.cidrs[0]])).toEqual(
      expect.arrayContaining([
        [6, 80, "0.0.0.0/0"],
        [6, 443, "0.0.0.0/0"],
        [6, 22, "203.0.113.1/32"],
      ]),
    );
    // DEF-2: a new SG has one egress rule, all traffic to 0.0.0.0/0.
    expect(webPolicy.egress.map((r) => [r.protocol, r.cidrs])).toEqual([[-1, ["0.0.0.0/0"]]]);
    // DEF-5: the default NACL, sorted, `*` last.
    expect(webPolicy.naclIn.map((e) => [e.ruleNumber, e.action])).toEqual([
      [100, "allow"],
      [32767, "deny"],
    ]);
    // REF-1: db's 3306 rule lists web's private address.
    const dbPolicy = dbAgent.snapshots.at(-1)!.enis[0]!;
    const ref = dbPolicy.ingress.find((r) => r.peer.kind === "sg")!;
    expect(ref).toMatchObject({
      protocol: 6,
      fromPort: 3306,
      toPort: 3306,
      cidrs: [`${web.PrivateIpAddress}/32`],
    });
    // The mapping table routes each address to its agent's endpoint.
    expect(dbAgent.snapshots.at(-1)!.mapping).toContainEqual(
      expect.objectContaining({
        address: web.PrivateIpAddress,
        agentId: "agent-web",
        endpoint: "127.0.0.1:7101",
      }),
    );
  });

  it("enforces an AuthorizeSecurityGroupIngress on the affected agent before waitForEnforced resolves", async () => {
    const webAgentSnaps = () => clients[0]!;
    const before = ctl.revision();
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: webSg,
        IpPermissions: [
          { IpProtocol: "udp", FromPort: 53, ToPort: 53, IpRanges: [{ CidrIp: "10.0.0.0/16" }] },
        ],
      }),
    );
    const rev = ctl.revision();
    expect(rev).toBeGreaterThan(before);
    await ctl.waitForEnforced(rev, 5000);
    expect(webAgentSnaps().enforcedRevision()).toBe(rev);
    const { body } = await getJson("/v1/revision");
    expect(body).toMatchObject({ revision: rev, enforced: true });
  });

  it("makes a second web instance reach db's rule with no rule change (REF-2)", async () => {
    const web2 = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          InstanceType: "t3.micro",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          SecurityGroupIds: [webSg],
        }),
      )
    ).Instances![0]!;
    await ctl.waitForEnforced(ctl.revision(), 5000);
    const dbSnap = ctl.hub.snapshotOf("agent-db")!;
    const ref = dbSnap.enis[0]!.ingress.find((r) => r.peer.kind === "sg")!;
    expect(ref.cidrs).toContain(`${web2.PrivateIpAddress}/32`);
  });

  it("pushes an egress revoke (CT-1 scenario setup) and lists agents in the JSON API", async () => {
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({
        GroupId: webSg,
        IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
      }),
    );
    await ctl.waitForEnforced(ctl.revision(), 5000);
    expect(ctl.hub.snapshotOf("agent-web")!.enis[0]!.egress).toEqual([]);
    const { status, body } = await getJson("/v1/agents");
    expect(status).toBe(200);
    expect(body.agents.map((a: { agentId: string }) => a.agentId)).toEqual([
      "agent-db",
      "agent-web",
    ]);
    expect(body.agents[1]).toMatchObject({
      connected: true,
      endpoint: "127.0.0.1:7101",
      instanceIds: [webInstance],
      enforcedRevision: ctl.revision(),
    });
    expect(dbInstance).toMatch(/^i-/);
  });
});
