/**
 * Audit mode on the wire: the hub's CompiledEniPolicy.audit (policy.proto 30-32) as the agent
 * decodes it, the agent's AuditEventBatch (Frame 16) and audit counters (EniCounters 40-41) as
 * the hub decodes them. Both wire.ts files, the generated proto between them.
 */
import { describe, expect, it } from "vitest";
import { decodeAgentFrame, encodeSnapshotFrame } from "../../../../controller/hub/wire.js";
import type {
  AgentSnapshot,
  CompiledEniPolicy,
  CompiledRule,
} from "../../../../controller/policy/compiled-policy.js";
import {
  decodeControllerFrame,
  encodeAuditEventsFrame,
  encodeCountersFrame,
  type AuditEventBatch,
} from "../../../../node-agent/control/wire.js";

const rule = (ruleId: string, port: number): CompiledRule => ({
  ruleId,
  groupId: "sg-1",
  protocol: 6,
  fromPort: port,
  toPort: port,
  cidrs: ["10.0.1.0/24"],
  peer: { kind: "cidr" },
});

function eni(eniId: string, audit?: CompiledEniPolicy["audit"]): CompiledEniPolicy {
  return {
    revision: 7,
    eniId,
    instanceId: "i-1",
    vpcId: "vpc-1",
    subnetId: "subnet-1",
    ipv4: ["10.0.2.20"],
    ipv6: [],
    sourceDestCheck: true,
    ingress: [rule("sgr-22", 22)],
    egress: [],
    naclIn: [],
    naclOut: [],
    timeouts: { tcpEstablished: 432000, udp: 30, udpStream: 180 },
    allowance: 100,
    autoTracked: false,
    ...(audit !== undefined ? { audit } : {}),
  };
}

describe("audit mode on the wire", () => {
  it("carries the staged rules to the agent, an empty staged set included, and no audit when none", () => {
    const s: AgentSnapshot = {
      revision: 7,
      agentId: "a1",
      enis: [
        eni("eni-a", { ingress: [rule("sg-1:staged:ingress:1", 8080)], egress: [] }),
        eni("eni-b", { ingress: [], egress: [] }),
        eni("eni-c"),
      ],
      mapping: [],
    };
    const f = decodeControllerFrame(encodeSnapshotFrame(s));
    if (f.kind !== "snapshot") throw new Error(`decoded ${f.kind}`);
    const [a, b, c] = f.snapshot.enis;
    expect(a!.audit).toEqual({ ingress: [rule("sg-1:staged:ingress:1", 8080)], egress: [] });
    expect(b!.audit).toEqual({ ingress: [], egress: [] });
    expect(c!.audit).toBeUndefined();
  });

  it("carries the agent's events and counters to the hub", () => {
    const batch: AuditEventBatch = {
      events: [
        {
          eniId: "eni-a",
          direction: "ingress",
          kind: "would_block",
          protocol: 6,
          src: "10.0.1.10",
          srcPort: 40000,
          dst: "10.0.2.20",
          dstPort: 22,
          enforcedRuleId: "sgr-22",
          packets: 3,
          bytes: 180,
          firstAtMs: 1_800_000_000_000,
          lastAtMs: 1_800_000_000_500,
        },
        {
          eniId: "eni-a",
          direction: "egress",
          kind: "would_allow",
          protocol: 1,
          src: "10.0.2.20",
          srcPort: 0,
          dst: "10.0.1.10",
          dstPort: 0,
          icmpType: 8,
          icmpCode: 0,
          stagedRuleId: "sg-1:staged:egress:1",
          packets: 1,
          bytes: 84,
          firstAtMs: 5,
          lastAtMs: 5,
        },
      ],
      lost: 2,
    };
    expect(decodeAgentFrame(encodeAuditEventsFrame(batch))).toEqual({
      kind: "audit-events",
      batch,
    });
    const counters = decodeAgentFrame(
      encodeCountersFrame({
        takenAtMs: 1,
        enis: [
          {
            eniId: "eni-a",
            instanceId: "i-1",
            drops: {},
            conntrackAllowanceExceeded: 0,
            conntrackAllowanceAvailable: 9,
            bwInAllowanceExceeded: 0,
            bwOutAllowanceExceeded: 0,
            ppsAllowanceExceeded: 0,
            linklocalAllowanceExceeded: 0,
            packetsAccepted: 4,
            auditWouldBlock: 3,
            auditWouldAllow: 1,
          },
        ],
      }),
    );
    if (counters.kind !== "counters") throw new Error(`decoded ${counters.kind}`);
    expect(counters.counters.enis[0]).toMatchObject({ auditWouldBlock: 3, auditWouldAllow: 1 });
  });
});
