/**
 * The fault step (chaos, DESIGN.md step 7): what it costs per packet and how well it keeps its
 * promises. Prints figures, asserts nothing.
 *
 * 1. Cost: the egress path (decode, source check, route, EniFilter with an established flow,
 *    fault step, Geneve into the outbox) in ns/packet with 0, 10 and 1,000 faults installed,
 *    (a) none on the packet's port pair (the lookup misses, cached) and (b) one on it with a
 *    no-op effect (delay 0: the chain runs, nothing is queued). Prints the 1,000:0 ratio
 *    (goal <= 1.3) and the step alone (lookup + process). Each figure: the fastest chunk of
 *    20,000 packets over three interleaved rounds (GC pauses and the shared machine's load land
 *    in the slower chunks).
 * 2. Accuracy, in one run through the real timer path (FaultStep, system timers, its precise
 *    clock): delay 1, 10 and 100 ms on three pairs at once, configured vs measured (median, p99)
 *    from the egress call to the release; rate 10 Mbit/s against 20 Mbit/s offered; loss 1, 10
 *    and 50 % over 100,000 packets each (last: it leaves the most garbage, and a major GC pause
 *    longer than the bucket's burst would cost the shaper throughput).
 *
 *   npx tsx bench/faults.bench.ts        (npm run bench:faults)
 */
import { preciseSystemClock, systemScheduler } from "../node-agent/clock.js";
import type { CompiledFault, FaultEffects } from "../node-agent/fault/compiled-fault.js";
import { EniFilter } from "../node-agent/filter/filter.js";
import {
  DEFAULT_CONNTRACK_TIMEOUTS,
  type CompiledEniPolicy,
  type MappingEntry,
} from "../node-agent/filter/policy.js";
import { ENCAP_HEADROOM } from "../node-agent/overlay/geneve.js";
import type { Endpoint, Transport } from "../node-agent/overlay/transport.js";
import { writeIpv4HeaderChecksum, writeTransportChecksum } from "../node-agent/packet/checksum.js";
import { decodePacket } from "../node-agent/packet/decode.js";
import { DataPath, Outbox } from "../node-agent/pipeline/data-path.js";
import { forwardFromTun } from "../node-agent/pipeline/egress.js";
import { FaultStep } from "../node-agent/pipeline/fault-step.js";
import { Port } from "../node-agent/pipeline/port.js";
import { RouteTable } from "../node-agent/pipeline/route-table.js";
import { TunClosedError, type TunDevice } from "../node-agent/tun/tun-device.js";

const COST_PACKETS = 300_000;
/** Packets are timed in chunks; the fastest chunk counts (GC pauses and other load land elsewhere). */
const CHUNK = 20_000;
const COST_ROUNDS = 3;

/** ns per packet of the fastest of COST_PACKETS / CHUNK runs of `chunk` (CHUNK packets each). */
function fastestChunk(chunk: () => void): number {
  let best = Infinity;
  for (let c = 0; c < COST_PACKETS / CHUNK; c++) {
    const t0 = performance.now();
    chunk();
    best = Math.min(best, performance.now() - t0);
  }
  return (best * 1e6) / CHUNK;
}
const PEER: Endpoint = "127.0.0.1:7002";

/** A TUN nobody reads: the bench calls egress directly. */
const idleTun: TunDevice = {
  name: "bench0",
  mtu: 9001,
  batchSize: 32,
  readBatch: () => Promise.reject(new TunClosedError("bench0")),
  writeBatch: async (_b, sizes) => sizes.length,
  close: async () => undefined,
};

/** Where every datagram goes: counted per destination address (last octet), with its time. */
class CaptureTransport implements Transport {
  readonly localEndpoint = "127.0.0.1:7001";
  onDatagram: ((d: Uint8Array, atMs: number) => void) | undefined;
  async sendBatch(datagrams: Uint8Array[]): Promise<void> {
    const cb = this.onDatagram;
    if (!cb) return;
    const at = performance.now();
    for (const d of datagrams) cb(d, at);
  }
  onReceive(): void {}
  async close(): Promise<void> {}
}

function policy(): CompiledEniPolicy {
  const all = {
    ruleId: "sgr-all",
    groupId: "sg-bench",
    protocol: -1,
    fromPort: -1,
    toPort: -1,
    cidrs: ["10.0.0.0/16"],
    peer: { kind: "cidr" as const },
  };
  return {
    revision: 1,
    eniId: "eni-a",
    instanceId: "i-a",
    vpcId: "vpc-1",
    subnetId: "subnet-a",
    ipv4: ["10.0.1.10"],
    ipv6: [],
    sourceDestCheck: true,
    ingress: [all],
    egress: [all],
    naclIn: [],
    naclOut: [],
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    allowance: 1 << 20,
    autoTracked: false,
  };
}

