/**
 * The flagship in-process test (STYLE.md §4.2): agents on FakeTun devices and a MemoryBus
 * underlay, hand-made compiled policies (no controller), real decode, filter, conntrack,
 * Geneve and pipeline.
 *
 *   agent-a (bus 127.0.0.1:7001)          agent-b (bus 127.0.0.1:7002)      agent-x (7003)
 *   +-------------------------+           +-------------------------+      +--------------+
 *   | eni-a  10.0.1.10 web-sg |  Geneve   | eni-b  10.0.2.20 db-sg  |      | ext:internet |
 *   | eni-c  10.0.1.11 cli-sg | <-------> |   subnet-b (NACL nb)    |      | 198.51.100.10|
 *   |   subnet-a (NACL na)    |           +-------------------------+      +--------------+
 *   +-------------------------+                vpc-1 10.0.0.0/16             outside every VPC
 *
 * Both subnets route 0.0.0.0/0 to an internet gateway; web and db have public IPs (198.18.0.10,
 * 198.18.0.20), where the internet node reaches them (docs/routing.md IGW-5, RT-17).
 *
 * web-sg: in tcp/80 from 0.0.0.0/0, icmp from 10.0.0.0/16; out tcp/3306 to 10.0.2.0/24.
 * db-sg:  in tcp/3306 from 10.0.1.10/32; out icmp to 10.0.0.0/16.
 * cli-sg: in nothing; out everything.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Agent, type StartedAgent } from "../../node-agent/agent.js";
import { sanitizeAgentConfig } from "../../node-agent/config.js";
import type {
  AgentSnapshot,
  CompiledEniPolicy,
  CompiledRoute,
  CompiledRule,
  MappingEntry,
  NaclEntry,
} from "../../node-agent/filter/policy.js";
import { DEFAULT_CONNTRACK_TIMEOUTS } from "../../node-agent/filter/policy.js";
import { EniFilter } from "../../node-agent/filter/filter.js";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  encodeEniOption,
  vniForVpc,
  writeGeneveHeader,
} from "../../node-agent/overlay/geneve.js";
import { decodePacket } from "../../node-agent/packet/decode.js";
import { TcpFlag } from "../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../node-agent/pipeline/verdict.js";
import { ManualClock } from "../helpers/manual-clock.js";
import { FakeTunProvider, type FakeTun } from "../helpers/fake-tun.js";
import { MemoryBus } from "../helpers/memory-transport.js";
import { buildIcmpEcho, buildTcp, buildUdp } from "../helpers/packet-builder.js";
import { waitUntil } from "../helpers/wait-until.js";

const VPC = "vpc-1";
const EP = { a: "127.0.0.1:7001", b: "127.0.0.1:7002", x: "127.0.0.1:7003" } as const;

/**
 * Waits until `agent` counted `count` drops of `reason` on `port`, then asserts exactly `count`:
 * a dropped packet is known dropped by its counter, not by a quiet moment.
 */
async function dropCounted(
  agent: StartedAgent,
  port: string,
  reason: DropReason,
  count: number,
): Promise<void> {
  const n = () => agent.dropsByPort()[port]?.[reason] ?? 0;
  await waitUntil(`${count} ${reason} drop(s) on ${port} at ${agent.agentId}`, () => n() >= count);
  expect(n()).toBe(count);
}

let ruleSeq = 0;
function rule(protocol: number, from: number, to: number, cidr: string): CompiledRule {
  return {
    ruleId: `sgr-${++ruleSeq}`,
    groupId: "sg-test",
    protocol,
    fromPort: from,
    toPort: to,
    cidrs: [cidr],
    peer: { kind: "cidr" },
  };
}

const naclEntry = (ruleNumber: number, action: "allow" | "deny", cidr: string): NaclEntry => ({
  ruleNumber,
  action,
  protocol: -1,
  cidr,
  fromPort: -1,
  toPort: -1,
  icmpType: -1,
  icmpCode: -1,
});
// DEF-5's default NACL: allow all (v4 100, v6 101), then the `*` denies. A v4 entry never
// matches v6 traffic (NACL-5).
const ALLOW_ALL_NACL: NaclEntry[] = [
  naclEntry(100, "allow", "0.0.0.0/0"),
  naclEntry(101, "allow", "::/0"),
  naclEntry(32767, "deny", "0.0.0.0/0"),
  naclEntry(32768, "deny", "::/0"),
];

