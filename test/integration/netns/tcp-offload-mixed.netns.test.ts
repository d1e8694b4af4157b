/**
 * TUN offload on one side only (docs/agent.md "TCP offload through the TUN"): agent a opens its
 * TUN with offload, agent b without (LinuxTunProvider's `offload` argument; what
 * VPCEMU_TUN_OFFLOAD=0 does to a whole runtime). a's super-packets reach b's kernel as the
 * segments agent b cut (the receiving kernel verifies every checksum); b's plain packets reach
 * a's offload TUN behind a zero virtio header. Two in-process agents, no controller, loopback
 * UDP underlay; root needed.
 *
 *   vpcemu-test-oaNNNN (offload)     this process                 vpcemu-test-obNNNN (plain)
 *   eth0 10.0.1.10  <-> agent-a UDP 127.0.0.1:x <-Geneve-> agent-b UDP 127.0.0.1:y <-> eth0 10.0.2.20
 *
 * a: out tcp/5001 to 10.0.2.0/24, in tcp/5002 from 10.0.2.20/32
 * b: in tcp/5001 from 10.0.1.10/32, out tcp/5002 to 10.0.1.0/24
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespace,
  deleteNamespace,
  runInNamespace,
  spawnInNamespace,
} from "../../../cli/runtime/netns.js";
import { Agent, type StartedAgent } from "../../../node-agent/agent.js";
import { sanitizeAgentConfig } from "../../../node-agent/config.js";
import {
  DEFAULT_CONNTRACK_TIMEOUTS,
  type AgentSnapshot,
  type CompiledEniPolicy,
  type CompiledRule,
  type MappingEntry,
  type NaclEntry,
} from "../../../node-agent/filter/policy.js";
import { openUdpTransport } from "../../../node-agent/overlay/udp-transport.js";
import { LinuxTunProvider } from "../../../node-agent/tun/tun-provider.js";
import { requireNetnsPrerequisites } from "../../helpers/prerequisites.js";
import { waitUntil } from "../../helpers/wait-until.js";

const TAG = process.pid % 100000;
const NS_A = `vpcemu-test-oa${TAG}`;
const NS_B = `vpcemu-test-ob${TAG}`;
const NODE = process.execPath;

const rule = (id: string, port: number, cidr: string): CompiledRule => ({
  ruleId: id,
  groupId: "sg-1",
  protocol: 6,
  fromPort: port,
  toPort: port,
  cidrs: [cidr],
  peer: { kind: "cidr" },
});
const ALL = { fromPort: -1, toPort: -1, icmpType: -1, icmpCode: -1, protocol: -1 };
const NACL: NaclEntry[] = [
  { ruleNumber: 100, action: "allow", cidr: "0.0.0.0/0", ...ALL },
  { ruleNumber: 101, action: "allow", cidr: "::/0", ...ALL },
  { ruleNumber: 32767, action: "deny", cidr: "0.0.0.0/0", ...ALL },
  { ruleNumber: 32768, action: "deny", cidr: "::/0", ...ALL },
];
function eni(
  eniId: string,
  subnetId: string,
  ip: string,
  ip6: string,
  ingress: CompiledRule[],
  egress: CompiledRule[],
): CompiledEniPolicy {
  return {
    revision: 1,
    eniId,
    instanceId: `i-${eniId.slice(4)}`,
    vpcId: "vpc-1",
    subnetId,
    ipv4: [ip],
    ipv6: [ip6],
    sourceDestCheck: true,
    ingress,
    egress,
    naclIn: NACL,
    naclOut: NACL,
    timeouts: DEFAULT_CONNTRACK_TIMEOUTS,
    allowance: 65_536,
    autoTracked: false,
  };
}

const quiet = { info: () => undefined, warn: () => undefined };
const agents: StartedAgent[] = [];
const offloadLog: string[] = [];

async function startAgent(id: string, ns: string, offload: boolean): Promise<StartedAgent> {
  const transport = await openUdpTransport({ bind: "127.0.0.1:0" });
  const config = sanitizeAgentConfig({ agentId: id, placement: { kind: "netns", netns: ns } });
  const agent = await new Agent({
    config,
    tuns: new LinuxTunProvider(config.placement, config.tunBaseName, config.mtu, offload, (m) =>
      offloadLog.push(`${id}: ${m}`),
    ),
    transport,
    logger: quiet,
  }).start();
  agents.push(agent);
  return agent;
}

beforeAll(async () => {
  requireNetnsPrerequisites();
  for (const ns of [NS_A, NS_B]) {
    await deleteNamespace(ns);
    await createNamespace(ns);
  }
  const a = await startAgent("agent-a", NS_A, true);
  const b = await startAgent("agent-b", NS_B, false);
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
      address: "fd00:1::10",
      eniId: "eni-a",
      subnetId: "subnet-a",
      vpcId: "vpc-1",
      agentId: "agent-a",
      endpoint: a.underlayEndpoint,
    },
    {
      address: "fd00:2::20",
      eniId: "eni-b",
      subnetId: "subnet-b",
      vpcId: "vpc-1",
      agentId: "agent-b",
      endpoint: b.underlayEndpoint,
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
  const sa: AgentSnapshot = {
    revision: 1,
    agentId: "agent-a",
    enis: [
      eni(
        "eni-a",
        "subnet-a",
        "10.0.1.10",
        "fd00:1::10",
        [rule("sgr-a-in", 5002, "10.0.2.20/32")],
        [rule("sgr-a-out", 5001, "10.0.2.0/24"), rule("sgr-a-out6", 5003, "fd00:2::/64")],
      ),
    ],
    mapping,
  };
  const sb: AgentSnapshot = {
    revision: 1,
    agentId: "agent-b",
    enis: [
      eni(
        "eni-b",
        "subnet-b",
        "10.0.2.20",
        "fd00:2::20",
        [rule("sgr-b-in", 5001, "10.0.1.10/32"), rule("sgr-b-in6", 5003, "fd00:1::10/128")],
        [rule("sgr-b-out", 5002, "10.0.1.0/24")],
      ),
    ],
    mapping,
  };
  await a.applySnapshot(sa);
  await b.applySnapshot(sb);
});

afterAll(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await deleteNamespace(NS_A);
  await deleteNamespace(NS_B);
});

/** Receives one connection on port argv[1], prints "ready", then bytes and sha256 as JSON. */
const SERVER = `
const h = require("node:crypto").createHash("sha256"); let n = 0;
const srv = require("node:net").createServer((s) => {
  s.on("data", (d) => { n += d.length; h.update(d); });
  s.on("end", () => { s.end(); console.log(JSON.stringify({ bytes: n, sha: h.digest("hex") })); srv.close(); });
});
srv.listen(Number(process.argv[1]), process.argv[2], () => console.log("ready"));
setTimeout(() => process.exit(3), 60000).unref();`;
/** Sends argv[3] bytes of a pattern to argv[1]:argv[2]; prints bytes and sha256 as JSON. */
const CLIENT = `
const total = Number(process.argv[3]); const h = require("node:crypto").createHash("sha256");
const chunk = Buffer.alloc(1 << 20); for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131 + (i >> 9)) & 0xff;
let sent = 0;
const s = require("node:net").connect(Number(process.argv[2]), process.argv[1], () => {
  const pump = () => { while (sent < total) { const b = chunk.subarray(0, Math.min(chunk.length, total - sent)); h.update(b); sent += b.length; if (!s.write(b)) { s.once("drain", pump); return; } }
    s.end(() => console.log(JSON.stringify({ bytes: sent, sha: h.digest("hex") }))); };
  pump();
});
s.on("error", (e) => { console.log("error " + e.message); process.exit(1); });
setTimeout(() => process.exit(2), 60000).unref();`;