/** Destinations 10.0.2.<n> = eni-d<n> on agent-b (same subnet as nothing: no NACL in the way). */
function mapping(n: number): MappingEntry[] {
  const out: MappingEntry[] = [
    {
      address: "10.0.1.10",
      eniId: "eni-a",
      subnetId: "subnet-a",
      vpcId: "vpc-1",
      agentId: "agent-a",
      endpoint: "127.0.0.1:7001",
    },
  ];
  for (let i = 1; i <= n; i++) {
    out.push({
      address: `10.0.2.${i}`,
      eniId: `eni-d${i}`,
      subnetId: "subnet-a",
      vpcId: "vpc-1",
      agentId: "agent-b",
      endpoint: PEER,
    });
  }
  return out;
}

/** A UDP packet from 10.0.1.10 to 10.0.2.<dst> in a buffer with headroom; payload: 4-byte tag. */
function udpInto(buf: Uint8Array, dst: number, payloadLen = 8): number {
  const off = ENCAP_HEADROOM;
  const len = 28 + payloadLen;
  const p = buf.subarray(off, off + len);
  p.fill(0);
  p[0] = 0x45;
  p[2] = len >> 8;
  p[3] = len & 0xff;
  p[8] = 64;
  p[9] = 17;
  p.set([10, 0, 1, 10], 12);
  p.set([10, 0, 2, dst], 16);
  writeIpv4HeaderChecksum(p, 0);
  p[20] = 0x9c;
  p[21] = 0x40; // 40000
  p[22] = 0x13;
  p[23] = 0x88; // 5000
  p[24] = (len - 20) >> 8;
  p[25] = (len - 20) & 0xff;
  writeTransportChecksum(p.subarray(12, 16), p.subarray(16, 20), 17, p, 20, len - 20);
  return len;
}

function setTag(buf: Uint8Array, len: number, tag: number): void {
  new DataView(buf.buffer, buf.byteOffset).setUint32(ENCAP_HEADROOM + len - 4, tag);
}

let seq = 0;
function fault(from: string, to: string, effects: Partial<FaultEffects>, seed = 1): CompiledFault {
  return {
    faultId: `flt-${(++seq).toString(16).padStart(17, "0")}`,
    pairs: [
      {
        from: { any: false, portKeys: [from] },
        to: { any: false, portKeys: [to] },
        reverse: false,
      },
    ],
    protocol: -1,
    fromPort: -1,
    toPort: -1,
    seed,
    startAtMs: 0,
    endAtMs: 0,
    queueLimitPackets: 0,
    effects: { blackhole: false, reject: false, ...effects },
  };
}

interface Rig {
  dp: DataPath;
  port: Port;
  step: FaultStep;
  transport: CaptureTransport;
  outbox: Outbox;
}

function rig(destinations: number): Rig {
  const transport = new CaptureTransport();
  const dp = new DataPath("agent-a", undefined, { warn: (m) => console.error(m) }, () =>
    Date.now(),
  );
  const p = policy();
  const port = Port.forEni(p, new EniFilter(p), idleTun, () => undefined);
  dp.enis.set("eni-a", port);
  dp.routes = new RouteTable(mapping(destinations));
  const step = new FaultStep(dp, transport, preciseSystemClock, systemScheduler);
  dp.faults = step;
  return { dp, port, step, transport, outbox: new Outbox(transport) };
}

// ---- 1. cost --------------------------------------------------------------------------------

const noopDelay = {
  delay: { latencyMs: 0, jitterMs: 0, correlation: 0, distribution: "uniform" as const },
};

/** Faults on other pairs, plus optionally one no-op fault on eni-a -> eni-d1. */
function costFaults(n: number, onPair: boolean): CompiledFault[] {
  const out: CompiledFault[] = [];
  for (let i = 0; i < n - (onPair ? 1 : 0); i++)
    out.push(fault(`eni-s${i}`, `eni-t${i}`, { blackhole: true }));
  if (onPair) out.push(fault("eni-a", "eni-d1", noopDelay));
  return out;
}

function measureEgress(faults: CompiledFault[]): number {
  const r = rig(1);
  r.step.setFaults(faults);
  const buf = new Uint8Array(ENCAP_HEADROOM + 9001);
  const len = udpInto(buf, 1);
  const now = Date.now();
  forwardFromTun(r.dp, r.port, r.outbox, buf, ENCAP_HEADROOM, len, now); // opens the flow
  void r.outbox.flush();
  const ns = fastestChunk(() => {
    for (let i = 0; i < CHUNK; i++) {
      forwardFromTun(r.dp, r.port, r.outbox, buf, ENCAP_HEADROOM, len, now);
      if ((i & 255) === 255) void r.outbox.flush();
    }
    void r.outbox.flush();
  });
  if (r.dp.drops.total().internal_error > 0) throw new Error("internal error in the bench");
  return ns;
}

