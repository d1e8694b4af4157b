/**
 * TCP offload through the TUN (issue 15 item 1; docs/agent.md "Performance"): the same large
 * TCP transfers with the agents' TUN offload off (VPCEMU_TUN_OFFLOAD=0) and on (the default).
 * Offload must change no verdict and no count: conntrack counts exactly the segments the
 * sending kernel put out (its Tcp OutSegs + RetransSegs), bytes as the segments' IP lengths,
 * and a flow across an SG revoke and a NACL deny/lift behaves alike in both modes. Real
 * namespaces, TUN devices, agents over loopback UDP; root required.
 *
 *                       subnet a 10.0.1.0/24       subnet b 10.0.2.0/24
 *   client 10.0.1.10 (default SG) --- tcp 5001 ---> server 10.0.2.10 srv-sg:
 *     node script: writes N bytes                     tcp 5001 from 10.0.1.0/24 (tracked, CT-2)
 *                                                    node script: counts, hashes
 *   default NACL (both subnets): the test adds and removes inbound rule 10, deny tcp 5001 from
 *   10.0.1.0/24 (NACL-7: judged where the packet enters subnet b).
 *   subnet a routes 0.0.0.0/0 to an internet gateway; client has a public IP and cli-sg (tcp
 *   5001 from 198.51.100.0/24, tracked): transfers to and from internet 198.51.100.10 (the runtime's external
 *   node) cross the gateway's 1:1 NAT (IGW-5, IGW-6).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  RevokeSecurityGroupIngressCommand,
  AuthorizeSecurityGroupIngressCommand,
} from "@aws-sdk/client-ec2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchConntrack } from "../../../cli/runtime/conntrack-view.js";
import { runInNamespace, spawnInNamespace } from "../../../cli/runtime/netns.js";
import type { ConntrackEntryReport } from "../../../controller/reports/report-types.js";
import { startTestRuntime, type TestRuntime } from "../../helpers/netns-runtime.js";
import { waitUntil } from "../../helpers/wait-until.js";

const TOPOLOGY = `vpcs:
  - { name: v, cidr: 10.0.0.0/16 }
subnets:
  - { name: a, vpc: v, cidr: 10.0.1.0/24 }
  - { name: b, vpc: v, cidr: 10.0.2.0/24 }
securityGroups:
  - name: cli-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: 5001, cidr: 198.51.100.0/24 }
  - name: srv-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: 5001, cidr: 10.0.1.0/24 }
instances:
  - { name: client, subnet: a, securityGroups: [cli-sg], privateIp: 10.0.1.10, publicIp: true }
  - { name: server, subnet: b, securityGroups: [srv-sg], privateIp: 10.0.2.10 }
internetGateways:
  - { name: igw, vpc: v }
routeTables:
  - name: a-rt
    vpc: v
    subnets: [a]
    routes:
      - { destination: 0.0.0.0/0, internetGateway: igw }
`;
const INTERNET = "198.51.100.10";
const SERVER = "10.0.2.10";
const PORT = 5001;
const NODE = process.execPath;

/** Counts and hashes one connection; prints "p <bytes>" every 20 ms and a JSON line at the end. */
const SERVER_SCRIPT = `
const h = require("node:crypto").createHash("sha256");
let n = 0;
const srv = require("node:net").createServer((s) => {
  const t = setInterval(() => process.stdout.write("p " + n + "\\n"), 20);
  s.on("data", (d) => { n += d.length; h.update(d); });
  s.on("end", () => { clearInterval(t); s.end(); process.stdout.write(JSON.stringify({ bytes: n, sha: h.digest("hex") }) + "\\n"); srv.close(); });
});
srv.listen(${PORT}, "0.0.0.0", () => process.stdout.write("listening\\n"));
`;

/**
 * Writes argv[1] bytes (0: until stdin closes) of a deterministic pattern, then ends; prints
 * a JSON line with what it sent.
 */
