/**
 * Two in-process agents driven by the real controller: AWS SDK -> EC2 Query API -> compiler ->
 * hub -> ControllerClient (controllerControl) -> Agent; packets on FakeTun devices and a
 * MemoryBus underlay; reports back to the controller's JSON API.
 *
 *   EC2Client --HTTP--> Controller 127.0.0.1:<port> (":memory:")
 *                         | /v1/agents/ws
 *           +-------------+--------------+
 *   agent-web (i-web, bus 127.0.0.1:7201)  agent-db (i-db, bus 127.0.0.1:7202)
 *       FakeTun eni-web  <--- MemoryBus (Geneve) --->  FakeTun eni-db
 */
import { EC2Client, RevokeSecurityGroupIngressCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import {
  createWebDbTopology,
  expectDropped,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp } from "../helpers/packet-builder.js";

let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
let webIp = "";
let dbIp = "";
let webEni = "";
let dbEni = "";
let dbSg = "";
let webSg = "";
let webTun: FakeTun;
let dbTun: FakeTun;
let web: StartedAgent;
let db: StartedAgent;

beforeAll(async () => {
  h = await startTestController();
  ({ ctl, ec2 } = h);
  const t = await createWebDbTopology(ec2);
  ({ webSg, dbSg } = t);
  const { web: w, db: d } = t;
  webIp = w.PrivateIpAddress!;
  dbIp = d.PrivateIpAddress!;
  webEni = w.NetworkInterfaces![0]!.NetworkInterfaceId!;
  dbEni = d.NetworkInterfaces![0]!.NetworkInterfaceId!;
  const agent = (agentId: string, instanceId: string, endpoint: string) =>
    h.startAgent({
      agentId,
      instanceIds: [instanceId],
      endpoint,
      reportIntervalMs: 200,
      flowLogWindowMs: 1000,
    });
  const a = await agent("agent-web", w.InstanceId!, "127.0.0.1:7201");
  const b = await agent("agent-db", d.InstanceId!, "127.0.0.1:7202");
  web = a.agent;
  db = b.agent;
  await Promise.all([web.enforced(ctl.revision()), db.enforced(ctl.revision())]);
  webTun = await a.tuns.tun(webEni);
  dbTun = await b.tuns.tun(dbEni);
});

afterAll(async () => {
  await h?.stop();
});

const syn = (srcPort: number) =>
  buildTcp({ src: webIp, dst: dbIp, srcPort, dstPort: 3306, flags: TcpFlag.SYN, seq: 1 });

describe("agents under the real controller", () => {
  it("carries web -> db:3306 (db-sg references web-sg, REF-1) and db's SYN-ACK back (CT-1)", async () => {
    webTun.send(syn(40000));
    const first = await dbTun.nextReceived();
    const got = decodePacket(first, 0, first.length);
    expect(typeof got === "string" ? got : got.dstPort).toBe(3306);
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
    const back = await webTun.nextReceived();
    const d = decodePacket(back, 0, back.length);
    expect(typeof d === "string" ? d : d.tcpFlags).toBe(TcpFlag.SYN | TcpFlag.ACK);
  });

  it("answers the controller's conntrack request (JSON API refresh=1) with the admitting rule", async () => {
    const res = await fetch(`${ctl.url}/v1/conntrack?eni=${dbEni}&refresh=1`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      enis: {
        eniId: string;
        entries: { original: { src: string }; ruleId: string; state: string }[];
      }[];
    };
    const entry = body.enis[0]!.entries.find((e) => e.original.src === webIp);
    expect(entry?.state).toBe("SYN_RECV");
    expect(entry?.ruleId).toMatch(/^sgr-/);
  });

  it("enforces a revoke before the controller reports it enforced; the tracked flow survives (CT-5)", async () => {
    await ec2.send(
      new RevokeSecurityGroupIngressCommand({
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
    const rev = ctl.revision();
    await ctl.waitForEnforced(rev, 5000);
    expect(db.revision()).toBe(rev);
    // The established flow goes on.
    webTun.send(
      buildTcp({
        src: webIp,
        dst: dbIp,
        srcPort: 40000,
        dstPort: 3306,
        flags: TcpFlag.ACK,
        seq: 2,
        ack: 2,
      }),
    );
    await dbTun.nextReceived();
    // A new connection is dropped silently: db counts the drop, nothing reaches db's TUN.
    await expectDropped(db, webTun, syn(40001), DropReason.SgNoMatch);
    expect(dbTun.received()).toEqual([]);
  });

  it("reports counters with the drop reasons to the controller", async () => {
    let body: {
      counters?: { drops?: Record<string, number>; conntrackAllowanceAvailable?: number };
    } = {};
    for (let i = 0; i < 50; i++) {
      const res = await fetch(`${ctl.url}/v1/counters?eni=${dbEni}`);
      if (res.status === 200) {
        body = (await res.json()) as typeof body;
        if ((body.counters?.drops?.[DropReason.SgNoMatch] ?? 0) >= 1) break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(body.counters?.drops?.[DropReason.SgNoMatch]).toBeGreaterThanOrEqual(1);
    // MET-4: one tracked entry (the surviving 3306 flow) out of the default 65536.
    expect(body.counters?.conntrackAllowanceAvailable).toBe(65_535);
  });

  it("ships flow-log lines in the AWS default format to the controller (FL-1, FL-5)", async () => {
    let records: string[] = [];
    for (let i = 0; i < 50 && !records.some((l) => l.endsWith("REJECT OK")); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${ctl.url}/v1/flow-logs?eni=${dbEni}`);
      records = ((await res.json()) as { records: string[] }).records;
    }
    const reject = records.find((l) => l.endsWith("REJECT OK"))!;
    expect(reject.split(" ")).toHaveLength(14);
    expect(reject).toContain(` ${dbEni} ${webIp} ${dbIp} 40001 3306 6 1 40 `);
    expect(
      records.some(
        (l) => l.includes(` ${dbEni} ${webIp} ${dbIp} 40000 3306 6 `) && l.endsWith("ACCEPT OK"),
      ),
    ).toBe(true);
  });
});
