/**
 * StopInstances / StartInstances on packets: two in-process agents under the real controller,
 * FakeTun devices and a MemoryBus underlay, so every packet takes the agents' real pipeline.
 *
 *   EC2Client --HTTP--> Controller (":memory:")
 *           +-------------+--------------+
 *   agent-web (i-web 10.71.1.x)      agent-db (i-db 10.71.2.x)
 *       FakeTun eni-web <--- MemoryBus (Geneve) ---> FakeTun eni-db
 *
 *   web-sg: the default egress (all); db-sg: inbound tcp 3306 and udp 9000 from the VPC,
 *   outbound udp only, so db's TCP replies pass by conntrack alone (CT-1).
 *
 * A stopped instance neither sends nor receives, its ENI keeps its address and groups (INST-2);
 * started again it carries traffic with an empty conntrack table (INST-3). Each step waits for
 * the controller's revision to be enforced; a refused packet is waited for by its drop counter.
 * The Stop/Start answers themselves (Force, Hibernate, repeats, a terminated instance): INST-1.
 */
import {
  AuthorizeSecurityGroupEgressCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RunInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import { startTestController, type TestController } from "../helpers/in-process-agents.js";
import { buildTcp, buildUdp } from "../helpers/packet-builder.js";

let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
let dbSg = "";
let dbId = "";
let webSubnet = "";

interface Node {
  ip: string;
  eni: string;
  tun: FakeTun;
  agent: StartedAgent;
}
let web: Node;
let db: Node;

async function startNode(id: string, inst: { ip: string; id: string; eni: string }, port: number) {
  const { agent, tuns } = await h.startAgent({
    agentId: id,
    instanceIds: [inst.id],
    endpoint: `127.0.0.1:${port}`,
    reportIntervalMs: 200,
  });
  await agent.enforced(ctl.revision());
  return { ip: inst.ip, eni: inst.eni, tun: await tuns.tun(inst.eni), agent };
}

beforeAll(async () => {
  h = await startTestController();
  ({ ctl, ec2 } = h);
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.71.0.0/16" }))).Vpc!.VpcId!;
  const subnet = async (cidr: string) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr }))).Subnet!.SubnetId!;
  const sg = async (name: string) =>
    (
      await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: name, Description: name }),
      )
    ).GroupId!;
  const webSg = await sg("web-sg");
  dbSg = await sg("db-sg");
  const vpc = [{ CidrIp: "10.71.0.0/16" }];
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: dbSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, IpRanges: vpc },
        { IpProtocol: "udp", FromPort: 9000, ToPort: 9000, IpRanges: vpc },
      ],
    }),
  );
  await ec2.send(
    new RevokeSecurityGroupEgressCommand({
      GroupId: dbSg,
      IpPermissions: [{ IpProtocol: "-1", IpRanges: [{ CidrIp: "0.0.0.0/0" }] }],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupEgressCommand({
      GroupId: dbSg,
      IpPermissions: [{ IpProtocol: "udp", FromPort: 0, ToPort: 65535, IpRanges: vpc }],
    }),
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: webSg,
      IpPermissions: [{ IpProtocol: "udp", FromPort: 9000, ToPort: 9000, IpRanges: vpc }],
    }),
  );
  const run = async (subnetId: string, group: string) => {
    const i = (
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
    return {
      ip: i.PrivateIpAddress!,
      id: i.InstanceId!,
      eni: i.NetworkInterfaces![0]!.NetworkInterfaceId!,
    };
  };
  webSubnet = await subnet("10.71.1.0/24");
  const w = await run(webSubnet, webSg);
  const d = await run(await subnet("10.71.2.0/24"), dbSg);
  dbId = d.id;
  web = await startNode("agent-web", w, 7261);
  db = await startNode("agent-db", d, 7262);
  await enforced();
});

afterAll(async () => {
  await h?.stop();
});

