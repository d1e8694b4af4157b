/**
 * The route step (DESIGN.md step 4, docs/routing.md RT-12): what following the source subnet's
 * route table costs per packet. Egress path (decode, source check, route step, EniFilter with an
 * established flow, Geneve into the outbox) in ns/packet for an ENI with no compiled routes (an
 * older controller: own VPC only), a main table (local route only), 5 routes with the packet
 * matched by an active peering route, and 50 routes (AWS's default quota per table) with the
 * packet matched by the shortest one; plus the longest-prefix lookup alone. Then the emulated
 * internet: without a gateway route (dropped `no_route` at the route step, RT-17) and through a
 * `0.0.0.0/0` -> igw route with
 * the source rewritten to the ENI's public IP (docs/routing.md IGW-6; each packet's source is
 * restored afterwards, one more rewrite), and the 1:1 rewrite alone (IPv4 and UDP checksums,
 * RFC 1624); last the NAT gateway's translation of one packet each way (NAT-8). Each figure: the fastest chunk of 20,000 packets (GC pauses and the shared
 * machine's load land in the slower chunks). Prints figures, asserts nothing.
 *
 *   npx tsx bench/route-step.bench.ts
 */
import { EniFilter } from "../node-agent/filter/filter.js";
import {
  DEFAULT_CONNTRACK_TIMEOUTS,
  type CompiledEniPolicy,
  type CompiledRoute,
  type MappingEntry,
} from "../node-agent/filter/policy.js";
import { ENCAP_HEADROOM } from "../node-agent/overlay/geneve.js";
import type { Transport } from "../node-agent/overlay/transport.js";
import { parseIpAddress } from "../node-agent/packet/address.js";
import { writeIpv4HeaderChecksum, writeTransportChecksum } from "../node-agent/packet/checksum.js";
import { decodePacket } from "../node-agent/packet/decode.js";
import { rewriteIpv4Source } from "../node-agent/packet/nat.js";
import { DataPath, Outbox } from "../node-agent/pipeline/data-path.js";
import { forwardFromTun } from "../node-agent/pipeline/egress.js";
import { Port } from "../node-agent/pipeline/port.js";
import { RouteTable } from "../node-agent/pipeline/route-table.js";
import { VpcRouteTable } from "../node-agent/pipeline/vpc-routes.js";
import { TunClosedError, type TunDevice } from "../node-agent/tun/tun-device.js";
import { translatePacket } from "../node-agent/nat-gateway/translate.js";
import { TranslationTable } from "../node-agent/nat-gateway/translation-table.js";

const PACKETS = 300_000;
const CHUNK = 20_000;

function fastestChunk(chunk: () => void): number {
  let best = Infinity;
  for (let c = 0; c < PACKETS / CHUNK; c++) {
    const t0 = performance.now();
    chunk();
    best = Math.min(best, performance.now() - t0);
  }
  return (best * 1e6) / CHUNK;
}

const idleTun: TunDevice = {
  name: "bench0",
  mtu: 9001,
  batchSize: 32,
  readBatch: () => Promise.reject(new TunClosedError("bench0")),
  writeBatch: async (_b, sizes) => sizes.length,
  close: async () => undefined,
};

const nullTransport: Transport = {
  localEndpoint: "127.0.0.1:7001",
  sendBatch: async () => undefined,
  onReceive: () => undefined,
  close: async () => undefined,
};

function policy(routes: readonly CompiledRoute[] | undefined): CompiledEniPolicy {
  const all = {
    ruleId: "sgr-all",
    groupId: "sg-all",
    protocol: -1,
    fromPort: -1,
    toPort: -1,
    cidrs: ["10.0.0.0/8"],
    peer: { kind: "cidr" as const },
  };
  return {
    revision: 1,
    eniId: "eni-a",
    instanceId: "i-a",
    vpcId: "vpc-a",
    subnetId: "subnet-a",
    ipv4: ["10.0.1.10"],
    ipv6: [],
    sourceDestCheck: true,
    ingress: [all],
    egress: [all],
    naclIn: [],
    // The destinations are in other subnets: NACL outbound allows all.
    naclOut: [
      {
        ruleNumber: 100,
        action: "allow",
        protocol: -1,
        cidr: "0.0.0.0/0",
        fromPort: -1,
        toPort: -1,
        icmpType: -1,
        icmpCode: -1,
      },
    ],
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    allowance: 1 << 20,
    autoTracked: false,
    ...(routes !== undefined ? { routeTableId: "rtb-a", routes } : {}),
  };
}

const entry = (address: string, eniId: string, vpcId: string, agentId: string): MappingEntry => ({
  address,
  eniId,
  subnetId: `subnet-${vpcId}`,
  vpcId,
  agentId,
  endpoint: agentId === "agent-a" ? "127.0.0.1:7001" : "127.0.0.1:7002",
});

