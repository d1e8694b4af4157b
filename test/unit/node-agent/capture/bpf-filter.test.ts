/**
 * Capture filters (node-agent/capture/bpf-filter.ts) through the system's libpcap: tcpdump's
 * syntax on raw IP packets, and libpcap's own message for an expression it refuses.
 */
import { describe, expect, it } from "vitest";
import {
  MAX_FILTER_LENGTH,
  compileCaptureFilter,
  type CaptureFilter,
} from "../../../../node-agent/capture/bpf-filter.js";
import { buildIcmpEcho, buildTcp, buildUdp } from "../../../helpers/packet-builder.js";

function compiled(expr: string): CaptureFilter {
  const f = compileCaptureFilter(expr);
  if (typeof f === "string") throw new Error(`'${expr}' refused: ${f}`);
  return f;
}

const ping = buildIcmpEcho({ src: "10.0.1.10", dst: "10.0.2.20", id: 1, seq: 1 });
const mysql = buildTcp({
  src: "10.0.1.10",
  dst: "10.0.2.20",
  srcPort: 40000,
  dstPort: 3306,
  flags: 0x02,
});
const dns = buildUdp({ src: "10.0.2.20", dst: "10.0.1.10", srcPort: 53, dstPort: 40000 });
const ping6 = buildIcmpEcho({ src: "2001:db8::1", dst: "2001:db8::2", id: 1, seq: 1 });

describe("compileCaptureFilter", () => {
  it("matches raw IPv4 and IPv6 packets as tcpdump would (CAP-3)", () => {
    const f = compiled("icmp and host 10.0.2.20");
    expect([f.match(ping), f.match(mysql), f.match(dns)]).toEqual([true, false, false]);
    const t = compiled("tcp dst port 3306 and tcp[tcpflags] & tcp-syn != 0");
    expect([t.match(ping), t.match(mysql), t.match(dns)]).toEqual([false, true, false]);
    const six = compiled("ip6");
    expect([six.match(ping6), six.match(ping)]).toEqual([true, false]);
    const u = compiled("udp src port 53 or icmp6");
    expect([u.match(dns), u.match(ping6), u.match(ping)]).toEqual([true, true, false]);
    for (const x of [f, t, six, u]) x.free();
  });

  it("passes every packet for an empty expression", () => {
    const f = compiled("  ");
    expect([f.match(ping), f.match(ping6)]).toEqual([true, true]);
  });

  it("refuses what libpcap refuses, with libpcap's message (CAP-6)", () => {
    expect(compileCaptureFilter("tcp port")).toBe("can't parse filter expression: syntax error");
    expect(compileCaptureFilter("host 10.0.300.1")).toBe("invalid IPv4 address '10.0.300.1'");
    expect(compileCaptureFilter("tcp port 99999")).toBe("illegal port number 99999 > 65535");
    // Raw IP has no link layer: ethernet filters do not apply.
    expect(compileCaptureFilter("ether host 00:11:22:33:44:55")).toMatch(
      /^ethernet addresses supported only on/,
    );
    expect(compileCaptureFilter("x".repeat(MAX_FILTER_LENGTH + 1))).toBe(
      `capture filter longer than ${MAX_FILTER_LENGTH} characters`,
    );
    expect(compileCaptureFilter("icmp\0")).toBe("capture filter contains a NUL character");
  });

  it("matches nothing once freed", () => {
    const f = compiled("icmp");
    f.free();
    expect(f.match(ping)).toBe(false);
  });
});

/** A deterministic PRNG (mulberry32) for the mutated packets. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("the BPF interpreter", () => {
  // Filters exercising loads of every size and mode (IPv4 header length: ldx msh), ALU, jset,
  // IPv6 and fragments, port ranges, arithmetic on packet fields.
  const FILTERS = [
    "icmp",
    "tcp",
    "udp",
    "ip6",
    "icmp6",
    "host 10.0.2.20",
    "net 10.0.0.0/16 and not host 10.0.1.10",
    "src host 10.0.1.10 and dst port 3306",
    "tcp port 3306 or udp port 53",
    "portrange 1000-50000",
    "tcp[tcpflags] & (tcp-syn|tcp-fin) != 0",
    "tcp[tcpflags] == tcp-rst|tcp-ack",
    "icmp[icmptype] == icmp-echo",
    "ip[6:2] & 0x1fff != 0",
    "ip[2:2] > 100",
    "len >= 60 and len < 200",
    "ip[8] * 2 + 1 > 100",
    "ip[8] / 4 == 16 or ip[8] % 7 == 1",
    "ip6 and tcp dst port 443",
    "ip6 host 2001:db8::2",
    "udp and ip[9] ^ 0x11 == 0",
    "tcp[13] << 2 > 8 and tcp[13] >> 1 < 100",
    "proto 47",
    "ip[0] & 0xf != 5",
  ];
  const base = [
    ping,
    mysql,
    dns,
    ping6,
    buildTcp({ src: "10.0.2.20", dst: "10.0.1.10", srcPort: 3306, dstPort: 40000, flags: 0x14 }),
    buildTcp({ src: "2001:db8::1", dst: "2001:db8::2", srcPort: 5000, dstPort: 443, flags: 0x02 }),
    buildUdp({
      src: "10.0.1.10",
      dst: "10.0.9.9",
      srcPort: 1234,
      dstPort: 4321,
      payload: new Uint8Array(150),
    }),
    buildIcmpEcho({
      src: "10.0.1.10",
      dst: "10.0.2.20",
      id: 2,
      seq: 2,
      ipv4Options: new Uint8Array([1, 1, 1, 0]),
    }),
  ];

  it("decides as libpcap's pcap_offline_filter on valid, truncated and mutated packets (CAP-3)", () => {
    const rand = prng(13);
    const packets: Array<{ pkt: Uint8Array; wire: number }> = base.map((p) => ({
      pkt: p,
      wire: p.length,
    }));
    for (const p of base) {
      for (const cut of [0, 1, 9, 20, 21, 33, 40, 41, 54]) {
        if (cut < p.length) packets.push({ pkt: p.subarray(0, cut), wire: p.length });
      }
    }
    for (let i = 0; i < 600; i++) {
      const p = Uint8Array.from(base[Math.floor(rand() * base.length)]!);
      const flips = 1 + Math.floor(rand() * 4);
      for (let f = 0; f < flips; f++)
        p[Math.floor(rand() * Math.min(p.length, 64))] = Math.floor(rand() * 256);
      packets.push({ pkt: p, wire: p.length });
    }
    let compared = 0;
    let matched = 0;
    for (const expr of FILTERS) {
      const f = compiled(expr);
      for (const { pkt, wire } of packets) {
        const ours = f.match(pkt, wire);
        const theirs = f.matchWithLibpcap(pkt, wire);
        if (ours !== theirs) {
          throw new Error(
            `'${expr}' on ${Buffer.from(pkt).toString("hex")} (wire ${wire}): ours ${ours}, libpcap ${theirs}`,
          );
        }
        compared++;
        if (ours) matched++;
      }
      f.free();
    }
    expect(compared).toBe(FILTERS.length * packets.length);
    // Both outcomes were exercised plenty.
    expect(matched).toBeGreaterThan(compared / 10);
    expect(compared - matched).toBeGreaterThan(compared / 10);
  });
});
