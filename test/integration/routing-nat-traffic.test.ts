/**
 * NAT gateways on real traffic (docs/routing.md NAT-8..NAT-13, RT-15), in process: AWS SDK ->
 * EC2 Query API -> compiler -> hub -> two agents on FakeTun devices and a MemoryBus underlay,
 * the emulated internet (198.51.100.10) an external node of agent-b. The NAT gateway's
 * interface lives on agent-a (it hosts an ENI of the NAT's subnet), so every flow crosses the
 * underlay twice each way: app (agent-b) -> NAT (agent-a) -> internet (agent-b) and back.
 *
 *   vpc 10.64.0.0/16, igw attached
 *     pub  10.64.1.0/24, rtb-pub: 0.0.0.0/0 -> igw     web, front (public IP) (agent-a),
 *                                                       nat-1 + Elastic IP 1
 *     priv 10.64.2.0/24, rtb-priv: 0.0.0.0/0 -> nat-1  app (agent-b), SG tcp 80 from 0.0.0.0/0
 *     bare 10.64.3.0/24, rtb-bare: local only           nat-2 + Elastic IP 2 (no IGW route)
 *   internet 198.51.100.10 (external)                    agent-b
 *
 * A VPC flow log (custom format) records both interfaces' flows. Every change is waited for
 * through the controller's enforced revision; a drop on the counter of its reason.
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateFlowLogsCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteNatGatewayCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ReplaceRouteCommand,
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
const FORMAT =
  "${interface-id} ${instance-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${flow-direction} ${traffic-path} ${action}";
const FIELDS = FORMAT.split(" ").map((t) => t.slice(2, -1));

let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
let agentA: StartedAgent;
let agentB: StartedAgent;
let rtbPriv = "";
let flowLogId = "";
const nat1 = { id: "", eni: "", priv: "", eip: "" };
const nat2 = { id: "", eni: "", priv: "", eip: "" };
let app = { priv: "", instance: "", eni: "", tun: undefined as unknown as FakeTun };
let inetTun: FakeTun;
/** In the public subnet with a launch-time public IP (hairpin tests). */
let front = { priv: "", pub: "", tun: undefined as unknown as FakeTun };
/** In the public subnet without a public IP. */
let web = { priv: "", tun: undefined as unknown as FakeTun };
/** The NAT port the first flow got (test 1), for the unsolicited-inbound test. */
let firstPort = 0;

const enforced = (): Promise<void> => h.enforced(5000);

async function launch(subnetId: string, groupId: string, publicIp = false) {
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
  const id = r.Instances![0]!.InstanceId!;
  const deadline = Date.now() + 5000;
  for (;;) {
    const d = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    const now = d.Reservations![0]!.Instances![0]!;
    if (now.State?.Name === "running" && (!publicIp || now.PublicIpAddress !== undefined))
      return now;
    if (Date.now() > deadline) throw new Error(`instance ${id} not running`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

/** A NAT gateway with a new Elastic IP in `subnetId`, polled until `available` (NAT-3). */
async function natGateway(subnetId: string, into: typeof nat1): Promise<void> {
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: "vpc" }));
  const n = (
    await ec2.send(
      new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: eip.AllocationId! }),
    )
  ).NatGateway!;
  into.id = n.NatGatewayId!;
  into.eni = n.NatGatewayAddresses![0]!.NetworkInterfaceId!;
  into.priv = n.NatGatewayAddresses![0]!.PrivateIp!;
  into.eip = eip.PublicIp!;
  await natState(into.id, "available");
}