/** Every connected agent enforces the controller's current revision (CT-17). */
async function enforced(): Promise<void> {
  await ctl.waitForEnforced(ctl.revision(), 10_000);
}

const tcp = (from: Node, to: Node, sp: number, dp: number, flags: number) =>
  buildTcp({ src: from.ip, dst: to.ip, srcPort: sp, dstPort: dp, flags, seq: 1, ack: 1 });
const udp = (from: Node, to: Node, sp: number, dp: number) =>
  buildUdp({ src: from.ip, dst: to.ip, srcPort: sp, dstPort: dp, payload: new Uint8Array(8) });

/** Sends `packet` from `from` and resolves once `to` has it. */
async function passes(from: Node, to: Node, packet: Uint8Array): Promise<void> {
  to.tun.received();
  from.tun.send(packet);
  await to.tun.nextReceived();
}

/**
 * Sends `packet` from `from`, waits until `counter`'s agent counted it dropped as `reason`, and
 * returns what `to` received meanwhile.
 */
async function dropped(
  from: Node,
  to: Node,
  packet: Uint8Array,
  counter: Node,
  reason: DropReason,
): Promise<Uint8Array[]> {
  to.tun.received();
  const before = counter.agent.drops()[reason];
  from.tun.send(packet);
  for (let i = 0; counter.agent.drops()[reason] === before; i++) {
    if (i > 500) throw new Error(`no ${reason} drop on ${counter.agent.agentId}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return to.tun.received();
}

interface ReportEntry {
  original: { src: string; srcPort: number };
  state: string;
}

/** The db ENI's tracked entries, fresh from its agent (JSON API refresh=1, CT-14). */
async function dbConntrack(): Promise<ReportEntry[]> {
  const res = await fetch(`${ctl.url}/v1/conntrack?eni=${db.eni}&refresh=1`);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { enis: { eniId: string; entries: ReportEntry[] }[] };
  return body.enis.find((e) => e.eniId === db.eni)?.entries ?? [];
}

async function dbEniView() {
  const out = await ec2.send(
    new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "group-id", Values: [dbSg] }] }),
  );
  return out.NetworkInterfaces;
}

async function stateOf(id: string): Promise<string | undefined> {
  const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
  return out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

const dbState = () => stateOf(dbId);

describe("a stopped instance on the data path", { timeout: 60_000 }, () => {
  it("neither sends nor receives while stopped, keeps its ENI, and starts with an empty conntrack table (INST-1..INST-3)", async () => {
    // Running: a TCP connection web:40000 -> db:3306 (db's replies pass by conntrack, CT-1),
    // UDP both ways.
    await passes(web, db, tcp(web, db, 40000, 3306, TcpFlag.SYN));
    await passes(db, web, tcp(db, web, 3306, 40000, TcpFlag.SYN | TcpFlag.ACK));
    await passes(web, db, tcp(web, db, 40000, 3306, TcpFlag.ACK));
    await passes(web, db, udp(web, db, 41000, 9000));
    await passes(db, web, udp(db, web, 41001, 9000));
    expect((await dbConntrack()).map((e) => [e.original.srcPort, e.state])).toContainEqual([
      40000,
      "ESTABLISHED",
    ]);
    const eniBefore = await dbEniView();

    // INST-1: StopInstances answers `stopping`, Describe shows `stopped`.
    const stop = await ec2.send(new StopInstancesCommand({ InstanceIds: [dbId] }));
    expect(stop.StoppingInstances?.[0]?.CurrentState?.Name).toBe("stopping");
    await enforced();
    expect(await dbState()).toBe("stopped");
    // INST-2: the ENI stays attached with its address and groups (still a member of db-sg).
    expect(await dbEniView()).toEqual(eniBefore);
    const reason = DropReason.InstanceStopped;
    // Nothing reaches it: new UDP, the established TCP flow.
    expect(await dropped(web, db, udp(web, db, 41002, 9000), db, reason)).toEqual([]);
    expect(await dropped(web, db, tcp(web, db, 40000, 3306, TcpFlag.ACK), db, reason)).toEqual([]);
    // Nothing leaves it: UDP its rules allow, a reply on its tracked flow.
    expect(await dropped(db, web, udp(db, web, 41003, 9000), db, reason)).toEqual([]);
    expect(
      await dropped(db, web, tcp(db, web, 3306, 40000, TcpFlag.ACK | TcpFlag.PSH), db, reason),
    ).toEqual([]);
    // INST-3: its tracked flows are gone already.
    expect(await dbConntrack()).toEqual([]);

    // INST-1: StartInstances answers `pending`, Describe shows `running`.
    const start = await ec2.send(new StartInstancesCommand({ InstanceIds: [dbId] }));
    expect(start.StartingInstances?.[0]?.CurrentState?.Name).toBe("pending");
    await enforced();
    expect(await dbState()).toBe("running");
    expect(await dbEniView()).toEqual(eniBefore);
    // INST-3: the flow tracked before the stop is not tracked any more ...
    expect(await dbConntrack()).toEqual([]);
    // ... so db's segment on it is judged by db's egress rules (no TCP rule) and dropped.
    expect(
      await dropped(
        db,
        web,
        tcp(db, web, 3306, 40000, TcpFlag.ACK | TcpFlag.PSH),
        db,
        DropReason.SgNoMatch,
      ),
    ).toEqual([]);
    // INST-2: it carries traffic again with its ENI and rules: UDP both ways, a new connection.
    await passes(web, db, udp(web, db, 41004, 9000));
    await passes(db, web, udp(db, web, 41005, 9000));
    await passes(web, db, tcp(web, db, 40001, 3306, TcpFlag.SYN));
    await passes(db, web, tcp(db, web, 3306, 40001, TcpFlag.SYN | TcpFlag.ACK));
    expect((await dbConntrack()).map((e) => e.original.srcPort)).not.toContain(40000);
  });

  it("answers Stop/Start as AWS does: Force stops, repeats change nothing, Hibernate needs hibernation configured, a terminated instance is IncorrectInstanceState (INST-1)", async () => {
    const id = (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: webSubnet,
        }),
      )
    ).Instances![0]!.InstanceId!;
    const states = (out: {
      StoppingInstances?: { CurrentState?: { Name?: string }; PreviousState?: { Name?: string } }[];
      StartingInstances?: { CurrentState?: { Name?: string }; PreviousState?: { Name?: string } }[];
    }) =>
      (out.StoppingInstances ?? out.StartingInstances ?? []).map((t) => [
        t.PreviousState?.Name,
        t.CurrentState?.Name,
      ]);
    const stop = (extra: { Force?: boolean; Hibernate?: boolean } = {}) =>
      ec2.send(new StopInstancesCommand({ InstanceIds: [id], ...extra }));
    const start = () => ec2.send(new StartInstancesCommand({ InstanceIds: [id] }));
    expect(states(await stop({ Force: true }))).toEqual([["running", "stopping"]]);
    expect(states(await stop())).toEqual([["stopped", "stopped"]]);
    expect(states(await start())).toEqual([["stopped", "pending"]]);
    expect(states(await start())).toEqual([["running", "running"]]);
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: { name?: string; message?: string }) => [e.name, e.message],
      );
    expect(await failure(stop({ Hibernate: true }))).toEqual([
      "UnsupportedHibernationConfiguration",
      `The instance can't be hibernated because it was not configured at launch for hibernation: ${id}`,
    ]);
    expect(await stateOf(id)).toBe("running");
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    expect(await failure(start())).toEqual([
      "IncorrectInstanceState",
      `The instance '${id}' is not in a state from which it can be started.`,
    ]);
    expect(await failure(stop())).toEqual([
      "IncorrectInstanceState",
      `This instance '${id}' is not in a state from which it can be stopped.`,
    ]);
  });
});
