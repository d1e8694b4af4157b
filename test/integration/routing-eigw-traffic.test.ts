/**
 * IPv6 to and from the emulated internet (docs/routing.md IGW-11, IGW-12), in process: AWS SDK
 * -> EC2 Query API -> compiler -> hub -> two agents on FakeTun devices and a MemoryBus
 * underlay; the emulated internet's IPv6 node (2001:db8:ffff::10) an external node of agent-b.
 *
 *   vpc 10.65.0.0/16 + an Amazon-provided IPv6 /56, igw attached, eigw created
 *     eo 10.65.1.0/24 + /64, table: ::/0 -> eigw    a (IPv6 address)   agent-a
 *     ig 10.65.2.0/24 + /64, table: ::/0 -> igw     b (IPv6 address)   agent-a
 *   internet6 2001:db8:ffff::10 (external)                              agent-b
 *
 * Both instances' group admits tcp 80 from ::/0 (so only the gateways decide). Every change is
 * waited for through the controller's enforced revision; a drop on the counter of its reason.
 */
import {
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateEgressOnlyInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteEgressOnlyInternetGatewayCommand,
  DescribeInstancesCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedAgent } from "../../node-agent/agent.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { formatIpAddress } from "../../node-agent/packet/address.js";
import { TcpFlag, type DecodedPacket } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import {
  expectDropped,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp } from "../helpers/packet-builder.js";

const INTERNET6 = "2001:db8:ffff::10";

let h: TestController;
let ec2: EC2Client;
let agentA: StartedAgent;
let eigw = "";
const a = { v6: "", tun: undefined as unknown as FakeTun };
const b = { v6: "", tun: undefined as unknown as FakeTun };
let inetTun: FakeTun;

const enforced = (): Promise<void> => h.enforced(5000);

const syn = (src: string, dst: string, srcPort: number, dstPort = 80) =>
  buildTcp({ src, dst, srcPort, dstPort, flags: TcpFlag.SYN, seq: 1 });
const synAck = (src: string, dst: string, srcPort: number, dstPort: number) =>
  buildTcp({ src, dst, srcPort, dstPort, flags: TcpFlag.SYN | TcpFlag.ACK, seq: 100, ack: 2 });

async function next(tun: FakeTun): Promise<DecodedPacket> {
  const buf = await tun.nextReceived();
  const p = decodePacket(buf, 0, buf.length, { verifyChecksums: true });
  if (typeof p === "string") throw new Error(`received a bad packet: ${p}`);
  return p;
}

/** The /64 number `n` of a /56 ("2600:1f18:ab:cd00::/56", 1 -> "2600:1f18:ab:cd01::/64"). */
function subnet64(block: string, n: number): string {
  const [head] = block.split("::");
  const parts = head!.split(":");
  const last = parseInt(parts[3] ?? "0", 16) + n;
  parts[3] = last.toString(16);
  return `${parts.slice(0, 4).join(":")}::/64`;
}