/** A UDP packet 10.0.1.10 -> dst with headroom. */
function udpInto(buf: Uint8Array, dst: string): number {
  const off = ENCAP_HEADROOM;
  const len = 36;
  const p = buf.subarray(off, off + len);
  p.fill(0);
  p[0] = 0x45;
  p[3] = len;
  p[8] = 64;
  p[9] = 17;
  p.set([10, 0, 1, 10], 12);
  p.set(parseIpAddress(dst)!, 16);
  writeIpv4HeaderChecksum(p, 0);
  p[20] = 0x9c;
  p[21] = 0x40;
  p[22] = 0x13;
  p[23] = 0x88;
  p[25] = len - 20;
  writeTransportChecksum(p.subarray(12, 16), p.subarray(16, 20), 17, p, 20, len - 20);
  return len;
}

const LOCAL: CompiledRoute = { destination: "10.0.0.0/16", kind: "local", targetId: "local" };
const PEERING: CompiledRoute = {
  destination: "10.1.0.0/16",
  kind: "peering",
  targetId: "pcx-1",
  peerVpcId: "vpc-b",
};
const filler = (n: number): CompiledRoute[] =>
  Array.from({ length: n }, (_, i) => ({
    destination: `172.${16 + (i >> 8)}.${i & 255}.0/24`,
    kind: "blackhole" as const,
    targetId: `nat-${i}`,
  }));

interface Case {
  readonly name: string;
  readonly routes: readonly CompiledRoute[] | undefined;
  readonly dst: string;
}

const CASES: readonly Case[] = [
  { name: "no routes compiled (own VPC only)", routes: undefined, dst: "10.0.2.20" },
  { name: "main table: local route only", routes: [LOCAL], dst: "10.0.2.20" },
  {
    name: "5 routes, peering route matches",
    routes: [LOCAL, PEERING, ...filler(3)],
    dst: "10.1.2.20",
  },
  {
    name: "50 routes, /16 local matches last",
    routes: [LOCAL, PEERING, ...filler(48)],
    dst: "10.0.2.20",
  },
];

function measure(c: Case): { egress: number; lookup: number } {
  const dp = new DataPath("agent-a", undefined, { warn: (m) => console.error(m) }, () => 0);
  const p = policy(c.routes);
  const port = Port.forEni(p, new EniFilter(p), idleTun, () => undefined);
  dp.enis.set("eni-a", port);
  dp.routes = new RouteTable([
    entry("10.0.1.10", "eni-a", "vpc-a", "agent-a"),
    entry("10.0.2.20", "eni-a2", "vpc-a", "agent-b"),
    entry("10.1.2.20", "eni-b2", "vpc-b", "agent-b"),
  ]);
  const outbox = new Outbox(nullTransport);
  const buf = new Uint8Array(ENCAP_HEADROOM + 2048);
  const len = udpInto(buf, c.dst);
  forwardFromTun(dp, port, outbox, buf, ENCAP_HEADROOM, len, 0); // opens the flow
  void outbox.flush();
  const egress = fastestChunk(() => {
    for (let i = 0; i < CHUNK; i++) {
      forwardFromTun(dp, port, outbox, buf, ENCAP_HEADROOM, len, 0);
      if ((i & 255) === 255) void outbox.flush();
    }
    void outbox.flush();
  });
  const drops = Object.entries(dp.drops.total()).filter(([, n]) => n > 0);
  if (drops.length > 0) throw new Error(`${c.name}: dropped ${JSON.stringify(drops)}`);
  const table = new VpcRouteTable(c.routes ?? [LOCAL]);
  const addr = parseIpAddress(c.dst)!;
  let hits = 0;
  const lookup = fastestChunk(() => {
    for (let i = 0; i < CHUNK; i++) if (table.lookup(addr) !== undefined) hits++;
  });
  if (hits !== PACKETS) throw new Error(`${c.name}: lookup missed`);
  return { egress, lookup };
}

console.log(
  "route step cost (egress path: decode, source check, route step, EniFilter hit, Geneve)",
);
console.log("case                                   egress ns/pkt   LPM lookup alone ns");
// Why twice: the first round warms the JIT for every case; the second is reported.
for (const c of CASES) measure(c);
for (const r of CASES.map((c) => ({ c, ...measure(c) }))) {
  console.log(
    `${r.c.name.padEnd(38)} ${r.egress.toFixed(0).padStart(13)}   ${r.lookup.toFixed(1).padStart(18)}`,
  );
}

/**
 * IGW-6: egress to the emulated internet through the gateway. Each packet leaves with its source
 * rewritten, so the chunk restores it (one more rewrite, measured alone below).
 */
