/**
 * Prometheus /metrics on the controller and on an agent (issue 13 item 5, docs/observability.md),
 * scraped over HTTP and read with a real text-format parser: API calls by action and error code,
 * the revision, connected agents, propagation and compile histograms; per-ENI allowed and
 * dropped packets, conntrack, rule hits and underlay datagrams.
 *
 *   EC2Client / STSClient --HTTP--> Controller 127.0.0.1:<port> (":memory:")  GET /metrics
 *                                     | /v1/agents/ws
 *              +----------------------+----------------------+
 *   agent-web (i-web, bus 127.0.0.1:7311)     agent-db (i-db, bus 127.0.0.1:7312)
 *       FakeTun eni-web <--- MemoryBus (Geneve) ---> FakeTun eni-db
 *                                                  GET http://127.0.0.1:<port>/metrics
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StartedController } from "../../controller/app.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import {
  createWebDbTopology,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp } from "../helpers/packet-builder.js";
import { histogramCount, samples, scrape, value } from "../helpers/prometheus.js";

let h: TestController;
let ctl: StartedController;
let ec2: EC2Client;
let web: StartedAgent;
let db: StartedAgent;
let webTun: FakeTun;
let dbTun: FakeTun;
let webIp = "";
let dbIp = "";
let webEni = "";
let dbEni = "";
let dbInstance = "";
let dbSg = "";

beforeAll(async () => {
  h = await startTestController();
  ({ ctl, ec2 } = h);
  const t = await createWebDbTopology(ec2);
  dbSg = t.dbSg;
  const { web: w, db: d } = t;
  webIp = w.PrivateIpAddress!;
  dbIp = d.PrivateIpAddress!;
  webEni = w.NetworkInterfaces![0]!.NetworkInterfaceId!;
  dbEni = d.NetworkInterfaces![0]!.NetworkInterfaceId!;
  dbInstance = d.InstanceId!;
  const a = await h.startAgent({
    agentId: "agent-web",
    instanceIds: [w.InstanceId!],
    endpoint: "127.0.0.1:7311",
    reportIntervalMs: 100,
  });
  const b = await h.startAgent({
    agentId: "agent-db",
    instanceIds: [d.InstanceId!],
    endpoint: "127.0.0.1:7312",
    reportIntervalMs: 100,
    metricsListen: "127.0.0.1:0",
  });
  web = a.agent;
  db = b.agent;
  await ctl.waitForEnforced(ctl.revision(), 5000);
  webTun = await a.tuns.tun(webEni);
  dbTun = await b.tuns.tun(dbEni);
});

afterAll(async () => {
  await h?.stop();
});

const tcp = (srcPort: number, dstPort: number) =>
  buildTcp({ src: webIp, dst: dbIp, srcPort, dstPort, flags: TcpFlag.SYN, seq: 1 });

/** Polls until `ok()` holds (agents report every 100 ms). */
async function until(ok: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 5000;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("GET /metrics", () => {
  it("counts traffic and API calls the way /v1/counters and /v1/revision show them", async () => {
    // Allowed: web -> db:3306 (db-sg references web-sg), and db's SYN-ACK back (CT-1).
    webTun.send(tcp(40000, 3306));
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
    // Denied: web -> db:22 and db:5432, no rule (sg_no_match at db's ingress).
    webTun.send(tcp(40001, 22));
    webTun.send(tcp(40002, 5432));
    // An EC2 call that fails, and an STS call that does not.
    await expect(
      ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: ["sg-0123456789abcdef0"] })),
    ).rejects.toMatchObject({ name: "InvalidGroup.NotFound" });
    const sts = new STSClient({
      endpoint: ctl.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();

    type Counters = { drops: Record<string, number>; packetsAccepted: number };
    const counters = async (): Promise<Counters> => {
      const res = await fetch(`${ctl.url}/v1/counters?eni=${dbEni}`);
      const body = (await res.json()) as Counters & { counters?: Counters };
      return body.counters ?? body;
    };
    await until(async () => (await counters()).drops?.sg_no_match === 2, "db's counters report");

    const m = await scrape(`${ctl.url}/metrics`);
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const req = (action: string, code: string, service = "ec2") =>
      value(m, "vpcemu_controller_api_requests_total", { service, action, code });
    expect(req("DescribeSecurityGroups", "InvalidGroup.NotFound")).toBe(1);
    expect(req("DescribeSecurityGroups", "OK")).toBeUndefined();
    expect(req("CreateSubnet", "OK")).toBe(2);
    expect(req("RunInstances", "OK")).toBe(2);
    expect(req("GetCallerIdentity", "OK", "sts")).toBe(1);

    const revision = (await (await fetch(`${ctl.url}/v1/revision`)).json()) as {
      revision: number;
    };
    expect(value(m, "vpcemu_controller_revision")).toBe(revision.revision);
    expect(value(m, "vpcemu_controller_agents_connected")).toBe(2);
    expect(value(m, "vpcemu_controller_agent_enforced_revision", { agent: "agent-db" })).toBe(
      revision.revision,
    );
    expect(histogramCount(m, "vpcemu_controller_compile_seconds")).toBeGreaterThan(0);
    expect(value(m, "vpcemu_controller_faults", { state: "active" })).toBe(0);

    const c = await counters();
    const eni = { agent: "agent-db", eni: dbEni, instance_id: dbInstance };
    expect(value(m, "vpcemu_agent_packets_dropped_total", { ...eni, reason: "sg_no_match" })).toBe(
      c.drops.sg_no_match,
    );
    expect(value(m, "vpcemu_agent_packets_allowed_total", eni)).toBe(c.packetsAccepted);
    expect(value(m, "vpcemu_agent_conntrack_allowance_exceeded", eni)).toBe(0);
    expect(value(m, "vpcemu_agent_conntrack_allowance_available", eni)).toBeGreaterThan(0);
    expect(value(m, "vpcemu_agent_conntrack_entries", eni)).toBe(1);
  });

  it("serves an agent's own metrics on --metrics-listen", async () => {
    expect(web.metricsEndpoint).toBeUndefined();
    const m = await scrape(`http://${db.metricsEndpoint}/metrics`);
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const eni = { agent: "agent-db", eni: dbEni, instance_id: dbInstance };
    expect(value(m, "vpcemu_agent_revision", { agent: "agent-db" })).toBe(db.revision());
    expect(value(m, "vpcemu_agent_packets_dropped_total", { ...eni, reason: "sg_no_match" })).toBe(
      2,
    );
    expect(value(m, "vpcemu_agent_packets_dropped_total", { ...eni, reason: "nacl_denied" })).toBe(
      0,
    );
    // The SYN in, the SYN-ACK out.
    expect(value(m, "vpcemu_agent_packets_allowed_total", eni)).toBe(2);
    expect(value(m, "vpcemu_agent_bytes_allowed_total", eni)).toBe(2 * 40);
    expect(value(m, "vpcemu_agent_conntrack_entries", eni)).toBe(1);
    // One flow opened by db-sg's 3306 rule (the SYN-ACK passed by its entry).
    const hits = samples(m, "vpcemu_agent_rule_hits_total", { ...eni, direction: "ingress" });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.labels!.rule).toMatch(/^sgr-/);
    expect(Number(hits[0]!.value)).toBe(1);
    expect(value(m, "vpcemu_agent_underlay_datagrams_received_total", { agent: "agent-db" })).toBe(
      3,
    );
    expect(value(m, "vpcemu_agent_underlay_datagrams_sent_total", { agent: "agent-db" })).toBe(1);
    const other = await fetch(`http://${db.metricsEndpoint}/v1/revision`);
    expect(other.status).toBe(404);
  });

  it("observes propagation when a rule change reaches the agents", async () => {
    const before = histogramCount(
      await scrape(`${ctl.url}/metrics`),
      "vpcemu_controller_propagation_seconds",
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: dbSg,
        IpPermissions: [
          { IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
        ],
      }),
    );
    await ctl.waitForEnforced(ctl.revision(), 5000);
    const m = await scrape(`${ctl.url}/metrics`);
    expect(histogramCount(m, "vpcemu_controller_propagation_seconds")).toBeGreaterThan(before);
    expect(value(m, "vpcemu_controller_revision")).toBe(ctl.revision());
  });
});
