/**
 * Route tables and VPC peering on real traffic (docs/routing.md RT-12..RT-17, PCX-8, PCX-9,
 * REF-4, REF-5), in process: AWS SDK (two accounts) -> EC2 Query API -> compiler -> hub -> two
 * agents on FakeTun devices and a MemoryBus underlay.
 *
 *   alice 111122223333: vpc A 10.50.0.0/16          bob 444455556666: vpc B 10.51.0.0/16
 *     subnet 10.50.1.0/24, main table                 subnet 10.51.1.0/24, main table
 *     db (sg db: tcp 5432 from bob's sg app)          app (sg app), other (sg other)
 *   agent-a hosts db (127.0.0.1:7301)    <--- MemoryBus (Geneve) --->    agent-b hosts app,
 *                                                                          other (127.0.0.1:7302)
 *
 * Every change is waited for through the controller's enforced revision; a drop is waited for
 * on the sending agent's counter of its reason.
 */
import {
  AcceptVpcPeeringConnectionCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateNetworkInterfaceCommand,
  CreateRouteCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcPeeringConnectionCommand,
  DeleteNetworkInterfaceCommand,
  DeleteRouteCommand,
  DeleteVpcPeeringConnectionCommand,
  DescribeRouteTablesCommand,
  DescribeStaleSecurityGroupsCommand,
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

const ALICE = "111122223333";
const BOB = "444455556666";

let h: TestController;
let ctl: StartedController;
let alice: EC2Client;
let bob: EC2Client;
let vpcA = "";
let vpcB = "";
let rtbA = "";
let rtbB = "";
let subnetB = "";
let dbSg = "";
let appSg = "";
let pcx = "";
let dbIp = "";
let appIp = "";
let otherIp = "";
let agentA: StartedAgent;
let agentB: StartedAgent;
let dbTun: FakeTun;
let appTun: FakeTun;
let otherTun: FakeTun;

/** Waits until every agent enforces the controller's current revision. */
const enforced = (): Promise<void> => h.enforced(5000);

async function mainTable(c: EC2Client, vpcId: string): Promise<string> {
  const t = await c.send(
    new DescribeRouteTablesCommand({
      Filters: [
        { Name: "vpc-id", Values: [vpcId] },
        { Name: "association.main", Values: ["true"] },
      ],
    }),
  );
  return t.RouteTables![0]!.RouteTableId!;
}

async function instance(c: EC2Client, subnetId: string, groupId: string) {
  const r = await c.send(
    new RunInstancesCommand({
      ImageId: "ami-12345678",
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
      SecurityGroupIds: [groupId],
    }),
  );
  return r.Instances![0]!;
}

async function group(c: EC2Client, vpcId: string, name: string): Promise<string> {
  return (
    await c.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }),
    )
  ).GroupId!;
}

const syn = (src: string, dst: string, srcPort: number, dstPort = 5432) =>
  buildTcp({ src, dst, srcPort, dstPort, flags: TcpFlag.SYN, seq: 1 });
const synAck = (src: string, dst: string, dstPort: number) =>
  buildTcp({
    src,
    dst,
    srcPort: 5432,
    dstPort,
    flags: TcpFlag.SYN | TcpFlag.ACK,
    seq: 100,
    ack: 2,
  });

/** The destination port of the next packet `tun` receives. */
async function nextDstPort(tun: FakeTun): Promise<number | string> {
  const b = await tun.nextReceived();
  const p = decodePacket(b, 0, b.length);
  return typeof p === "string" ? p : p.dstPort;
}

/** The addresses db's compiled rule from app's group holds, per GET /v1/snapshot (PCX-8). */
async function peerRuleCidrs(): Promise<string[]> {
  const res = await fetch(`${ctl.url}/v1/snapshot?agent=agent-a`);
  const snap = (await res.json()) as {
    enis: { ingress: { peer: { kind: string; groupId?: string }; cidrs: string[] }[] }[];
  };
  const rule = snap.enis[0]!.ingress.find((r) => r.peer.kind === "sg" && r.peer.groupId === appSg);
  return rule!.cidrs;
}

