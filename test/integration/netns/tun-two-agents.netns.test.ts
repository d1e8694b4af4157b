/**
 * The flagship rerun for real (STYLE.md §4.2): two in-process agents on LinuxTun devices in
 * two namespaces and a loopback UDP underlay, hand-made compiled policies (no controller),
 * kernel TCP/UDP sockets as the applications. Root needed.
 *
 *   vpcemu-test-aNNNN             this process                       vpcemu-test-bNNNN
 *   +------------------+   +----------------------------------+   +------------------+
 *   | eth0 10.0.1.10   |<->| agent-a  UDP 127.0.0.1:x  <----> |<->| eth0 10.0.2.20   |
 *   | client (node)    |   | agent-b  UDP 127.0.0.1:y  Geneve |   | server (node)    |
 *   +------------------+   +----------------------------------+   +------------------+
 *
 * a: web-sg   in tcp/80 from 0.0.0.0/0; out tcp/3306 + udp/5353 to 10.0.2.0/24
 * b: db-sg    in tcp/3306 + udp/5353 from 10.0.1.10/32; out nothing (replies by conntrack, CT-1)
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
import { DropReason } from "../../../node-agent/pipeline/verdict.js";
import { LinuxTunProvider } from "../../../node-agent/tun/tun-provider.js";
import { requireNetnsPrerequisites } from "../../helpers/prerequisites.js";

const TAG = process.pid % 100000;
const NS_A = `vpcemu-test-a${TAG}`;
const NS_B = `vpcemu-test-b${TAG}`;
const NODE = process.execPath;

const rule = (id: string, protocol: number, port: number, cidr: string): CompiledRule => ({
  ruleId: id,
  groupId: "sg-1",
  protocol,
  fromPort: port,
  toPort: port,
  cidrs: [cidr],
  peer: { kind: "cidr" },
});
const NACL: NaclEntry[] = [
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
  {
    ruleNumber: 32767,
    action: "deny",
    protocol: -1,
    cidr: "0.0.0.0/0",
    fromPort: -1,
    toPort: -1,
    icmpType: -1,
    icmpCode: -1,
  },
];
function eni(
  eniId: string,
  subnetId: string,
  ip: string,
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
    ipv6: [],
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

async function startAgent(id: string, ns: string): Promise<StartedAgent> {
  const transport = await openUdpTransport({ bind: "127.0.0.1:0" });
  const config = sanitizeAgentConfig({ agentId: id, placement: { kind: "netns", netns: ns } });
  const agent = await new Agent({
    config,
    tuns: new LinuxTunProvider(config.placement, config.tunBaseName, config.mtu),
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
  const a = await startAgent("agent-a", NS_A);
  const b = await startAgent("agent-b", NS_B);
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
  const sa: AgentSnapshot = {
    revision: 1,
    agentId: "agent-a",
    enis: [
      eni(
        "eni-a",
        "subnet-a",
        "10.0.1.10",
        [rule("sgr-a1", 6, 80, "0.0.0.0/0")],
        [rule("sgr-a2", 6, 3306, "10.0.2.0/24"), rule("sgr-a3", 17, 5353, "10.0.2.0/24")],
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
        [rule("sgr-b1", 6, 3306, "10.0.1.10/32"), rule("sgr-b2", 17, 5353, "10.0.1.10/32")],
        [],
      ),
    ],
    mapping,
  };
  await a.applySnapshot(sa);
  await b.applySnapshot(sb);
  snapshots = { a: sa, b: sb };
});

let snapshots: { a: AgentSnapshot; b: AgentSnapshot };

afterAll(async () => {
  await Promise.all(agents.splice(0).map((a) => a.stop()));
  await deleteNamespace(NS_A);
  await deleteNamespace(NS_B);
});

/** Starts `script` in `ns` and resolves once it printed "ready"; returns the child's exit. */
async function serve(ns: string, script: string): Promise<{ exited: Promise<string> }> {
  const child = spawnInNamespace(ns, NODE, ["-e", script]);
  let out = "";
  const exited = new Promise<string>((resolve) => child.on("exit", () => resolve(out)));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes("ready")) resolve();
    });
    child.on("exit", () => reject(new Error(`server exited early: ${out}`)));
  });
  return { exited };
}