function measureStepAlone(faults: CompiledFault[]): number {
  const r = rig(1);
  r.step.setFaults(faults);
  const buf = new Uint8Array(ENCAP_HEADROOM + 9001);
  const len = udpInto(buf, 1);
  const pkt = decodePacket(buf, ENCAP_HEADROOM, len);
  if (typeof pkt === "string") throw new Error(pkt);
  const route = r.dp.routes.lookup(pkt.dst)!;
  let pass = 0;
  const ns = fastestChunk(() => {
    for (let i = 0; i < CHUNK; i++) {
      if (r.step.apply(r.port, route, undefined, pkt, buf, ENCAP_HEADROOM, len)) pass++;
    }
  });
  if (pass !== COST_PACKETS) throw new Error("the no-op fault dropped packets");
  return ns;
}

interface CostCase {
  readonly n: number;
  readonly onPair: boolean;
  readonly egress: number[];
  readonly alone: number[];
}

function cost(): void {
  const cases: CostCase[] = [0, 10, 1000].flatMap((n) =>
    [false, true]
      .filter((onPair) => n > 0 || !onPair)
      .map((onPair) => ({ n, onPair, egress: [], alone: [] })),
  );
  measureEgress(costFaults(10, true)); // JIT warm-up
  measureStepAlone(costFaults(10, true));
  for (let round = 0; round < COST_ROUNDS; round++) {
    for (const c of cases) {
      const f = costFaults(c.n, c.onPair);
      c.egress.push(measureEgress(f));
      c.alone.push(measureStepAlone(f));
    }
  }
  const pick = (n: number, onPair: boolean) => {
    const c = cases.find((x) => x.n === n && x.onPair === onPair)!;
    return { egress: Math.min(...c.egress), alone: Math.min(...c.alone) };
  };
  console.log("fault step cost (egress path: decode, route, EniFilter hit, fault step, Geneve)");
  console.log("faults   packet's pair     egress ns/pkt   step alone ns/pkt");
  for (const c of cases) {
    const b = pick(c.n, c.onPair);
    const label = (c.onPair ? "faulted (no-op)" : "not faulted").padEnd(15);
    console.log(
      `${String(c.n).padStart(6)}   ${label}   ${b.egress.toFixed(0).padStart(13)}   ${b.alone.toFixed(0).padStart(17)}`,
    );
  }
  const base = pick(0, false).egress;
  const ratio = (x: number, y: number) => (x / y).toFixed(2);
  console.log(
    `ratio 1,000:0 (egress, pair not faulted): ${ratio(pick(1000, false).egress, base)} (goal <= 1.3)`,
  );
  console.log(`ratio 1,000:0 (egress, pair faulted):     ${ratio(pick(1000, true).egress, base)}`);
  console.log(
    `ratio 1,000:10 (egress, pair faulted):    ${ratio(pick(1000, true).egress, pick(10, true).egress)}`,
  );
}

// ---- 2. accuracy ----------------------------------------------------------------------------

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const delayOf = (latencyMs: number) => ({
  delay: { latencyMs, jitterMs: 0, correlation: 0, distribution: "uniform" as const },
});

async function delayAccuracy(): Promise<void> {
  const DELAYS = [1, 10, 100];
  const PER_DELAY = 300;
  const r = rig(DELAYS.length);
  r.step.setFaults(DELAYS.map((d, i) => fault("eni-a", `eni-d${i + 1}`, delayOf(d))));
  const sentAt = new Map<number, number>();
  const measured: number[][] = DELAYS.map(() => []);
  r.transport.onDatagram = (d, at) => {
    const tag = new DataView(d.buffer, d.byteOffset).getUint32(d.length - 4);
    const t = sentAt.get(tag);
    if (t !== undefined) measured[tag % DELAYS.length]!.push(at - t);
  };
  const buf = new Uint8Array(ENCAP_HEADROOM + 9001);
  // Open the three flows first (conntrack), then send one packet per pair every 2 ms.
  for (let i = 0; i < DELAYS.length; i++) {
    const len = udpInto(buf, i + 1);
    setTag(buf, len, 0xffffffff);
    forwardFromTun(r.dp, r.port, r.outbox, buf, ENCAP_HEADROOM, len, Date.now());
  }
  let tag = 0;
  for (let k = 0; k < PER_DELAY; k++) {
    for (let i = 0; i < DELAYS.length; i++) {
      const len = udpInto(buf, i + 1);
      setTag(buf, len, tag);
      sentAt.set(tag, performance.now());
      forwardFromTun(r.dp, r.port, r.outbox, buf, ENCAP_HEADROOM, len, Date.now());
      tag++;
    }
    await new Promise((res) => setTimeout(res, 2));
  }
  await new Promise((res) => setTimeout(res, Math.max(...DELAYS) + 50));
  console.log("\ndelay accuracy (real timers, 3 pairs at once, one packet per pair every 2 ms)");
  console.log("configured ms   packets   median ms   p99 ms   max ms");
  DELAYS.forEach((d, i) => {
    const xs = measured[i]!.sort((a, b) => a - b);
    console.log(
      `${String(d).padStart(13)}   ${String(xs.length).padStart(7)}   ${percentile(xs, 50).toFixed(2).padStart(9)}   ${percentile(xs, 99).toFixed(2).padStart(6)}   ${xs.at(-1)!.toFixed(2).padStart(6)}`,
    );
  });
}

