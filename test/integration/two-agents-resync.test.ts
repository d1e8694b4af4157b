/**
 * An agent outlives its controller: the controller stops, comes back on the same port with the
 * same SQLite state, the agent reconnects (ControllerClient backoff), receives the current
 * snapshot again (resync) and acks it; established flows never stopped meanwhile, and a rule
 * change made after the restart is enforced.
 *
 *   EC2Client --> Controller (file state, 127.0.0.1:P) --stop/start--> Controller (same file, P)
 *                    | ws                                                 | ws (reconnect)
 *   agent-web (FakeTun) <==== MemoryBus ====> agent-db (FakeTun)
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  EC2Client,
  RunInstancesCommand,
} from "@aws-sdk/client-ec2";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Controller, type StartedController } from "../../controller/app.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import {
  startInProcessAgent,
  startTestController,
  testEc2Client,
} from "../helpers/in-process-agents.js";
import { MemoryBus } from "../helpers/memory-transport.js";
import { buildTcp } from "../helpers/packet-builder.js";

const dir = mkdtempSync(join(tmpdir(), "vpcemu-resync-"));
const statePath = join(dir, "state.db");
const agents: StartedAgent[] = [];
let ctl: StartedController | undefined;

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await ctl?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * One VPC, one subnet 10.0.1.0/24, db-sg admitting tcp 3306 from 10.0.0.0/16, and two instances:
 * web (VPC default SG) and db (db-sg); `run` launches more instances in the subnet.
 */
async function createWebDbTopology(ec2: EC2Client) {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnetId = (
    await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.0.1.0/24" }))
  ).Subnet!.SubnetId!;
  const dbSg = (
    await ec2.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "db", Description: "db" }),
    )
  ).GroupId!;
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: dbSg,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: 3306, ToPort: 3306, IpRanges: [{ CidrIp: "10.0.0.0/16" }] },
      ],
    }),
  );
  const run = async (groups: string[]) =>
    (
      await ec2.send(
        new RunInstancesCommand({
          ImageId: "ami-12345678",
          MinCount: 1,
          MaxCount: 1,
          SubnetId: subnetId,
          SecurityGroupIds: groups,
        }),
      )
    ).Instances![0]!;
  const web = await run([]);
  const db = await run([dbSg]);
  return { dbSg, web, db, run };
}

describe("agent across a controller restart", () => {
  it("reconnects, resyncs, keeps forwarding, and enforces changes made after the restart", async () => {
    ctl = await new Controller({ listen: "127.0.0.1:0", statePath, log: () => {} }).start();
    const listen = new URL(ctl.url).host;
    let ec2 = testEc2Client(ctl);
    const { dbSg, web, db } = await createWebDbTopology(ec2);
    const bus = new MemoryBus();
    const start = async (id: string, instanceId: string, endpoint: string) => {
      const started = await startInProcessAgent(ctl!, bus, {
        agentId: id,
        instanceIds: [instanceId],
        endpoint,
        backoffInitialMs: 50,
        backoffMaxMs: 200,
      });
      agents.push(started.agent);
      return started;
    };
    const w = await start("agent-web", web.InstanceId!, "127.0.0.1:7301");
    const d = await start("agent-db", db.InstanceId!, "127.0.0.1:7302");
    await ctl.waitForEnforced(ctl.revision(), 5000);
    await Promise.all([w.agent.enforced(ctl.revision()), d.agent.enforced(ctl.revision())]);
    const webTun = await w.tuns.tun(web.NetworkInterfaces![0]!.NetworkInterfaceId!);
    const dbTun = await d.tuns.tun(db.NetworkInterfaces![0]!.NetworkInterfaceId!);
    const webIp = web.PrivateIpAddress!;
    const dbIp = db.PrivateIpAddress!;
    const tcp = (srcPort: number, flags: number) =>
      buildTcp({ src: webIp, dst: dbIp, srcPort, dstPort: 3306, flags, seq: 1 });

    webTun.send(tcp(40000, TcpFlag.SYN));
    await dbTun.nextReceived();
    dbTun.send(
      buildTcp({
        src: dbIp,
        dst: webIp,
        srcPort: 3306,
        dstPort: 40000,
        flags: TcpFlag.SYN | TcpFlag.ACK,
        ack: 2,
      }),
    );
    await webTun.nextReceived();

    // The controller goes away: forwarding goes on with the policy in force.
    const revBefore = ctl.revision();
    ec2.destroy();
    await ctl.stop();
    ctl = undefined;
    webTun.send(tcp(40000, TcpFlag.ACK));
    const ack = await dbTun.nextReceived();
    const ackDecoded = decodePacket(ack, 0, ack.length);
    expect(typeof ackDecoded === "string" ? ackDecoded : ackDecoded.tcpFlags).toBe(TcpFlag.ACK);

    // It comes back with the same state; the agents reconnect and resync.
    ctl = await new Controller({ listen, statePath, log: () => {} }).start();
    ec2 = testEc2Client(ctl);
    expect(ctl.revision()).toBe(revBefore);
    await ctl.waitForEnforced(ctl.revision(), 10_000);

    // A change made after the restart reaches the db agent: 5432 opens.
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: dbSg,
        IpPermissions: [
          {
            IpProtocol: "tcp",
            FromPort: 5432,
            ToPort: 5432,
            IpRanges: [{ CidrIp: "10.0.0.0/16" }],
          },
        ],
      }),
    );
    // Why: waitForEnforced counts connected agents only; first let both finish their reconnect
    // backoff so the new rule is known to have reached db.
    for (let i = 0; i < 100; i++) {
      const res = await fetch(`${ctl.url}/v1/agents`);
      const { agents: list } = (await res.json()) as { agents: { connected: boolean }[] };
      if (list.filter((a) => a.connected).length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await ctl.waitForEnforced(ctl.revision(), 10_000);
    await d.agent.enforced(ctl.revision(), 10_000);
    expect(d.agent.revision()).toBe(ctl.revision());
    webTun.send(
      buildTcp({ src: webIp, dst: dbIp, srcPort: 40001, dstPort: 5432, flags: TcpFlag.SYN }),
    );
    const p = await dbTun.nextReceived();
    const dec = decodePacket(p, 0, p.length);
    expect(typeof dec === "string" ? dec : dec.dstPort).toBe(5432);
    ec2.destroy();
  });
});

