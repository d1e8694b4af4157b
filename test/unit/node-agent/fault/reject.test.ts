import { describe, expect, it } from "vitest";
import {
  buildRejectReply,
  ICMPV4_ERROR_MAX,
  ICMPV6_ERROR_MAX,
} from "../../../../node-agent/fault/reject.js";
import { quotedPacketTuple } from "../../../../node-agent/packet/icmp.js";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import { TcpFlag, type DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import {
  buildIcmpEcho,
  buildIcmpError,
  buildIpPacket,
  buildTcp,
  buildUdp,
} from "../../../helpers/packet-builder.js";

function dec(p: Uint8Array): DecodedPacket {
  const d = decodePacket(p, 0, p.length, { verifyChecksums: true });
  if (typeof d === "string") throw new Error(d);
  return d;
}
const ip = (b: Uint8Array) =>
  b.length === 4 ? Array.from(b).join(".") : Buffer.from(b).toString("hex");

function reply(p: Uint8Array): DecodedPacket | undefined {
  const r = buildRejectReply(dec(p), p);
  return r === undefined ? undefined : dec(r); // verifyChecksums: every checksum must be right
}

describe("reject replies", () => {
  it("answers a SYN with RST|ACK, SEQ 0, ACK = SEG.SEQ + 1 (RFC 9293 3.10.7.1, no ACK bit)", () => {
    const r = reply(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 40000,
        dstPort: 3306,
        flags: TcpFlag.SYN,
        seq: 1000,
      }),
    )!;
    expect([ip(r.src), r.srcPort, ip(r.dst), r.dstPort]).toEqual([
      "10.0.2.20",
      3306,
      "10.0.1.10",
      40000,
    ]);
    expect(r.tcpFlags).toBe(TcpFlag.RST | TcpFlag.ACK);
    expect(r.tcpSeq).toBe(0);
    expect(r.tcpAck).toBe(1001);
    expect(r.length).toBe(40);
  });

  it("answers an ACK-bearing segment with a bare RST whose SEQ is SEG.ACK", () => {
    const r = reply(
      buildTcp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 40000,
        dstPort: 3306,
        flags: TcpFlag.ACK | TcpFlag.PSH,
        seq: 5,
        ack: 0xfffffff0,
        payload: new Uint8Array(100),
      }),
    )!;
    expect(r.tcpFlags).toBe(TcpFlag.RST);
    expect(r.tcpSeq).toBe(0xfffffff0);
    expect(r.tcpAck).toBe(0);
  });

  it("counts payload, SYN and FIN in SEG.LEN and wraps at 2^32", () => {
    // A data+FIN segment without ACK is invalid TCP, so use SYN+data (RFC 9293 allows data on SYN).
    const r = reply(
      buildTcp({
        src: "2001:db8:1::10",
        dst: "2001:db8:2::20",
        srcPort: 1,
        dstPort: 2,
        flags: TcpFlag.SYN,
        seq: 0xffffffff,
        payload: new Uint8Array(10),
      }),
    )!;
    expect(r.family).toBe(6);
    expect(r.tcpAck).toBe(10); // 0xffffffff + 10 + 1 mod 2^32
    expect(r.tcpFlags).toBe(TcpFlag.RST | TcpFlag.ACK);
  });

  it("never answers a RST", () => {
    expect(
      reply(
        buildTcp({
          src: "10.0.1.10",
          dst: "10.0.2.20",
          srcPort: 1,
          dstPort: 2,
          flags: TcpFlag.RST,
        }),
      ),
    ).toBeUndefined();
  });

  it("answers UDP with ICMP port unreachable quoting the datagram (v4, 3/3)", () => {
    const orig = buildUdp({
      src: "10.0.1.10",
      dst: "10.0.2.20",
      srcPort: 5353,
      dstPort: 53,
      payload: new Uint8Array([1, 2, 3]),
    });
    const raw = buildRejectReply(dec(orig), orig)!;
    const r = dec(raw);
    expect([r.protocol, r.icmpType, r.icmpCode, r.icmpError]).toEqual([1, 3, 3, true]);
    expect([ip(r.src), ip(r.dst)]).toEqual(["10.0.2.20", "10.0.1.10"]);
    expect(raw.subarray(28)).toEqual(orig);
    const q = quotedPacketTuple(raw, r.l4Offset, r.length - 20, 4);
    expect(q).toMatchObject({ protocol: 17, srcPort: 5353, dstPort: 53 });
  });

  it("answers ICMPv6 echo with ICMPv6 port unreachable (1/4)", () => {
    const orig = buildIcmpEcho({ src: "2001:db8:1::10", dst: "2001:db8:2::20", id: 7, seq: 1 });
    const r = reply(orig)!;
    expect([r.protocol, r.icmpType, r.icmpCode]).toEqual([58, 1, 4]);
    expect(r.length).toBe(40 + 8 + orig.length);
  });

  it("cuts the quote to 576 (IPv4) and 1280 (IPv6) bytes in all", () => {
    const big4 = buildUdp({
      src: "10.0.1.10",
      dst: "10.0.2.20",
      srcPort: 1,
      dstPort: 2,
      payload: new Uint8Array(3000),
    });
    const big6 = buildUdp({
      src: "2001:db8::1",
      dst: "2001:db8::2",
      srcPort: 1,
      dstPort: 2,
      payload: new Uint8Array(3000),
    });
    expect(reply(big4)!.length).toBe(ICMPV4_ERROR_MAX);
    expect(reply(big6)!.length).toBe(ICMPV6_ERROR_MAX);
  });

  it("never answers an ICMP error or a non-first fragment (RFC 1122 3.2.2)", () => {
    const quoted = buildUdp({ src: "10.0.2.20", dst: "10.0.1.10", srcPort: 1, dstPort: 2 });
    expect(
      reply(buildIcmpError({ src: "10.0.1.10", dst: "10.0.2.20", type: 3, code: 3, quoted })),
    ).toBeUndefined();
    const frag = buildIpPacket({
      src: "10.0.1.10",
      dst: "10.0.2.20",
      protocol: 17,
      payload: new Uint8Array(16),
      fragment: { offset: 64, more: false },
    });
    const d = decodePacket(frag, 0, frag.length);
    expect(buildRejectReply(d as DecodedPacket, frag)).toBeUndefined();
  });

  it("answers other protocols (GRE) with port unreachable too", () => {
    expect(
      reply(
        buildIpPacket({
          src: "10.0.1.10",
          dst: "10.0.2.20",
          protocol: 47,
          payload: new Uint8Array(8),
        }),
      )?.icmpType,
    ).toBe(3);
  });
});
