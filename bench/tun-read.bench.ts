/**
 * Packets per second through a real TUN device with LinuxTun, once per reader ("event-loop":
 * libuv watches the fd on the main thread; "worker": a read-loop thread and a
 * SharedArrayBuffer ring; writes with write(2) from the main thread either way). Root needed.
 *
 *   this process (host namespace)              vpcemu-bench-tunNNNN
 *   +--------------------------+               +-----------------------------------+
 *   | LinuxTun.readBatch  <----+---- eth0 -----+  node: UDP blast to 10.99.0.2:9    |
 *   | LinuxTun.writeBatch -----+---> eth0 -----+  (kernel: 10.99.0.1 has no :9)    |
 *   +--------------------------+               +-----------------------------------+
 *
 * Then the whole agent: two in-process agents (LinuxTun in two namespaces, loopback UDP
 * underlay, compiled policies allowing UDP a -> b) forward a UDP blast from namespace a to a
 * socket in namespace b, and one TCP connection; printed: datagrams/s the receiver got and TCP
 * Mbit/s. Agent a runs in this process, agent b in a child process (one per node, as the local
 * runtime runs them).
 *
 * Traffic exists only inside the namespaces (10.x is routed into the TUNs there).
 * Prints figures; asserts nothing. Run: npx tsx bench/tun-read.bench.ts [seconds]
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { createNamespace, deleteNamespace, runInNamespace } from "../cli/runtime/netns.js";
import { Agent } from "../node-agent/agent.js";
import { sanitizeAgentConfig } from "../node-agent/config.js";
import {
  DEFAULT_CONNTRACK_TIMEOUTS,
  type AgentSnapshot,
  type CompiledEniPolicy,
  type MappingEntry,
} from "../node-agent/filter/policy.js";
import { openUdpTransport } from "../node-agent/overlay/udp-transport.js";
import { openLinuxTun, type TunReader } from "../node-agent/tun/linux-tun.js";
import { LinuxTunProvider } from "../node-agent/tun/tun-provider.js";
import { placeTun, setTunAddresses } from "../node-agent/tun/tun-placement.js";
import { buildUdp } from "../test/helpers/packet-builder.js";

const SECONDS = Number(process.argv[2] === "--agent" ? 3 : (process.argv[2] ?? 3));
const NS = `vpcemu-bench-tun${process.pid % 100000}`;
const HEADROOM = 128;

const BLAST = `
const dgram = require("node:dgram");
const s = dgram.createSocket("udp4");
const msg = Buffer.alloc(64, 1);
let sent = 0;
const end = Date.now() + ${SECONDS * 1000};
s.bind(0, "10.99.0.1", () => {
  function burst() {
    for (let i = 0; i < 256; i++) { s.send(msg, 9, "10.99.0.2"); sent++; }
    if (Date.now() < end) setImmediate(burst);
    else setTimeout(() => { console.log(sent); process.exit(0); }, 200);
  }
  burst();
});`;

async function main(reader: TunReader): Promise<void> {
  await deleteNamespace(NS);
  await createNamespace(NS);
  const tun = await openLinuxTun({ name: "vpct%d", batchSize: 64, reader });
  console.log(`LinuxTun, ${tun.reader} reader:`);
  try {
    const placed = await placeTun({ device: tun.name, netns: NS, nameInNode: "eth0", mtu: 9001 });
    await setTunAddresses(placed, ["10.99.0.1"]);

    // Read: a UDP blast from inside the namespace, counted by readBatch.
    const bufs = Array.from({ length: 64 }, () => new Uint8Array(HEADROOM + 9001));
    const sizes = new Array<number>(64).fill(0);
    let received = 0;
    let batches = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          received += await tun.readBatch(bufs, sizes, HEADROOM);
          batches++;
        } catch {
          return;
        }
      }
    })();
    const child = spawn("ip", ["netns", "exec", NS, process.execPath, "-e", BLAST]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const t0 = performance.now();
    const startCount = received;
    await new Promise((r) => child.on("exit", r));
    const elapsed = (performance.now() - t0) / 1000;
    const got = received - startCount;
    const sent = Number(out.trim());
    console.log(
      `tun read:  ${Math.round(got / elapsed).toLocaleString()} packets/s read ` +
        `(${got.toLocaleString()} of ${sent.toLocaleString()} sent by the generator in ${elapsed.toFixed(2)} s, ` +
        `${(got / Math.max(1, batches)).toFixed(1)} packets per readBatch)`,
    );
    console.log(
      `           generator (node dgram in the namespace): ${Math.round(sent / elapsed).toLocaleString()} packets/s`,
    );
    reading = false;

    // Write: batches of 64 UDP packets into the namespace (the kernel answers none: port 9 is closed).
    const pkt = buildUdp({
      src: "10.99.0.2",
      dst: "10.99.0.1",
      srcPort: 1000,
      dstPort: 9,
      payload: new Uint8Array(64),
    });
    const wbufs = Array.from({ length: 64 }, () => {
      const b = new Uint8Array(HEADROOM + pkt.length);
      b.set(pkt, HEADROOM);
      return b;
    });
    const wsizes = new Array<number>(64).fill(pkt.length);
    let written = 0;
    const w0 = performance.now();
    const wend = w0 + SECONDS * 1000;
    while (performance.now() < wend) written += await tun.writeBatch(wbufs, wsizes, HEADROOM);
    const wel = (performance.now() - w0) / 1000;
    console.log(
      `tun write: ${Math.round(written / wel).toLocaleString()} packets/s written (batches of 64, ${wel.toFixed(2)} s)`,
    );
    await tun.close();
    await reader;
  } finally {
    await tun.close();
    await deleteNamespace(NS);
  }
}

/** Datagrams/s through two agents: UDP a -> b, counted by a socket in b. */
/** An agent in this process. */
async function startAgent(id: string, ns: string) {
  const config = sanitizeAgentConfig({ agentId: id, placement: { kind: "netns", netns: ns } });
  return new Agent({
    config,
    tuns: new LinuxTunProvider(config.placement, config.tunBaseName, config.mtu),
    transport: await openUdpTransport(),
    logger: { info: () => undefined, warn: () => undefined },
  }).start();
}