async function natState(id: string, state: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const d = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }));
    if (d.NatGateways![0]!.State === state) return;
    if (Date.now() > deadline) throw new Error(`NAT gateway ${id} not ${state}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const syn = (src: string, dst: string, srcPort: number, dstPort = 80) =>
  buildTcp({ src, dst, srcPort, dstPort, flags: TcpFlag.SYN, seq: 1 });
const synAck = (src: string, dst: string, srcPort: number, dstPort: number) =>
  buildTcp({ src, dst, srcPort, dstPort, flags: TcpFlag.SYN | TcpFlag.ACK, seq: 100, ack: 2 });

async function next(tun: FakeTun): Promise<DecodedPacket> {
  const b = await tun.nextReceived();
  const p = decodePacket(b, 0, b.length, { verifyChecksums: true });
  if (typeof p === "string") throw new Error(`received a bad packet: ${p}`);
  return p;
}

const text = (a: Uint8Array): string => [...a].join(".");

/** Sends `packet` into `tun` until one of `agents` counted one more drop of `reason`. */
async function expectDroppedAnywhere(
  agents: readonly StartedAgent[],
  tun: FakeTun,
  packet: Uint8Array,
  reason: DropReason,
): Promise<void> {
  const total = (): number => agents.reduce((n, a) => n + (a.drops()[reason] ?? 0), 0);
  const before = total();
  tun.send(packet);
  const deadline = Date.now() + 2000;
  while (total() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  expect(total()).toBe(before + 1);
}

type Line = Record<string, string>;

async function flowLines(done: (lines: Line[]) => boolean): Promise<Line[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await fetch(`${ctl.url}/v1/flow-logs/${flowLogId}/records`);
    const lines = ((await res.json()) as { records: string[] }).records.map((l) => {
      const parts = l.split(" ");
      return Object.fromEntries(FIELDS.map((f, i) => [f, parts[i]!]));
    });
    if (done(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`flow log: ${JSON.stringify(lines, null, 1)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  h = await startTestController({ ec2: { accessKeyId: "111122223333", secretAccessKey: "x" } });
  ({ ctl, ec2 } = h);
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.64.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: cidr }))).Subnet!.SubnetId!;
  const pub = await subnet("10.64.1.0/24");
  const priv = await subnet("10.64.2.0/24");
  const bare = await subnet("10.64.3.0/24");
  const igw = (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway!
    .InternetGatewayId!;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: vpc }));
  const table = async (subnetId: string) => {
    const id = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpc }))).RouteTable!
      .RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId }));
    return id;
  };
  const rtbPub = await table(pub);
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: rtbPub,
      DestinationCidrBlock: "0.0.0.0/0",
      GatewayId: igw,
    }),
  );
  rtbPriv = await table(priv);
  await table(bare);
  const sg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "app", Description: "app" }),
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
  const w = await launch(pub, sg);
  const a = await launch(priv, sg);
  const f = await launch(pub, sg, true);
  flowLogId = (
    await ec2.send(
      new CreateFlowLogsCommand({
        ResourceIds: [vpc],
        ResourceType: "VPC",
        TrafficType: "ALL",
        LogDestinationType: "s3",
        LogDestination: "arn:aws:s3:::flows",
        LogFormat: FORMAT,
      }),
    )
  ).FlowLogIds![0]!;
  // The internet's agent first: every later agent's first snapshot maps it.
  const hb = await h.startAgent({
    agentId: "agent-b",
    instanceIds: [a.InstanceId!],
    endpoint: "127.0.0.1:7412",
    externals: [{ name: "internet", address: INTERNET }],
    reportIntervalMs: 200,
    flowLogWindowMs: 1000,
  });
  const ha = await h.startAgent({
    agentId: "agent-a",
    instanceIds: [w.InstanceId!, f.InstanceId!],
    endpoint: "127.0.0.1:7411",
    reportIntervalMs: 200,
    flowLogWindowMs: 1000,
  });
  agentA = ha.agent;
  agentB = hb.agent;
  // NAT gateways once both agents are connected (enforcing): each is placed on agent-a, which
  // hosts ENIs of their VPC (nat-1's subnet too), and stays there (NAT-8).
  await Promise.all([agentA.enforced(ctl.revision()), agentB.enforced(ctl.revision())]);
  await natGateway(pub, nat1);
  await natGateway(bare, nat2);
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: rtbPriv,
      DestinationCidrBlock: "0.0.0.0/0",
      NatGatewayId: nat1.id,
    }),
  );
  await enforced();
  app = {
    priv: a.PrivateIpAddress!,
    instance: a.InstanceId!,
    eni: a.NetworkInterfaces![0]!.NetworkInterfaceId!,
    tun: await hb.tuns.tun(a.NetworkInterfaces![0]!.NetworkInterfaceId!),
  };
  inetTun = await hb.tuns.tun("ext:internet");
  front = {
    priv: f.PrivateIpAddress!,
    pub: f.PublicIpAddress!,
    tun: await ha.tuns.tun(f.NetworkInterfaces![0]!.NetworkInterfaceId!),
  };
  web = {
    priv: w.PrivateIpAddress!,
    tun: await ha.tuns.tun(w.NetworkInterfaces![0]!.NetworkInterfaceId!),
  };
});

