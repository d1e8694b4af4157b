import { describe, expect, it } from "vitest";
import { PolicyCompiler } from "../../../../controller/policy/compile.js";
import * as hub from "../../../../controller/hub/wire.js";
import * as agent from "../../../../node-agent/control/wire.js";
import { DB1, SG_WEB, SUBNET_WEB, WEB1, eni, seedState } from "../policy/fixtures.js";

describe("agent protocol wire (controller/hub/wire.ts <-> node-agent/control/wire.ts)", () => {
  it("carries a compiled AgentSnapshot to the agent unchanged", () => {
    const web2 = eni(3, SUBNET_WEB, [SG_WEB], { ipv6: ["2001:db8::13"], sourceDestCheck: false });
    const r = new PolicyCompiler().update(seedState(5_000_000_000, [WEB1, DB1, web2]), [
      {
        agentId: "a1",
        endpoint: "127.0.0.1:7001",
        instanceIds: [WEB1.instanceId!, DB1.instanceId!, web2.instanceId!],
        eniIds: [],
        externals: [{ name: "internet", address: "198.51.100.10" }],
        conntrackMax: 10,
      },
    ]);
    const snap = r.snapshots.get("a1")!;
    const decoded = agent.decodeControllerFrame(hub.encodeSnapshotFrame(snap, 42));
    expect(decoded).toEqual({
      kind: "snapshot",
      snapshot: snap,
      generation: 42,
      reuseMapping: false,
    });
    const reused = agent.decodeControllerFrame(hub.encodeSnapshotFrame(snap, 43, true));
    expect(reused).toEqual({
      kind: "snapshot",
      snapshot: { ...snap, mapping: [] },
      generation: 43,
      reuseMapping: true,
    });
  });

  it("carries hello, hosting, ack, reports, counters, flow logs and heartbeats to the controller", () => {
    const hosting: agent.Hosting = {
      instanceIds: ["i-1"],
      eniIds: ["eni-1"],
      externals: [{ name: "internet", address: "198.51.100.10" }],
      underlayEndpoint: "127.0.0.1:6081",
      conntrackMax: 100,
      autoTracked: true,
    };
    expect(
      hub.decodeAgentFrame(
        agent.encodeHelloFrame({
          agentId: "a",
          joinToken: "t",
          hosting,
          version: "0.1.0",
          enforcedRevision: 7,
          agentKey: "k",
        }),
      ),
    ).toEqual({
      kind: "hello",
      hello: {
        agentId: "a",
        joinToken: "t",
        hosting,
        version: "0.1.0",
        enforcedRevision: 7,
        agentKey: "k",
      },
    });
    expect(agent.decodeControllerFrame(hub.encodeWelcomeFrame("k2"))).toEqual({
      kind: "welcome",
      agentKey: "k2",
    });
    expect(
      hub.decodeAgentFrame(
        agent.encodeHostingFrame({ ...hosting, conntrackMax: undefined, autoTracked: false }),
      ),
    ).toEqual({
      kind: "hosting",
      hosting: {
        instanceIds: ["i-1"],
        eniIds: ["eni-1"],
        externals: hosting.externals,
        underlayEndpoint: "127.0.0.1:6081",
      },
    });
    expect(hub.decodeAgentFrame(agent.encodeAckFrame(9_000_000_000, 3))).toEqual({
      kind: "ack",
      revision: 9_000_000_000,
      generation: 3,
    });
    const report: agent.ConntrackReport = {
      requestId: "r1",
      takenAtMs: 1_763_000_000_000,
      enis: [
        {
          eniId: "eni-1",
          instanceId: "i-1",
          entries: [
            {
              protocol: 6,
              original: { src: "198.51.100.10", srcPort: 40000, dst: "10.0.1.11", dstPort: 80 },
              reply: { src: "10.0.1.11", srcPort: 80, dst: "198.51.100.10", dstPort: 40000 },
              state: "ESTABLISHED",
              expiresAtMs: 1_763_000_432_000,
              packetsOriginal: 3,
              bytesOriginal: 180,
              packetsReply: 2,
              bytesReply: 120,
              ruleId: "sgr-1",
              direction: "ingress",
            },
          ],
        },
      ],
    };
    expect(hub.decodeAgentFrame(agent.encodeConntrackReportFrame(report))).toEqual({
      kind: "conntrack-report",
      report,
    });
    const counters: agent.CountersReport = {
      takenAtMs: 5,
      enis: [
        {
          eniId: "eni-1",
          instanceId: "i-1",
          drops: { sg_no_match: 4, nacl_denied: 1 },
          conntrackAllowanceExceeded: 2,
          conntrackAllowanceAvailable: 65534,
          bwInAllowanceExceeded: 0,
          bwOutAllowanceExceeded: 0,
          ppsAllowanceExceeded: 0,
          linklocalAllowanceExceeded: 0,
          packetsAccepted: 10,
        },
      ],
    };
    expect(hub.decodeAgentFrame(agent.encodeCountersFrame(counters))).toEqual({
      kind: "counters",
      counters,
    });
    const line =
      "2 123456789012 eni-1 198.51.100.10 10.0.1.11 40000 80 6 3 180 1763000000 1763000060 ACCEPT OK";
    expect(hub.decodeAgentFrame(agent.encodeFlowLogsFrame([{ eniId: "eni-1", line }]))).toEqual({
      kind: "flow-logs",
      records: [{ eniId: "eni-1", line }],
    });
    expect(hub.decodeAgentFrame(agent.encodeHeartbeatFrame(12, false))).toEqual({
      kind: "heartbeat",
      sentAtMs: 12,
      reply: false,
    });
  });

  it("carries conntrack requests, heartbeats and errors to the agent", () => {
    expect(agent.decodeControllerFrame(hub.encodeConntrackRequestFrame("q", ["eni-1"]))).toEqual({
      kind: "conntrack-request",
      requestId: "q",
      eniIds: ["eni-1"],
    });
    expect(agent.decodeControllerFrame(hub.encodeHeartbeatFrame(3, true))).toEqual({
      kind: "heartbeat",
      sentAtMs: 3,
      reply: true,
    });
    expect(
      agent.decodeControllerFrame(
        hub.encodeErrorFrame("join_token", "EMU_ERR_HUB_JOIN_TOKEN", "no"),
      ),
    ).toEqual({
      kind: "error",
      code: "EMU_ERR_HUB_JOIN_TOKEN",
      message: "no",
    });
  });

  it.each([
    ["garbage", new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff])],
    ["truncated length", new Uint8Array([0x0a, 0x10, 0x01])],
    ["empty frame", new Uint8Array([])],
  ])("returns a wire error for %s, never throws", (_name, bytes) => {
    expect(hub.decodeAgentFrame(bytes).kind).toBe("wire-error");
    expect(agent.decodeControllerFrame(bytes).kind).toBe("wire-error");
  });

  it("refuses controller-only frames from an agent and agent-only frames from the controller", () => {
    expect(hub.decodeAgentFrame(hub.encodeConntrackRequestFrame("q")).kind).toBe("wire-error");
    expect(agent.decodeControllerFrame(agent.encodeAckFrame(1)).kind).toBe("wire-error");
  });
});
