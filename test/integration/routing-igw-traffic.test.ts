/**
 * The internet gateway's 1:1 NAT on real traffic (docs/routing.md IGW-5..IGW-7), and the
 * emulated internet reaching VPCs only through it (RT-17), in
 * process: AWS SDK -> EC2 Query API -> compiler -> hub -> two agents on FakeTun devices and a
 * MemoryBus underlay, the emulated internet (198.51.100.10) an external node of agent-b.
 *
 *   vpc 10.60.0.0/16, igw attached
 *     public  10.60.1.0/24, table rtb-public: 0.0.0.0/0 -> igw
 *       web (launch-time public IP)        agent-a (127.0.0.1:7401)
 *       db  (no public IP; later an EIP)   agent-b (127.0.0.1:7402)
 *     private 10.60.2.0/24, main table (local only)
 *       backend (launch-time public IP)    agent-b
 *   internet 198.51.100.10 (external)      agent-b
 *
 * All three share one group: tcp 80 from 0.0.0.0/0, the default egress. Every change is
 * waited for through the controller's enforced revision; a drop on the counter of its reason.
 */
import {
  AllocateAddressCommand,
  AssociateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteRouteCommand,
  DescribeInstancesCommand,
  DisassociateAddressCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { TcpFlag, type DecodedPacket } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import {
  expectDropped,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp } from "../helpers/packet-builder.js";

const INTERNET = "198.51.100.10";

let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
let agentA: StartedAgent;
let agentB: StartedAgent;
let rtbPublic = "";
let dbInstance = "";
let webInstance = "";
let sgId = "";
let web = { priv: "", pub: "", tun: undefined as unknown as FakeTun };
let db = { priv: "", tun: undefined as unknown as FakeTun };
let backend = { priv: "", pub: "", tun: undefined as unknown as FakeTun };
let inetTun: FakeTun;

/** Waits until every agent enforces the controller's current revision. */
const enforced = (): Promise<void> => h.enforced(5000);

async function launch(subnetId: string, groupId: string, publicIp: boolean) {
  const r = await ec2.send(
    new RunInstancesCommand({
      ImageId: "ami-12345678",
      InstanceType: "t3.micro",
      MinCount: 1,
      MaxCount: 1,
      NetworkInterfaces: [
        {
          DeviceIndex: 0,
          SubnetId: subnetId,
          Groups: [groupId],
          AssociatePublicIpAddress: publicIp,
        },
      ],
    }),
  );
  const i = r.Instances![0]!;
  // EIP-7: the launch-time public IP shows once the instance runs.
  const deadline = Date.now() + 5000;
  for (;;) {
    const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [i.InstanceId!] }));
    const now = d.Reservations![0]!.Instances![0]!;
    if (now.State?.Name === "running" && (!publicIp || now.PublicIpAddress !== undefined))
      return now;
    if (Date.now() > deadline) throw new Error(`instance ${i.InstanceId} not running`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

const syn = (src: string, dst: string, srcPort: number) =>
  buildTcp({ src, dst, srcPort, dstPort: 80, flags: TcpFlag.SYN, seq: 1 });
const synAck = (src: string, dst: string, dstPort: number) =>
  buildTcp({
    src,
    dst,
    srcPort: 80,
    dstPort,
    flags: TcpFlag.SYN | TcpFlag.ACK,
    seq: 100,
    ack: 2,
  });

/** The next packet `tun` receives, decoded with every checksum verified. */
async function next(tun: FakeTun): Promise<DecodedPacket> {
  const b = await tun.nextReceived();
  const p = decodePacket(b, 0, b.length, { verifyChecksums: true });
  if (typeof p === "string") throw new Error(`received a bad packet: ${p}`);
  return p;
}

const text = (a: Uint8Array): string => [...a].join(".");

beforeAll(async () => {
  h = await startTestController({ ec2: { accessKeyId: "111122223333", secretAccessKey: "x" } });
  ({ ctl, ec2 } = h);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.60.0.0/16" }))).Vpc!.VpcId!;
  const pub = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.60.1.0/24" })))
    .Subnet!.SubnetId!;
  const priv = (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.60.2.0/24" })))
    .Subnet!.SubnetId!;
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
    .InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  rtbPublic = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!
    .RouteTableId!;
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: rtbPublic,
      DestinationCidrBlock: "0.0.0.0/0",
      GatewayId: igw,
    }),
  );
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: rtbPublic, SubnetId: pub }));
  const sg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "web", Description: "web" }),
    )
  ).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: sg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: "0.0.0.0/0" }] },
      ],
    }),
  );
  const w = await launch(pub, sg, true);
  const d = await launch(pub, sg, false);
  const b = await launch(priv, sg, true);
  dbInstance = d.InstanceId!;
  webInstance = w.InstanceId!;
  sgId = sg;
  const a = await h.startAgent({
    agentId: "agent-a",
    instanceIds: [w.InstanceId!],
    endpoint: "127.0.0.1:7401",
    reportIntervalMs: 200,
  });
  const bb = await h.startAgent({
    agentId: "agent-b",
    instanceIds: [d.InstanceId!, b.InstanceId!],
    endpoint: "127.0.0.1:7402",
    externals: [{ name: "internet", address: INTERNET }],
    reportIntervalMs: 200,
  });
  agentA = a.agent;
  agentB = bb.agent;
  await enforced();
  web = {
    priv: w.PrivateIpAddress!,
    pub: w.PublicIpAddress!,
    tun: await a.tuns.tun(w.NetworkInterfaces![0]!.NetworkInterfaceId!),
  };
  db = {
    priv: d.PrivateIpAddress!,
    tun: await bb.tuns.tun(d.NetworkInterfaces![0]!.NetworkInterfaceId!),
  };
  backend = {
    priv: b.PrivateIpAddress!,
    pub: b.PublicIpAddress!,
    tun: await bb.tuns.tun(b.NetworkInterfaces![0]!.NetworkInterfaceId!),
  };
  inetTun = await bb.tuns.tun("ext:internet");
});