afterAll(async () => {
  await h?.stop();
});

describe("NAT gateways on traffic", () => {
  it("translates a private instance's flow to the NAT gateway's Elastic IP and a port, and the reply back (NAT-8)", async () => {
    expect(nat1.eip).toMatch(/^198\.1[89]\./);
    app.tun.send(syn(app.priv, INTERNET, 40000));
    const out = await next(inetTun);
    expect([text(out.src), text(out.dst), out.dstPort]).toEqual([nat1.eip, INTERNET, 80]);
    expect(out.srcPort).toBeGreaterThanOrEqual(1024);
    firstPort = out.srcPort;
    inetTun.send(synAck(INTERNET, nat1.eip, 80, out.srcPort));
    const back = await next(app.tun);
    expect([text(back.src), back.srcPort, text(back.dst), back.dstPort]).toEqual([
      INTERNET,
      80,
      app.priv,
      40000,
    ]);
    expect(back.tcpFlags).toBe(TcpFlag.SYN | TcpFlag.ACK);
    // The same flow keeps its translation; another source port gets another one.
    app.tun.send(
      buildTcp({ src: app.priv, dst: INTERNET, srcPort: 40000, dstPort: 80, flags: TcpFlag.ACK }),
    );
    expect((await next(inetTun)).srcPort).toBe(firstPort);
    app.tun.send(syn(app.priv, INTERNET, 40001));
    expect((await next(inetTun)).srcPort).not.toBe(firstPort);
  });

  it("drops unsolicited inbound to the Elastic IP: to another port, or from another remote port to the flow's port (NAT-9)", async () => {
    await expectDropped(
      agentA,
      inetTun,
      syn(INTERNET, nat1.eip, 50000, firstPort + 1000),
      DropReason.NatNoMapping,
    );
    await expectDropped(
      agentA,
      inetTun,
      syn(INTERNET, nat1.eip, 81, firstPort),
      DropReason.NatNoMapping,
    );
    expect(app.tun.received()).toEqual([]);
  });

  it("flow logs show the NAT gateway's interface: srcaddr/dstaddr its private address, pkt-* the hosts beyond (NAT-13)", async () => {
    const isNat = (l: Line) => l["interface-id"] === nat1.eni;
    const lines = await flowLines(
      (ls) => ls.filter(isNat).length >= 4 && ls.some((l) => l["interface-id"] === app.eni),
    );
    const nat = lines.filter(isNat);
    const pick = (src: string, dst: string, pktSrc: string, pktDst: string) =>
      nat.find(
        (l) =>
          l["srcaddr"] === src &&
          l["dstaddr"] === dst &&
          l["pkt-srcaddr"] === pktSrc &&
          l["pkt-dstaddr"] === pktDst,
      );
    // app -> NAT (its route's next hop), the original destination in pkt-dstaddr.
    expect(pick(app.priv, nat1.priv, app.priv, INTERNET)).toMatchObject({
      "flow-direction": "ingress",
      "instance-id": "-",
      action: "ACCEPT",
      srcport: "40000",
      dstport: "80",
    });
    // NAT -> internet from its private address (the gateway maps it to the Elastic IP).
    expect(pick(nat1.priv, INTERNET, nat1.priv, INTERNET)).toMatchObject({
      "flow-direction": "egress",
      "traffic-path": "8",
      srcport: String(firstPort),
    });
    // internet -> NAT, and NAT -> app with the internet's address in pkt-srcaddr.
    expect(pick(INTERNET, nat1.priv, INTERNET, nat1.priv)).toMatchObject({
      "flow-direction": "ingress",
    });
    expect(pick(nat1.priv, app.priv, INTERNET, app.priv)).toMatchObject({
      "flow-direction": "egress",
      "traffic-path": "1",
      srcport: "80",
      dstport: "40000",
    });
    // The instance's own interface shows the internet address both ways (FL-4).
    const mine = lines.filter((l) => l["interface-id"] === app.eni);
    expect(
      mine.find(
        (l) => l["srcaddr"] === app.priv && l["dstaddr"] === INTERNET && l["srcport"] === "40000",
      ),
    ).toMatchObject({
      "pkt-dstaddr": INTERNET,
      "flow-direction": "egress",
      "traffic-path": "1",
      "instance-id": app.instance,
    });
  });

  it("the NAT gateway's interface tracks both legs of the flow on its private address (NAT-9, NAT-13)", async () => {
    const res = await fetch(`${ctl.url}/v1/conntrack?eni=${nat1.eni}&refresh=1`);
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      enis: { eniId: string; entries: { original: Record<string, unknown> }[] }[];
    };
    const originals = report.enis.flatMap((e) => e.entries.map((x) => x.original));
    // The instance's flow as it reached the NAT gateway, and the translated one it sent.
    expect(originals).toContainEqual({ src: app.priv, srcPort: 40000, dst: INTERNET, dstPort: 80 });
    expect(originals).toContainEqual({
      src: nat1.priv,
      srcPort: firstPort,
      dst: INTERNET,
      dstPort: 80,
    });
    // The Elastic IP is the internet gateway's: never in the interface's table.
    expect(JSON.stringify(report)).not.toContain(nat1.eip);
  });

  it("hairpins to another instance's public IP through the internet gateway, from the NAT gateway's Elastic IP, and back (IGW-10, NAT-8)", async () => {
    app.tun.send(syn(app.priv, front.pub, 40300));
    const atFront = await next(front.tun);
    expect([text(atFront.src), text(atFront.dst), atFront.dstPort]).toEqual([
      nat1.eip,
      front.priv,
      80,
    ]);
    front.tun.send(synAck(front.priv, nat1.eip, 80, atFront.srcPort));
    const back = await next(app.tun);
    expect([text(back.src), back.srcPort, text(back.dst), back.dstPort]).toEqual([
      front.pub,
      80,
      app.priv,
      40300,
    ]);
  });

  it("hairpin needs a public IP at the sender: without one, no_public_ip (IGW-10)", async () => {
    await expectDropped(agentA, web.tun, syn(web.priv, front.pub, 40400), DropReason.NoPublicIp);
    expect(front.tun.received()).toEqual([]);
  });

  it("a NAT gateway in a subnet without an internet gateway route carries nothing out (NAT-12)", async () => {
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: rtbPriv,
        DestinationCidrBlock: "0.0.0.0/0",
        NatGatewayId: nat2.id,
      }),
    );
    await enforced();
    await expectDroppedAnywhere(
      [agentA, agentB],
      app.tun,
      syn(app.priv, INTERNET, 40100),
      DropReason.NoRoute,
    );
    expect(inetTun.received()).toEqual([]);
  });

  it("deleting the NAT gateway turns its route blackhole and cuts the traffic (NAT-4, RT-15)", async () => {
    await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: rtbPriv,
        DestinationCidrBlock: "0.0.0.0/0",
        NatGatewayId: nat1.id,
      }),
    );
    await enforced();
    app.tun.send(syn(app.priv, INTERNET, 40200));
    expect(text((await next(inetTun)).src)).toBe(nat1.eip);
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat1.id }));
    await enforced();
    const t = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [rtbPriv] }));
    expect(
      t.RouteTables![0]!.Routes!.find((r) => r.DestinationCidrBlock === "0.0.0.0/0")!.State,
    ).toBe("blackhole");
    await expectDropped(agentB, app.tun, syn(app.priv, INTERNET, 40201), DropReason.BlackholeRoute);
    expect(inetTun.received()).toEqual([]);
    await natState(nat1.id, "deleted");
  });
});
