/**
 * Throughput through vpcemu versus the kernel, same run (`npm run bench:throughput`, root):
 *
 *   kernel path:  [vpcemu-bench-k1 10.200.0.1] ==veth (MTU 9001)== [vpcemu-bench-k2 10.200.0.2]
 *                 nftables stateful ruleset on both sides (ct state established accept + ports)
 *   vpcemu path:  [node a 10.0.1.10] -TUN- agent ==Geneve/UDP loopback== agent -TUN- [node b 10.0.1.11]
 *                 one subnet, SGs allowing iperf3 and ICMP (tracked flows)
 *
 * Measures with iperf3: TCP throughput (single stream), small-packet UDP rate (64-byte
 * payloads, unlimited rate, receiver-side packets/s), and ping RTT (median of N). Prints both
 * paths and the ratios; asserts nothing. Goals: vpcemu TCP >= 50% of the kernel's; added
 * median RTT <= 100 us.
 * Env: BENCH_SECONDS (default 5), BENCH_PINGS (default 200), BENCH_ONLY=rtt (pings only, for
 * quick latency comparisons; throughput columns print 0).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  assertPrerequisites,
  createNamespace,
  deleteNamespace,
  ip,
  runInNamespace,
  spawnInNamespace,
} from "../cli/runtime/netns.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PINGS = Number(process.env.BENCH_PINGS ?? 200);
const PORT = 5201;
const RTT_ONLY = process.env.BENCH_ONLY === "rtt";

interface PathFigures {
  tcpGbps: number;
  udpPps: number;
  udpLossPct: number;
  rttMedianUs: number;
  rttP99Us: number;
}

const TOPOLOGY = `vpcs:
  - { name: bench, cidr: 10.0.0.0/16 }
subnets:
  - { name: s, vpc: bench, cidr: 10.0.1.0/24 }
securityGroups:
  - name: bench-sg
    vpc: bench
    ingress:
      - { protocol: tcp, ports: ${PORT}, cidr: 10.0.0.0/16 }
      - { protocol: udp, ports: ${PORT}, cidr: 10.0.0.0/16 }
      - { protocol: icmp, cidr: 10.0.0.0/16 }
instances:
  - { name: a, subnet: s, securityGroups: [bench-sg], privateIp: 10.0.1.10 }
  - { name: b, subnet: s, securityGroups: [bench-sg], privateIp: 10.0.1.11 }
`;

const NFT_RULESET = `table inet vpcemu_bench {
  chain input {
    type filter hook input priority 0; policy drop;
    iif lo accept
    ct state established,related accept
    ct state invalid drop
    tcp dport ${PORT} accept
    udp dport ${PORT} accept
    icmp type echo-request accept
  }
  chain output {
    type filter hook output priority 0; policy drop;
    oif lo accept
    ct state established,related accept
    ct state new accept
  }
}
`;

/** Runs an iperf3 server in `ns` for one test and the client in `clientNs`; returns the JSON. */
async function iperf(
  serverNs: string,
  clientNs: string,
  host: string,
  clientArgs: string[],
): Promise<any> {
  const server = spawnInNamespace(serverNs, "iperf3", ["-s", "-1", "-p", String(PORT)], {
    stdio: "ignore",
  });
  try {
    await new Promise((r) => setTimeout(r, 300));
    const r = await runInNamespace(
      clientNs,
      "iperf3",
      ["-c", host, "-p", String(PORT), "-t", String(SECONDS), "-J", ...clientArgs],
      { timeoutMs: (SECONDS + 20) * 1000 },
    );
    const out = JSON.parse(r.stdout) as any;
    if (out.error) throw new Error(`iperf3: ${out.error}`);
    return out;
  } finally {
    server.kill("SIGKILL");
  }
}

async function pingRtts(ns: string, host: string): Promise<{ median: number; p99: number }> {
  const r = await runInNamespace(ns, "ping", ["-n", "-q", "-c", "3", "-i", "0.05", host], {
    timeoutMs: 10_000,
  });
  void r; // warm-up (ARP-free paths, conntrack entry, JIT)
  const out = await runInNamespace(ns, "ping", ["-n", "-c", String(PINGS), "-i", "0.01", host], {
    timeoutMs: PINGS * 100 + 10_000,
  });
  const rtts = [...out.stdout.matchAll(/time=([\d.]+) ms/g)]
    .map((m) => Number(m[1]) * 1000)
    .sort((a, b) => a - b);
  if (rtts.length === 0)
    throw new Error(`ping ${host} from ${ns}: no replies\n${out.stdout}${out.stderr}`);
  const at = (q: number) => rtts[Math.min(rtts.length - 1, Math.floor(q * rtts.length))]!;
  return { median: at(0.5), p99: at(0.99) };
}

