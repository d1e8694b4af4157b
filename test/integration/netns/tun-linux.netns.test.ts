/**
 * A real TUN device (LinuxTun: koffi, worker read loop) created in the host namespace, moved
 * into a test namespace and configured there with iproute2 (tun-placement.ts). Root needed.
 *
 *   host namespace (this process)             vpcemu-test-tunNNNN
 *   +---------------------------+  fd keeps   +--------------------------------+
 *   | LinuxTun fd  readBatch <--+------------+-- eth0 10.99.0.1/32, mtu 9001  |
 *   |              writeBatch --+----------->+   default route -> eth0         |
 *   +---------------------------+  working    |   node UDP sockets             |
 *                                             +--------------------------------+
 *
 * 10.99.0.x exists only inside the namespace; the host never sends to it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createNamespace,
  deleteNamespace,
  namespaceLinks,
  runInNamespace,
} from "../../../cli/runtime/netns.js";
import { decodePacket } from "../../../node-agent/packet/decode.js";
import { openLinuxTun, type LinuxTun } from "../../../node-agent/tun/linux-tun.js";
import {
  listTunAddresses,
  placeTun,
  runIp,
  setTunAddresses,
  type PlacedTun,
} from "../../../node-agent/tun/tun-placement.js";
import { buildUdp } from "../../helpers/packet-builder.js";
import { requireNetnsPrerequisites } from "../../helpers/prerequisites.js";

const NS = `vpcemu-test-tun${process.pid % 100000}`;
const NODE = process.execPath;

let tun: LinuxTun | undefined;
let placed: PlacedTun;

beforeAll(async () => {
  requireNetnsPrerequisites();
  await deleteNamespace(NS);
  await createNamespace(NS);
  tun = await openLinuxTun({ name: "vpct%d", batchSize: 16 });
  placed = await placeTun({ device: tun.name, netns: NS, nameInNode: "eth0", mtu: 9001 });
  await setTunAddresses(placed, ["10.99.0.1"]);
});

afterAll(async () => {
  await tun?.close();
  await deleteNamespace(NS);
});

describe("LinuxTun placed in a namespace", () => {
  it("is eth0 in the namespace with MTU 9001, its address and a default route, and gone from the host", async () => {
    expect(placed.name).toBe("eth0");
    expect(await namespaceLinks(NS)).toEqual(expect.arrayContaining(["lo", "eth0"]));
    expect(await listTunAddresses(placed)).toEqual(["10.99.0.1"]);
    const link = await runInNamespace(NS, "ip", ["-o", "link", "show", "eth0"]);
    expect(link.stdout).toMatch(/mtu 9001/);
    const route = await runInNamespace(NS, "ip", ["route", "show"]);
    expect(route.stdout).toMatch(/^default dev eth0/m);
    const host = await runIp(undefined, ["-o", "link", "show"]);
    expect(host).not.toMatch(new RegExp(`\\d+: ${tun!.name}[:@]`));
  });

  it("delivers a UDP datagram sent by a socket in the namespace to readBatch", async () => {
    const script = `
      const s = require("node:dgram").createSocket("udp4");
      s.bind(0, "10.99.0.1", () => s.send("hello-from-ns", 9999, "10.99.0.2", () => s.close()));`;
    const r = await runInNamespace(NS, NODE, ["-e", script], { timeoutMs: 10_000 });
    expect(r.code).toBe(0);
    const bufs = Array.from({ length: 16 }, () => new Uint8Array(128 + 9001));
    const sizes = new Array<number>(16).fill(0);
    // Skip anything else the kernel might emit; find our datagram.
    for (let tries = 0; tries < 5; tries++) {
      const n = await tun!.readBatch(bufs, sizes, 128);
      for (let i = 0; i < n; i++) {
        const p = decodePacket(bufs[i]!, 128, sizes[i]!);
        if (typeof p === "string" || p.dstPort !== 9999) continue;
        expect(Array.from(p.src).join(".")).toBe("10.99.0.1");
        expect(Array.from(p.dst).join(".")).toBe("10.99.0.2");
        const payload = new TextDecoder().decode(
          bufs[i]!.subarray(p.payloadOffset, 128 + sizes[i]!),
        );
        expect(payload).toBe("hello-from-ns");
        return;
      }
    }
    throw new Error("datagram not read from the TUN");
  });

  it("delivers a packet written with writeBatch to a socket in the namespace", async () => {
    const script = `
      const s = require("node:dgram").createSocket("udp4");
      s.on("message", (m, r) => { console.log(r.address + ":" + r.port + " " + m); process.exit(0); });
      s.bind(7777, "10.99.0.1", () => console.log("ready"));
      setTimeout(() => process.exit(3), 8000);`;
    const child = spawn("ip", ["netns", "exec", NS, NODE, "-e", script]);
    let out = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("ready")) resolve();
      });
      child.on("exit", () => reject(new Error(`listener exited early: ${out}`)));
    });
    const pkt = buildUdp({
      src: "10.99.0.2",
      dst: "10.99.0.1",
      srcPort: 5555,
      dstPort: 7777,
      payload: new TextEncoder().encode("hello-from-agent"),
    });
    const buf = new Uint8Array(64 + pkt.length);
    buf.set(pkt, 64);
    expect(await tun!.writeBatch([buf], [pkt.length], 64)).toBe(1);
    expect(await exited).toBe(0);
    expect(out).toContain("10.99.0.2:5555 hello-from-agent");
  });

  it("creates a missing TUN device node with mknod (container sidecar without --device)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vpcemu-test-dev-"));
    try {
      const path = join(dir, "net", "tun");
      const t = await openLinuxTun({ name: "vpct%d", devicePath: path });
      expect(statSync(path).isCharacterDevice()).toBe(true);
      expect(t.name).toMatch(/^vpct\d+$/);
      await t.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects pending reads once closed", async () => {
    const t = await openLinuxTun({ name: "vpct%d" });
    const bufs = [new Uint8Array(9100)];
    const pending = expect(t.readBatch(bufs, [0], 0)).rejects.toThrow(/closed/);
    await t.close();
    await pending;
  });
});

describe("LinuxTunProvider in place (container sidecar mode)", () => {
  const NS2 = `vpcemu-test-inplace${process.pid % 100000}`;
  const provider = new URL("../../../node-agent/tun/tun-provider.ts", import.meta.url).pathname;

  afterAll(async () => {
    await deleteNamespace(NS2);
  });

  it("configures the TUN where the agent runs, with host routes reconciled to the reachable set", async () => {
    await deleteNamespace(NS2);
    await createNamespace(NS2);
    // The agent runs inside the namespace (as a sidecar would), so this runs in a child there.
    const script = `
      const { LinuxTunProvider } = await import(${JSON.stringify(provider)});
      const { execFileSync } = await import("node:child_process");
      const ip = (...a) => execFileSync("ip", a).toString();
      const p = new LinuxTunProvider({ kind: "in-place" }, "vpc0", 9001);
      const dev = await p.open({ key: "eni-x", index: 0, addresses: ["10.0.1.10", "2001:db8::10"] });
      await p.setReachable(dev, ["10.0.2.20", "198.51.100.10", "2001:db8::20"]);
      await p.setReachable(dev, ["10.0.2.20", "2001:db8::20"]);
      console.log(JSON.stringify({
        addr: ip("-o", "addr", "show", "dev", "vpc0"),
        v4: ip("-4", "route", "show"),
        v6: ip("-6", "route", "show", "dev", "vpc0"),
        mtu: ip("-o", "link", "show", "vpc0"),
      }));
      await p.close(dev);
      console.log(JSON.stringify({ after: ip("-o", "link") }));`;
    const r = await runInNamespace(
      NS2,
      NODE,
      ["--import", "tsx", "--input-type=module", "-e", script],
      {
        timeoutMs: 20_000,
      },
    );
    expect(r.stderr).toBe("");
    const [first, second] = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string | undefined>);
    expect(first!.addr).toMatch(/inet 10\.0\.1\.10\/32/);
    expect(first!.addr).toMatch(/inet6 2001:db8::10\/128/);
    expect(first!.mtu).toMatch(/mtu 9001/);
    expect(
      (first!.v4 ?? "")
        .trim()
        .split("\n")
        .map((l) => l.split(" ")[0]),
    ).toEqual(["10.0.2.20"]);
    expect(first!.v4).not.toMatch(/default/);
    expect(first!.v6).toMatch(/^2001:db8::20 /m);
    expect(second!.after).not.toMatch(/vpc0/);
  });
});

describe("LinuxTun with two queues (IFF_MULTI_QUEUE)", () => {
  const NS3 = `vpcemu-test-mq${process.pid % 100000}`;

  afterAll(async () => {
    await deleteNamespace(NS3);
  });

  it("reads every packet of many flows through both queue workers", async () => {
    await deleteNamespace(NS3);
    await createNamespace(NS3);
    const mq = await openLinuxTun({ name: "vpct%d", queues: 2 });
    try {
      const p = await placeTun({ device: mq.name, netns: NS3, nameInNode: "eth0", mtu: 9001 });
      await setTunAddresses(p, ["10.99.0.1"]);
      const script = `
        const dgram = require("node:dgram");
        let left = 64;
        for (let i = 0; i < 64; i++) {
          const s = dgram.createSocket("udp4");
          s.bind(0, "10.99.0.1", () => s.send("x", 9000 + i, "10.99.0.2", () => { s.close(); if (--left === 0) process.exit(0); }));
        }`;
      const r = await runInNamespace(NS3, NODE, ["-e", script], { timeoutMs: 10_000 });
      expect(r.code).toBe(0);
      const bufs = Array.from({ length: 64 }, () => new Uint8Array(9100));
      const sizes = new Array<number>(64).fill(0);
      const ports = new Set<number>();
      while (ports.size < 64) {
        const n = await mq.readBatch(bufs, sizes, 0);
        for (let i = 0; i < n; i++) {
          const d = decodePacket(bufs[i]!, 0, sizes[i]!);
          if (typeof d !== "string" && d.dstPort >= 9000 && d.dstPort < 9064) ports.add(d.dstPort);
        }
      }
      expect(ports.size).toBe(64);
    } finally {
      await mq.close();
    }
  });
});

describe("placement where IPv6 is disabled (Docker's default for containers)", () => {
  const NS4 = `vpcemu-test-nov6${process.pid % 100000}`;

  afterAll(async () => {
    await deleteNamespace(NS4);
  });

  it("configures the IPv4 addresses and skips the IPv6 ones instead of failing", async () => {
    await deleteNamespace(NS4);
    await createNamespace(NS4);
    for (const scope of ["all", "default"]) {
      const r = await runInNamespace(NS4, "sysctl", [
        "-qw",
        `net.ipv6.conf.${scope}.disable_ipv6=1`,
      ]);
      expect(r.code).toBe(0);
    }
    const t = await openLinuxTun({ name: "vpct%d" });
    try {
      const p = await placeTun({ device: t.name, netns: NS4, nameInNode: "eth0", mtu: 9001 });
      await setTunAddresses(p, ["10.99.0.1", "2001:db8::1"]);
      expect(await listTunAddresses(p)).toEqual(["10.99.0.1"]);
    } finally {
      await t.close();
    }
  });
});
