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
  it("matches raw IPv4 and IPv6 packets as tcpdump would", () => {
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

  it("refuses what libpcap refuses, with libpcap's message", () => {
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