beforeAll(async () => {
  h = await startTestController({ ec2: { accessKeyId: ALICE, secretAccessKey: "x" } });
  ({ ctl, ec2: alice } = h);
  bob = h.client({ accessKeyId: BOB, secretAccessKey: "x" });
  vpcA = (await alice.send(new CreateVpcCommand({ CidrBlock: "10.50.0.0/16" }))).Vpc!.VpcId!;
  vpcB = (await bob.send(new CreateVpcCommand({ CidrBlock: "10.51.0.0/16" }))).Vpc!.VpcId!;
  const subnetA = (
    await alice.send(new CreateSubnetCommand({ VpcId: vpcA, CidrBlock: "10.50.1.0/24" }))
  ).Subnet!.SubnetId!;
  subnetB = (await bob.send(new CreateSubnetCommand({ VpcId: vpcB, CidrBlock: "10.51.1.0/24" })))
    .Subnet!.SubnetId!;
  rtbA = await mainTable(alice, vpcA);
  rtbB = await mainTable(bob, vpcB);
  dbSg = await group(alice, vpcA, "db");
  appSg = await group(bob, vpcB, "app");
  const otherSg = await group(bob, vpcB, "other");
  // Before any peering: db admits 5432 from the whole peer range by CIDR, so that only routing
  // can stop the first packets.
  await alice.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: dbSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.51.0.0/16" }] },
      ],
    }),
  );
  const db = await instance(alice, subnetA, dbSg);
  const app = await instance(bob, subnetB, appSg);
  const other = await instance(bob, subnetB, otherSg);
  dbIp = db.PrivateIpAddress!;
  appIp = app.PrivateIpAddress!;
  otherIp = other.PrivateIpAddress!;
  const a = await h.startAgent({
    agentId: "agent-a",
    instanceIds: [db.InstanceId!],
    endpoint: "127.0.0.1:7301",
    reportIntervalMs: 200,
  });
  const b = await h.startAgent({
    agentId: "agent-b",
    instanceIds: [app.InstanceId!, other.InstanceId!],
    endpoint: "127.0.0.1:7302",
    reportIntervalMs: 200,
  });
  agentA = a.agent;
  agentB = b.agent;
  await enforced();
  dbTun = await a.tuns.tun(db.NetworkInterfaces![0]!.NetworkInterfaceId!);
  appTun = await b.tuns.tun(app.NetworkInterfaces![0]!.NetworkInterfaceId!);
  otherTun = await b.tuns.tun(other.NetworkInterfaces![0]!.NetworkInterfaceId!);
});

afterAll(async () => {
  await h?.stop();
});