function measureIgw(igw: boolean): { egress: number; rewrite: number } {
  const dp = new DataPath("agent-a", undefined, { warn: (m) => console.error(m) }, () => 0);
  const base = policy(
    igw
      ? [LOCAL, { destination: "0.0.0.0/0", kind: "internet-gateway", targetId: "igw-1" }]
      : [LOCAL],
  );
  const open = { ...base.egress[0]!, cidrs: ["0.0.0.0/0"] };
  const p: CompiledEniPolicy = {
    ...base,
    egress: [open],
    publicIpv4: [{ publicIp: "198.18.0.7", privateIp: "10.0.1.10" }],
  };
  const port = Port.forEni(p, new EniFilter(p), idleTun, () => undefined);
  dp.enis.set("eni-a", port);
  dp.routes = new RouteTable([
    entry("10.0.1.10", "eni-a", "vpc-a", "agent-a"),
    { ...entry("198.51.100.10", "", "", "agent-b"), subnetId: "internet" },
  ]);
  const outbox = new Outbox(nullTransport);
  const buf = new Uint8Array(ENCAP_HEADROOM + 2048);
  const len = udpInto(buf, "198.51.100.10");
  const pkt = decodePacket(buf, ENCAP_HEADROOM, len);
  if (typeof pkt === "string") throw new Error(pkt);
  const priv = parseIpAddress("10.0.1.10")!;
  const pub = parseIpAddress("198.18.0.7")!;
  forwardFromTun(dp, port, outbox, buf, ENCAP_HEADROOM, len, 0); // opens the flow
  if (igw) rewriteIpv4Source(buf, pkt, priv);
  void outbox.flush();
  const egress = fastestChunk(() => {
    for (let i = 0; i < CHUNK; i++) {
      forwardFromTun(dp, port, outbox, buf, ENCAP_HEADROOM, len, 0);
      if (igw) rewriteIpv4Source(buf, pkt, priv);
      if ((i & 255) === 255) void outbox.flush();
    }
    void outbox.flush();
  });
  // RT-17: without the gateway route every packet is dropped no_route; with it, none.
  const drops = Object.entries(dp.drops.total()).filter(([, n]) => n > 0);
  if (igw ? drops.length > 0 : drops.some(([reason]) => reason !== "no_route"))
    throw new Error(`igw: dropped ${JSON.stringify(drops)}`);
  const rewrite =
    fastestChunk(() => {
      for (let i = 0; i < CHUNK; i++) {
        rewriteIpv4Source(buf, pkt, pub);
        rewriteIpv4Source(buf, pkt, priv);
      }
    }) / 2;
  if (decodePacket(buf, ENCAP_HEADROOM, len, { verifyChecksums: true }) === "bad_l4_checksum")
    throw new Error("igw: checksum broken");
  return { egress, rewrite };
}

measureIgw(false);
measureIgw(true);
const old = measureIgw(false);
const igw = measureIgw(true);
console.log(
  `${"internet, no gateway route: no_route".padEnd(38)} ${old.egress.toFixed(0).padStart(13)}`,
);
console.log(
  `${"internet via igw (+ restoring rewrite)".padEnd(38)} ${igw.egress.toFixed(0).padStart(13)}`,
);
console.log(`1:1 NAT rewrite alone (IPv4 + UDP checksums): ${igw.rewrite.toFixed(1)} ns`);

/**
 * The NAT gateway's step (docs/routing.md NAT-8): translatePacket on a live translation,
 * outbound (source to the NAT gateway's address and port) and the reply back (destination to
 * the instance's), each packet first restored from a copy (the copy's cost, measured alone, is
 * taken off).
 */
function measureNat(): { out: number; back: number; copy: number } {
  const table = new TranslationTable();
  const nat = parseIpAddress("10.0.1.254")!;
  const buf = new Uint8Array(ENCAP_HEADROOM + 2048);
  const len = udpInto(buf, "198.51.100.10");
  const orig = buf.slice(ENCAP_HEADROOM, ENCAP_HEADROOM + len);
  const work = new Uint8Array(len);
  work.set(orig);
  if (translatePacket(table, nat, work, 0, len, 0) !== undefined) throw new Error("nat: out");
  // The reply: the translated packet with addresses and ports swapped.
  const reply = work.slice();
  reply.set(work.subarray(16, 20), 12);
  reply.set(work.subarray(12, 16), 16);
  reply.set(work.subarray(22, 24), 20);
  reply.set(work.subarray(20, 22), 22);
  writeIpv4HeaderChecksum(reply, 0);
  reply[26] = 0;
  reply[27] = 0;
  writeTransportChecksum(reply.subarray(12, 16), reply.subarray(16, 20), 17, reply, 20, len - 20);
  const copy = fastestChunk(() => {
    for (let i = 0; i < CHUNK; i++) work.set(orig);
  });
  const out = fastestChunk(() => {
    for (let i = 0; i < CHUNK; i++) {
      work.set(orig);
      translatePacket(table, nat, work, 0, len, 0);
    }
  });
  const back = fastestChunk(() => {
    for (let i = 0; i < CHUNK; i++) {
      work.set(reply);
      if (translatePacket(table, nat, work, 0, len, 0) !== undefined) throw new Error("nat: back");
    }
  });
  if (decodePacket(work, 0, len, { verifyChecksums: true }) === "bad_l4_checksum")
    throw new Error("nat: checksum broken");
  return { out: out - copy, back: back - copy, copy };
}

measureNat();
const nat = measureNat();
console.log(
  `NAT gateway step, live translation: outbound ${nat.out.toFixed(0)} ns, reply ${nat.back.toFixed(0)} ns (a ${nat.copy.toFixed(0)} ns restore taken off)`,
);