async function measure(serverNs: string, clientNs: string, host: string): Promise<PathFigures> {
  if (RTT_ONLY) {
    const rtt = await pingRtts(clientNs, host);
    return { tcpGbps: 0, udpPps: 0, udpLossPct: 0, rttMedianUs: rtt.median, rttP99Us: rtt.p99 };
  }
  const tcp = await iperf(serverNs, clientNs, host, []);
  const udp = await iperf(serverNs, clientNs, host, ["-u", "-b", "0", "-l", "64"]);
  const rtt = await pingRtts(clientNs, host);
  const udpSum = udp.end.sum;
  return {
    tcpGbps: tcp.end.sum_received.bits_per_second / 1e9,
    udpPps: (udpSum.packets - udpSum.lost_packets) / udpSum.seconds,
    udpLossPct: udpSum.lost_percent,
    rttMedianUs: rtt.median,
    rttP99Us: rtt.p99,
  };
}

async function kernelPath(): Promise<PathFigures> {
  const [k1, k2] = ["vpcemu-bench-k1", "vpcemu-bench-k2"] as const;
  await deleteNamespace(k1);
  await deleteNamespace(k2);
  await createNamespace(k1);
  await createNamespace(k2);
  try {
    // Why create the veth inside k1: nothing of the pair ever exists in the host namespace.
    await ip([
      "-n",
      k1,
      "link",
      "add",
      "veth0",
      "type",
      "veth",
      "peer",
      "name",
      "veth1",
      "netns",
      k2,
    ]);
    for (const [ns, dev, addr] of [
      [k1, "veth0", "10.200.0.1/24"],
      [k2, "veth1", "10.200.0.2/24"],
    ] as const) {
      await ip(["-n", ns, "addr", "add", addr, "dev", dev]);
      await ip(["-n", ns, "link", "set", dev, "mtu", "9001", "up"]);
      const nft = await runInNamespace(ns, "nft", ["-f", "-"], { input: NFT_RULESET });
      if (nft.code !== 0) throw new Error(`nft in ${ns}: ${nft.stderr}`);
    }
    return await measure(k2, k1, "10.200.0.2");
  } finally {
    await deleteNamespace(k1);
    await deleteNamespace(k2);
  }
}

async function vpcemuPath(): Promise<PathFigures> {
  const dir = mkdtempSync(join(tmpdir(), "vpcemu-bench-"));
  const file = join(dir, "bench.yaml");
  writeFileSync(file, TOPOLOGY);
  // Why a dynamic import: the kernel figures print even when the runtime cannot load.
  const { LocalRuntime } = await import("../cli/runtime/local-runtime.js");
  const runtime = await new LocalRuntime({
    topologyFile: file,
    listen: "127.0.0.1:0",
    runtimeDir: dir,
    namespacePrefix: "vpcemu-bench-",
  }).start();
  try {
    return await measure(runtime.node("b").namespace, runtime.node("a").namespace, "10.0.1.11");
  } finally {
    await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function row(name: string, f: PathFigures): string {
  return [
    name.padEnd(8),
    `${f.tcpGbps.toFixed(2).padStart(8)} Gbit/s`,
    `${Math.round(f.udpPps).toLocaleString("en-US").padStart(11)} pkt/s (${f.udpLossPct.toFixed(1)}% lost)`,
    `${f.rttMedianUs.toFixed(0).padStart(6)} us median`,
    `${f.rttP99Us.toFixed(0).padStart(6)} us p99`,
  ].join("  ");
}

async function main(): Promise<void> {
  assertPrerequisites(["iperf3", "nft", "ping"]);
  console.log(
    `throughput bench: iperf3 ${SECONDS} s per test, ${PINGS} pings; TCP single stream, UDP 64-byte payloads`,
  );
  const kernel = await kernelPath();
  console.log(row("kernel", kernel));
  const emu = await vpcemuPath();
  console.log(row("vpcemu", emu));
  console.log("");
  console.log(
    `TCP throughput: vpcemu ${((emu.tcpGbps / kernel.tcpGbps) * 100).toFixed(1)}% of the kernel's (goal >= 50%)`,
  );
  console.log(
    `UDP small-packet rate: vpcemu ${((emu.udpPps / kernel.udpPps) * 100).toFixed(1)}% of the kernel's`,
  );
  console.log(
    `ping RTT: +${(emu.rttMedianUs - kernel.rttMedianUs).toFixed(0)} us median added by vpcemu (goal <= 100 us)`,
  );
}

await main();