describe("route tables and VPC peering on traffic", () => {
  it("keeps traffic within a VPC as before: app -> other by the local route (RT-13)", async () => {
    // bob's default egress allows all; other's group has no ingress rule, so the packet is
    // carried (no route drop) and refused by other's SG.
    const before = agentB.drops()[DropReason.SgNoMatch];
    await expectDropped(agentB, appTun, syn(appIp, otherIp, 41000, 22), DropReason.SgNoMatch);
    expect(agentB.drops()[DropReason.NoRoute]).toBe(0);
    expect(agentB.drops()[DropReason.SgNoMatch]).toBe(before + 1);
  });

  it("drops traffic to another VPC without a peering route: no_route at the sender (RT-16)", async () => {
    await expectDropped(agentB, appTun, syn(appIp, dbIp, 40000, 22), DropReason.NoRoute);
    expect(dbTun.received()).toEqual([]);
  });

  it("drops through a peering requested but not accepted: its routes are blackhole (PCX-9, RT-15)", async () => {
    pcx = (
      await alice.send(
        new CreateVpcPeeringConnectionCommand({ VpcId: vpcA, PeerVpcId: vpcB, PeerOwnerId: BOB }),
      )
    ).VpcPeeringConnection!.VpcPeeringConnectionId!;
    await alice.send(
      new CreateRouteCommand({
        RouteTableId: rtbA,
        DestinationCidrBlock: "10.51.0.0/16",
        VpcPeeringConnectionId: pcx,
      }),
    );
    await bob.send(
      new CreateRouteCommand({
        RouteTableId: rtbB,
        DestinationCidrBlock: "10.50.0.0/16",
        VpcPeeringConnectionId: pcx,
      }),
    );
    await enforced();
    await expectDropped(agentB, appTun, syn(appIp, dbIp, 40001, 22), DropReason.BlackholeRoute);
    expect(dbTun.received()).toEqual([]);
  });

  it("carries TCP across an accepted peering with routes both ways, to a rule naming the peer's group (RT-14, PCX-8, REF-4)", async () => {
    await bob.send(new AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    // The seed's form: the peer's group by id, with its VPC and account.
    await alice.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: dbSg,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 5432,
            ToPort: 5432,
            UserIdGroupPairs: [{ GroupId: appSg, VpcId: vpcB, UserId: BOB }],
          },
        ],
      }),
    );
    await enforced();
    appTun.send(syn(appIp, dbIp, 40002));
    expect(await nextDstPort(dbTun)).toBe(5432);
    dbTun.send(synAck(dbIp, appIp, 40002));
    expect(await nextDstPort(appTun)).toBe(40002);
    // Exactly the members of app's group (REF-1), live (REF-2).
    expect(await peerRuleCidrs()).toEqual([`${appIp}/32`]);
  });

  it("refuses a non-member of the referenced group in the peer VPC (PCX-8, REF-1)", async () => {
    await expectDropped(agentA, otherTun, syn(otherIp, dbIp, 40003), DropReason.SgNoMatch);
    expect(dbTun.received()).toEqual([]);
  });

  it("drops a reply with no route back at the peer's sending agent (RT-14)", async () => {
    await alice.send(
      new DeleteRouteCommand({ RouteTableId: rtbA, DestinationCidrBlock: "10.51.0.0/16" }),
    );
    await enforced();
    appTun.send(syn(appIp, dbIp, 40004));
    expect(await nextDstPort(dbTun)).toBe(5432);
    await expectDropped(agentA, dbTun, synAck(dbIp, appIp, 40004), DropReason.NoRoute);
    expect(appTun.received()).toEqual([]);
    await alice.send(
      new CreateRouteCommand({
        RouteTableId: rtbA,
        DestinationCidrBlock: "10.51.0.0/16",
        VpcPeeringConnectionId: pcx,
      }),
    );
    await enforced();
    dbTun.send(synAck(dbIp, appIp, 40004));
    expect(await nextDstPort(appTun)).toBe(40004);
  });

  it("drops by a more specific route to a deleted ENI: blackhole_route (RT-10, RT-15)", async () => {
    const eni = (await bob.send(new CreateNetworkInterfaceCommand({ SubnetId: subnetB })))
      .NetworkInterface!.NetworkInterfaceId!;
    await bob.send(
      new CreateRouteCommand({
        RouteTableId: rtbB,
        DestinationCidrBlock: "10.50.1.0/24",
        NetworkInterfaceId: eni,
      }),
    );
    await bob.send(new DeleteNetworkInterfaceCommand({ NetworkInterfaceId: eni }));
    await enforced();
    await expectDropped(agentB, appTun, syn(appIp, dbIp, 40005), DropReason.BlackholeRoute);
    expect(dbTun.received()).toEqual([]);
    await bob.send(
      new DeleteRouteCommand({ RouteTableId: rtbB, DestinationCidrBlock: "10.50.1.0/24" }),
    );
    await enforced();
    appTun.send(syn(appIp, dbIp, 40006));
    expect(await nextDstPort(dbTun)).toBe(5432);
  });

  it("stops traffic once the peering is deleted; the rule is stale (REF-5, PCX-8)", async () => {
    await bob.send(new DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: pcx }));
    await enforced();
    await expectDropped(agentB, appTun, syn(appIp, dbIp, 40007), DropReason.BlackholeRoute);
    await expectDropped(agentA, dbTun, synAck(dbIp, appIp, 40006), DropReason.BlackholeRoute);
    expect(dbTun.received()).toEqual([]);
    expect(appTun.received()).toEqual([]);
    const stale = await alice.send(new DescribeStaleSecurityGroupsCommand({ VpcId: vpcA }));
    expect(stale.StaleSecurityGroupSet).toHaveLength(1);
    expect(stale.StaleSecurityGroupSet?.[0]?.GroupId).toBe(dbSg);
    expect(stale.StaleSecurityGroupSet?.[0]?.StaleIpPermissions?.[0]).toMatchObject({
      FromPort: 5432,
      UserIdGroupPairs: [expect.objectContaining({ GroupId: appSg, PeeringStatus: "deleted" })],
    });
    // The stale rule matches nothing (PCX-8).
    expect(await peerRuleCidrs()).toEqual([]);
  });
});