async function tcpSegments(ns: string): Promise<number> {
  const rows = (await runInNamespace(ns, "cat", ["/proc/net/snmp"])).stdout.split("\n");
  const tcp = rows.filter((l) => l.startsWith("Tcp:"));
  const names = tcp[0]!.split(/\s+/);
  const values = tcp[1]!.split(/\s+/);
  return Number(values[names.indexOf("OutSegs")]) + Number(values[names.indexOf("RetransSegs")]);
}

async function link(ns: string, what: "tx_packets" | "rx_packets"): Promise<number> {
  return Number(
    (await runInNamespace(ns, "cat", [`/sys/class/net/eth0/statistics/${what}`])).stdout,
  );
}

/** Sends `total` bytes from `fromNs` to host:port (served in `toNs`); both sides' sums. */
async function send(
  fromNs: string,
  toNs: string,
  host: string,
  port: number,
  total: number,
): Promise<{ sent: string; got: string }> {
  const server = spawnInNamespace(toNs, NODE, ["-e", SERVER, String(port), host]);
  let got = "";
  const exited = new Promise<void>((r) => server.on("exit", () => r()));
  server.stdout!.on("data", (d: Buffer) => (got += d.toString()));
  await waitUntil("the server to listen", () => got.includes("ready"), 20_000, 10);
  const c = await runInNamespace(fromNs, NODE, ["-e", CLIENT, host, String(port), String(total)], {
    timeoutMs: 90_000,
  });
  await exited;
  return { sent: c.stdout.trim(), got: got.replace("ready", "").trim() };
}