describe("two agents on real TUN devices and a UDP underlay", () => {
  it("web connects to db:3306 and gets the echo back; db replies with no egress rule (CT-1)", async () => {
    const server = await serve(
      NS_B,
      `const s = require("node:net").createServer((c) => c.on("data", (d) => { c.end("echo:" + d); s.close(); }));
       s.listen(3306, "10.0.2.20", () => console.log("ready"));
       setTimeout(() => process.exit(3), 10000).unref();`,
    );
    const client = await runInNamespace(
      NS_A,
      NODE,
      [
        "-e",
        `const c = require("node:net").connect(3306, "10.0.2.20", () => c.write("ping"));
         c.on("data", (d) => { console.log(String(d)); process.exit(0); });
         c.on("error", (e) => { console.log("error " + e.message); process.exit(1); });
         setTimeout(() => { console.log("timeout"); process.exit(2); }, 5000);`,
      ],
      { timeoutMs: 10_000 },
    );
    expect(client.stdout.trim()).toBe("echo:ping");
    expect(client.code).toBe(0);
    await server.exited;
    const [entry] = agents[1]!.conntrack("eni-b").filter((e) => e.protocol === 6);
    expect(entry?.ruleId).toBe("sgr-b1");
  });

  it("a UDP request/response passes; the reply rides db's conntrack entry", async () => {
    const server = await serve(
      NS_B,
      `const s = require("node:dgram").createSocket("udp4");
       s.on("message", (m, r) => s.send("re:" + m, r.port, r.address, () => process.exit(0)));
       s.bind(5353, "10.0.2.20", () => console.log("ready"));
       setTimeout(() => process.exit(3), 10000).unref();`,
    );
    const client = await runInNamespace(
      NS_A,
      NODE,
      [
        "-e",
        `const s = require("node:dgram").createSocket("udp4");
         s.on("message", (m) => { console.log(String(m)); process.exit(0); });
         s.send("q", 5353, "10.0.2.20");
         setTimeout(() => { console.log("timeout"); process.exit(2); }, 5000);`,
      ],
      { timeoutMs: 10_000 },
    );
    expect(client.stdout.trim()).toBe("re:q");
    await server.exited;
  });

  it("db cannot connect to web:22 (no rule): silent drop, the client times out (CT-11)", async () => {
    const before =
      agents[0]!.drops()[DropReason.SgNoMatch] + agents[1]!.drops()[DropReason.SgNoMatch];
    const client = await runInNamespace(
      NS_B,
      NODE,
      [
        "-e",
        `const c = require("node:net").connect(22, "10.0.1.10", () => { console.log("connected"); process.exit(0); });
         c.on("error", (e) => { console.log("error " + e.code); process.exit(1); });
         setTimeout(() => { console.log("timeout"); process.exit(2); }, 1500);`,
      ],
      { timeoutMs: 10_000 },
    );
    expect(client.stdout.trim()).toBe("timeout");
    const after =
      agents[0]!.drops()[DropReason.SgNoMatch] + agents[1]!.drops()[DropReason.SgNoMatch];
    expect(after).toBeGreaterThan(before);
  });

  it("a second ENI in the node (eth1) sends from its own address through its own TUN", async () => {
    const [a, b] = agents as [StartedAgent, StartedAgent];
    const second = {
      address: "10.0.1.11",
      eniId: "eni-a2",
      subnetId: "subnet-a",
      vpcId: "vpc-1",
      agentId: "agent-a",
      endpoint: a.underlayEndpoint,
    };
    const mapping = [...snapshots.a.mapping, second];
    const a2 = eni("eni-a2", "subnet-a", "10.0.1.11", [], [rule("sgr-a4", 6, 3306, "10.0.2.0/24")]);
    await a.applySnapshot({
      ...snapshots.a,
      revision: 2,
      enis: [...snapshots.a.enis, a2],
      mapping,
    });
    const dbPolicy = snapshots.b.enis[0]!;
    await b.applySnapshot({
      ...snapshots.b,
      revision: 2,
      enis: [
        {
          ...dbPolicy,
          revision: 2,
          ingress: [...dbPolicy.ingress, rule("sgr-b3", 6, 3306, "10.0.1.11/32")],
        },
      ],
      mapping,
    });
    const server = await serve(
      NS_B,
      `const s = require("node:net").createServer((c) => { c.end(c.remoteAddress); s.close(); });
       s.listen(3306, "10.0.2.20", () => console.log("ready"));
       setTimeout(() => process.exit(3), 10000).unref();`,
    );
    const client = await runInNamespace(
      NS_A,
      NODE,
      [
        "-e",
        `const c = require("node:net").connect({ port: 3306, host: "10.0.2.20", localAddress: "10.0.1.11" });
         c.on("data", (d) => { console.log(String(d)); process.exit(0); });
         c.on("error", (e) => { console.log("error " + e.message); process.exit(1); });
         setTimeout(() => { console.log("timeout"); process.exit(2); }, 5000);`,
      ],
      { timeoutMs: 10_000 },
    );
    expect(client.stdout.trim()).toBe("10.0.1.11");
    await server.exited;
    expect(a.dropsByPort()["eni-a"]?.[DropReason.SourceCheck] ?? 0).toBe(0);
    const links = await runInNamespace(NS_A, "ip", ["-o", "link"]);
    expect(links.stdout).toMatch(/eth1/);
  });
});
