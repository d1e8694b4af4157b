/**
 * The fault step (chaos, DESIGN.md step 7) in the real pipeline: agents on FakeTun devices and
 * a MemoryBus underlay, hand-made compiled policies and faults (no controller), a ManualClock
 * and a manual scheduler for the fault step's release timer, so no test times anything.
 *
 *   agent-a (bus :7001)                 agent-b (bus :7002)           agent-x (:7003)
 *   +--------------------------+        +-------------------------+    +---------------+
 *   | eni-a 10.0.1.10 web-sg   | Geneve | eni-b 10.0.2.20 db-sg   |    | ext:internet  |
 *   | eni-c 10.0.1.11 cli-sg   | <----> |   subnet-b              |    | 198.51.100.10 |
 *   |   subnet-a               |        +-------------------------+    +---------------+
 *   +--------------------------+             vpc-1 10.0.0.0/16         outside every VPC
 *
 * web-sg: in tcp/80 from 0.0.0.0/0, udp and icmp from 10.0.0.0/16; out everything to 10.0.0.0/16.
 * db-sg:  in tcp/3306 and udp/5000-5999 from 10.0.1.0/24, icmp from 10.0.0.0/16;
 *         out udp and icmp to 10.0.0.0/16.
 * cli-sg: in everything from 10.0.0.0/16; out everything.
 * subnet-a routes 0.0.0.0/0 to an internet gateway and web has the public IP 198.18.0.10, where
 * the internet node reaches it (docs/routing.md IGW-5, RT-17).
 * Faults run on the SENDING agent, so each agent gets the faults touching its ports.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Agent, type StartedAgent } from "../../node-agent/agent.js";
import { sanitizeAgentConfig } from "../../node-agent/config.js";
import type {
  CompiledFault,
  FaultEffects,
  FaultPair,
} from "../../node-agent/fault/compiled-fault.js";
import {
  DEFAULT_CONNTRACK_TIMEOUTS,
  type AgentSnapshot,
  type CompiledEniPolicy,
  type CompiledRule,
  type MappingEntry,
  type NaclEntry,
} from "../../node-agent/filter/policy.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { TcpFlag, type DecodedPacket } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import { FakeTunProvider, type FakeTun } from "../helpers/fake-tun.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { ManualScheduler } from "../helpers/manual-scheduler.js";
import { MemoryBus } from "../helpers/memory-transport.js";
import { buildIcmpEcho, buildTcp, buildUdp } from "../helpers/packet-builder.js";

const VPC = "vpc-1";
const EP = { a: "127.0.0.1:7001", b: "127.0.0.1:7002", x: "127.0.0.1:7003" } as const;

let ruleSeq = 0;
const rule = (protocol: number, from: number, to: number, cidr: string): CompiledRule => ({
  ruleId: `sgr-${++ruleSeq}`,
  groupId: "sg-test",
  protocol,
  fromPort: from,
  toPort: to,
  cidrs: [cidr],
  peer: { kind: "cidr" },
});
const nacl = (ruleNumber: number, action: "allow" | "deny", cidr: string): NaclEntry => ({
  ruleNumber,
  action,
  protocol: -1,
  cidr,
  fromPort: -1,
  toPort: -1,
  icmpType: -1,
  icmpCode: -1,
});
const ALLOW_ALL = [nacl(100, "allow", "0.0.0.0/0"), nacl(32767, "deny", "0.0.0.0/0")];

const WEB_IN = [
  rule(6, 80, 80, "0.0.0.0/0"),
  rule(17, 0, 65535, "10.0.0.0/16"),
  rule(1, -1, -1, "10.0.0.0/16"),
];
const WEB_OUT = [rule(-1, -1, -1, "10.0.0.0/16")];
const DB_IN = [
  rule(6, 3306, 3306, "10.0.1.0/24"),
  rule(17, 5000, 5999, "10.0.1.0/24"),
  rule(1, -1, -1, "10.0.0.0/16"),
];
const DB_OUT = [rule(17, 0, 65535, "10.0.0.0/16"), rule(1, -1, -1, "10.0.0.0/16")];
const CLI_IN = [rule(-1, -1, -1, "10.0.0.0/16")];
const CLI_OUT = [rule(-1, -1, -1, "0.0.0.0/0")];

function eni(
  eniId: string,
  subnetId: string,
  ipv4: string,
  ingress: CompiledRule[],
  egress: CompiledRule[],
  over: Partial<CompiledEniPolicy> = {},
): CompiledEniPolicy {
  return {
    revision: 1,
    eniId,
    instanceId: `i-${eniId.slice(4)}`,
    vpcId: VPC,
    subnetId,
    ipv4: [ipv4],
    ipv6: [],
    sourceDestCheck: true,
    ingress,
    egress,
    naclIn: ALLOW_ALL,
    naclOut: ALLOW_ALL,
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    allowance: 65_536,
    autoTracked: false,
    ...over,
  };
}

const entry = (
  address: string,
  eniId: string,
  subnetId: string,
  agent: "a" | "b" | "x",
): MappingEntry => ({
  address,
  eniId,
  subnetId,
  vpcId: agent === "x" ? "" : VPC,
  agentId: `agent-${agent}`,
  endpoint: EP[agent],
});
/** web's table (local, 0.0.0.0/0 -> igw) and public IP (IGW-5): the internet reaches it there. */
const WEB_PUBLIC: Partial<CompiledEniPolicy> = {
  routes: [
    { destination: "10.0.0.0/16", kind: "local", targetId: "local" },
    { destination: "0.0.0.0/0", kind: "internet-gateway", targetId: "igw-1" },
  ],
  publicIpv4: [{ publicIp: "198.18.0.10", privateIp: "10.0.1.10" }],
};
const MAPPING: MappingEntry[] = [
  entry("10.0.1.10", "eni-a", "subnet-a", "a"),
  { ...entry("198.18.0.10", "eni-a", "subnet-a", "a"), privateAddress: "10.0.1.10" },
  entry("10.0.1.11", "eni-c", "subnet-a", "a"),
  entry("10.0.2.20", "eni-b", "subnet-b", "b"),
  entry("198.51.100.10", "", "internet", "x"),
];

