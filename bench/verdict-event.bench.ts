/**
 * The verdict event's cost (issue 13 item 1, docs/observability.md "Verdict events"): the
 * per-packet decision time of the egress path (decode, source check, route, EniFilter with
 * conntrack, SG and outbound NACL, Geneve into the outbox) with no verdict listener and with
 * one, for an accepted packet of an established flow and for an SG drop. Goal: with no
 * listener, within 5% of the decision time before verdict events existed.
 *
 * "Before" is measured, not remembered: `--baseline DIR` loads the same pipeline modules from
 * another checkout (e.g. `git worktree add /tmp/vpcemu-base 8ff16c6~1`, the commit before
 * verdict events) and times them in the same process, interleaved with the current code, so both
 * see the same machine load. Without --baseline only current-code figures are printed.
 * Each figure: the fastest chunk of 20,000 packets over 15 interleaved rounds (GC pauses and the
 * shared machine's load land in the slower chunks); the goal is judged on the median of the
 * per-round ratios (each round times baseline and current back to back under the same load).
 * Prints figures, asserts nothing.
 *
 *   npx tsx bench/verdict-event.bench.ts [--baseline DIR]     (npm run bench:verdict)
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { writeIpv4HeaderChecksum, writeTransportChecksum } from "../node-agent/packet/checksum.js";
import { TunClosedError, type TunDevice } from "../node-agent/tun/tun-device.js";

const CHUNK = 20_000;
const CHUNKS = 10;
const ROUNDS = 15;
/** Room in front of each packet for the Geneve header (node-agent/overlay/geneve.ts). */
const HEADROOM = 64;

