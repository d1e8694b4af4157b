/**
 * The underlay on real sockets (issue 4): the host forges Geneve datagrams and sends them to an
 * agent's loopback underlay endpoint; the agent must drop them, count them, and keep forwarding.
 * The in-process twin is test/integration/two-agents.test.ts. Root required.
 *
 *   host (this test): dgram socket 127.0.0.1:<ephemeral>  -- forged Geneve / garbage -->--+
 *                                                                                          |
 *   agent(web) 127.0.0.1:<pw>  ==== Geneve over loopback UDP ====>  agent(db) 127.0.0.1:<pd>
 *        | TUN                                                            | TUN
 *   +----+------------------+                                     +-------+----------------+
 *   | ns web 10.0.1.10      |  udp 40123 -> 10.0.2.20:5400        | ns db 10.0.2.20        |
 *   | web-sg (default egress)|  (db-sg: udp 5400 from web-sg)     | listener udp :5400     |
 *   +-----------------------+                                     +------------------------+
 *
 * Network safety: the host sends only to 127.0.0.1 (the agents' underlay endpoints, checked
 * before every send); the emulated addresses exist only inside the namespaces.
 */
import { createSocket, type Socket } from "node:dgram";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  encodeEniOption,
  vniForVpc,
  writeGeneveHeader,
} from "../../../node-agent/overlay/geneve.js";
import { buildUdp } from "../../helpers/packet-builder.js";
import { startTestRuntime, type TestRuntime } from "../../helpers/netns-runtime.js";

const TOPOLOGY = `vpcs:
  - { name: v, cidr: 10.0.0.0/16 }
subnets:
  - { name: public, vpc: v, cidr: 10.0.1.0/24 }
  - { name: private, vpc: v, cidr: 10.0.2.0/24 }
securityGroups:
  - name: web-sg
    vpc: v
    ingress:
      - { protocol: tcp, ports: 80, cidr: 0.0.0.0/0 }
  - name: db-sg
    vpc: v
    ingress:
      - { protocol: udp, ports: 5400, sg: web-sg }
instances:
  - { name: web, subnet: public, securityGroups: [web-sg], privateIp: 10.0.1.10 }
  - { name: db, subnet: private, securityGroups: [db-sg], privateIp: 10.0.2.20 }
`;

const WEB_IP = "10.0.1.10";
const DB_IP = "10.0.2.20";
const DB_PORT = 5400;
const WEB_PORT = 40123;

/** Prints one JSON line per datagram received on udp/5400 (after a "listening" line). */
const LISTENER = `
const s = require("node:dgram").createSocket("udp4");
s.on("message", (m, r) =>
  process.stdout.write(JSON.stringify({ data: m.toString(), from: r.address + ":" + r.port }) + "\\n"));
s.bind(${DB_PORT}, "0.0.0.0", () => process.stdout.write(JSON.stringify({ listening: true }) + "\\n"));
`;

/** Sends one datagram from WEB_PORT to db's listener (inside web's namespace), then exits. */
const SENDER = (payload: string) => `
const s = require("node:dgram").createSocket("udp4");
s.bind(${WEB_PORT}, "0.0.0.0", () =>
  s.send(${JSON.stringify(payload)}, ${DB_PORT}, ${JSON.stringify(DB_IP)}, () => s.close()));
`;

interface AgentView {
  agentId: string;
  connected: boolean;
  endpoint: string;
  eniIds: string[];
}