describe("agent disconnected from a running controller", () => {
  it("keeps forwarding to and from it while its peers receive new snapshots", async () => {
    const h = await startTestController();
    const { ctl: c, ec2 } = h;
    try {
      const { web, db, run } = await createWebDbTopology(ec2);
      const start = (id: string, instanceId: string, endpoint: string) =>
        h.startAgent({
          agentId: id,
          instanceIds: [instanceId],
          endpoint,
          backoffInitialMs: 50,
          backoffMaxMs: 200,
        });
      const w = await start("agent-web", web.InstanceId!, "127.0.0.1:7311");
      const d = await start("agent-db", db.InstanceId!, "127.0.0.1:7312");
      await c.waitForEnforced(c.revision(), 5000);
      await Promise.all([w.agent.enforced(c.revision()), d.agent.enforced(c.revision())]);
      const webTun = await w.tuns.tun(web.NetworkInterfaces![0]!.NetworkInterfaceId!);
      const dbTun = await d.tuns.tun(db.NetworkInterfaces![0]!.NetworkInterfaceId!);
      const webIp = web.PrivateIpAddress!;
      const dbIp = db.PrivateIpAddress!;

      // db loses its controller connection for good; its data plane keeps running.
      await d.control.client.close();
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${c.url}/v1/agents`);
        const { agents: list } = (await res.json()) as {
          agents: { agentId: string; connected: boolean }[];
        };
        if (list.some((a) => a.agentId === "agent-db" && !a.connected)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      // A third instance in the subnet changes web's mapping table: web gets a new snapshot
      // compiled while db is away.
      await run([]);
      await c.waitForEnforced(c.revision(), 5000);
      await w.agent.enforced(c.revision());
      expect(w.agent.revision()).toBe(c.revision());
      expect(d.agent.revision()).toBeLessThan(c.revision());

      // A new connection web -> db:3306 still goes through both ways (no no_route at web, no
      // spoofed_underlay at db or web).
      webTun.send(
        buildTcp({ src: webIp, dst: dbIp, srcPort: 41000, dstPort: 3306, flags: TcpFlag.SYN }),
      );
      const syn = await dbTun.nextReceived();
      const synDecoded = decodePacket(syn, 0, syn.length);
      expect(typeof synDecoded === "string" ? synDecoded : synDecoded.dstPort).toBe(3306);
      dbTun.send(
        buildTcp({
          src: dbIp,
          dst: webIp,
          srcPort: 3306,
          dstPort: 41000,
          flags: TcpFlag.SYN | TcpFlag.ACK,
          ack: 1,
        }),
      );
      const synAck = await webTun.nextReceived();
      const synAckDecoded = decodePacket(synAck, 0, synAck.length);
      expect(typeof synAckDecoded === "string" ? synAckDecoded : synAckDecoded.tcpFlags).toBe(
        TcpFlag.SYN | TcpFlag.ACK,
      );
      expect(w.agent.drops().no_route).toBe(0);
      expect(w.agent.drops().spoofed_underlay).toBe(0);
      expect(d.agent.drops().spoofed_underlay).toBe(0);
    } finally {
      await h.stop();
    }
  });
});