/**
 * An agent in a child process (this file with --agent-b), as the local runtime runs one per
 * node: it prints its underlay endpoint, applies the snapshot read as one JSON line on stdin,
 * prints "applied", and stops when stdin closes.
 */
async function startAgentProcess(id: string, ns: string) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), "--agent", id, ns],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  let out = "";
  const line = (want: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const m = want.exec(out);
        if (m) {
          child.stdout.off("data", onData);
          resolve(m[1] ?? m[0]);
        }
      };
      const onData = (d: Buffer) => {
        out += d.toString();
        check();
      };
      child.stdout.on("data", onData);
      child.once("exit", () => reject(new Error(`agent process exited: ${out}`)));
      check();
    });
  const underlayEndpoint = await line(/endpoint (\S+)\n/);
  return {
    underlayEndpoint,
    async applySnapshot(snapshot: AgentSnapshot) {
      child.stdin.write(JSON.stringify(snapshot) + "\n");
      await line(/applied\n/);
    },
    async stop() {
      child.stdin.end();
      await new Promise((r) => child.once("exit", r));
    },
  };
}

/** Child mode: see startAgentProcess. */
async function agentProcess(id: string, ns: string): Promise<void> {
  const agent = await startAgent(id, ns);
  process.stdout.write(`endpoint ${agent.underlayEndpoint}\n`);
  let buf = "";
  process.stdin.on("data", (d: Buffer) => {
    buf += d.toString();
    const nl = buf.indexOf("\n");
    if (nl < 0) return;
    const snapshot = JSON.parse(buf.slice(0, nl)) as AgentSnapshot;
    buf = buf.slice(nl + 1);
    void agent.applySnapshot(snapshot).then(() => process.stdout.write("applied\n"));
  });
  await new Promise((r) => process.stdin.once("end", r));
  await agent.stop();
}

async function throughAgents(proto: "udp" | "tcp"): Promise<void> {
  const nsA = `vpcemu-bench-a${process.pid % 100000}`;
  const nsB = `vpcemu-bench-b${process.pid % 100000}`;
  for (const ns of [nsA, nsB]) {
    await deleteNamespace(ns);
    await createNamespace(ns);
  }
  const a = await startAgent("agent-a", nsA);
  const b = await startAgentProcess("agent-b", nsB);
  try {
    const nacl = [
      {
        ruleNumber: 100,
        action: "allow" as const,
        protocol: -1,
        cidr: "0.0.0.0/0",
        fromPort: -1,
        toPort: -1,
        icmpType: -1,
        icmpCode: -1,
      },
    ];
    const policy = (eniId: string, ip: string, subnetId: string): CompiledEniPolicy => ({
      revision: 1,
      eniId,
      instanceId: `i-${eniId}`,
      vpcId: "vpc-1",
      subnetId,
      ipv4: [ip],
      ipv6: [],
      sourceDestCheck: true,
      ingress: [
        {
          ruleId: "sgr-in",
          groupId: "sg-1",
          protocol: proto === "udp" ? 17 : 6,
          fromPort: 9,
          toPort: 9,
          cidrs: ["10.0.1.10/32"],
          peer: { kind: "cidr" },
        },
      ],
      egress: [
        {
          ruleId: "sgr-out",
          groupId: "sg-1",
          protocol: proto === "udp" ? 17 : 6,
          fromPort: 9,
          toPort: 9,
          cidrs: ["10.0.2.0/24"],
          peer: { kind: "cidr" },
        },
      ],
      naclIn: nacl,
      naclOut: nacl,
      timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
      allowance: 65_536,
      autoTracked: false,
    });
    const mapping: MappingEntry[] = [
      {
        address: "10.0.1.10",
        eniId: "eni-a",
        subnetId: "subnet-a",
        vpcId: "vpc-1",
        agentId: "agent-a",
        endpoint: a.underlayEndpoint,
      },
      {
        address: "10.0.2.20",
        eniId: "eni-b",
        subnetId: "subnet-b",
        vpcId: "vpc-1",
        agentId: "agent-b",
        endpoint: b.underlayEndpoint,
      },
    ];
    await a.applySnapshot({
      revision: 1,
      agentId: "agent-a",
      enis: [policy("eni-a", "10.0.1.10", "subnet-a")],
      mapping,
    });
    await b.applySnapshot({
      revision: 1,
      agentId: "agent-b",
      enis: [policy("eni-b", "10.0.2.20", "subnet-b")],
      mapping,
    });
    if (proto === "udp") await udpThroughAgents(nsA, nsB);
    else await tcpThroughAgents(nsA, nsB);
  } finally {
    await a.stop();
    await b.stop();
    await deleteNamespace(nsA);
    await deleteNamespace(nsB);
  }
}