const dir = mkdtempSync(join(tmpdir(), "vpcemu-spoof-test-"));
let rt: TestRuntime;
let listener: ChildProcess | undefined;
let host: Socket | undefined;
const received: { data: string; from: string }[] = [];

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${rt.runtime.controllerUrl}${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

async function agentOf(node: string): Promise<AgentView> {
  const { body } = await getJson<{ agents: AgentView[] }>("/v1/agents");
  const agentId = rt.runtime.node(node).agentId;
  const a = body.agents.find((x) => x.agentId === agentId);
  if (a === undefined) throw new Error(`agent ${agentId} of node ${node} is not in /v1/agents`);
  return a;
}

/** A drop counter of an ENI as the controller's JSON API serves it (0 before any report). */
async function dropsOf(eniId: string, reason: string): Promise<number> {
  const { status, body } = await getJson<{ counters?: { drops: Record<string, number> } }>(
    `/v1/counters?eni=${eniId}`,
  );
  return status === 200 ? (body.counters?.drops[reason] ?? 0) : 0;
}

async function until<T>(
  probe: () => Promise<T>,
  ok: (v: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what} (last: ${String(v)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Sends bytes from the host to an agent's underlay endpoint; refuses anything not loopback. */
async function sendToUnderlay(endpoint: string, bytes: Uint8Array): Promise<void> {
  const m = /^(127\.\d+\.\d+\.\d+):(\d+)$/.exec(endpoint);
  if (m === null) throw new Error(`refusing to send to '${endpoint}': not a 127.0.0.0/8 endpoint`);
  await new Promise<void>((resolve, reject) =>
    host!.send(bytes, Number(m[2]), m[1], (err) => (err ? reject(err) : resolve())),
  );
}

/** A Geneve datagram carrying `inner` as vpcemu agents encapsulate it (overlay/geneve.ts). */
function geneve(inner: Uint8Array, vni: number, srcEni: string, dstEni: string): Uint8Array {
  const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
  buf.set(inner, ENCAP_HEADROOM);
  const start = writeGeneveHeader(
    buf,
    ENCAP_HEADROOM,
    vni,
    ETHERTYPE_IPV4,
    encodeEniOption(srcEni),
    encodeEniOption(dstEni),
  );
  return buf.subarray(start);
}

function innerUdp(payload: string): Uint8Array {
  return buildUdp({
    src: WEB_IP,
    dst: DB_IP,
    srcPort: WEB_PORT,
    dstPort: DB_PORT,
    payload: new TextEncoder().encode(payload),
  });
}

/** Sends `payload` legitimately from web's namespace until db's listener has it. */
async function sendFromWebUntilReceived(payload: string): Promise<void> {
  await until(
    async () => {
      if (!received.some((r) => r.data === payload)) {
        await rt.runtime.exec("web", process.execPath, ["-e", SENDER(payload)], {
          timeoutMs: 10_000,
        });
        await new Promise((r) => setTimeout(r, 300));
      }
      return received.some((r) => r.data === payload);
    },
    (got) => got,
    `db's listener to receive '${payload}' from web`,
  );
}

beforeAll(async () => {
  const file = join(dir, "spoofing.yaml");
  writeFileSync(file, TOPOLOGY);
  rt = await startTestRuntime(file);
  listener = rt.runtime.spawn("db", process.execPath, ["-e", LISTENER]);
  const lines = createInterface({ input: listener.stdout! });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("db's UDP listener did not start")), 10_000);
    lines.on("line", (line) => {
      const msg = JSON.parse(line) as { listening?: boolean; data?: string; from?: string };
      if (msg.listening === true) {
        clearTimeout(timer);
        resolve();
      } else if (msg.data !== undefined) {
        received.push({ data: msg.data, from: msg.from ?? "" });
      }
    });
    listener!.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`db's UDP listener exited (${code})`));
    });
  });
  host = createSocket("udp4");
  await new Promise<void>((resolve) => host!.bind(0, "127.0.0.1", resolve));
}, 120_000);

afterAll(async () => {
  host?.close();
  listener?.kill("SIGTERM");
  await rt?.[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

describe("forged underlay datagrams sent from the host to an agent's loopback endpoint", () => {
  it("drops a well-formed Geneve packet claiming web's ENI from a socket that is not web's agent (spoofed_underlay), delivers the same flow sent by web, and survives garbage", async () => {
    const web = await agentOf("web");
    const db = await agentOf("db");
    expect(web.connected && db.connected).toBe(true);
    const webEni = web.eniIds[0]!;
    const dbEni = db.eniIds[0]!;
    const { body: dbSnap } = await getJson<{ enis: { eniId: string; vpcId: string }[] }>(
      `/v1/snapshot?agent=${db.agentId}`,
    );
    const vpcId = dbSnap.enis.find((e) => e.eniId === dbEni)!.vpcId;
    const dbPid = rt.runtime.node("db").agentPid;

    // (c) first: the flow is allowed (db-sg: udp 5400 from web-sg) and the test sees deliveries.
    await sendFromWebUntilReceived("legit-1");

    // (a) The same inner packet, correctly encapsulated (VNI of the VPC, web's ENI as source,
    // db's as destination), but from the host's socket: the mapping table names web's agent
    // endpoint for 10.0.1.10, not this one.
    const spoofedBefore = await dropsOf(dbEni, "spoofed_underlay");
    await sendToUnderlay(db.endpoint, geneve(innerUdp("forged"), vniForVpc(vpcId), webEni, dbEni));
    await until(
      () => dropsOf(dbEni, "spoofed_underlay"),
      (n) => n > spoofedBefore,
      "db's spoofed_underlay counter to grow in /v1/counters",
    );

    // (b) Garbage (Geneve version 3, random-looking bytes): dropped as bad encapsulation before
    // any ENI is known, so it is counted on the agent, not on an ENI (see the report note).
    const garbage = new Uint8Array(64);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (0xde + i * 37) & 0xff;
    await sendToUnderlay(db.endpoint, garbage);

    // The agent still forwards afterwards, and neither the forged nor the garbage datagram ever
    // reached the listener: it received only what web's namespace sent.
    await sendFromWebUntilReceived("legit-2");
    expect(received.map((r) => r.data)).not.toContain("forged");
    expect(received.every((r) => r.data.startsWith("legit-"))).toBe(true);
    expect(received.every((r) => r.from === `${WEB_IP}:${WEB_PORT}`)).toBe(true);
    expect(rt.runtime.node("db").agentPid).toBe(dbPid);
    expect((await agentOf("db")).connected).toBe(true);
    // The legitimate datagrams were never taken for spoofed ones: only the forged one counts.
    expect(await dropsOf(dbEni, "spoofed_underlay")).toBe(spoofedBefore + 1);
  });
});