interface Policies {
  a?: Partial<CompiledEniPolicy>;
  b?: Partial<CompiledEniPolicy>;
  c?: Partial<CompiledEniPolicy>;
}

function snapshots(revision: number, faults: CompiledFault[], p: Policies = {}) {
  const withFaults = faults.length > 0 ? { faults } : {};
  const a: AgentSnapshot = {
    revision,
    agentId: "agent-a",
    enis: [
      eni("eni-a", "subnet-a", "10.0.1.10", WEB_IN, WEB_OUT, { revision, ...WEB_PUBLIC, ...p.a }),
      eni("eni-c", "subnet-a", "10.0.1.11", CLI_IN, CLI_OUT, { revision, ...p.c }),
    ],
    mapping: MAPPING,
    ...withFaults,
  };
  const b: AgentSnapshot = {
    revision,
    agentId: "agent-b",
    enis: [eni("eni-b", "subnet-b", "10.0.2.20", DB_IN, DB_OUT, { revision, ...p.b })],
    mapping: MAPPING,
    ...withFaults,
  };
  const x: AgentSnapshot = {
    revision,
    agentId: "agent-x",
    enis: [],
    mapping: MAPPING,
    ...withFaults,
  };
  return { a, b, x };
}

const keys = (...k: string[]) => ({ any: false, portKeys: k });
const ANY = { any: true, portKeys: [] };
const oneWay = (from: string, to: string): FaultPair[] => [
  { from: keys(from), to: keys(to), reverse: false },
];
const both = (from: string, to: string): FaultPair[] => [
  { from: keys(from), to: keys(to), reverse: false },
  { from: keys(to), to: keys(from), reverse: true },
];