/** The pipeline modules one checkout provides (same paths and signatures before and after). */
interface Pipeline {
  readonly label: string;
  // Why `any`: the two checkouts' types differ (drop's signature); only shared calls are made.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  readonly DataPath: any;
  readonly Outbox: any;
  readonly Port: any;
  readonly RouteTable: any;
  readonly EniFilter: any;
  readonly forwardFromTun: (...args: any[]) => void;
  readonly defaults: any;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

async function loadPipeline(root: string, label: string): Promise<Pipeline> {
  const mod = (p: string) => import(pathToFileURL(resolve(root, p)).href);
  const [dp, port, rt, filter, egress, policy] = await Promise.all([
    mod("node-agent/pipeline/data-path.ts"),
    mod("node-agent/pipeline/port.ts"),
    mod("node-agent/pipeline/route-table.ts"),
    mod("node-agent/filter/filter.ts"),
    mod("node-agent/pipeline/egress.ts"),
    mod("node-agent/filter/policy.ts"),
  ]);
  return {
    label,
    DataPath: dp.DataPath,
    Outbox: dp.Outbox,
    Port: port.Port,
    RouteTable: rt.RouteTable,
    EniFilter: filter.EniFilter,
    forwardFromTun: egress.forwardFromTun,
    defaults: policy.DEFAULT_CONNTRACK_TIMEOUTS,
  };
}

const idleTun: TunDevice = {
  name: "bench0",
  mtu: 9001,
  batchSize: 32,
  readBatch: () => Promise.reject(new TunClosedError("bench0")),
  writeBatch: async (_b, sizes) => sizes.length,
  close: async () => undefined,
};

const noTransport = {
  localEndpoint: "127.0.0.1:7001",
  sendBatch: async () => undefined,
  onReceive: () => undefined,
  close: async () => undefined,
};

function rule(ruleId: string, proto: number, from: number, to: number, cidr: string) {
  return {
    ruleId,
    groupId: "sg-bench",
    protocol: proto,
    fromPort: from,
    toPort: to,
    cidrs: [cidr],
    peer: { kind: "cidr" as const },
  };
}

function nacl(ruleNumber: number, action: "allow" | "deny", from: number, to: number) {
  return {
    ruleNumber,
    action,
    protocol: from < 0 ? -1 : 17,
    cidr: "10.0.0.0/16",
    fromPort: from,
    toPort: to,
    icmpType: -1,
    icmpCode: -1,
  };
}

/** eni-a (10.0.1.10, subnet-a) sends to 10.0.2.1 on agent-b (subnet-b: the NACL judges). */
function rig(p: Pipeline) {
  const policy = {
    revision: 1,
    eniId: "eni-a",
    instanceId: "i-a",
    vpcId: "vpc-1",
    subnetId: "subnet-a",
    ipv4: ["10.0.1.10"],
    ipv6: [],
    sourceDestCheck: true,
    ingress: [rule("sgr-in", -1, -1, -1, "10.0.0.0/16")],
    // udp 5000 is allowed; udp 6000 matches no rule (the drop case).
    egress: [rule("sgr-a", 6, 443, 443, "0.0.0.0/0"), rule("sgr-b", 17, 5000, 5000, "10.0.0.0/16")],
    naclIn: [nacl(100, "allow", -1, -1)],
    naclOut: [nacl(90, "deny", 7000, 7000), nacl(100, "allow", -1, -1)],
    timeouts: p.defaults,
    allowance: 1 << 20,
    autoTracked: false,
    groupIds: ["sg-bench"],
    naclId: "acl-bench",
  };
  const dp = new p.DataPath("agent-a", undefined, { warn: (m: string) => console.error(m) }, () =>
    Date.now(),
  );
  const port = p.Port.forEni(policy, new p.EniFilter(policy), idleTun, () => undefined);
  dp.enis.set("eni-a", port);
  const entry = (address: string, eniId: string, subnetId: string, agentId: string) => ({
    address,
    eniId,
    subnetId,
    vpcId: "vpc-1",
    agentId,
    endpoint: agentId === "agent-a" ? "127.0.0.1:7001" : "127.0.0.1:7002",
  });
  dp.routes = new p.RouteTable([
    entry("10.0.1.10", "eni-a", "subnet-a", "agent-a"),
    entry("10.0.2.1", "eni-b", "subnet-b", "agent-b"),
  ]);
  return { dp, port, outbox: new p.Outbox(noTransport) };
}

/** A UDP packet 10.0.1.10:40000 -> 10.0.2.1:`dport` at HEADROOM; returns its length. */
function udpInto(buf: Uint8Array, dport: number): number {
  const off = HEADROOM;
  const len = 28 + 64;
  const q = buf.subarray(off, off + len);
  q.fill(0);
  q[0] = 0x45;
  q[2] = len >> 8;
  q[3] = len & 0xff;
  q[8] = 64;
  q[9] = 17;
  q.set([10, 0, 1, 10], 12);
  q.set([10, 0, 2, 1], 16);
  writeIpv4HeaderChecksum(q, 0);
  q[20] = 0x9c;
  q[21] = 0x40;
  q[22] = dport >> 8;
  q[23] = dport & 0xff;
  q[24] = (len - 20) >> 8;
  q[25] = (len - 20) & 0xff;
  writeTransportChecksum(q.subarray(12, 16), q.subarray(16, 20), 17, q, 20, len - 20);
  return len;
}

type Case = "accept" | "drop";

/** ns per packet: the fastest of CHUNKS chunks. `listen`: one listener counting events. */
function measure(p: Pipeline, kase: Case, listen: boolean): { ns: number; events: number } {
  const r = rig(p);
  let events = 0;
  const off = listen ? r.dp.verdicts.subscribe(() => void events++) : () => undefined;
  const buf = new Uint8Array(HEADROOM + 9001);
  const len = udpInto(buf, kase === "accept" ? 5000 : 6000);
  const now = Date.now();
  p.forwardFromTun(r.dp, r.port, r.outbox, buf, HEADROOM, len, now); // opens the flow
  void r.outbox.flush();
  let best = Infinity;
  for (let c = 0; c < CHUNKS; c++) {
    const t0 = performance.now();
    for (let i = 0; i < CHUNK; i++) {
      p.forwardFromTun(r.dp, r.port, r.outbox, buf, HEADROOM, len, now);
      if ((i & 255) === 255) void r.outbox.flush();
    }
    void r.outbox.flush();
    best = Math.min(best, performance.now() - t0);
  }
  off();
  const drops = r.dp.drops.total();
  if ((drops.internal_error ?? 0) > 0) throw new Error(`${p.label}: internal error in the bench`);
  const dropped = kase === "drop" ? (drops.sg_no_match ?? 0) : 0;
  if (kase === "drop" && dropped !== CHUNK * CHUNKS + 1)
    throw new Error("the drop case did not drop");
  return { ns: (best * 1e6) / CHUNK, events };
}

async function main(): Promise<void> {
  const i = process.argv.indexOf("--baseline");
  const baseDir = i >= 0 ? process.argv[i + 1] : undefined;
  const current = await loadPipeline(resolve(import.meta.dirname, ".."), "current");
  const base = baseDir !== undefined ? await loadPipeline(resolve(baseDir), "baseline") : undefined;
  type Key = `${Case}:${"base" | "idle" | "listen"}`;
  const runs = new Map<Key, number[]>();
  const push = (k: Key, ns: number) => runs.set(k, [...(runs.get(k) ?? []), ns]);
  let events = 0;
  for (const kase of ["accept", "drop"] as const) {
    // JIT warm-up of every variant.
    measure(current, kase, false);
    measure(current, kase, true);
    if (base) measure(base, kase, false);
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const kase of ["accept", "drop"] as const) {
      if (base) push(`${kase}:base`, measure(base, kase, false).ns);
      push(`${kase}:idle`, measure(current, kase, false).ns);
      const l = measure(current, kase, true);
      events += l.events;
      push(`${kase}:listen`, l.ns);
    }
  }
  if (events === 0) throw new Error("the listener saw no events");
  const best = (k: Key) => Math.min(...(runs.get(k) ?? [NaN]));
  console.log("per-packet decision time, egress path (decode, route, EniFilter, NACL out, Geneve)");
  console.log("case     baseline ns   no listener ns   one listener ns");
  for (const kase of ["accept", "drop"] as const) {
    const b = base ? best(`${kase}:base`).toFixed(0) : "-";
    console.log(
      `${kase.padEnd(6)}   ${b.padStart(11)}   ${best(`${kase}:idle`).toFixed(0).padStart(14)}   ${best(`${kase}:listen`).toFixed(0).padStart(15)}`,
    );
  }
  // Why also the median of per-round ratios: base and idle of one round ran back to back under the
  // same load; the fastest chunks of all rounds may come from different load phases.
  const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const paired = (kase: Case, a: "idle" | "listen", b: "base" | "idle") => {
    const xs = runs.get(`${kase}:${a}`)!;
    const ys = runs.get(`${kase}:${b}`)!;
    return median(xs.map((x, j) => x / ys[j]!));
  };
  for (const kase of ["accept", "drop"] as const) {
    if (base) {
      const r = best(`${kase}:idle`) / best(`${kase}:base`);
      const m = paired(kase, "idle", "base");
      console.log(
        `${kase}: no listener / baseline = ${r.toFixed(3)} fastest, ${m.toFixed(3)} median of ${ROUNDS} paired rounds (goal <= 1.05: ${m <= 1.05 ? "met" : "NOT met"})`,
      );
    }
    const l = best(`${kase}:listen`) / best(`${kase}:idle`);
    console.log(`${kase}: one listener / no listener = ${l.toFixed(3)}`);
  }
  if (!base) console.log("(no --baseline DIR: the 5% goal needs the code before verdict events)");
}

await main();
