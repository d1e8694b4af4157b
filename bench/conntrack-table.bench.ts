/**
 * Conntrack table at scale: fills one ENI's table with 1,000,000 tracked IPv4 TCP flows, then
 * measures established lookups per second on one core (lookup + transition + commit: what a
 * packet of an established flow costs in the table) in random order, and bytes per entry.
 * Goals (issue 2): >= 2,000,000 lookups/s, <= 250 B/entry. Prints figures; asserts nothing.
 *
 *   npx tsx bench/conntrack-table.bench.ts [entries]      (npm run bench:conntrack)
 */
import { ConntrackTable } from "../node-agent/conntrack/conntrack-table.js";
import { Allowance } from "../node-agent/conntrack/allowance.js";
import { TcpState } from "../node-agent/conntrack/tcp-state.js";
import { DEFAULT_CONNTRACK_TIMEOUTS } from "../node-agent/filter/policy.js";
import { EniFilter } from "../node-agent/filter/filter.js";
import type { DecodedPacket } from "../node-agent/packet/decoded-packet.js";
import { benchTcpPacket, type Mutable } from "./bench-packet.js";

const N = Number(process.argv[2] ?? 1_000_000);
const LOOKUPS = 4_000_000;

/** One reusable packet whose addresses/ports are rewritten per flow, as a decoder would fill them. */
const local = new Uint8Array([10, 0, 1, 10]);
const remote = new Uint8Array(4);
const pkt = benchTcpPacket(remote, local);

/** Flow i: remote 100.64.0.0/10 address from i's high bits, source port from its low 10 bits. */
function setFlow(i: number, flags: number): void {
  const hi = i >>> 10;
  remote[0] = 100;
  remote[1] = 64 | ((hi >>> 16) & 63);
  remote[2] = (hi >>> 8) & 255;
  remote[3] = hi & 255;
  pkt.srcPort = 1024 + (i & 1023);
  pkt.tcpFlags = flags;
}

function mb(n: number): string {
  return (n / 1048576).toFixed(1);
}