const CLIENT_SCRIPT = `
const total = Number(process.argv[1]);
const host = process.argv[2] || "${SERVER}";
const h = require("node:crypto").createHash("sha256");
const chunk = Buffer.alloc(1 << 20);
for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 131 + (i >> 9)) & 0xff;
let sent = 0, stop = false;
if (total === 0) {
  process.stdin.on("data", () => undefined);
  process.stdin.on("end", () => { stop = true; });
}
const s = require("node:net").connect(${PORT}, host, () => {
  const pump = () => {
    for (;;) {
      if (stop || (total > 0 && sent >= total)) {
        s.end(() => process.stdout.write(JSON.stringify({ bytes: sent, sha: h.digest("hex") }) + "\\n"));
        return;
      }
      const n = total > 0 ? Math.min(chunk.length, total - sent) : chunk.length;
      const b = chunk.subarray(0, n);
      h.update(b);
      sent += n;
      if (!s.write(b)) { s.once("drain", pump); return; }
    }
  };
  pump();
});
s.on("error", (e) => { process.stderr.write(String(e) + "\\n"); process.exit(1); });
`;

interface Sums {
  bytes: number;
  sha: string;
}

/** Tcp OutSegs + RetransSegs and RetransSegs alone of a namespace (/proc/net/snmp). */
async function kernelCounters(ns: string): Promise<{ segs: number; retrans: number }> {
  const r = await runInNamespace(ns, "cat", ["/proc/net/snmp"]);
  const rows = r.stdout.split("\n");
  const field = (proto: string, name: string): number => {
    const lines = rows.filter((l) => l.startsWith(`${proto}:`));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    return Number(values[names.indexOf(name)]);
  };
  const retrans = field("Tcp", "RetransSegs");
  return { segs: field("Tcp", "OutSegs") + retrans, retrans };
}

/** Packets the namespace's eth0 (the ENI's TUN) sent towards the agent. */
async function tunTxPackets(ns: string): Promise<number> {
  return Number(
    (await runInNamespace(ns, "cat", ["/sys/class/net/eth0/statistics/tx_packets"])).stdout,
  );
}

function lines(p: ChildProcess): { all: string[]; progress(): number; final(): Sums | undefined } {
  const all: string[] = [];
  let buf = "";
  p.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split("\n");
    buf = parts.pop()!;
    all.push(...parts);
  });
  return {
    all,
    progress() {
      for (let i = all.length - 1; i >= 0; i--) {
        if (all[i]!.startsWith("p ")) return Number(all[i]!.slice(2));
        if (all[i]!.startsWith("{")) return (JSON.parse(all[i]!) as Sums).bytes;
      }
      return 0;
    },
    final() {
      const l = all.find((x) => x.startsWith("{"));
      return l === undefined ? undefined : (JSON.parse(l) as Sums);
    },
  };
}