afterAll(async () => {
  await h?.stop();
});

describe("internet gateway 1:1 NAT on traffic", () => {
  it("answers TCP to web's public IP: SG sees the private address, the reply leaves from the public IP (IGW-5, IGW-6)", async () => {
    expect(web.pub).toMatch(/^198\.1[89]\./);
    inetTun.send(syn(INTERNET, web.pub, 50000));
    const atWeb = await next(web.tun);
    expect([text(atWeb.src), text(atWeb.dst), atWeb.dstPort]).toEqual([INTERNET, web.priv, 80]);
    web.tun.send(synAck(web.priv, INTERNET, 50000));
    const atInternet = await next(inetTun);
    expect([text(atInternet.src), text(atInternet.dst), atInternet.dstPort]).toEqual([
      web.pub,
      INTERNET,
      50000,
    ]);
    expect(atInternet.tcpFlags).toBe(TcpFlag.SYN | TcpFlag.ACK);
  });

  it("tracks a connection through the gateway on web's private address (IGW-5, CT-1)", async () => {
    // Not /0: tracked (CT-2), so the entry shows in the conntrack report.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: sgId,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: `${INTERNET}/32` }] },
        ],
      }),
    );
    await enforced();
    inetTun.send(
      buildTcp({
        src: INTERNET,
        dst: web.pub,
        srcPort: 50010,
        dstPort: 22,
        flags: TcpFlag.SYN,
        seq: 1,
      }),
    );
    expect(text((await next(web.tun)).dst)).toBe(web.priv);
    web.tun.send(
      buildTcp({
        src: web.priv,
        dst: INTERNET,
        srcPort: 22,
        dstPort: 50010,
        flags: TcpFlag.SYN | TcpFlag.ACK,
        seq: 100,
        ack: 2,
      }),
    );
    expect(text((await next(inetTun)).src)).toBe(web.pub);
    const res = await fetch(`${ctl.url}/v1/conntrack?instance=${webInstance}&refresh=1`);
    const report = (await res.json()) as {
      enis: { entries: { original: { src: string; dst: string; dstPort: number } }[] }[];
    };
    const originals = report.enis.flatMap((e) => e.entries.map((x) => x.original));
    expect(originals).toContainEqual({ src: INTERNET, srcPort: 50010, dst: web.priv, dstPort: 22 });
    expect(JSON.stringify(report)).not.toContain(web.pub);
  });

  it("does not deliver to the public IP of an instance in a subnet without an IGW route (IGW-5)", async () => {
    await expectDropped(agentB, inetTun, syn(INTERNET, backend.pub, 50001), DropReason.IgwNoRoute);
    expect(backend.tun.received()).toEqual([]);
  });

  it("drops an instance's packet to the internet through the gateway without a public IP (IGW-6)", async () => {
    await expectDropped(agentB, db.tun, syn(db.priv, INTERNET, 50002), DropReason.NoPublicIp);
    expect(inetTun.received()).toEqual([]);
  });

  it("never delivers the internet's packets to a private address, even with the SG open to 0.0.0.0/0 (RT-17)", async () => {
    // web: public subnet with the IGW route, a public IP; backend: private subnet, a public IP.
    // Both admit tcp 80 from 0.0.0.0/0. The internet's agent finds no route to either private
    // address (only public IPs are on the emulated internet).
    await expectDropped(agentB, inetTun, syn(INTERNET, web.priv, 50003), DropReason.NoRoute);
    await expectDropped(agentB, inetTun, syn(INTERNET, backend.priv, 50003), DropReason.NoRoute);
    await expectDropped(agentB, inetTun, syn(INTERNET, db.priv, 50003), DropReason.NoRoute);
    expect(web.tun.received()).toEqual([]);
    expect(backend.tun.received()).toEqual([]);
    expect(db.tun.received()).toEqual([]);
  });

  it("drops an instance's packet to the internet without a gateway route, public IP or not (RT-17)", async () => {
    // backend's subnet uses the main table (local only).
    await expectDropped(
      agentB,
      backend.tun,
      syn(backend.priv, INTERNET, 50007),
      DropReason.NoRoute,
    );
    expect(inetTun.received()).toEqual([]);
  });

  it("reaches db by an Elastic IP while associated, and not after DisassociateAddress (IGW-7, EIP-2)", async () => {
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
    const assoc = await ec2.send(
      new AssociateAddressCommand({ AllocationId: eip.AllocationId!, InstanceId: dbInstance }),
    );
    await enforced();
    inetTun.send(syn(INTERNET, eip.PublicIp!, 50004));
    const atDb = await next(db.tun);
    expect([text(atDb.src), text(atDb.dst)]).toEqual([INTERNET, db.priv]);
    db.tun.send(synAck(db.priv, INTERNET, 50004));
    const atInternet = await next(inetTun);
    expect([text(atInternet.src), atInternet.dstPort]).toEqual([eip.PublicIp!, 50004]);

    await ec2.send(new DisassociateAddressCommand({ AssociationId: assoc.AssociationId! }));
    await enforced();
    // The address is in no mapping any more: the internet's agent has no route to it.
    await expectDropped(agentB, inetTun, syn(INTERNET, eip.PublicIp!, 50005), DropReason.NoRoute);
    await expectDropped(agentB, db.tun, synAck(db.priv, INTERNET, 50004), DropReason.NoPublicIp);
    expect(db.tun.received()).toEqual([]);
  });

  it("cuts new connections to web's public IP once the IGW route is deleted (IGW-5)", async () => {
    await ec2.send(
      new DeleteRouteCommand({ RouteTableId: rtbPublic, DestinationCidrBlock: "0.0.0.0/0" }),
    );
    await enforced();
    await expectDropped(agentA, inetTun, syn(INTERNET, web.pub, 50006), DropReason.IgwNoRoute);
    expect(web.tun.received()).toEqual([]);
  });
});
