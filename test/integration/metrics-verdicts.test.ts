/**
 * The agent metrics fed by the verdict decisions (issue 13 item 5, docs/observability.md "An
 * agent's metrics"): dropped bytes by reason, per-rule hits of packets a conntrack entry admitted,
 * NACL rule hits; scraped over HTTP from the agent's --metrics-listen endpoint and read with a
 * real Prometheus text-format parser (test/helpers/prometheus.ts). Real controller, two
 * in-process agents (test/helpers/in-process-agents.ts); each policy change is waited for until
 * the agents enforce it.
 */
import { CreateNetworkAclEntryCommand, DescribeNetworkAclsCommand } from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import type { StartedAgent } from "../../node-agent/agent.js";
import type { FakeTun } from "../helpers/fake-tun.js";
import {
  createWebDbTopology,
  deliveredOrDropped,
  startTestController,
  type TestController,
} from "../helpers/in-process-agents.js";
import { buildTcp } from "../helpers/packet-builder.js";
import { samples, scrape, value } from "../helpers/prometheus.js";

let h: TestController;
let web: StartedAgent;
let db: StartedAgent;
let webTun: FakeTun;
let dbTun: FakeTun;
let webIp = "";
let dbIp = "";
let dbEni = "";
let dbInstance = "";
let naclId = "";

beforeAll(async () => {
  h = await startTestController();
  const t = await createWebDbTopology(h.ec2);
  webIp = t.web.PrivateIpAddress!;
  dbIp = t.db.PrivateIpAddress!;
  dbEni = t.db.NetworkInterfaces![0]!.NetworkInterfaceId!;
  dbInstance = t.db.InstanceId!;
  const acls = await h.ec2.send(
    new DescribeNetworkAclsCommand({ Filters: [{ Name: "vpc-id", Values: [t.vpcId] }] }),
  );
  naclId = acls.NetworkAcls![0]!.NetworkAclId!;
  const a = await h.startAgent({
    agentId: "agent-web",
    instanceIds: [t.web.InstanceId!],
    endpoint: "127.0.0.1:7321",
  });
  const b = await h.startAgent({
    agentId: "agent-db",
    instanceIds: [dbInstance],
    endpoint: "127.0.0.1:7322",
    metricsListen: "127.0.0.1:0",
  });
  web = a.agent;
  db = b.agent;
  await h.enforced();
  webTun = await a.tuns.tun(t.web.NetworkInterfaces![0]!.NetworkInterfaceId!);
  dbTun = await b.tuns.tun(dbEni);
});

afterAll(async () => {
  await h?.stop();
});

const seg = (src: string, dst: string, sport: number, dport: number, flags: number) =>
  buildTcp({
    src,
    dst,
    srcPort: sport,
    dstPort: dport,
    flags,
    seq: 1,
    ack: flags & TcpFlag.ACK ? 2 : 0,
  });

describe("agent metrics of the verdict decisions", () => {
  it("counts dropped bytes by reason, conntrack-admitted packets per rule, and NACL rule hits", async () => {
    const agents = [web, db];
    // A flow web -> db:3306: SYN (rule), SYN-ACK and ACK (its conntrack entry).
    expect(
      await deliveredOrDropped(webTun, dbTun, seg(webIp, dbIp, 42000, 3306, TcpFlag.SYN), agents),
    ).toBe(true);
    expect(
      await deliveredOrDropped(
        dbTun,
        webTun,
        seg(dbIp, webIp, 3306, 42000, TcpFlag.SYN | TcpFlag.ACK),
        agents,
      ),
    ).toBe(true);
    expect(
      await deliveredOrDropped(webTun, dbTun, seg(webIp, dbIp, 42000, 3306, TcpFlag.ACK), agents),
    ).toBe(true);
    // Two SG drops at db (no rule for 22): 2 x 40 bytes.
    for (const port of [42001, 42002]) {
      expect(
        await deliveredOrDropped(webTun, dbTun, seg(webIp, dbIp, port, 22, TcpFlag.SYN), agents),
      ).toBe(false);
    }
    // A NACL deny (rule 50) in front of db-sg's 3306 rule for one more source port range.
    await h.ec2.send(
      new CreateNetworkAclEntryCommand({
        NetworkAclId: naclId,
        RuleNumber: 50,
        Egress: false,
        Protocol: "6",
        RuleAction: "deny",
        CidrBlock: `${webIp}/32`,
        PortRange: { From: 3307, To: 3307 },
      }),
    );
    await h.enforced();
    const padded = buildTcp({
      src: webIp,
      dst: dbIp,
      srcPort: 42003,
      dstPort: 3307,
      flags: TcpFlag.SYN,
      seq: 1,
      payload: new Uint8Array(60),
    });
    expect(await deliveredOrDropped(webTun, dbTun, padded, agents)).toBe(false);

    const m = await scrape(`http://${db.metricsEndpoint}/metrics`);
    const eni = { agent: "agent-db", eni: dbEni, instance_id: dbInstance };
    expect(value(m, "vpcemu_agent_bytes_dropped_total", { ...eni, reason: "sg_no_match" })).toBe(
      80,
    );
    expect(value(m, "vpcemu_agent_bytes_dropped_total", { ...eni, reason: "nacl_denied" })).toBe(
      100,
    );
    expect(value(m, "vpcemu_agent_bytes_dropped_total", { ...eni, reason: "no_route" })).toBe(0);
    // db-sg's 3306 rule opened one entry (rule_hits 1); the entry admitted the SYN-ACK out and
    // the ACK in, counted under that ingress rule.
    const opened = samples(m, "vpcemu_agent_rule_hits_total", { ...eni, direction: "ingress" });
    expect(opened).toHaveLength(1);
    const rule = opened[0]!.labels!.rule!;
    expect(rule).toMatch(/^sgr-/);
    expect(Number(opened[0]!.value)).toBe(1);
    expect(samples(m, "vpcemu_agent_rule_conntrack_hits_total", eni)).toEqual([
      expect.objectContaining({ labels: { ...eni, rule, direction: "ingress" }, value: "2" }),
    ]);
    // Inbound: rule 100 (allow all) decided the SYN, the ACK and both port-22 SYNs; rule 50 the
    // denied one. Outbound: rule 100 the SYN-ACK. The `*` entries decided nothing.
    const nacl = { ...eni, nacl: naclId };
    expect(
      value(m, "vpcemu_agent_nacl_rule_hits_total", { ...nacl, direction: "ingress", rule: "100" }),
    ).toBe(4);
    expect(
      value(m, "vpcemu_agent_nacl_rule_hits_total", { ...nacl, direction: "ingress", rule: "50" }),
    ).toBe(1);
    expect(
      value(m, "vpcemu_agent_nacl_rule_hits_total", { ...nacl, direction: "egress", rule: "100" }),
    ).toBe(1);
    expect(samples(m, "vpcemu_agent_nacl_rule_hits_total", { ...nacl, rule: "*" })).toEqual([]);
  });
});