describe.each([
  ["off", "0"],
  ["on", "1"],
] as const)("large TCP transfers with TUN offload %s", (mode, env) => {
  const dir = mkdtempSync(join(tmpdir(), "vpcemu-offload-test-"));
  let rt: TestRuntime;
  const saved = process.env["VPCEMU_TUN_OFFLOAD"];

  beforeAll(async () => {
    const file = join(dir, "offload.yaml");
    writeFileSync(file, TOPOLOGY);
    // The agents are child processes of the runtime: they inherit the switch.
    process.env["VPCEMU_TUN_OFFLOAD"] = env;
    try {
      rt = await startTestRuntime(file);
    } finally {
      if (saved === undefined) delete process.env["VPCEMU_TUN_OFFLOAD"];
      else process.env["VPCEMU_TUN_OFFLOAD"] = saved;
    }
  }, 120_000);

  afterAll(async () => {
    await rt?.[Symbol.asyncDispose]();
    rmSync(dir, { recursive: true, force: true });
  });

  async function entryOf(node: string, clientPort: number): Promise<ConntrackEntryReport> {
    const reports = await fetchConntrack(
      rt.runtime.controllerUrl,
      rt.runtime.node(node).instanceId!,
    );
    const e = reports
      .flatMap((r) => r.entries)
      .find(
        (x) => x.protocol === 6 && x.original.srcPort === clientPort && x.original.dstPort === PORT,
      );
    if (e === undefined) throw new Error(`no conntrack entry for port ${clientPort} on ${node}`);
    return e;
  }

  async function eniOf(node: string): Promise<string> {
    const reports = await fetchConntrack(
      rt.runtime.controllerUrl,
      rt.runtime.node(node).instanceId!,
    );
    return reports[0]!.eniId;
  }

  async function drops(eni: string, reason: string): Promise<number> {
    const res = await fetch(new URL(`/v1/counters?eni=${eni}`, rt.runtime.controllerUrl));
    if (res.status !== 200) return 0;
    const body = (await res.json()) as { counters?: { drops?: Record<string, number> } };
    return body.counters?.drops?.[reason] ?? 0;
  }

  /**
   * Starts the server (in `to`) and the client (in `from`, dialling `host`); resolves once the
   * connection carries data.
   */
  async function transfer(total: number, from = "client", to = "server", host = SERVER) {
    const { runtime } = rt;
    const server = spawnInNamespace(runtime.node(to).namespace, NODE, ["-e", SERVER_SCRIPT], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const srv = lines(server);
    await waitUntil("the server to listen", () => srv.all.includes("listening"), 20_000, 20);
    const client = spawnInNamespace(
      runtime.node(from).namespace,
      NODE,
      ["-e", CLIENT_SCRIPT, String(total), host],
      { stdio: [total > 0 ? "ignore" : "pipe", "pipe", "inherit"] },
    );
    const cli = lines(client);
    await waitUntil(
      "data to arrive",
      () => srv.progress() > 0 || srv.final() !== undefined,
      20_000,
      20,
    );
    const ss = await runInNamespace(runtime.node(from).namespace, "ss", ["-tnH", "dst", host]);
    const port = Number(/^\S+\s+\S+\s+\S+\s+\S+:(\d+)/m.exec(ss.stdout)?.[1] ?? NaN);
    return { server, client, srv, cli, port };
  }

  /**
   * Waits until both ends of a transfer report their totals (equal: a corrupted byte the
   * receiver accepted would change the hash) and both scripts exited.
   */
  async function finished(
    t: Awaited<ReturnType<typeof transfer>>,
    what: string,
    timeoutMs: number,
  ) {
    await waitUntil(
      what,
      () => t.srv.final() !== undefined && t.cli.final() !== undefined,
      timeoutMs,
      20,
    );
    expect(t.srv.final()).toEqual(t.cli.final());
    await waitUntil(
      "both scripts to exit",
      () => t.client.exitCode !== null && t.server.exitCode !== null,
      20_000,
      20,
    );
  }

  it("uses the offload the mode asks for", () => {
    const log = readFileSync(rt.runtime.node("client").logFile, "utf8");
    if (mode === "on") expect(log).toMatch(/TUN offload csum tso4 tso6/);
    else expect(log).not.toMatch(/TUN offload/);
  });

  it("counts every segment the kernel sent, and its bytes, in both ENIs' conntrack entries (CT-14)", async () => {
    const cns = rt.runtime.node("client").namespace;
    const sns = rt.runtime.node("server").namespace;
    const k0 = await kernelCounters(cns);
    const s0 = await kernelCounters(sns);
    const tx0 = await tunTxPackets(cns);
    const total = 48 << 20;
    const t = await transfer(total);
    await finished(t, "the transfer to end", 120_000);
    expect(t.srv.final()!.bytes).toBe(total);
    const k1 = await kernelCounters(cns);
    const s1 = await kernelCounters(sns);
    const tx1 = await tunTxPackets(cns);
    const clientSegs = k1.segs - k0.segs;
    const serverSegs = s1.segs - s0.segs;
    // Both ends' entries see the same packets; the final ACK may still be on its way.
    await waitUntil(
      "the entries to count every segment",
      async () => {
        const c = await entryOf("client", t.port);
        const s = await entryOf("server", t.port);
        return (
          c.packetsOriginal === clientSegs &&
          s.packetsOriginal === clientSegs &&
          c.packetsReply === serverSegs &&
          s.packetsReply === serverSegs
        );
      },
      20_000,
      200,
    ).catch(async (err: unknown) => {
      const c = await entryOf("client", t.port);
      const s = await entryOf("server", t.port);
      throw new Error(
        `${String(err)}: kernel client ${clientSegs} server ${serverSegs} segments; ` +
          `client entry ${c.packetsOriginal}/${c.packetsReply}, server entry ${s.packetsOriginal}/${s.packetsReply}`,
      );
    });
    const c = await entryOf("client", t.port);
    const s = await entryOf("server", t.port);
    expect(s.bytesOriginal).toBe(c.bytesOriginal);
    expect(s.bytesReply).toBe(c.bytesReply);
    // Bytes as the segments' IP lengths: 20 + 32 (timestamps) per segment, 8 more in the SYN
    // (MSS, SACK-permitted, window scale), plus the payload; exact when nothing was resent.
    if (k1.retrans === k0.retrans) expect(c.bytesOriginal).toBe(52 * clientSegs + 8 + total);
    else expect(c.bytesOriginal).toBeGreaterThan(52 * clientSegs + 8 + total);
    // What crossed the client's TUN: super-packets with offload (the kernel's TSO, fewer
    // packets than segments), the segments themselves without (software GSO cut them first).
    const tunTx = tx1 - tx0;
    if (mode === "on") expect(tunTx).toBeLessThan(clientSegs / 2);
    else expect(tunTx).toBeGreaterThanOrEqual(clientSegs);
  }, 180_000);

  it("cuts super-packets before the fault step: corrupted segments fail the receiver's checksum and TCP repairs them, data intact (fault corrupt)", async () => {
    const { runtime } = rt;
    const cns = runtime.node("client").namespace;
    const api = (path: string, init?: RequestInit) =>
      fetch(new URL(path, runtime.controllerUrl), {
        ...init,
        headers: { "content-type": "application/json" },
      });
    const res = await api("/v1/faults", {
      method: "POST",
      body: JSON.stringify({
        from: "10.0.1.10",
        to: "10.0.2.10",
        protocol: "tcp",
        ports: String(PORT),
        effects: { corrupt: { percent: 2 } },
        seed: 7,
      }),
    });
    expect(res.status).toBe(201);
    const fault = (await res.json()) as { faultId: string };
    await runtime.settle();
    try {
      const k0 = await kernelCounters(cns);
      const total = 16 << 20;
      const t = await transfer(total);
      // A corrupted byte the receiver accepted would change the hash.
      await finished(t, "the transfer to end", 120_000);
      const sent = (await kernelCounters(cns)).segs - k0.segs;
      await waitUntil(
        "the fault to count corrupted segments and the client's entry every segment",
        async () => {
          const f = (await (await api(`/v1/faults/${fault.faultId}`)).json()) as {
            counters: { corrupted: number };
          };
          const c = await entryOf("client", t.port);
          return f.counters.corrupted > 0 && c.packetsOriginal === sent;
        },
        30_000,
        250,
      );
    } finally {
      await api(`/v1/faults/${fault.faultId}`, { method: "DELETE" });
      await runtime.settle();
    }
  }, 240_000);

  it("crosses the internet gateway's 1:1 NAT both ways with super-packets: data intact, every segment counted (IGW-5, IGW-6)", async () => {
    const { runtime } = rt;
    const cns = runtime.node("client").namespace;
    const ins = runtime.node("internet").namespace;
    const publicIp = runtime.node("client").publicIps![0]!;
    const entry = async (match: (e: ConntrackEntryReport) => boolean) => {
      const reports = await fetchConntrack(
        runtime.controllerUrl,
        runtime.node("client").instanceId!,
      );
      return reports.flatMap((r) => r.entries).find((x) => x.protocol === 6 && match(x));
    };
    // Out: the client's source leaves as its public IP.
    const k0 = await kernelCounters(cns);
    const out = await transfer(16 << 20, "client", "internet", INTERNET);
    await finished(out, "the upload to end", 120_000);
    const sent = (await kernelCounters(cns)).segs - k0.segs;
    await waitUntil(
      "the client's entry to count every segment",
      async () => (await entry((e) => e.original.dst === INTERNET))?.packetsOriginal === sent,
      20_000,
      200,
    );
    // In: the internet dials the public IP; the destination becomes the private address.
    const i0 = await kernelCounters(ins);
    const inbound = await transfer(16 << 20, "internet", "client", publicIp);
    await finished(inbound, "the download to end", 120_000);
    const got = (await kernelCounters(ins)).segs - i0.segs;
    await waitUntil(
      "the client's entry to count every segment the internet sent",
      async () => (await entry((e) => e.original.src === INTERNET))?.packetsOriginal === got,
      20_000,
      200,
    ).catch(async (err: unknown) => {
      const e = await entry((x) => x.original.src === INTERNET);
      throw new Error(`${String(err)}: internet kernel sent ${got}; entry ${JSON.stringify(e)}`);
    });
  }, 240_000);

  it("keeps a tracked transfer across an SG revoke, stops it under a NACL deny and resumes it after the lift (CT-5, NACL-8)", async () => {
    const { runtime } = rt;
    const cns = runtime.node("client").namespace;
    const k0 = await kernelCounters(cns);
    const serverEni = await eniOf("server");
    const denied0 = await drops(serverEni, "nacl_denied");
    const t = await transfer(0);
    const rule = {
      GroupId: runtime.applied!.securityGroups.get("v/srv-sg")!,
      IpPermissions: [
        { IpProtocol: "tcp", FromPort: PORT, ToPort: PORT, IpRanges: [{ CidrIp: "10.0.1.0/24" }] },
      ],
    };
    const acls = await runtime.ec2.send(
      new DescribeNetworkAclsCommand({
        Filters: [
          { Name: "vpc-id", Values: [runtime.applied!.vpcs.get("v")!] },
          { Name: "default", Values: ["true"] },
        ],
      }),
    );
    const aclId = acls.NetworkAcls![0]!.NetworkAclId!;
    const deny = { NetworkAclId: aclId, RuleNumber: 10, Egress: false };
    try {
      await waitUntil("4 MiB to arrive", () => t.srv.progress() > 4 << 20, 30_000, 20);
      // CT-5: the rule goes, the tracked flow stays.
      await runtime.ec2.send(new RevokeSecurityGroupIngressCommand(rule));
      await runtime.settle();
      const afterRevoke = t.srv.progress();
      await waitUntil(
        "4 MiB more after the revoke",
        () => t.srv.progress() > afterRevoke + (4 << 20),
        30_000,
        20,
      );
      // NACL-8: a NACL judges every packet of a tracked flow.
      await runtime.ec2.send(
        new CreateNetworkAclEntryCommand({
          ...deny,
          Protocol: "6",
          RuleAction: "deny",
          CidrBlock: "10.0.1.0/24",
          PortRange: { From: PORT, To: PORT },
        }),
      );
      await runtime.settle();
      await waitUntil(
        "the server's agent to deny segments",
        async () => (await drops(serverEni, "nacl_denied")) > denied0,
        30_000,
        100,
      );
      const stalled = t.srv.progress();
      const d1 = await drops(serverEni, "nacl_denied");
      await waitUntil(
        "more denied retransmissions",
        async () => (await drops(serverEni, "nacl_denied")) > d1,
        30_000,
        100,
      );
      expect(t.srv.progress()).toBe(stalled);
      await runtime.ec2.send(new DeleteNetworkAclEntryCommand(deny));
      await runtime.settle();
      await waitUntil(
        "the transfer to resume",
        () => t.srv.progress() > stalled + (4 << 20),
        60_000,
        20,
      );
    } finally {
      t.client.stdin!.end();
      await runtime.ec2.send(new AuthorizeSecurityGroupIngressCommand(rule)).catch(() => undefined);
      await runtime.ec2.send(new DeleteNetworkAclEntryCommand(deny)).catch(() => undefined);
    }
    await finished(t, "the transfer to end", 60_000);
    const sent = (await kernelCounters(cns)).segs - k0.segs;
    // What the kernel sent = what the client's ENI let out (its egress entry), and that =
    // what the server's entry admitted + the segments its NACL denied (counters are reports:
    // polled until they cover the last packets).
    await waitUntil(
      "counters to cover every segment",
      async () => {
        const c = await entryOf("client", t.port);
        const s = await entryOf("server", t.port);
        const d = (await drops(serverEni, "nacl_denied")) - denied0;
        return c.packetsOriginal === sent && s.packetsOriginal + d === sent;
      },
      30_000,
      250,
    ).catch(async (err: unknown) => {
      const c = await entryOf("client", t.port);
      const s = await entryOf("server", t.port);
      const d = (await drops(serverEni, "nacl_denied")) - denied0;
      throw new Error(
        `${String(err)}: kernel sent ${sent}; client entry ${c.packetsOriginal}, server entry ${s.packetsOriginal} + denied ${d}`,
      );
    });
  }, 240_000);
});