function main(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const table = new ConntrackTable({
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    allowance: new Allowance(N + 1),
  });
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    setFlow(i, 0x10);
    if (table.lookup(pkt, 0) >= 0) throw new Error(`duplicate flow ${i}`);
    table.insert(table.key, 60, 0, TcpState.ESTABLISHED, "sgr-bench", "ingress");
  }
  const fillMs = performance.now() - t0;
  gc?.();
  const after = process.memoryUsage();
  const heapDelta = after.heapUsed + after.arrayBuffers - (before.heapUsed + before.arrayBuffers);
  console.log(`conntrack table: ${table.size.toLocaleString()} entries`);
  console.log(
    `  fill: ${fillMs.toFixed(0)} ms (${((N / fillMs) * 1000).toFixed(0)} inserts/s, growth included)`,
  );
  console.log(
    `  memory: arrays ${mb(table.memoryBytes())} MiB = ${(table.memoryBytes() / N).toFixed(1)} B/entry; ` +
      `heap+arrayBuffers delta ${mb(heapDelta)} MiB = ${(heapDelta / N).toFixed(1)} B/entry` +
      (gc ? "" : " (run with --expose-gc for a steadier delta)"),
  );

  // Random-order established lookups (defeats cache locality as real traffic would).
  const order = new Uint32Array(LOOKUPS);
  let s = 12345;
  for (let i = 0; i < LOOKUPS; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    order[i] = s % N;
  }
  let hits = 0;
  const now = 1000;
  // Warm-up pass for the JIT.
  for (let i = 0; i < 200_000; i++) {
    setFlow(order[i]!, 0x10);
    const ref = table.lookup(pkt, now);
    if (ref >= 0) table.commit(ref, 60, now, table.nextState(ref, pkt));
  }
  // Three timed passes; the machine is shared, so print each and the best.
  const rates: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    hits = 0;
    t0 = performance.now();
    for (let i = 0; i < LOOKUPS; i++) {
      setFlow(order[i]!, 0x10);
      const ref = table.lookup(pkt, now);
      if (ref >= 0) {
        table.commit(ref, 60, now, table.nextState(ref, pkt));
        hits++;
      }
    }
    const lookMs = performance.now() - t0;
    if (hits !== LOOKUPS) throw new Error(`only ${hits} of ${LOOKUPS} lookups hit`);
    rates.push((LOOKUPS / lookMs) * 1000);
  }
  const fmt = (r: number): string => r.toLocaleString(undefined, { maximumFractionDigits: 0 });
  console.log(
    `  established lookups (lookup + TCP transition + commit, random order): best ` +
      `${fmt(Math.max(...rates))} /s (${(1e9 / Math.max(...rates)).toFixed(0)} ns each); passes ${rates.map(fmt).join(", ")}`,
  );

  // Misses (new flows' first probe) on the full table.
  t0 = performance.now();
  let misses = 0;
  for (let i = 0; i < 1_000_000; i++) {
    setFlow(N + i, 0x02);
    if (table.lookup(pkt, now) < 0) misses++;
  }
  const missMs = performance.now() - t0;
  console.log(`  misses on the full table: ${((misses / missMs) * 1000).toFixed(0)} /s`);

  const t1 = performance.now();
  const reaped = table.reap(now);
  console.log(
    `  reap scan over ${N.toLocaleString()} entries: ${(performance.now() - t1).toFixed(0)} ms (${reaped} expired)`,
  );

  // IPv6 flows: four-word addresses, same table code.
  {
    const n6 = Math.min(N, 250_000);
    const src6 = new Uint8Array(16);
    const dst6 = new Uint8Array(16);
    src6.set([0x20, 0x01, 0x0d, 0xb8, 0, 0xff]);
    dst6.set([0x20, 0x01, 0x0d, 0xb8, 0, 1]);
    dst6[15] = 0x10;
    const p6: Mutable<DecodedPacket> = { ...pkt, family: 6, src: src6, dst: dst6, tcpFlags: 0x10 };
    const set6 = (i: number): void => {
      src6[13] = (i >>> 16) & 255;
      src6[14] = (i >>> 8) & 255;
      src6[15] = i & 255;
      p6.srcPort = 1024 + (i & 1023);
    };
    const t6 = new ConntrackTable({ timeouts: DEFAULT_CONNTRACK_TIMEOUTS, initialCapacity: n6 });
    for (let i = 0; i < n6; i++) {
      set6(i);
      t6.lookup(p6, 0);
      t6.insert(t6.key, 60, 0, TcpState.ESTABLISHED, "sgr-bench6", "ingress");
    }
    const m = 2_000_000;
    const t6s = performance.now();
    let h6 = 0;
    for (let i = 0; i < m; i++) {
      set6(order[i]! % n6);
      const ref = t6.lookup(p6, now);
      if (ref >= 0) {
        t6.commit(ref, 60, now, t6.nextState(ref, p6));
        h6++;
      }
    }
    const ms6 = performance.now() - t6s;
    if (h6 !== m) throw new Error("IPv6 lookups missed");
    console.log(
      `  IPv6, ${n6.toLocaleString()} entries: established lookups ` +
        `${((m / ms6) * 1000).toLocaleString(undefined, { maximumFractionDigits: 0 })} /s`,
    );
  }

  // The same through the filter entry point (conntrack hit path, NACL skipped: same subnet).
  const f = new EniFilter(
    {
      revision: 1,
      eniId: "eni-bench",
      instanceId: "i-bench",
      vpcId: "vpc-bench",
      subnetId: "subnet-bench",
      ipv4: ["10.0.1.10"],
      ipv6: [],
      sourceDestCheck: true,
      ingress: [
        {
          ruleId: "sgr-bench",
          groupId: "sg-bench",
          protocol: 6,
          fromPort: 443,
          toPort: 443,
          cidrs: ["100.64.0.0/10"],
          peer: { kind: "cidr" },
        },
      ],
      egress: [],
      naclIn: [],
      naclOut: [],
      timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
      allowance: N + 1,
      autoTracked: false,
    },
    { initialCapacity: N },
  );
  t0 = performance.now();
  for (let i = 0; i < N; i++) {
    setFlow(i, 0x02);
    f.ingress(pkt, 60, false, 0);
  }
  const fFill = performance.now() - t0;
  for (let i = 0; i < 200_000; i++) {
    setFlow(order[i]!, 0x02);
    f.ingress(pkt, 60, false, now);
  }
  t0 = performance.now();
  let ok = 0;
  for (let i = 0; i < LOOKUPS; i++) {
    setFlow(order[i]!, 0x02); // SYN retransmissions in SYN_SENT: a hit that keeps the state
    if (f.ingress(pkt, 60, false, now).action === "allow") ok++;
  }
  const fMs = performance.now() - t0;
  console.log(
    `EniFilter.ingress on ${N.toLocaleString()} entries: new flows ${((N / fFill) * 1000).toFixed(0)} /s; ` +
      `conntrack hits ${((ok / fMs) * 1000).toLocaleString(undefined, { maximumFractionDigits: 0 })} /s ` +
      `(${((fMs * 1e6) / LOOKUPS).toFixed(0)} ns each)`,
  );
}

main();