describe("TUN offload on one agent only", () => {
  it("agent a got offload, agent b plain", () => {
    expect(offloadLog).toEqual([expect.stringMatching(/^agent-a: TUN offload csum tso4 tso6/)]);
  });

  it("a's super-packets reach b's plain TUN as segments its kernel accepts; every segment counted on both ENIs", async () => {
    const seg0 = await tcpSegments(NS_A);
    const tx0 = await link(NS_A, "tx_packets");
    const rx0 = await link(NS_B, "rx_packets");
    const r = await send(NS_A, NS_B, "10.0.2.20", 5001, 24 << 20);
    expect(r.got).toBe(r.sent);
    expect(JSON.parse(r.sent)).toMatchObject({ bytes: 24 << 20 });
    const segs = (await tcpSegments(NS_A)) - seg0;
    // a's TUN carried super-packets; b's TUN got them cut (one packet per segment).
    expect((await link(NS_A, "tx_packets")) - tx0).toBeLessThan(segs / 2);
    expect((await link(NS_B, "rx_packets")) - rx0).toBeGreaterThanOrEqual(segs);
    await waitUntil(
      "both entries to count every segment",
      () => {
        const ea = agents[0]!.conntrack("eni-a").find((e) => e.original.dstPort === 5001);
        const eb = agents[1]!.conntrack("eni-b").find((e) => e.original.dstPort === 5001);
        return ea?.packets.original === segs && eb?.packets.original === segs;
      },
      10_000,
      50,
    );
  }, 120_000);

  it("IPv6: a's TSO6 super-packets reach b as IPv6 segments its kernel accepts, every segment counted", async () => {
    const seg0 = await tcpSegments(NS_A);
    const tx0 = await link(NS_A, "tx_packets");
    const r = await send(NS_A, NS_B, "fd00:2::20", 5003, 16 << 20);
    expect(r.got).toBe(r.sent);
    expect(JSON.parse(r.sent)).toMatchObject({ bytes: 16 << 20 });
    const segs = (await tcpSegments(NS_A)) - seg0;
    expect((await link(NS_A, "tx_packets")) - tx0).toBeLessThan(segs / 2);
    await waitUntil(
      "both entries to count every segment",
      () => {
        const ea = agents[0]!.conntrack("eni-a").find((e) => e.original.dstPort === 5003);
        const eb = agents[1]!.conntrack("eni-b").find((e) => e.original.dstPort === 5003);
        return ea?.packets.original === segs && eb?.packets.original === segs;
      },
      10_000,
      50,
    );
  }, 120_000);

  it("b's plain packets reach a's offload TUN behind a zero virtio header", async () => {
    const r = await send(NS_B, NS_A, "10.0.1.10", 5002, 8 << 20);
    expect(r.got).toBe(r.sent);
    expect(JSON.parse(r.sent)).toMatchObject({ bytes: 8 << 20 });
  }, 120_000);
});
