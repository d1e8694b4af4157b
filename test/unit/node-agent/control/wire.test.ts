/**
 * The agent side of the wire for chaos: AgentSnapshot.faults and CompiledEniPolicy.conntrack_epoch
 * in, Counters.faults out (proto/vpcemu/v1/fault.proto). The controller side has its own test.
 */
import { describe, expect, it } from "vitest";
import { vpcemu } from "../../../../proto/gen/vpcemu.js";
import type { CompiledFault } from "../../../../node-agent/fault/compiled-fault.js";
import { decodeControllerFrame, encodeCountersFrame } from "../../../../node-agent/control/wire.js";

const pb = vpcemu.v1;

const ENI: vpcemu.v1.ICompiledEniPolicy = {
  revision: 3,
  eniId: "eni-a",
  instanceId: "i-a",
  vpcId: "vpc-1",
  subnetId: "subnet-a",
  ipv4: ["10.0.1.10"],
  sourceDestCheck: true,
  timeouts: { tcpEstablished: 30, udp: 5, udpStream: 10 },
  allowance: 10,
};

function snapshotFrame(s: vpcemu.v1.IAgentSnapshot): Uint8Array {
  return pb.Frame.encode({ snapshot: { snapshot: s, generation: 1 } }).finish();
}

describe("node-agent wire: faults and conntrack epoch", () => {
  it("decodes every field of a compiled fault, with netem distribution names", () => {
    const frame = snapshotFrame({
      revision: 3,
      agentId: "agent-a",
      enis: [{ ...ENI, conntrackEpoch: 7, instanceStopped: true }],
      faults: [
        {
          faultId: "flt-0123456789abcdef0",
          pairs: [
            { from: { portKeys: ["eni-a"] }, to: { any: true }, reverse: false },
            { from: { any: true }, to: { portKeys: ["eni-a", "ext:internet"] }, reverse: true },
          ],
          protocol: 6,
          fromPort: 3306,
          toPort: 3306,
          effects: {
            delay: {
              latencyMs: 50,
              jitterMs: 10,
              correlation: 25,
              distribution: pb.DelayDistribution.DELAY_DISTRIBUTION_PARETONORMAL,
            },
            loss: { gilbertElliott: true, geP: 1, geR: 20, ge_1h: 100, ge_1k: 0 },
            duplicate: { percent: 1 },
            corrupt: { percent: 0.1, correlation: 5 },
            reorder: { percent: 25, correlation: 50, gap: 5 },
            rate: { bitsPerSecond: 10_000_000_000, queueLimitBytes: 262144 },
            blackhole: false,
            reject: true,
          },
          seed: 42,
          startAtMs: 1_700_000_000_000,
          endAtMs: 1_700_000_060_000,
          queueLimitPackets: 500,
        },
      ],
    });
    const f = decodeControllerFrame(frame);
    if (f.kind !== "snapshot") throw new Error(f.kind);
    expect(f.snapshot.enis[0]?.conntrackEpoch).toBe(7);
    expect(f.snapshot.enis[0]?.instanceStopped).toBe(true); // INST-2
    expect(f.snapshot.enis[0]?.timeouts).toEqual({ tcpEstablished: 30, udp: 5, udpStream: 10 });
    const want: CompiledFault = {
      faultId: "flt-0123456789abcdef0",
      pairs: [
        {
          from: { any: false, portKeys: ["eni-a"] },
          to: { any: true, portKeys: [] },
          reverse: false,
        },
        {
          from: { any: true, portKeys: [] },
          to: { any: false, portKeys: ["eni-a", "ext:internet"] },
          reverse: true,
        },
      ],
      protocol: 6,
      fromPort: 3306,
      toPort: 3306,
      effects: {
        delay: { latencyMs: 50, jitterMs: 10, correlation: 25, distribution: "paretonormal" },
        loss: {
          percent: 0,
          correlation: 0,
          gilbertElliott: true,
          geP: 1,
          geR: 20,
          ge1h: 100,
          ge1k: 0,
        },
        duplicate: { percent: 1, correlation: 0 },
        corrupt: { percent: 0.1, correlation: 5 },
        reorder: { percent: 25, correlation: 50, gap: 5 },
        rate: { bitsPerSecond: 10_000_000_000, queueLimitBytes: 262144 },
        blackhole: false,
        reject: true,
      },
      seed: 42,
      startAtMs: 1_700_000_000_000,
      endAtMs: 1_700_000_060_000,
      queueLimitPackets: 500,
    };
    expect(f.snapshot.faults).toEqual([want]);
  });

  it("reads -1 protocol and ports (sint32), absent effects as absent, unspecified distribution as uniform", () => {
    const f = decodeControllerFrame(
      snapshotFrame({
        revision: 1,
        agentId: "a",
        faults: [
          {
            faultId: "flt-1",
            protocol: -1,
            fromPort: -1,
            toPort: -1,
            effects: { delay: { latencyMs: 5 }, blackhole: true },
          },
        ],
      }),
    );
    if (f.kind !== "snapshot") throw new Error(f.kind);
    const fault = f.snapshot.faults![0]!;
    expect([fault.protocol, fault.fromPort, fault.toPort]).toEqual([-1, -1, -1]);
    expect(fault.effects).toEqual({
      delay: { latencyMs: 5, jitterMs: 0, correlation: 0, distribution: "uniform" },
      blackhole: true,
      reject: false,
    });
  });

  it("leaves faults and conntrackEpoch out when the controller sent none (0 = never flushed)", () => {
    const f = decodeControllerFrame(snapshotFrame({ revision: 1, agentId: "a", enis: [ENI] }));
    if (f.kind !== "snapshot") throw new Error(f.kind);
    expect("faults" in f.snapshot).toBe(false);
    expect("conntrackEpoch" in f.snapshot.enis[0]!).toBe(false);
    expect("instanceStopped" in f.snapshot.enis[0]!).toBe(false);
  });

  it("encodes per-fault counters in the counters report", () => {
    const bytes = encodeCountersFrame({
      takenAtMs: 5,
      enis: [],
      faults: [
        {
          faultId: "flt-1",
          matched: 10,
          delayed: 4,
          dropped: 3,
          duplicated: 2,
          corrupted: 1,
          reordered: 5,
          rejected: 6,
          queueOverflow: 7,
          rateLimited: 8,
        },
      ],
    });
    const n = (v: unknown) =>
      typeof v === "number" ? v : (v as { toNumber(): number }).toNumber();
    const faults = (pb.Frame.decode(bytes).counters?.faults ?? []).map((f) => ({
      faultId: f.faultId,
      matched: n(f.matched),
      delayed: n(f.delayed),
      dropped: n(f.dropped),
      duplicated: n(f.duplicated),
      corrupted: n(f.corrupted),
      reordered: n(f.reordered),
      rejected: n(f.rejected),
      queueOverflow: n(f.queueOverflow),
      rateLimited: n(f.rateLimited),
    }));
    expect(faults).toEqual([
      {
        faultId: "flt-1",
        matched: 10,
        delayed: 4,
        dropped: 3,
        duplicated: 2,
        corrupted: 1,
        reordered: 5,
        rejected: 6,
        queueOverflow: 7,
        rateLimited: 8,
      },
    ]);
    const none = pb.Frame.decode(encodeCountersFrame({ takenAtMs: 5, enis: [] }));
    expect(none.counters?.faults).toEqual([]);
  });
});
