/**
 * Audit mode on the agent (node-agent/audit/agent-audit.ts): verdict events of an audited ENI
 * judged again by its staged rules; disagreements counted and aggregated per flow, nothing
 * else changed. Real packets (packet-builder), a real VerdictEmitter.
 */
import { describe, expect, it } from "vitest";
import { AgentAudit } from "../../../../node-agent/audit/agent-audit.js";
import type { AuditEventBatch } from "../../../../node-agent/control/wire.js";
import type { CompiledEniPolicy, CompiledRule } from "../../../../node-agent/filter/policy.js";
import {
  VerdictEmitter,
  type VerdictEvent,
} from "../../../../node-agent/pipeline/verdict-event.js";
import { buildTcp } from "../../../helpers/packet-builder.js";

const rule = (ruleId: string, port: number, cidr: string): CompiledRule => ({
  ruleId,
  groupId: "sg-1",
  protocol: 6,
  fromPort: port,
  toPort: port,
  cidrs: [cidr],
  peer: { kind: "cidr" },
});

function policy(eniId: string, audit?: CompiledEniPolicy["audit"]): CompiledEniPolicy {
  return {
    revision: 1,
    eniId,
    instanceId: "i-1",
    vpcId: "vpc-1",
    subnetId: "subnet-1",
    ipv4: ["10.0.2.20"],
    ipv6: [],
    sourceDestCheck: true,
    ingress: [rule("sgr-22", 22, "10.0.1.0/24")],
    egress: [],
    naclIn: [],
    naclOut: [],
    timeouts: { tcpEstablished: 432000, udp: 30, udpStream: 180 },
    allowance: 100,
    autoTracked: false,
    ...(audit !== undefined ? { audit } : {}),
  };
}

function event(
  dport: number,
  sport: number,
  accepted: boolean,
  reason: string,
): [VerdictEvent, Uint8Array] {
  const pkt = buildTcp({
    src: "10.0.1.10",
    dst: "10.0.2.20",
    srcPort: sport,
    dstPort: dport,
    flags: 0x02,
  });
  return [
    {
      eniId: "eni-a",
      direction: "ingress",
      verdict: accepted ? "accept" : "drop",
      reason: reason as VerdictEvent["reason"],
      ...(accepted ? { sgRuleId: "sgr-22" } : {}),
      conntrack: accepted ? "new" : "none",
      protocol: 6,
      src: "10.0.1.10",
      dst: "10.0.2.20",
      srcPort: sport,
      dstPort: dport,
      length: pkt.length,
      atMs: 1000 + sport,
    },
    pkt,
  ];
}

function setup() {
  const verdicts = new VerdictEmitter();
  const sent: AuditEventBatch[] = [];
  const audit = new AgentAudit({ verdicts, send: (b) => (sent.push(b), true) });
  return { verdicts, sent, audit };
}

describe("AgentAudit", () => {
  it("counts and logs would_block and would_allow where the staged set disagrees, once per flow", () => {
    const { verdicts, sent, audit } = setup();
    // Staged: no tcp 22, but tcp 8080 from the client's subnet.
    audit.setPolicies([
      policy("eni-a", {
        ingress: [rule("sg-1:staged:ingress:1", 8080, "10.0.1.0/24")],
        egress: [],
      }),
    ]);
    expect(verdicts.active).toBe(true);
    verdicts.emit(...event(22, 40000, true, "sg_rule"));
    verdicts.emit(...event(22, 40000, true, "sg_rule")); // an untracked flow: every packet
    verdicts.emit(...event(8080, 40001, false, "sg_no_match"));
    verdicts.emit(...event(22, 40002, true, "conntrack_established")); // an entry: no rule judged
    verdicts.emit(...event(9999, 40003, false, "sg_no_match")); // both refuse: agree
    verdicts.emit(...event(22, 40004, false, "nacl_denied")); // not an SG decision
    expect(audit.countsOf("eni-a")).toEqual({ wouldBlock: 2, wouldAllow: 1 });
    audit.flush();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.lost).toBe(0);
    expect(sent[0]!.events).toEqual([
      expect.objectContaining({
        kind: "would_block",
        srcPort: 40000,
        dstPort: 22,
        enforcedRuleId: "sgr-22",
        packets: 2,
        firstAtMs: 41000,
        lastAtMs: 41000,
      }),
      expect.objectContaining({
        kind: "would_allow",
        srcPort: 40001,
        dstPort: 8080,
        stagedRuleId: "sg-1:staged:ingress:1",
        packets: 1,
      }),
    ]);
    audit.flush();
    expect(sent).toHaveLength(1); // nothing new, nothing sent
  });

  it("listens only while some ENI has a staged set, and ignores ENIs without one", () => {
    const { verdicts, sent, audit } = setup();
    audit.setPolicies([policy("eni-a")]);
    expect(verdicts.active).toBe(false);
    audit.setPolicies([policy("eni-b", { ingress: [], egress: [] })]);
    expect(verdicts.active).toBe(true);
    verdicts.emit(...event(22, 40000, true, "sg_rule")); // eni-a: not audited
    audit.flush();
    expect(sent).toEqual([]);
    audit.setPolicies([policy("eni-b")]);
    expect(verdicts.active).toBe(false);
  });

  it("counts a batch it could not send as lost in the next one", () => {
    const verdicts = new VerdictEmitter();
    const sent: AuditEventBatch[] = [];
    let connected = false;
    const audit = new AgentAudit({
      verdicts,
      send: (b) => (connected ? (sent.push(b), true) : false),
    });
    audit.setPolicies([policy("eni-a", { ingress: [], egress: [] })]);
    verdicts.emit(...event(22, 40000, true, "sg_rule"));
    audit.flush();
    connected = true;
    audit.flush();
    expect(sent).toEqual([{ events: [], lost: 1 }]);
  });
});