async function launch(subnetId: string, groupId: string) {
  const r = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12345678",
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [
        { DeviceIndex: 0, SubnetId: subnetId, Groups: [groupId], Ipv6AddressCount: 1 },
      ],
    }),
  );
  const id = r.Instances![0]!.InstanceId!;
  const deadline = Date.now() + 5000;
  for (;;) {
    const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const now = d.Reservations![0]!.Instances![0]!;
    if (now.State?.Name === "running") return now;
    if (Date.now() > deadline) throw new Error(`instance ${id} not running`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

beforeAll(async () => {
  h = await startTestController({ ec2: { accessKeyId: "111122223333", secretAccessKey: "x" } });
  ({ ec2 } = h);
  const vpc = (
    await ec2.send(
      new CreateVpcCommand({ CidrBlock: "10.65.0.0/16", AmazonProvidedIpv6CidrBlock: true }),
    )
  ).Vpc!.VpcId!;
  const block = (await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpc] }))).Vpcs![0]!
    .Ipv6CidrBlockAssociationSet![0]!.Ipv6CidrBlock!;
  const subnet = async (cidr: string, v6: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr, Ipv6CidrBlock: v6 })))
      .Subnet!.SubnetId!;
  const eo = await subnet("10.65.1.0/24", subnet64(block, 1));
  const ig = await subnet("10.65.2.0/24", subnet64(block, 2));
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
    .InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  eigw = (await ec2.send(new CreateEgressOnlyInternetGatewayCommand({ VpcId: vpc })))
    .EgressOnlyInternetGateway!.EgressOnlyInternetGatewayId!;
  const table = async (subnetId: string, target: Record<string, string>) => {
    const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!
      .RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
    await ec2.send(
      new CreateRouteCommand({ RouteTableId: id, DestinationIpv6CidrBlock: "::/0", ...target }),
    );
  };
  await table(eo, { EgressOnlyInternetGatewayId: eigw });
  await table(ig, { GatewayId: igw });
  const sg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "v6", Description: "v6" }),
    )
  ).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, Ipv6Ranges: [{ CidrIpv6: "::/0" }] },
      ],
    }),
  );
  const ia = await launch(eo, sg);
  const ib = await launch(ig, sg);
  // The internet's agent first: every later agent's first snapshot maps it.
  const hb = await h.startAgent({
    agentId: "agent-b",
    instanceIds: [],
    endpoint: "127.0.0.1:7422",
    externals: [{ name: "internet6", address: INTERNET6 }],
  });
  const ha = await h.startAgent({
    agentId: "agent-a",
    instanceIds: [ia.InstanceId!, ib.InstanceId!],
    endpoint: "127.0.0.1:7421",
  });
  agentA = ha.agent;
  await Promise.all([ha.agent, hb.agent].map((x) => x.enforced(h.ctl.revision())));
  a.v6 = ia.NetworkInterfaces![0]!.Ipv6Addresses![0]!.Ipv6Address!;
  b.v6 = ib.NetworkInterfaces![0]!.Ipv6Addresses![0]!.Ipv6Address!;
  a.tun = await ha.tuns.tun(ia.NetworkInterfaces![0]!.NetworkInterfaceId!);
  b.tun = await ha.tuns.tun(ib.NetworkInterfaces![0]!.NetworkInterfaceId!);
  inetTun = await hb.tuns.tun("ext:internet6");
});

afterAll(async () => {
  await h?.stop();
});

describe("IPv6 through internet and egress-only internet gateways", () => {
  it("an egress-only gateway carries an instance's IPv6 flow out, untranslated, and its replies back (IGW-12)", async () => {
    a.tun.send(syn(a.v6, INTERNET6, 40000));
    const out = await next(inetTun);
    expect([formatIpAddress(out.src), formatIpAddress(out.dst), out.srcPort]).toEqual([
      a.v6,
      INTERNET6,
      40000,
    ]);
    inetTun.send(synAck(INTERNET6, a.v6, 80, 40000));
    const back = await next(a.tun);
    expect([formatIpAddress(back.src), back.dstPort, back.tcpFlags]).toEqual([
      INTERNET6,
      40000,
      TcpFlag.SYN | TcpFlag.ACK,
    ]);
  });

  it("an egress-only gateway drops what the internet starts, though the SG admits ::/0 (IGW-12)", async () => {
    await expectDropped(agentA, inetTun, syn(INTERNET6, a.v6, 50000), DropReason.EigwInbound);
    // A reply to another port than the flow's is no reply.
    await expectDropped(
      agentA,
      inetTun,
      synAck(INTERNET6, a.v6, 80, 40001),
      DropReason.EigwInbound,
    );
    expect(a.tun.received()).toEqual([]);
  });

  it("an internet gateway carries IPv6 both ways, new inbound connections too (IGW-11)", async () => {
    inetTun.send(syn(INTERNET6, b.v6, 50001));
    const atB = await next(b.tun);
    expect([formatIpAddress(atB.src), formatIpAddress(atB.dst)]).toEqual([INTERNET6, b.v6]);
    b.tun.send(synAck(b.v6, INTERNET6, 80, 50001));
    const atInternet = await next(inetTun);
    expect(formatIpAddress(atInternet.src)).toBe(b.v6);
  });

  it("deleting the egress-only gateway turns its route blackhole (IGW-8, RT-15)", async () => {
    await ec2.send(
      new DeleteEgressOnlyInternetGatewayCommand({ EgressOnlyInternetGatewayId: eigw }),
    );
    await enforced();
    await expectDropped(agentA, a.tun, syn(a.v6, INTERNET6, 40002), DropReason.BlackholeRoute);
    expect(inetTun.received()).toEqual([]);
  });
});
