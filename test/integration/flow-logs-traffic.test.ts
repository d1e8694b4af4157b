/**
 * EC2 flow logs over real packets (AWS-BEHAVIOUR FL-1..FL-8, docs/observability.md
 * FLW-1..FLW-5): two in-process agents under the real controller (test/helpers/
 * in-process-agents.ts, the two-agents-controller topology), three flow logs created with the
 * AWS SDK, their lines read from GET /v1/flow-logs/{id}/records and from the file destination,
 * parsed field by field against the traffic sent.
 *
 *   EC2Client --HTTP--> Controller 127.0.0.1:<port> (":memory:") --> /tmp/.../web.log (file://)
 *                         | /v1/agents/ws
 *           +-------------+--------------+
 *   agent-web (i-web, bus 127.0.0.1:7301)  agent-db (i-db, bus 127.0.0.1:7302)
 *       FakeTun eni-web  <--- MemoryBus (Geneve) --->  FakeTun eni-db
 *
 * Traffic: web -> db:3306 SYN (db-sg admits it from web-sg), db's SYN-ACK back, web -> db:22 SYN
 * (db-sg has no rule: REJECT on db's ENI, ACCEPT on web's egress).
 */
import { CreateFlowLogsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import {
  createWebDbTopology,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp } from "../helpers/packet-builder.js";

const FORMAT =
  "${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${action} ${flow-direction} ${tcp-flags}";
const FIELDS = FORMAT.split(" ").map((t) => t.slice(2, -1));

const dir = mkdtempSync(join(tmpdir(), "vpcemu-flow-traffic-"));
const webFile = join(dir, "web.log");
let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
const ids = { vpc: "", webSubnet: "", dbSubnet: "", webI: "", dbI: "", webEni: "", dbEni: "" };
let webIp = "";
let dbIp = "";
const logs = { web: "", db: "", vpc: "" };

const createFlowLog = async (input: Record<string, unknown>) => {
  const out = await ec2.send(new CreateFlowLogsCommand({ TrafficType: "ALL", ...input } as never));
  expect(out.Unsuccessful).toEqual([]);
  return out.FlowLogIds![0]!;
};

beforeAll(async () => {
  h = await startTestController();
  ({ ctl, ec2 } = h);
  const t = await createWebDbTopology(ec2);
  ids.vpc = t.vpcId;
  ids.webSubnet = t.webSubnet;
  ids.dbSubnet = t.dbSubnet;
  const { web: w, db: d } = t;
  webIp = w.PrivateIpAddress!;
  dbIp = d.PrivateIpAddress!;
  ids.webI = w.InstanceId!;
  ids.dbI = d.InstanceId!;
  ids.webEni = w.NetworkInterfaces![0]!.NetworkInterfaceId!;
  ids.dbEni = d.NetworkInterfaces![0]!.NetworkInterfaceId!;
  logs.web = await createFlowLog({
    ResourceIds: [ids.webEni],
    ResourceType: "NetworkInterface",
    LogDestinationType: "s3",
    LogDestination: `file://${webFile}`,
    LogFormat: FORMAT,
    MaxAggregationInterval: 60,
  });
  logs.db = await createFlowLog({
    ResourceIds: [ids.dbSubnet],
    ResourceType: "Subnet",
    TrafficType: "REJECT",
    LogDestinationType: "s3",
    LogDestination: "arn:aws:s3:::flows",
    LogFormat: FORMAT,
  });
  logs.vpc = await createFlowLog({
    ResourceIds: [ids.vpc],
    ResourceType: "VPC",
    TrafficType: "ACCEPT",
    LogGroupName: "flows",
    DeliverLogsPermissionArn: "arn:aws:iam::123456789012:role/flows",
  });
  const agent = (agentId: string, instanceId: string, endpoint: string) =>
    h.startAgent({
      agentId,
      instanceIds: [instanceId],
      endpoint,
      reportIntervalMs: 200,
      flowLogWindowMs: 1000,
    });
  const a = await agent("agent-web", ids.webI, "127.0.0.1:7301");
  const b = await agent("agent-db", ids.dbI, "127.0.0.1:7302");
  await Promise.all([a.agent.enforced(ctl.revision()), b.agent.enforced(ctl.revision())]);
  const webTun = await a.tuns.tun(ids.webEni);
  const dbTun = await b.tuns.tun(ids.dbEni);
  webTun.send(
    buildTcp({ src: webIp, dst: dbIp, srcPort: 40000, dstPort: 3306, flags: TcpFlag.SYN, seq: 1 }),
  );
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
  webTun.send(
    buildTcp({ src: webIp, dst: dbIp, srcPort: 40001, dstPort: 22, flags: TcpFlag.SYN, seq: 1 }),
  );
});

afterAll(async () => {
  await h?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Line = Record<string, string>;

async function records(id: string): Promise<string[]> {
  const res = await fetch(`${ctl.url}/v1/flow-logs/${id}/records`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { records: string[] }).records;
}

/** The flow log's lines, parsed by `fields`, once `done` holds for them (5 s deadline). */
async function until(
  id: string,
  fields: readonly string[],
  done: (lines: Line[]) => boolean,
): Promise<Line[]> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const lines = (await records(id)).map((l) => {
      const parts = l.split(" ");
      expect(parts).toHaveLength(fields.length);
      return Object.fromEntries(fields.map((f, i) => [f, parts[i]!]));
    });
    if (done(lines)) return lines;
    if (Date.now() > deadline) throw new Error(`flow log ${id}: ${JSON.stringify(lines)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const flow = (src: string, dst: string, dport: number) => (l: Line) =>
  l["srcaddr"] === src && l["dstaddr"] === dst && l["dstport"] === String(dport);

describe("EC2 flow logs over real traffic", () => {
  it("writes the ENI's flow log (ALL) in its custom format, field by field (FL-8, FLW-2)", async () => {
    const lines = await until(logs.web, FIELDS, (ls) =>
      [flow(webIp, dbIp, 3306), flow(dbIp, webIp, 40000), flow(webIp, dbIp, 22)].every((m) =>
        ls.some(m),
      ),
    );
    const common = {
      version: "5",
      "vpc-id": ids.vpc,
      "subnet-id": ids.webSubnet,
      "instance-id": ids.webI,
      "interface-id": ids.webEni,
      protocol: "6",
    };
    expect(lines.find(flow(webIp, dbIp, 3306))).toEqual({
      ...common,
      srcaddr: webIp,
      dstaddr: dbIp,
      srcport: "40000",
      dstport: "3306",
      action: "ACCEPT",
      "flow-direction": "egress",
      "tcp-flags": "2",
    });
    expect(lines.find(flow(dbIp, webIp, 40000))).toEqual({
      ...common,
      srcaddr: dbIp,
      dstaddr: webIp,
      srcport: "3306",
      dstport: "40000",
      action: "ACCEPT",
      "flow-direction": "ingress",
      "tcp-flags": "18",
    });
    // web's egress SG admits everything: the port-22 SYN leaves web (db refuses it).
    expect(lines.find(flow(webIp, dbIp, 22))).toMatchObject({ action: "ACCEPT" });
    // Other ENIs' traffic is not in an ENI's flow log.
    expect(lines.every((l) => l["interface-id"] === ids.webEni)).toBe(true);
  });

  it("writes only REJECT records to the subnet's REJECT flow log", async () => {
    const lines = await until(logs.db, FIELDS, (ls) => ls.some(flow(webIp, dbIp, 22)));
    expect(lines.find(flow(webIp, dbIp, 22))).toEqual({
      version: "5",
      "vpc-id": ids.vpc,
      "subnet-id": ids.dbSubnet,
      "instance-id": ids.dbI,
      "interface-id": ids.dbEni,
      srcaddr: webIp,
      dstaddr: dbIp,
      srcport: "40001",
      dstport: "22",
      protocol: "6",
      action: "REJECT",
      "flow-direction": "ingress",
      "tcp-flags": "2",
    });
    // NODATA records (action `-`) go to every traffic type; no ACCEPT record does.
    expect(lines.some((l) => l["action"] === "ACCEPT")).toBe(false);
  });

  it("gives the deciding rule in the vpcemu field beside each line, never in AWS's fields", async () => {
    await until(logs.db, FIELDS, (ls) => ls.some(flow(webIp, dbIp, 22)));
    const res = await fetch(`${ctl.url}/v1/flow-logs/${logs.web}/records`);
    const body = (await res.json()) as { records: string[]; vpcemu: unknown[] };
    expect(body.vpcemu).toHaveLength(body.records.length);
    const at = (src: string, dst: string, port: number) =>
      body.records
        .map((l, i) => ({ l: l.split(" "), v: body.vpcemu[i] }))
        .find((e) => e.l[5] === src && e.l[6] === dst && e.l[8] === String(port))?.v;
    // web-sg's default egress rule admitted the SYN, the subnet's default NACL entry 100 let it
    // out; the SYN-ACK came in through the conntrack entry that rule made.
    const egress = at(webIp, dbIp, 3306) as { sgRuleId: string; networkAclId: string };
    expect(egress).toEqual({
      sgRuleId: expect.stringMatching(/^sgr-/),
      networkAclId: expect.stringMatching(/^acl-/),
      naclRuleNumber: 100,
    });
    expect(at(dbIp, webIp, 40000)).toEqual(egress);
    const db = (await (await fetch(`${ctl.url}/v1/flow-logs/${logs.db}/records`)).json()) as {
      records: string[];
      vpcemu: unknown[];
    };
    const i = db.records.findIndex((l) => l.includes(` ${dbIp} 40001 22 `));
    // db-sg has no rule for port 22: no rule id, the drop reason.
    expect(db.vpcemu[i]).toEqual({ dropReason: "sg_no_match" });
  });

  it("writes ACCEPT records of every ENI of the VPC in the default format (FL-1)", async () => {
    const v2 = [
      "version",
      "account-id",
      "interface-id",
      "srcaddr",
      "dstaddr",
      "srcport",
      "dstport",
      "protocol",
      "packets",
      "bytes",
      "start",
      "end",
      "action",
      "log-status",
    ];
    const lines = await until(logs.vpc, v2, (ls) =>
      [flow(webIp, dbIp, 3306), flow(dbIp, webIp, 40000)].every((m) => ls.filter(m).length === 2),
    );
    // Each direction is logged on both ENIs (FL-3): web's egress and db's ingress.
    expect(
      lines
        .filter(flow(webIp, dbIp, 3306))
        .map((l) => l["interface-id"])
        .sort(),
    ).toEqual([ids.webEni, ids.dbEni].sort());
    const syn = lines.find(flow(webIp, dbIp, 3306))!;
    expect(syn).toMatchObject({ version: "2", "account-id": "123456789012", packets: "1" });
    expect(Number(syn["bytes"])).toBe(40);
    expect(lines.some((l) => l["action"] === "REJECT")).toBe(false);
  });

  it("appends the ENI flow log's lines to its file after a header line (FLW-5)", async () => {
    const api = await records(logs.web);
    await until(logs.web, FIELDS, () => true);
    let text = "";
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      text = (() => {
        try {
          return readFileSync(webFile, "utf8");
        } catch {
          return "";
        }
      })();
      if (api.every((l) => text.includes(l))) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const [header, ...rest] = text.trimEnd().split("\n");
    expect(header).toBe(FIELDS.join(" "));
    for (const l of api) expect(rest).toContain(l);
  });
});