let faultSeq = 0;
function fault(
  pairs: FaultPair[],
  effects: Partial<FaultEffects>,
  over: Partial<Omit<CompiledFault, "effects" | "pairs">> = {},
): CompiledFault {
  return {
    faultId: `flt-${(++faultSeq).toString(16).padStart(17, "0")}`,
    pairs,
    protocol: -1,
    fromPort: -1,
    toPort: -1,
    seed: 1,
    startAtMs: 0,
    endAtMs: 0,
    queueLimitPackets: 0,
    ...over,
    effects: { blackhole: false, reject: false, ...effects },
  };
}
const delay = (latencyMs: number) => ({
  latencyMs,
  jitterMs: 0,
  correlation: 0,
  distribution: "uniform" as const,
});
const lossOf = (percent: number) => ({
  percent,
  correlation: 0,
  gilbertElliott: false,
  geP: 0,
  geR: 0,
  ge1h: 0,
  ge1k: 0,
});

interface World {
  clock: ManualClock;
  timers: ManualScheduler;
  bus: MemoryBus;
  agents: { a: StartedAgent; b: StartedAgent; x: StartedAgent };
  tuns: { a: FakeTun; b: FakeTun; c: FakeTun; x: FakeTun };
  /** Applies one revision (faults and policy overrides) to every agent. */
  apply(revision: number, faults: CompiledFault[], p?: Policies): Promise<void>;
}

const started: StartedAgent[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop()));
});

async function world(faults: CompiledFault[] = [], p: Policies = {}): Promise<World> {
  const bus = new MemoryBus();
  const clock = new ManualClock();
  const timers = new ManualScheduler(clock);
  const providers = {
    a: new FakeTunProvider(),
    b: new FakeTunProvider(),
    x: new FakeTunProvider(),
  };
  const make = async (id: "a" | "b" | "x", externals: { name: string; address: string }[] = []) => {
    const agent = await new Agent({
      config: sanitizeAgentConfig({ agentId: `agent-${id}`, externals }),
      tuns: providers[id],
      transport: bus.transport(EP[id]),
      clock,
      scheduler: timers,
      timers: false,
      logger: { info: () => undefined, warn: () => undefined },
    }).start();
    started.push(agent);
    return agent;
  };
  const agents = {
    a: await make("a"),
    b: await make("b"),
    x: await make("x", [{ name: "internet", address: "198.51.100.10" }]),
  };
  const apply = async (revision: number, f: CompiledFault[], pol: Policies = {}) => {
    const s = snapshots(revision, f, pol);
    await Promise.all([
      agents.a.applySnapshot(s.a),
      agents.b.applySnapshot(s.b),
      agents.x.applySnapshot(s.x),
    ]);
  };
  await apply(1, faults, p);
  return {
    clock,
    timers,
    bus,
    agents,
    apply,
    tuns: {
      a: await providers.a.tun("eni-a"),
      b: await providers.b.tun("eni-b"),
      c: await providers.a.tun("eni-c"),
      x: await providers.x.tun("ext:internet"),
    },
  };
}

/** Lets the read loops, the bus and the TUN writers run (real macrotasks, no real waiting). */
async function settle(rounds = 12): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

function dec(p: Uint8Array, verify = false): DecodedPacket {
  const d = decodePacket(p, 0, p.length, { verifyChecksums: verify });
  if (typeof d === "string") throw new Error(`undecodable: ${d}`);
  return d;
}

const udp = (src: string, dst: string, dstPort: number, tag = 0, size = 16) =>
  buildUdp({ src, dst, srcPort: 40000, dstPort, payload: new Uint8Array(size).fill(tag) });
const tagOf = (p: Uint8Array) => p[p.length - 1]!;

function counters(agent: StartedAgent, faultId: string) {
  const c = agent.countersReport().faults?.find((f) => f.faultId === faultId);
  if (!c) throw new Error(`no counters for ${faultId}`);
  return c;
}

