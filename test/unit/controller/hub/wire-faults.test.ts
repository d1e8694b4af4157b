/**
 * Chaos faults on the wire (controller/hub/wire.ts): AgentSnapshot.faults and
 * CompiledEniPolicy.conntrack_epoch in Snapshot frames, Counters.faults from agents. Decoded
 * and encoded here with the generated code (proto/gen), the contract both sides share.
 */
import { describe, expect, it } from "vitest";
import { vpcemu } from "../../../../proto/gen/vpcemu.js";
import * as hub from "../../../../controller/hub/wire.js";
import * as agent from "../../../../node-agent/control/wire.js";
import type { CompiledFault } from "../../../../controller/policy/compiled-fault.js";
import type { AgentSnapshot } from "../../../../controller/policy/compiled-policy.js";
import { PolicyCompiler } from "../../../../controller/policy/compile.js";
import { DB1, WEB1, seedState } from "../policy/fixtures.js";

const pb = vpcemu.v1;

function toNumber(v: unknown): number {
  return typeof v === "number" ? v : (v as { toNumber(): number }).toNumber();
}

const FAULT: CompiledFault = {
  faultId: "flt-0123456789abcdef0",
  pairs: [
    {
      from: { any: false, portKeys: [WEB1.eniId] },
      to: { any: false, portKeys: [DB1.eniId, "ext:internet"] },
      reverse: false,
    },
    {
      from: { any: true, portKeys: [] },
      to: { any: false, portKeys: [WEB1.eniId] },
      reverse: true,
    },
  ],
  protocol: 6,
  fromPort: 3306,
  toPort: 3310,
  effects: {
    delay: { latencyMs: 50.5, jitterMs: 10, correlation: 25, distribution: "paretonormal" },
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
    corrupt: { percent: 0.1, correlation: 0 },
    reorder: { percent: 25, correlation: 50, gap: 5 },
    rate: { bitsPerSecond: 10_000_000_000, queueLimitBytes: 262_144 },
    blackhole: false,
    reject: true,
  },
  seed: 4_000_000_000,
  startAtMs: 1_700_000_005_000,
  endAtMs: 1_700_000_065_000,
  queueLimitPackets: 500,
};

describe("fault fields on the wire", () => {
  it("encodes AgentSnapshot.faults and conntrack_epoch as the generated decoder reads them", () => {
    const base = new PolicyCompiler()
      .update(seedState(9), [
        {
          agentId: "a1",
          endpoint: "127.0.0.1:7001",
          instanceIds: [WEB1.instanceId!],
          eniIds: [],
          externals: [],
        },
      ])
      .snapshots.get("a1")!;
    const snap: AgentSnapshot = {
      ...base,
      enis: [{ ...base.enis[0]!, conntrackEpoch: 8, instanceStopped: true }],
      faults: [FAULT],
    };
    const frame = pb.Frame.decode(hub.encodeSnapshotFrame(snap, 3));
    const s = frame.snapshot!.snapshot!;
    expect(toNumber(s.enis![0]!.conntrackEpoch)).toBe(8);
    // INST-2: a stopped instance's ENI travels marked.
    expect(s.enis![0]!.instanceStopped).toBe(true);
    expect(s.faults!).toHaveLength(1);
    const f = s.faults![0]!;
    expect(toNumber(f.effects!.rate!.bitsPerSecond)).toBe(10_000_000_000);
    expect(toNumber(f.startAtMs)).toBe(1_700_000_005_000);
    expect(toNumber(f.endAtMs)).toBe(1_700_000_065_000);
    expect(f).toMatchObject({
      faultId: FAULT.faultId,
      pairs: [
        {
          from: { any: false, portKeys: [WEB1.eniId] },
          to: { any: false, portKeys: [DB1.eniId, "ext:internet"] },
          reverse: false,
        },
        {
          from: { any: true, portKeys: [] },
          to: { any: false, portKeys: [WEB1.eniId] },
          reverse: true,
        },
      ],
      protocol: 6,
      fromPort: 3306,
      toPort: 3310,
      seed: 4_000_000_000,
      queueLimitPackets: 500,
    });
    expect(f.effects).toMatchObject({
      delay: {
        latencyMs: 50.5,
        jitterMs: 10,
        correlation: 25,
        distribution: pb.DelayDistribution.DELAY_DISTRIBUTION_PARETONORMAL,
      },
      loss: { gilbertElliott: true, geP: 1, geR: 20, ge_1h: 100, ge_1k: 0 },
      duplicate: { percent: 1 },
      corrupt: { percent: 0.1 },
      reorder: { percent: 25, correlation: 50, gap: 5 },
      rate: { queueLimitBytes: 262_144 },
      blackhole: false,
      reject: true,
    });
  });

  it("reads back unchanged through the agent's decoder (node-agent/control/wire.ts)", () => {
    const base = new PolicyCompiler()
      .update(seedState(9), [
        {
          agentId: "a1",
          endpoint: "127.0.0.1:7001",
          instanceIds: [WEB1.instanceId!],
          eniIds: [],
          externals: [],
        },
      ])
      .snapshots.get("a1")!;
    const snap: AgentSnapshot = {
      ...base,
      enis: [{ ...base.enis[0]!, conntrackEpoch: 8 }],
      faults: [FAULT],
    };
    expect(agent.decodeControllerFrame(hub.encodeSnapshotFrame(snap, 3))).toEqual({
      kind: "snapshot",
      snapshot: snap,
      generation: 3,
      reuseMapping: false,
    });
  });

  it("leaves faults and the epoch out when there are none (the no-fault frame is unchanged)", () => {
    const snap = new PolicyCompiler()
      .update(seedState(9), [
        {
          agentId: "a1",
          endpoint: "127.0.0.1:7001",
          instanceIds: [WEB1.instanceId!],
          eniIds: [],
          externals: [],
        },
      ])
      .snapshots.get("a1")!;
    const s = pb.Frame.decode(hub.encodeSnapshotFrame(snap, 1)).snapshot!.snapshot!;
    expect(s.faults).toEqual([]);
    expect(toNumber(s.enis![0]!.conntrackEpoch)).toBe(0);
  });

  it("decodes Counters.faults from an agent", () => {
    const bytes = pb.Frame.encode({
      counters: {
        takenAtMs: 5,
        enis: [],
        faults: [
          { faultId: "flt-0123456789abcdef0", matched: 10, delayed: 9, dropped: 1, rateLimited: 3 },
        ],
      },
    }).finish();
    expect(hub.decodeAgentFrame(bytes)).toEqual({
      kind: "counters",
      counters: {
        takenAtMs: 5,
        enis: [],
        faults: [
          {
            faultId: "flt-0123456789abcdef0",
            matched: 10,
            delayed: 9,
            dropped: 1,
            duplicated: 0,
            corrupted: 0,
            reordered: 0,
            rejected: 0,
            queueOverflow: 0,
            rateLimited: 3,
          },
        ],
      },
    });
  });
});