function eni(
  eniId: string,
  subnetId: string,
  ipv4: string,
  ingress: CompiledRule[],
  egress: CompiledRule[],
  nacl: { in: NaclEntry[]; out: NaclEntry[] } = { in: ALLOW_ALL_NACL, out: ALLOW_ALL_NACL },
  revision = 1,
): CompiledEniPolicy {
  const publicIp = PUBLIC_IP[eniId];
  return {
    revision,
    eniId,
    instanceId: `i-${eniId.slice(4)}`,
    vpcId: VPC,
    subnetId,
    ipv4: [ipv4],
    ipv6: IPV6[eniId] ? [IPV6[eniId]] : [],
    sourceDestCheck: true,
    ingress,
    egress,
    naclIn: nacl.in,
    naclOut: nacl.out,
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    allowance: 65_536,
    autoTracked: false,
    routes: ROUTES,
    ...(publicIp ? { publicIpv4: [{ publicIp, privateIp: ipv4 }] } : {}),
  };
}

/** Every subnet's table: the local routes and 0.0.0.0/0 to the internet gateway (RT-12). */
const ROUTES: CompiledRoute[] = [
  { destination: "10.0.0.0/16", kind: "local", targetId: "local" },
  { destination: "2001:db8::/32", kind: "local", targetId: "local" },
  { destination: "0.0.0.0/0", kind: "internet-gateway", targetId: "igw-1" },
];
/** Public IPs the internet gateway maps 1:1 to the private ones (IGW-5). */
const PUBLIC_IP: Record<string, string> = { "eni-a": "198.18.0.10", "eni-b": "198.18.0.20" };

const IPV6: Record<string, string> = { "eni-a": "2001:db8:1::10", "eni-b": "2001:db8:2::20" };
const WEB_IN = [
  rule(6, 80, 80, "0.0.0.0/0"),
  rule(1, -1, -1, "10.0.0.0/16"),
  rule(58, -1, -1, "2001:db8::/32"),
];
const WEB_OUT = [rule(6, 3306, 3306, "10.0.2.0/24")];
const DB_IN = [rule(6, 3306, 3306, "10.0.1.10/32")];
const DB_OUT = [rule(1, -1, -1, "10.0.0.0/16"), rule(58, -1, -1, "2001:db8::/32")];
const CLI_OUT = [rule(-1, -1, -1, "0.0.0.0/0")];

const MAPPING: MappingEntry[] = [
  {
    address: "10.0.1.10",
    eniId: "eni-a",
    subnetId: "subnet-a",
    vpcId: VPC,
    agentId: "agent-a",
    endpoint: EP.a,
  },
  {
    address: "10.0.1.11",
    eniId: "eni-c",
    subnetId: "subnet-a",
    vpcId: VPC,
    agentId: "agent-a",
    endpoint: EP.a,
  },
  {
    address: "10.0.2.20",
    eniId: "eni-b",
    subnetId: "subnet-b",
    vpcId: VPC,
    agentId: "agent-b",
    endpoint: EP.b,
  },
  {
    address: "2001:db8:1::10",
    eniId: "eni-a",
    subnetId: "subnet-a",
    vpcId: VPC,
    agentId: "agent-a",
    endpoint: EP.a,
  },
  {
    address: "2001:db8:2::20",
    eniId: "eni-b",
    subnetId: "subnet-b",
    vpcId: VPC,
    agentId: "agent-b",
    endpoint: EP.b,
  },
  {
    address: "198.18.0.10",
    eniId: "eni-a",
    subnetId: "subnet-a",
    vpcId: VPC,
    agentId: "agent-a",
    endpoint: EP.a,
    privateAddress: "10.0.1.10",
  },
  {
    address: "198.18.0.20",
    eniId: "eni-b",
    subnetId: "subnet-b",
    vpcId: VPC,
    agentId: "agent-b",
    endpoint: EP.b,
    privateAddress: "10.0.2.20",
  },
  {
    address: "198.51.100.10",
    eniId: "",
    subnetId: "internet",
    vpcId: "",
    agentId: "agent-x",
    endpoint: EP.x,
  },
];