describe("fault step in the pipeline (FakeTun + MemoryBus, injected clock and timer)", () => {
  it("delays cross-agent and same-agent packets by the configured latency, not less", async () => {
    const cross = fault(oneWay("eni-a", "eni-b"), { delay: delay(50) });
    const local = fault(oneWay("eni-c", "eni-a"), { delay: delay(20) });
    const w = await world([cross, local]);
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, 1));
    w.tuns.c.send(udp("10.0.1.11", "10.0.1.10", 6000, 2));
    await settle();
    expect(w.tuns.b.received()).toEqual([]);
    expect(w.tuns.a.received()).toEqual([]);
    w.timers.advance(19);
    await settle();
    expect(w.tuns.a.received()).toEqual([]);
    w.timers.advance(1);
    await settle();
    expect(w.tuns.a.received().map(tagOf)).toEqual([2]);
    w.timers.advance(29);
    await settle();
    expect(w.tuns.b.received()).toEqual([]);
    w.timers.advance(1);
    await settle();
    expect(w.tuns.b.received().map(tagOf)).toEqual([1]);
    expect(counters(w.agents.a, cross.faultId)).toMatchObject({ matched: 1, delayed: 1 });
    expect(counters(w.agents.a, local.faultId)).toMatchObject({ matched: 1, delayed: 1 });
    // The receiving side's filter still judged the delayed packet: db's conntrack saw it.
    expect(w.agents.b.conntrack("eni-b").map((e) => e.original.dstPort)).toEqual([5000]);
  });

  it("one-way cuts only from -> to; both cuts the reverse on the other agent too", async () => {
    const w = await world([fault(oneWay("eni-a", "eni-b"), { blackhole: true })]);
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, 1));
    w.tuns.b.send(udp("10.0.2.20", "10.0.1.10", 7000, 2));
    await settle();
    expect(w.tuns.b.received()).toEqual([]);
    expect(w.tuns.a.received().map(tagOf)).toEqual([2]);
    expect(w.agents.a.dropsByPort()["eni-a"]?.[DropReason.FaultBlackhole]).toBe(1);

    const f = fault(both("eni-a", "eni-b"), { blackhole: true });
    await w.apply(2, [f]);
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, 3));
    w.tuns.b.send(udp("10.0.2.20", "10.0.1.10", 7000, 4));
    await settle();
    expect(w.tuns.b.received()).toEqual([]);
    expect(w.tuns.a.received()).toEqual([]);
    expect(counters(w.agents.a, f.faultId).dropped).toBe(1);
    expect(counters(w.agents.b, f.faultId).dropped).toBe(1);
    expect(w.agents.b.dropsByPort()["eni-b"]?.[DropReason.FaultBlackhole]).toBe(1);
  });

  it("a both fault with a port matches the server's replies by their source port", async () => {
    const f = fault(
      both("eni-a", "eni-b"),
      { blackhole: true },
      { protocol: 17, fromPort: 5353, toPort: 5353 },
    );
    const w = await world([f]);
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, 1)); // another port: passes
    await settle();
    expect(w.tuns.b.received().map(tagOf)).toEqual([1]);
    w.tuns.b.send(buildUdp({ src: "10.0.2.20", dst: "10.0.1.10", srcPort: 5353, dstPort: 40000 }));
    w.tuns.b.send(buildUdp({ src: "10.0.2.20", dst: "10.0.1.10", srcPort: 5354, dstPort: 40000 }));
    await settle();
    expect(w.tuns.a.received().map((p) => dec(p).srcPort)).toEqual([5354]);
    expect(counters(w.agents.b, f.faultId).dropped).toBe(1);
  });

  it("starts after startAtMs and stops at endAtMs by the agent's clock", async () => {
    const clock0 = new ManualClock().now();
    const f = fault(
      oneWay("eni-a", "eni-b"),
      { blackhole: true },
      { startAtMs: clock0 + 1000, endAtMs: clock0 + 2000 },
    );
    const w = await world([f]);
    const sendAndCount = async (tag: number) => {
      w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, tag));
      await settle();
      return w.tuns.b.received().length;
    };
    expect(await sendAndCount(1)).toBe(1);
    w.clock.advance(1000);
    expect(await sendAndCount(2)).toBe(0);
    w.clock.advance(999);
    expect(await sendAndCount(3)).toBe(0);
    w.clock.advance(1);
    expect(await sendAndCount(4)).toBe(1);
    expect(counters(w.agents.a, f.faultId)).toMatchObject({ matched: 2, dropped: 2 });
  });

  it("loss: drops about the configured share, counted as fault_loss; the same seed drops the same packets", async () => {
    const run = async () => {
      const f = fault(oneWay("eni-a", "eni-b"), { loss: lossOf(30) }, { seed: 99 });
      const w = await world([f]);
      for (let i = 0; i < 300; i++) w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, i % 251));
      await settle(40);
      const got = w.tuns.b.received().map((p) => dec(p).length + tagOf(p));
      const lost = w.agents.a.dropsByPort()["eni-a"]?.[DropReason.FaultLoss] ?? 0;
      expect(got.length + lost).toBe(300);
      expect(counters(w.agents.a, f.faultId)).toMatchObject({ matched: 300, dropped: lost });
      await Promise.all(started.splice(0).map((a) => a.stop()));
      return { lost, got };
    };
    const first = await run();
    // 30 % of 300 = 90, sigma 7.9.
    expect(Math.abs(first.lost - 90)).toBeLessThan(32);
    expect(await run()).toEqual(first);
  });

  it("duplicate: the destination gets every packet twice, and its filter judges both", async () => {
    const f = fault(oneWay("eni-a", "eni-b"), { duplicate: { percent: 100, correlation: 0 } });
    const w = await world([f]);
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, 7));
    await settle();
    expect(w.tuns.b.received().map(tagOf)).toEqual([7, 7]);
    expect(counters(w.agents.a, f.faultId).duplicated).toBe(1);
    const [e] = w.agents.b.conntrack("eni-b");
    expect(e?.packets.original).toBe(2);
  });

  it("corrupt: the packet arrives with one bit flipped and a failing checksum (the kernel drops it)", async () => {
    const f = fault(oneWay("eni-c", "eni-a"), { corrupt: { percent: 100, correlation: 0 } });
    const w = await world([f]);
    const sent = udp("10.0.1.11", "10.0.1.10", 6000, 9, 64);
    w.tuns.c.send(sent);
    await settle();
    const [got] = w.tuns.a.received();
    expect(got).toBeDefined();
    expect(decodePacket(got!, 0, got!.length, { verifyChecksums: true })).toBe(
      DropReason.BadL4Checksum,
    );
    let bits = 0;
    for (let i = 0; i < sent.length; i++) {
      let x = sent[i]! ^ got![i]!;
      while (x) {
        bits += x & 1;
        x >>= 1;
      }
    }
    expect(bits).toBe(1);
    expect(counters(w.agents.a, f.faultId).corrupted).toBe(1);
  });

  it("reorder: picked packets go at once, the others wait for the delay", async () => {
    const f = fault(oneWay("eni-a", "eni-b"), {
      delay: delay(10),
      reorder: { percent: 100, correlation: 0, gap: 2 },
    });
    const w = await world([f]);
    for (let i = 0; i < 4; i++) w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, i));
    await settle();
    expect(w.tuns.b.received().map(tagOf)).toEqual([1, 3]);
    w.timers.advance(10);
    await settle();
    expect(w.tuns.b.received().map(tagOf)).toEqual([0, 2]);
    expect(counters(w.agents.a, f.faultId)).toMatchObject({ reordered: 2, delayed: 2 });
  });

  it("rate: 1 Mbit/s lets the burst through, then one 1000-byte packet per 8 ms", async () => {
    const f = fault(oneWay("eni-a", "eni-b"), {
      rate: { bitsPerSecond: 1_000_000, queueLimitBytes: 0 },
    });
    const w = await world([f]);
    for (let i = 0; i < 10; i++) w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, i, 1000 - 28));
    await settle();
    expect(w.tuns.b.received().map(tagOf)).toEqual([0, 1, 2, 3]);
    const seen: number[] = [];
    for (let step = 0; step < 6; step++) {
      w.timers.advance(8);
      await settle();
      seen.push(w.tuns.b.received().length);
    }
    expect(seen.reduce((s, n) => s + n, 0)).toBe(6);
    expect(seen.every((n) => n <= 1)).toBe(true);
    expect(counters(w.agents.a, f.faultId).rateLimited).toBe(6);
  });

  it("reject: a TCP SYN gets a RST on the source's TUN at once, UDP an ICMP port unreachable", async () => {
    const f = fault(oneWay("eni-a", "eni-b"), { reject: true });
    const w = await world([f]);
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 41000,
        dstPort: 3306,
        flags: TcpFlag.SYN,
        seq: 500,
      }),
    );
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000));
    await settle();
    expect(w.tuns.b.received()).toEqual([]);
    const [rst, icmp] = w.tuns.a.received().map((p) => dec(p, true)); // checksums verified
    expect([rst!.tcpFlags, rst!.tcpSeq, rst!.tcpAck, rst!.srcPort, rst!.dstPort]).toEqual([
      TcpFlag.RST | TcpFlag.ACK,
      0,
      501,
      3306,
      41000,
    ]);
    expect([icmp!.icmpType, icmp!.icmpCode]).toEqual([3, 3]);
    expect(counters(w.agents.a, f.faultId).rejected).toBe(2);
    expect(w.agents.a.dropsByPort()["eni-a"]?.[DropReason.FaultReject]).toBe(2);
  });

  it("acts on external ports too: the internet node's packets to web's public IP are rejected back to it", async () => {
    const f = fault(oneWay("ext:internet", "eni-a"), { reject: true });
    const w = await world([f]);
    w.tuns.x.send(
      buildTcp({
        src: "198.51.100.10",
        dst: "198.18.0.10",
        srcPort: 50000,
        dstPort: 80,
        flags: TcpFlag.SYN,
      }),
    );
    await settle();
    expect(w.tuns.a.received()).toEqual([]);
    const [rst] = w.tuns.x.received().map((p) => dec(p, true));
    expect(rst?.tcpFlags).toBe(TcpFlag.RST | TcpFlag.ACK);
    expect(w.agents.x.dropsByPort()["ext:internet"]?.[DropReason.FaultReject]).toBe(1);
  });

  it("never lets a packet the SG denies through: egress denials never reach the step, ingress denials still drop every copy (CT-11)", async () => {
    const everything = fault([{ from: ANY, to: ANY, reverse: false }], {
      duplicate: { percent: 100, correlation: 0 },
      delay: delay(5),
    });
    const w = await world([everything]);
    // web-sg has no egress rule to the internet: sg_no_match at web, the fault never sees it.
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "198.51.100.10",
        srcPort: 1,
        dstPort: 443,
        flags: TcpFlag.SYN,
      }),
    );
    // web may send udp/9999 to db, but db-sg admits only 5000-5999: both copies die at db.
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 9999));
    await settle();
    w.timers.advance(5);
    await settle();
    expect(w.tuns.x.received()).toEqual([]);
    expect(w.tuns.b.received()).toEqual([]);
    expect(w.agents.a.dropsByPort()["eni-a"]?.[DropReason.SgNoMatch]).toBe(1);
    expect(w.agents.b.dropsByPort()["eni-b"]?.[DropReason.SgNoMatch]).toBe(2);
    expect(counters(w.agents.a, everything.faultId)).toMatchObject({ matched: 1, duplicated: 1 });
  });

  it("drops delayed packets beyond the queue limit (fault_queue_overflow) and forgets a removed fault's queue", async () => {
    const f = fault(oneWay("eni-a", "eni-b"), { delay: delay(10) }, { queueLimitPackets: 3 });
    const w = await world([f]);
    for (let i = 0; i < 5; i++) w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, i));
    await settle();
    expect(w.agents.a.dropsByPort()["eni-a"]?.[DropReason.FaultQueueOverflow]).toBe(2);
    expect(counters(w.agents.a, f.faultId)).toMatchObject({ delayed: 3, queueOverflow: 2 });
    await w.apply(2, []);
    expect(w.agents.a.countersReport().faults).toEqual([]);
    w.timers.advance(10);
    await settle();
    expect(w.tuns.b.received()).toEqual([]);
    // Without the fault, traffic flows at once again.
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, 9));
    await settle();
    expect(w.tuns.b.received().map(tagOf)).toEqual([9]);
  });

  it("drops a delayed local packet whose destination left the agent meanwhile (fault_port_gone)", async () => {
    const f = fault(oneWay("eni-c", "eni-a"), { delay: delay(10) });
    const w = await world([f]);
    w.tuns.c.send(udp("10.0.1.11", "10.0.1.10", 6000));
    await settle();
    const s = snapshots(2, [f]);
    await w.agents.a.applySnapshot({ ...s.a, enis: s.a.enis.filter((e) => e.eniId === "eni-c") });
    w.timers.advance(10);
    await settle();
    expect(w.agents.a.dropsByPort()["eni-c"]?.[DropReason.FaultPortGone]).toBe(1);
  });

  it("keeps one timer for all queued packets of all faults", async () => {
    const w = await world([
      fault(oneWay("eni-a", "eni-b"), { delay: delay(30) }),
      fault(oneWay("eni-c", "eni-a"), { delay: delay(20) }),
    ]);
    for (let i = 0; i < 5; i++) {
      w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, i));
      w.tuns.c.send(udp("10.0.1.11", "10.0.1.10", 6000, i));
    }
    await settle();
    // Agent a's step holds 10 packets behind one timer; agent b and x hold none.
    expect(w.timers.pending()).toBe(1);
    w.timers.advance(30);
    await settle();
    expect(w.tuns.a.received()).toHaveLength(5);
    expect(w.tuns.b.received()).toHaveLength(5);
    expect(w.timers.pending()).toBe(0);
  });

  it("looks up the right fault among 1 000 (index by port pair)", async () => {
    const many: CompiledFault[] = [];
    for (let i = 0; i < 998; i++)
      many.push(fault(oneWay(`eni-s${i}`, `eni-d${i}`), { blackhole: true }));
    many.push(
      fault(
        [{ from: ANY, to: keys("eni-z") }].map((p) => ({ ...p, reverse: false })),
        { blackhole: true },
      ),
    );
    const target = fault(oneWay("eni-a", "eni-b"), { delay: delay(7) });
    many.push(target);
    const w = await world(many);
    expect(w.agents.a.countersReport().faults).toHaveLength(1000);
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000, 1));
    w.tuns.c.send(udp("10.0.1.11", "10.0.1.10", 6000, 2));
    await settle();
    expect(w.tuns.a.received().map(tagOf)).toEqual([2]);
    w.timers.advance(7);
    await settle();
    expect(w.tuns.b.received().map(tagOf)).toEqual([1]);
    const matched = w.agents.a.countersReport().faults!.filter((c) => c.matched > 0);
    expect(matched.map((c) => c.faultId)).toEqual([target.faultId]);
  });

  it("ICMP echo is delayed like any protocol (protocol -1)", async () => {
    const f = fault(oneWay("eni-b", "eni-a"), { delay: delay(15) });
    const w = await world([f]);
    w.tuns.b.send(buildIcmpEcho({ src: "10.0.2.20", dst: "10.0.1.10", id: 3, seq: 1 }));
    await settle();
    expect(w.tuns.a.received()).toEqual([]);
    w.timers.advance(15);
    await settle();
    expect(dec(await w.tuns.a.nextReceived()).icmpId).toBe(3);
  });
});