function lossAccuracy(): void {
  const LOSSES = [1, 10, 50];
  const N = 100_000;
  const r = rig(LOSSES.length);
  const lossOf = (percent: number) => ({
    loss: { percent, correlation: 0, gilbertElliott: false, geP: 0, geR: 0, ge1h: 0, ge1k: 0 },
  });
  const faults = LOSSES.map((p, i) => fault("eni-a", `eni-d${i + 1}`, lossOf(p), 1000 + i));
  r.step.setFaults(faults);
  const delivered = LOSSES.map(() => 0);
  // The destination's last octet: 17 bytes from the end (payload 8, UDP header 8).
  r.transport.onDatagram = (d) => {
    const dstLast = d[d.length - 8 - 8 - 1]!;
    delivered[dstLast - 1]!++;
  };
  const buf = new Uint8Array(ENCAP_HEADROOM + 9001);
  for (let k = 0; k < N; k++) {
    for (let i = 0; i < LOSSES.length; i++) {
      const len = udpInto(buf, i + 1);
      forwardFromTun(r.dp, r.port, r.outbox, buf, ENCAP_HEADROOM, len, Date.now());
      // Why at once: the outbox holds views of `buf`, which the next packet overwrites.
      void r.outbox.flush();
    }
  }
  const counters = r.step.counters();
  console.log(`\nloss accuracy (${N.toLocaleString()} packets per pair, seeded)`);
  console.log("configured %   measured %   dropped (counter)");
  LOSSES.forEach((p, i) => {
    console.log(
      `${String(p).padStart(12)}   ${(((N - delivered[i]!) / N) * 100).toFixed(2).padStart(10)}   ${String(counters[i]!.dropped).padStart(17)}`,
    );
  });
}

async function rateAccuracy(): Promise<void> {
  const BPS = 10_000_000;
  const SECONDS = 2;
  const PAYLOAD = 1250 - 28;
  const r = rig(1);
  r.step.setFaults([
    fault("eni-a", "eni-d1", { rate: { bitsPerSecond: BPS, queueLimitBytes: 0 } }),
  ]);
  let packets = 0;
  let first = 0;
  let last = 0;
  r.transport.onDatagram = (_d, at) => {
    if (first === 0) first = at;
    last = at;
    packets++;
  };
  const buf = new Uint8Array(ENCAP_HEADROOM + 9001);
  const len = udpInto(buf, 1, PAYLOAD);
  const start = performance.now();
  // 20 Mbit/s offered: 8 packets of 1250 bytes every 4 ms.
  while (performance.now() - start < SECONDS * 1000) {
    for (let i = 0; i < 8; i++)
      forwardFromTun(r.dp, r.port, r.outbox, buf, ENCAP_HEADROOM, len, Date.now());
    void r.outbox.flush();
    await new Promise((res) => setTimeout(res, 4));
  }
  const c = r.step.counters()[0]!;
  // Why packets - 1: the rate is the bytes after the first one over the time they took.
  const mbit = ((packets - 1) * 1250 * 8) / ((last - first) / 1000) / 1e6;
  console.log(`\nrate accuracy: configured 10 Mbit/s, 20 Mbit/s offered for ${SECONDS} s`);
  console.log(
    `measured ${mbit.toFixed(2)} Mbit/s (IP bytes, first to last release), rate-limited ${c.rateLimited}, queue overflow ${c.queueOverflow}`,
  );
  r.step.stop();
}

async function main(): Promise<void> {
  cost();
  await delayAccuracy();
  await rateAccuracy();
  lossAccuracy();
}

await main();