function snapshots(revision = 1, dbNacl?: { in: NaclEntry[]; out: NaclEntry[] }) {
  const a: AgentSnapshot = {
    revision,
    agentId: "agent-a",
    enis: [
      eni("eni-a", "subnet-a", "10.0.1.10", WEB_IN, WEB_OUT, undefined, revision),
      eni("eni-c", "subnet-a", "10.0.1.11", [], CLI_OUT, undefined, revision),
    ],
    mapping: MAPPING,
  };
  const b: AgentSnapshot = {
    revision,
    agentId: "agent-b",
    enis: [eni("eni-b", "subnet-b", "10.0.2.20", DB_IN, DB_OUT, dbNacl, revision)],
    mapping: MAPPING,
  };
  const x: AgentSnapshot = { revision, agentId: "agent-x", enis: [], mapping: MAPPING };
  return { a, b, x };
}

interface World {
  bus: MemoryBus;
  clock: ManualClock;
  agents: { a: StartedAgent; b: StartedAgent; x: StartedAgent };
  tuns: { a: FakeTun; c: FakeTun; b: FakeTun; x: FakeTun };
}

const started: StartedAgent[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((a) => a.stop()));
});

async function world(
  createFilter?: ConstructorParameters<typeof Agent>[0]["createFilter"],
): Promise<World> {
  const bus = new MemoryBus();
  const clock = new ManualClock();
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
      timers: false,
      logger: { info: () => undefined, warn: () => undefined },
      ...(createFilter && id === "a" ? { createFilter } : {}),
    }).start();
    started.push(agent);
    return agent;
  };
  const agents = {
    a: await make("a"),
    b: await make("b"),
    x: await make("x", [{ name: "internet", address: "198.51.100.10" }]),
  };
  const s = snapshots();
  await Promise.all([
    agents.a.applySnapshot(s.a),
    agents.b.applySnapshot(s.b),
    agents.x.applySnapshot(s.x),
  ]);
  return {
    bus,
    clock,
    agents,
    tuns: {
      a: await providers.a.tun("eni-a"),
      c: await providers.a.tun("eni-c"),
      b: await providers.b.tun("eni-b"),
      x: await providers.x.tun("ext:internet"),
    },
  };
}

function decoded(p: Uint8Array) {
  const d = decodePacket(p, 0, p.length);
  if (typeof d === "string") throw new Error(`undecodable: ${d}`);
  return d;
}

const ip = (b: Uint8Array) => Array.from(b).join(".");