describe("conntrack faults on a running ENI (allowance, timeouts, flush)", () => {
  const syn = (srcPort: number, dstPort = 3306) =>
    buildTcp({ src: "10.0.1.10", dst: "10.0.2.20", srcPort, dstPort, flags: TcpFlag.SYN, seq: 1 });
  const ack = (srcPort: number) =>
    buildTcp({
      src: "10.0.1.10",
      dst: "10.0.2.20",
      srcPort,
      dstPort: 3306,
      flags: TcpFlag.ACK,
      seq: 2,
      ack: 1,
    });

  it("a shrunk allowance drops new tracked flows only; existing ones go on; restoring it admits again (MET-1, MET-3)", async () => {
    const w = await world();
    for (const port of [41001, 41002]) {
      w.tuns.a.send(syn(port));
      await settle();
      w.tuns.b.send(
        buildTcp({
          src: "10.0.2.20",
          dst: "10.0.1.10",
          srcPort: 3306,
          dstPort: port,
          flags: TcpFlag.SYN | TcpFlag.ACK,
          seq: 0,
          ack: 2,
        }),
      );
      await settle();
    }
    expect(w.tuns.b.received()).toHaveLength(2);
    expect(w.tuns.a.received()).toHaveLength(2);
    expect(w.agents.a.conntrack("eni-a").map((e) => e.state)).toEqual(["SYN_RECV", "SYN_RECV"]);
    await w.apply(2, [], { a: { allowance: 2 } });
    w.tuns.a.send(syn(41003)); // a third tracked flow: beyond the allowance
    w.tuns.a.send(ack(41001)); // an existing flow
    await settle();
    expect(w.tuns.b.received().map((p) => dec(p).srcPort)).toEqual([41001]);
    expect(w.agents.a.conntrack("eni-a").map((e) => e.state)).toContain("ESTABLISHED");
    expect(w.agents.a.dropsByPort()["eni-a"]?.[DropReason.CtAllowance]).toBe(1);
    const c = w.agents.a.countersReport().enis.find((e) => e.eniId === "eni-a")!;
    expect(c.conntrackAllowanceExceeded).toBe(1);
    expect(c.conntrackAllowanceAvailable).toBe(0);
    await w.apply(3, [], { a: { allowance: 65_536 } });
    w.tuns.a.send(syn(41003));
    await settle();
    expect(w.tuns.b.received().map((p) => dec(p).srcPort)).toEqual([41003]);
  });

  it("untracked flows take no allowance: they go on when it is 0 (MET-2)", async () => {
    // cli-sg: in everything from 10.0.0.0/16 is not /0, so give eni-c symmetric /0 rules.
    const open = {
      ingress: [rule(-1, -1, -1, "0.0.0.0/0")],
      egress: [rule(-1, -1, -1, "0.0.0.0/0")],
    };
    const w = await world([], { c: open });
    await w.apply(2, [], { c: { ...open, allowance: 0 } });
    w.tuns.c.send(
      buildTcp({
        src: "10.0.1.11",
        dst: "10.0.1.10",
        srcPort: 42000,
        dstPort: 80,
        flags: TcpFlag.SYN,
      }),
    );
    await settle();
    expect(w.tuns.a.received()).toHaveLength(1);
    expect(w.agents.a.conntrack("eni-c")).toEqual([]);
  });

  it("changed timeouts apply to existing entries at once (TO-3)", async () => {
    const w = await world();
    w.tuns.a.send(udp("10.0.1.10", "10.0.2.20", 5000));
    await settle();
    expect(w.agents.a.conntrack("eni-a")).toHaveLength(1);
    await w.apply(2, [], { a: { timeouts: { tcpEstablished: 30, udp: 5, udpStream: 10 } } });
    w.clock.advance(4_999);
    expect(w.agents.a.conntrack("eni-a")).toHaveLength(1);
    w.clock.advance(1);
    expect(w.agents.a.conntrack("eni-a")).toEqual([]);
  });

  it("flushes an ENI's table when conntrackEpoch grows, once; not on the ENI's first snapshot", async () => {
    const w = await world([], { a: { conntrackEpoch: 5 } });
    w.tuns.a.send(syn(41001));
    await settle();
    expect(w.agents.a.conntrack("eni-a")).toHaveLength(1);
    await w.apply(2, [], { a: { conntrackEpoch: 5 } });
    expect(w.agents.a.conntrack("eni-a")).toHaveLength(1);
    await w.apply(3, [], { a: { conntrackEpoch: 6 } });
    expect(w.agents.a.conntrack("eni-a")).toEqual([]);
    expect(
      w.agents.a.countersReport().enis.find((e) => e.eniId === "eni-a")
        ?.conntrackAllowanceAvailable,
    ).toBe(65_536);
    // Other ENIs keep theirs; a repeat of the same epoch does not flush again.
    w.tuns.a.send(syn(41002));
    await settle();
    await w.apply(4, [], { a: { conntrackEpoch: 6 } });
    expect(w.agents.a.conntrack("eni-a")).toHaveLength(1);
    expect(w.agents.b.conntrack("eni-b")).toHaveLength(2);
  });
});