/** UDP blast a -> b; a socket in b counts what arrives. */
async function udpThroughAgents(nsA: string, nsB: string): Promise<void> {
  // Counted in namespace b's kernel (datagrams that reached its UDP layer), so a slow receiving
  // program does not hide what the agents delivered.
  const before = await udpCounters(nsB);
  const blast = spawn("ip", [
    "netns",
    "exec",
    nsA,
    process.execPath,
    "-e",
    BLAST.replaceAll("10.99.0.1", "10.0.1.10").replaceAll("10.99.0.2", "10.0.2.20"),
  ]);
  let sentOut = "";
  blast.stdout.on("data", (d: Buffer) => (sentOut += d.toString()));
  const t0 = performance.now();
  await new Promise((r) => blast.on("exit", r));
  const elapsed = (performance.now() - t0) / 1000;
  const after = await udpCounters(nsB);
  const delivered = after - before;
  const sent = Number(sentOut.trim());
  console.log(
    `agent a -> b (64-byte UDP, SG + NACL + conntrack + Geneve + loopback UDP): ` +
      `${Math.round(delivered / elapsed).toLocaleString()} datagrams/s delivered into b ` +
      `(${delivered.toLocaleString()} of ${sent.toLocaleString()} sent)`,
  );
}

/** UDP datagrams that reached namespace ns's UDP layer (delivered, refused or dropped). */
async function udpCounters(ns: string): Promise<number> {
  const r = await runInNamespace(ns, "cat", ["/proc/net/snmp"]);
  const lines = r.stdout.split("\n").filter((l) => l.startsWith("Udp:"));
  const names = lines[0]!.split(/\s+/);
  const values = lines[1]!.split(/\s+/).map(Number);
  const get = (k: string) => values[names.indexOf(k)] ?? 0;
  return get("InDatagrams") + get("NoPorts") + get("InErrors");
}

/** One TCP connection a -> b for SECONDS; the receiver counts bytes. */
async function tcpThroughAgents(nsA: string, nsB: string): Promise<void> {
  const sink = spawn("ip", [
    "netns",
    "exec",
    nsB,
    process.execPath,
    "-e",
    `
    let n = 0; let first = 0; let last = 0;
    const s = require("node:net").createServer((c) => c.on("data", (d) => { if (n === 0) first = Date.now(); n += d.length; last = Date.now(); }));
    s.listen(9, "10.0.2.20", () => console.log("ready"));
    setTimeout(() => { console.log(JSON.stringify({ n, ms: last - first })); process.exit(0); }, ${SECONDS * 1000 + 1500});`,
  ]);
  let out = "";
  sink.stdout.on("data", (d: Buffer) => (out += d.toString()));
  while (!out.includes("ready")) await new Promise((r) => setTimeout(r, 20));
  spawn("ip", [
    "netns",
    "exec",
    nsA,
    process.execPath,
    "-e",
    `
    const c = require("node:net").connect(9, "10.0.2.20");
    const chunk = Buffer.alloc(1 << 16, 7); const end = Date.now() + ${SECONDS * 1000};
    function pump() { while (Date.now() < end) { if (!c.write(chunk)) return c.once("drain", pump); } c.destroy(); process.exit(0); }
    c.on("connect", pump); c.on("error", () => process.exit(1));`,
  ]);
  await new Promise((r) => sink.on("exit", r));
  const { n, ms } = JSON.parse(out.slice(out.indexOf("{"))) as { n: number; ms: number };
  console.log(
    `agent a -> b, one TCP connection (MTU 9001): ${((n * 8) / (ms / 1000) / 1e6).toFixed(0)} Mbit/s (${(n / 1e6).toFixed(1)} MB in ${ms} ms)`,
  );
}

if (process.argv[2] === "--agent") {
  await agentProcess(process.argv[3]!, process.argv[4]!);
} else {
  await main("event-loop");
  await main("worker");
  await throughAgents("udp");
  await throughAgents("tcp");
}