describe("two agents in-process (FakeTun + MemoryBus)", () => {
  it("ping from db to web and back: request by db's egress rule, reply by conntrack on both sides (CT-1, CT-8)", async () => {
    const w = await world();
    await expect(w.agents.a.enforced(1)).resolves.toBeUndefined();
    const req = buildIcmpEcho({ src: "10.0.2.20", dst: "10.0.1.10", id: 7, seq: 1 });
    w.tuns.b.send(req);
    const atA = await w.tuns.a.nextReceived();
    expect(atA).toEqual(req);
    // web answers; web-sg has no ICMP egress rule: its own conntrack entry lets the reply out.
    w.tuns.a.send(
      buildIcmpEcho({ src: "10.0.1.10", dst: "10.0.2.20", id: 7, seq: 1, reply: true }),
    );
    const reply = decoded(await w.tuns.b.nextReceived());
    expect(reply.icmpType).toBe(0);
    expect(reply.icmpId).toBe(7);
    expect(w.agents.a.conntrack("eni-a").map((e) => [e.protocol, e.openedBy])).toEqual([
      [1, "ingress"],
    ]);
    expect(w.agents.b.conntrack("eni-b").map((e) => [e.protocol, e.openedBy])).toEqual([
      [1, "egress"],
    ]);
    expect(w.agents.a.drops()[DropReason.SgNoMatch]).toBe(0);
  });

  it("TCP handshake web -> db:3306 across subnets; db replies with no egress TCP rule (CT-1)", async () => {
    const w = await world();
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 40000,
        dstPort: 3306,
        flags: TcpFlag.SYN,
        seq: 100,
      }),
    );
    const syn = decoded(await w.tuns.b.nextReceived());
    expect(syn.tcpFlags).toBe(TcpFlag.SYN);
    expect([ip(syn.src), syn.srcPort, ip(syn.dst), syn.dstPort]).toEqual([
      "10.0.1.10",
      40000,
      "10.0.2.20",
      3306,
    ]);
    w.tuns.b.send(
      buildTcp({
        src: "10.0.2.20",
        dst: "10.0.1.10",
        srcPort: 3306,
        dstPort: 40000,
        flags: TcpFlag.SYN | TcpFlag.ACK,
        seq: 500,
        ack: 101,
      }),
    );
    const synAck = decoded(await w.tuns.a.nextReceived());
    expect(synAck.tcpFlags).toBe(TcpFlag.SYN | TcpFlag.ACK);
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 40000,
        dstPort: 3306,
        flags: TcpFlag.ACK,
        seq: 101,
        ack: 501,
      }),
    );
    expect(decoded(await w.tuns.b.nextReceived()).tcpFlags).toBe(TcpFlag.ACK);
    const [ea] = w.agents.a.conntrack("eni-a");
    const [eb] = w.agents.b.conntrack("eni-b");
    expect(ea?.state).toBe("ESTABLISHED");
    expect(eb?.state).toBe("ESTABLISHED");
    expect(ea?.ruleId).toBe(WEB_OUT[0]!.ruleId);
    expect(eb?.ruleId).toBe(DB_IN[0]!.ruleId);
    const report = w.agents.b.conntrackReport("req-1");
    expect(report.requestId).toBe("req-1");
    expect(report.enis[0]?.entries[0]).toMatchObject({
      protocol: 6,
      original: { src: "10.0.1.10", srcPort: 40000, dst: "10.0.2.20", dstPort: 3306 },
      state: "ESTABLISHED",
      direction: "ingress",
      ruleId: DB_IN[0]!.ruleId,
    });
  });

  it("the internet node reaches web:80 at its public IP and gets the SYN-ACK from it; db:3306 from the internet is dropped silently (IGW-5, CT-11)", async () => {
    const w = await world();
    w.tuns.x.send(
      buildTcp({
        src: "198.51.100.10",
        dst: "198.18.0.10",
        srcPort: 50000,
        dstPort: 80,
        flags: TcpFlag.SYN,
      }),
    );
    expect(ip(decoded(await w.tuns.a.nextReceived()).dst)).toBe("10.0.1.10");
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "198.51.100.10",
        srcPort: 80,
        dstPort: 50000,
        flags: TcpFlag.SYN | TcpFlag.ACK,
        ack: 1,
      }),
    );
    const synAck = decoded(await w.tuns.x.nextReceived());
    expect(synAck.tcpFlags).toBe(TcpFlag.SYN | TcpFlag.ACK);
    expect(ip(synAck.src)).toBe("198.18.0.10");

    w.tuns.x.send(
      buildTcp({
        src: "198.51.100.10",
        dst: "198.18.0.20",
        srcPort: 50001,
        dstPort: 3306,
        flags: TcpFlag.SYN,
      }),
    );
    await dropCounted(w.agents.b, "eni-b", DropReason.SgNoMatch, 1);
    expect(w.tuns.b.received()).toEqual([]);
    expect(w.agents.x.drops()[DropReason.SgNoMatch]).toBe(0);
  });

  it("the internet node never reaches a private address, whatever the SG allows (RT-17)", async () => {
    const w = await world();
    w.tuns.x.send(
      buildTcp({
        src: "198.51.100.10",
        dst: "10.0.1.10",
        srcPort: 50002,
        dstPort: 80,
        flags: TcpFlag.SYN,
      }),
    );
    await dropCounted(w.agents.x, "ext:internet", DropReason.NoRoute, 1);
    expect(w.tuns.a.received()).toEqual([]);
  });

  it("web cannot open connections to the internet (no egress rule): sg_no_match at web", async () => {
    const w = await world();
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "198.51.100.10",
        srcPort: 41000,
        dstPort: 443,
        flags: TcpFlag.SYN,
      }),
    );
    await dropCounted(w.agents.a, "eni-a", DropReason.SgNoMatch, 1);
    expect(w.tuns.x.received()).toEqual([]);
  });

  it("two ENIs on one agent talk without the underlay", async () => {
    const w = await world();
    const sentBefore = w.bus.delivered;
    w.tuns.c.send(
      buildTcp({
        src: "10.0.1.11",
        dst: "10.0.1.10",
        srcPort: 42000,
        dstPort: 80,
        flags: TcpFlag.SYN,
      }),
    );
    expect(decoded(await w.tuns.a.nextReceived()).dstPort).toBe(80);
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.1.11",
        srcPort: 80,
        dstPort: 42000,
        flags: TcpFlag.SYN | TcpFlag.ACK,
        ack: 1,
      }),
    );
    expect(decoded(await w.tuns.c.nextReceived()).tcpFlags).toBe(TcpFlag.SYN | TcpFlag.ACK);
    expect(w.bus.delivered).toBe(sentBefore);
  });

  it("counts source_check, no_route and decode drops on the sending ENI", async () => {
    const w = await world();
    w.tuns.a.send(buildUdp({ src: "10.0.1.99", dst: "10.0.2.20", srcPort: 1, dstPort: 2 }));
    w.tuns.a.send(buildUdp({ src: "10.0.1.10", dst: "10.9.9.9", srcPort: 1, dstPort: 2 }));
    w.tuns.a.send(Uint8Array.of(0x45, 0, 0));
    await dropCounted(w.agents.a, "eni-a", DropReason.SourceCheck, 1);
    await dropCounted(w.agents.a, "eni-a", DropReason.NoRoute, 1);
    await dropCounted(w.agents.a, "eni-a", DropReason.Truncated, 1);
    expect(w.tuns.a.received()).toEqual([]);
    expect(w.bus.delivered).toBe(0);
  });

  it("drops a forged underlay datagram (spoofed_underlay) and a malformed one (bad_encapsulation)", async () => {
    const w = await world();
    const inner = buildTcp({
      src: "10.0.1.10",
      dst: "10.0.2.20",
      srcPort: 40000,
      dstPort: 3306,
      flags: TcpFlag.SYN,
    });
    const forge = (srcEni: string) => {
      const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
      buf.set(inner, ENCAP_HEADROOM);
      const start = writeGeneveHeader(
        buf,
        ENCAP_HEADROOM,
        vniForVpc(VPC),
        ETHERTYPE_IPV4,
        encodeEniOption(srcEni),
        encodeEniOption("eni-b"),
      );
      return buf.subarray(start);
    };
    // Claims web's address but comes from an endpoint that is not agent-a.
    w.bus.inject(forge("eni-a"), "127.0.0.1:6666", EP.b);
    // Comes from agent-x's endpoint (a real agent) but claims web's address.
    w.bus.inject(forge("eni-a"), EP.x, EP.b);
    // Right endpoint, wrong claimed ENI.
    w.bus.inject(forge("eni-c"), EP.a, EP.b);
    w.bus.inject(Uint8Array.of(0x40, 0, 8, 0, 0, 0, 1, 0), EP.a, EP.b);
    await dropCounted(w.agents.b, "eni-b", DropReason.SpoofedUnderlay, 3);
    await waitUntil(
      "bad_encapsulation at agent-b",
      () => w.agents.b.drops()[DropReason.BadEncapsulation] >= 1,
    );
    expect(w.tuns.b.received()).toEqual([]);
    expect(w.agents.b.drops()[DropReason.BadEncapsulation]).toBe(1);
    // The genuine datagram from agent-a passes.
    w.bus.inject(forge("eni-a"), EP.a, EP.b);
    expect(decoded(await w.tuns.b.nextReceived()).dstPort).toBe(3306);
  });

  it("a new revision swaps policy atomically and keeps conntrack; a NACL deny cuts the established flow (CT-5, NACL-8)", async () => {
    const w = await world();
    const synFrom = (port: number) =>
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: port,
        dstPort: 3306,
        flags: TcpFlag.SYN,
      });
    w.tuns.a.send(synFrom(40000));
    await w.tuns.b.nextReceived();
    w.tuns.b.send(
      buildTcp({
        src: "10.0.2.20",
        dst: "10.0.1.10",
        srcPort: 3306,
        dstPort: 40000,
        flags: TcpFlag.SYN | TcpFlag.ACK,
        ack: 1,
      }),
    );
    await w.tuns.a.nextReceived();
    // Revision 2: db's inbound NACL denies tcp 3306 from subnet-a.
    const deny: NaclEntry = {
      ruleNumber: 50,
      action: "deny",
      protocol: 6,
      cidr: "10.0.1.0/24",
      fromPort: 3306,
      toPort: 3306,
      icmpType: -1,
      icmpCode: -1,
    };
    const s2 = snapshots(2, { in: [deny, ...ALLOW_ALL_NACL], out: ALLOW_ALL_NACL });
    await w.agents.b.applySnapshot(s2.b);
    await w.agents.b.enforced(2);
    expect(w.agents.b.revision()).toBe(2);
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 40000,
        dstPort: 3306,
        flags: TcpFlag.ACK,
        seq: 1,
        ack: 1,
      }),
    );
    await dropCounted(w.agents.b, "eni-b", DropReason.NaclDenied, 1);
    expect(w.tuns.b.received()).toEqual([]);
    expect(w.agents.b.conntrack("eni-b")).toHaveLength(1);
    // Revision 3 lifts the deny: the surviving entry carries the flow again (CT-7).
    await w.agents.b.applySnapshot(snapshots(3).b);
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 40000,
        dstPort: 3306,
        flags: TcpFlag.ACK,
        seq: 1,
        ack: 1,
      }),
    );
    expect(decoded(await w.tuns.b.nextReceived()).tcpFlags).toBe(TcpFlag.ACK);
  });

  it("writes AWS default-format flow logs: ACCEPT and REJECT, 14 fields, NODATA for idle ENIs (FL-1..FL-5)", async () => {
    const w = await world();
    w.tuns.b.send(buildIcmpEcho({ src: "10.0.2.20", dst: "10.0.1.10", id: 9, seq: 1 }));
    await w.tuns.a.nextReceived();
    w.tuns.x.send(
      buildTcp({
        src: "198.51.100.10",
        dst: "198.18.0.20",
        srcPort: 50001,
        dstPort: 3306,
        flags: TcpFlag.SYN,
      }),
    );
    await dropCounted(w.agents.b, "eni-b", DropReason.SgNoMatch, 1);
    w.clock.advance(60_000);
    const b = w.agents.b.flushFlowLogs().map((r) => r.line);
    const a = w.agents.a.flushFlowLogs().map((r) => r.line);
    for (const line of [...a, ...b]) expect(line.split(" ")).toHaveLength(14);
    expect(
      b.some((l) => / eni-b 10\.0\.2\.20 10\.0\.1\.10 0 0 1 1 36 \d+ \d+ ACCEPT OK$/.test(l)),
    ).toBe(true);
    expect(
      b.some((l) =>
        / eni-b 198\.51\.100\.10 10\.0\.2\.20 50001 3306 6 1 40 \d+ \d+ REJECT OK$/.test(l),
      ),
    ).toBe(true);
    expect(a.some((l) => / eni-a 10\.0\.2\.20 10\.0\.1\.10 0 0 1 1 36 .* ACCEPT OK$/.test(l))).toBe(
      true,
    );
    expect(a.some((l) => /^2 123456789012 eni-c - - - - - - - \d+ \d+ - NODATA$/.test(l))).toBe(
      true,
    );
  });

  it("reports counters with the AWS metric names (MET-3..MET-5)", async () => {
    const w = await world();
    w.tuns.b.send(buildIcmpEcho({ src: "10.0.2.20", dst: "10.0.1.10", id: 1, seq: 1 }));
    await w.tuns.a.nextReceived();
    const c = w.agents.a.countersReport().enis.find((e) => e.eniId === "eni-a")!;
    expect(c.instanceId).toBe("i-a");
    expect(c.conntrackAllowanceExceeded).toBe(0);
    expect(c.conntrackAllowanceAvailable).toBe(65_535);
    expect(
      c.bwInAllowanceExceeded +
        c.bwOutAllowanceExceeded +
        c.ppsAllowanceExceeded +
        c.linklocalAllowanceExceeded,
    ).toBe(0);
    expect(c.packetsAccepted).toBe(1);
    expect(Object.keys(c.drops)).toContain(DropReason.SpoofedUnderlay);
  });

  it("removes the device of an ENI that leaves the snapshot", async () => {
    const w = await world();
    const s = snapshots(2);
    await w.agents.a.applySnapshot({ ...s.a, enis: s.a.enis.filter((e) => e.eniId === "eni-a") });
    expect(w.agents.a.enis()).toEqual(["eni-a"]);
    expect(w.agents.a.device("eni-c")).toBeUndefined();
  });

  it("pings over IPv6 between agents (ICMPv6 echo tracked like ICMP, CT-8)", async () => {
    const w = await world();
    w.tuns.b.send(buildIcmpEcho({ src: "2001:db8:2::20", dst: "2001:db8:1::10", id: 3, seq: 1 }));
    const req = decoded(await w.tuns.a.nextReceived());
    expect([req.family, req.icmpType]).toEqual([6, 128]);
    w.tuns.a.send(
      buildIcmpEcho({ src: "2001:db8:1::10", dst: "2001:db8:2::20", id: 3, seq: 1, reply: true }),
    );
    expect(decoded(await w.tuns.b.nextReceived()).icmpType).toBe(129);
  });

  it("drops IPv6 when the NACL has only IPv4 entries (NACL-5)", async () => {
    const w = await world();
    const v4only = { in: [naclEntry(100, "allow", "0.0.0.0/0")], out: ALLOW_ALL_NACL };
    await w.agents.a.applySnapshot({
      ...snapshots(2).a,
      enis: snapshots(2).a.enis.map((e) => (e.eniId === "eni-a" ? { ...e, naclIn: v4only.in } : e)),
    });
    w.tuns.b.send(buildIcmpEcho({ src: "2001:db8:2::20", dst: "2001:db8:1::10", id: 4, seq: 1 }));
    await dropCounted(w.agents.a, "eni-a", DropReason.NaclDenied, 1);
    expect(w.tuns.a.received()).toEqual([]);
  });

  it("counts an exception in the batch loop as internal_error and keeps forwarding (STYLE.md §7)", async () => {
    const w = await world((policy, allowance) => {
      const real = new EniFilter(policy, { allowance });
      return Object.assign(Object.create(real) as EniFilter, {
        egress: (...a: Parameters<EniFilter["egress"]>) => {
          if (a[0].dstPort === 666) throw new Error("bug");
          return real.egress(...a);
        },
      });
    });
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 1,
        dstPort: 666,
        flags: TcpFlag.SYN,
      }),
    );
    w.tuns.a.send(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 2,
        dstPort: 3306,
        flags: TcpFlag.SYN,
      }),
    );
    expect(decoded(await w.tuns.b.nextReceived()).dstPort).toBe(3306);
    expect(w.agents.a.dropsByPort()["eni-a"]?.[DropReason.InternalError]).toBe(1);
  });

  it("refuses a snapshot meant for another agent and stays at its revision", async () => {
    const w = await world();
    await expect(w.agents.a.applySnapshot({ ...snapshots(5).b })).rejects.toThrow(/agent-b/);
    expect(w.agents.a.revision()).toBe(1);
  });

  it("gives a new ENI the TUN index (device name) an ENI that left had, so a node keeps eth0", async () => {
    const tuns = new FakeTunProvider();
    const opened: [string, number][] = [];
    const open = tuns.open.bind(tuns);
    tuns.open = (spec) => {
      opened.push([spec.key, spec.index]);
      return open(spec);
    };
    const agent = await new Agent({
      config: sanitizeAgentConfig({ agentId: "agent-r" }),
      tuns,
      transport: new MemoryBus().transport("127.0.0.1:7399"),
      clock: new ManualClock(),
      timers: false,
      logger: { info: () => undefined, warn: () => undefined },
    }).start();
    started.push(agent);
    const a = eni("eni-a", "subnet-a", "10.0.1.10", [], []);
    const c = eni("eni-c", "subnet-a", "10.0.1.11", [], []);
    const b = eni("eni-b", "subnet-b", "10.0.2.20", [], []);
    const snap = (revision: number, enis: CompiledEniPolicy[]): AgentSnapshot => ({
      revision,
      agentId: "agent-r",
      enis,
      mapping: MAPPING,
    });
    await agent.applySnapshot(snap(1, [a, c]));
    await agent.applySnapshot(snap(2, [c]));
    await agent.applySnapshot(snap(3, [c, b]));
    expect(opened).toEqual([
      ["eni-a", 0],
      ["eni-c", 1],
      ["eni-b", 0],
    ]);
    expect(tuns.closedKeys).toEqual(["eni-a"]);
  });
});
