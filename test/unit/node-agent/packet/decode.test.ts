import { describe, expect, it } from "vitest";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import {
  IpProto,
  TcpFlag,
  type DecodedPacket,
} from "../../../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { formatIpAddress } from "../../../../node-agent/packet/address.js";
import { writeIpv4HeaderChecksum } from "../../../../node-agent/packet/checksum.js";
import * as captured from "../../../fixtures/packets.js";
import {
  buildIcmpEcho,
  buildIcmpError,
  buildIpPacket,
  buildTcp,
  buildUdp,
  fragmentIpPacket,
} from "../../../helpers/packet-builder.js";

const V4 = { src: "10.0.1.5", dst: "10.0.2.7" };
const V6 = { src: "2001:db8:1::5", dst: "2001:db8:2::7" };
const { SYN, ACK, FIN, RST, PSH, URG, ECE, CWR } = TcpFlag;

function decodeOk(pkt: Uint8Array, verifyChecksums = true, off = 0): DecodedPacket {
  const r = decodePacket(pkt, off, pkt.length - off, { verifyChecksums });
  if (typeof r === "string") throw new Error(`expected a packet, got drop ${r}`);
  return r;
}

function drop(pkt: Uint8Array, verifyChecksums = false): unknown {
  return decodePacket(pkt, 0, pkt.length, { verifyChecksums });
}

/** Copy with the IPv4 header checksum rewritten after a header edit. */
function v4Edit(pkt: Uint8Array, edit: (p: Uint8Array) => void): Uint8Array {
  const p = pkt.slice();
  edit(p);
  writeIpv4HeaderChecksum(p, 0);
  return p;
}

describe("decodePacket round trip (builder -> decode)", () => {
  it.each([
    ["IPv4", V4],
    ["IPv6", V6],
  ])("decodes a TCP segment over %s", (_name, addrs) => {
    const payload = Uint8Array.from([1, 2, 3, 4, 5]);
    const pkt = buildTcp({
      ...addrs,
      srcPort: 40000,
      dstPort: 443,
      flags: SYN | ACK,
      seq: 0xfffffffe,
      ack: 0x80000001,
      payload,
    });
    const d = decodeOk(pkt);
    const l4 = addrs === V4 ? 20 : 40;
    expect(d).toMatchObject({
      family: addrs === V4 ? 4 : 6,
      protocol: IpProto.TCP,
      srcPort: 40000,
      dstPort: 443,
      tcpFlags: SYN | ACK,
      tcpSeq: 0xfffffffe,
      tcpAck: 0x80000001,
      icmpType: -1,
      icmpCode: -1,
      icmpId: -1,
      icmpError: false,
      fragmentOffset: 0,
      moreFragments: false,
      l3Offset: 0,
      l4Offset: l4,
      payloadOffset: l4 + 20,
      length: pkt.length,
    });
    expect(formatIpAddress(d.src)).toBe(addrs.src);
    expect(formatIpAddress(d.dst)).toBe(addrs.dst);
    expect(pkt.subarray(d.payloadOffset, d.length)).toEqual(payload);
  });

  it.each([
    ["IPv4", V4],
    ["IPv6", V6],
  ])("decodes a UDP datagram over %s", (_name, addrs) => {
    const pkt = buildUdp({ ...addrs, srcPort: 5353, dstPort: 53, payload: new Uint8Array(33) });
    const d = decodeOk(pkt);
    expect(d).toMatchObject({ protocol: IpProto.UDP, srcPort: 5353, dstPort: 53, tcpFlags: 0 });
    expect(d.payloadOffset).toBe(d.l4Offset + 8);
  });

  it.each([
    ["IPv4 request", V4, false, 8],
    ["IPv4 reply", V4, true, 0],
    ["IPv6 request", V6, false, 128],
    ["IPv6 reply", V6, true, 129],
  ])(
    "decodes an ICMP echo: %s (AWS-BEHAVIOUR CT-8 keys on the echo id)",
    (_n, addrs, reply, type) => {
      const pkt = buildIcmpEcho({ ...addrs, id: 0xbeef, seq: 9, reply });
      const d = decodeOk(pkt);
      expect(d).toMatchObject({
        protocol: addrs === V4 ? IpProto.ICMP : IpProto.ICMPV6,
        icmpType: type,
        icmpCode: 0,
        icmpId: 0xbeef,
        icmpError: false,
        srcPort: 0,
        dstPort: 0,
      });
    },
  );

  it.each([
    ["IPv4 unreachable/frag needed", V4, 3, 4, true],
    ["IPv4 source quench", V4, 4, 0, true],
    ["IPv4 redirect", V4, 5, 1, true],
    ["IPv4 time exceeded", V4, 11, 0, true],
    ["IPv4 parameter problem", V4, 12, 0, true],
    ["IPv4 timestamp (not an error)", V4, 13, 0, false],
    ["IPv6 unreachable", V6, 1, 4, true],
    ["IPv6 packet too big", V6, 2, 0, true],
    ["IPv6 time exceeded", V6, 3, 0, true],
    ["IPv6 parameter problem", V6, 4, 1, true],
    ["IPv6 neighbour solicitation (not an error)", V6, 135, 0, false],
  ])("flags ICMP errors: %s (AWS-BEHAVIOUR CT-9)", (_n, addrs, type, code, isError) => {
    const quoted = buildUdp({ src: addrs.dst, dst: addrs.src, srcPort: 1, dstPort: 2 });
    const pkt = buildIcmpError({ ...addrs, type, code, quoted });
    const d = decodeOk(pkt);
    expect(d).toMatchObject({ icmpType: type, icmpCode: code, icmpError: isError, icmpId: -1 });
  });

  it.each([
    ["IPv4 GRE", V4, 47],
    ["IPv6 GRE", V6, 47],
    ["IPv4 SCTP", V4, 132],
    ["IPv6 ESP", V6, 50],
    ["IPv6 No Next Header", V6, 59],
    ["ICMPv6 number inside IPv4 (not ICMP there)", V4, 58],
    ["ICMPv4 number inside IPv6", V6, 1],
  ])(
    "decodes other protocols by number with ports 0: %s (AWS-BEHAVIOUR CT-10)",
    (_n, addrs, protocol) => {
      const pkt = buildIpPacket({ ...addrs, protocol, payload: new Uint8Array(12).fill(0xaa) });
      const d = decodeOk(pkt);
      expect(d).toMatchObject({ protocol, srcPort: 0, dstPort: 0, icmpType: -1, tcpFlags: 0 });
      expect(d.payloadOffset).toBe(d.l4Offset);
    },
  );

  it("decodes at a non-zero offset (Geneve headroom) and ignores bytes after the packet", () => {
    const pkt = buildUdp({ ...V4, srcPort: 1, dstPort: 2 });
    const buf = new Uint8Array(64 + pkt.length + 10).fill(0xee);
    buf.set(pkt, 64);
    const d = decodePacket(buf, 64, pkt.length + 10);
    if (typeof d === "string") throw new Error(d);
    expect(d).toMatchObject({ l3Offset: 64, l4Offset: 84, payloadOffset: 92, length: pkt.length });
    expect(d.src.buffer).toBe(buf.buffer);
  });

  it("gives address views, not copies", () => {
    const pkt = buildUdp({ ...V6, srcPort: 1, dstPort: 2 });
    const d = decodeOk(pkt);
    pkt[8] = 0xfe;
    expect(d.src[0]).toBe(0xfe);
  });
});

describe("decodePacket TCP flag validation", () => {
  it.each([
    ["SYN", SYN],
    ["SYN+ACK", SYN | ACK],
    ["SYN+ECE+CWR (ECN setup)", SYN | ECE | CWR],
    ["ACK", ACK],
    ["ACK+PSH", ACK | PSH],
    ["FIN+ACK", FIN | ACK],
    ["FIN+ACK+PSH+URG", FIN | ACK | PSH | URG],
    ["RST", RST],
    ["RST+ACK", RST | ACK],
  ])("accepts %s", (_n, flags) => {
    const pkt = buildTcp({ ...V4, srcPort: 1, dstPort: 2, flags });
    expect(decodeOk(pkt).tcpFlags).toBe(flags);
  });

  it.each([
    ["null scan (no flags)", 0],
    ["SYN+FIN", SYN | FIN],
    ["SYN+RST", SYN | RST],
    ["SYN+FIN+ACK", SYN | FIN | ACK],
    ["FIN+RST", FIN | RST],
    ["FIN alone (FIN scan)", FIN],
    ["XMAS (FIN+PSH+URG)", FIN | PSH | URG],
    ["PSH alone", PSH],
    ["URG alone", URG],
    ["all flags", 0xff],
  ])("drops %s as tcp_invalid_flags", (_n, flags) => {
    expect(drop(buildTcp({ ...V4, srcPort: 1, dstPort: 2, flags }))).toBe(
      DropReason.TcpInvalidFlags,
    );
    expect(drop(buildTcp({ ...V6, srcPort: 1, dstPort: 2, flags }))).toBe(
      DropReason.TcpInvalidFlags,
    );
  });
});

describe("decodePacket fragments", () => {
  it.each([
    ["IPv4", V4],
    ["IPv6", V6],
  ])("gives ports only to the first %s fragment", (_n, addrs) => {
    const whole = buildUdp({ ...addrs, srcPort: 4000, dstPort: 53, payload: new Uint8Array(100) });
    const frags = fragmentIpPacket(whole, 48);
    expect(frags).toHaveLength(3);
    const ds = frags.map((f) => decodeOk(f));
    expect(ds.map((d) => [d.fragmentOffset, d.moreFragments, d.srcPort, d.dstPort])).toEqual([
      [0, true, 4000, 53],
      [48, true, 0, 0],
      [96, false, 0, 0],
    ]);
    for (const d of ds) expect(d.protocol).toBe(IpProto.UDP);
  });

  it("decodes a non-first TCP fragment without flags (no TcpInvalidFlags)", () => {
    const whole = buildTcp({
      ...V4,
      srcPort: 1,
      dstPort: 2,
      flags: ACK,
      payload: new Uint8Array(64),
    });
    const [, second] = fragmentIpPacket(whole, 32);
    expect(decodeOk(second!)).toMatchObject({ fragmentOffset: 32, tcpFlags: 0, srcPort: 0 });
  });

  it("drops a first fragment too short for its transport header (RFC 1858 tiny fragment)", () => {
    const whole = buildTcp({
      ...V4,
      srcPort: 1,
      dstPort: 2,
      flags: ACK,
      payload: new Uint8Array(64),
    });
    expect(drop(fragmentIpPacket(whole, 8)[0]!)).toBe(DropReason.Truncated);
    const whole6 = buildTcp({
      ...V6,
      srcPort: 1,
      dstPort: 2,
      flags: ACK,
      payload: new Uint8Array(64),
    });
    expect(drop(fragmentIpPacket(whole6, 8)[0]!)).toBe(DropReason.Truncated);
  });

  it("drops an IPv4 TCP fragment at offset 8 (RFC 1858 3.4 overlapping fragment)", () => {
    const pkt = buildIpPacket({
      ...V4,
      protocol: IpProto.TCP,
      payload: new Uint8Array(16),
      fragment: { offset: 8, more: true },
    });
    expect(drop(pkt)).toBe(DropReason.BadIpHeader);
  });

  it.each([
    ["IPv4", V4, DropReason.BadIpHeader],
    ["IPv6", V6, DropReason.BadExtensionHeader],
  ])("drops a non-last %s fragment whose data is not a multiple of 8", (_n, addrs, reason) => {
    const pkt = buildIpPacket({
      ...addrs,
      protocol: IpProto.UDP,
      payload: new Uint8Array(20),
      fragment: { offset: 64, more: true },
    });
    expect(drop(pkt)).toBe(reason);
  });

  it.each([
    ["IPv4", V4, DropReason.BadIpHeader],
    ["IPv6", V6, DropReason.BadExtensionHeader],
  ])("drops a %s fragment ending past 65535 bytes (ping of death)", (_n, addrs, reason) => {
    const pkt = buildIpPacket({
      ...addrs,
      protocol: IpProto.ICMP,
      payload: new Uint8Array(16),
      fragment: { offset: 65528, more: false },
    });
    expect(drop(pkt)).toBe(reason);
  });

  it("treats an IPv6 atomic fragment (offset 0, M clear) as a whole packet (RFC 6946)", () => {
    const udp = buildUdp({ ...V6, srcPort: 7, dstPort: 9 });
    const pkt = buildIpPacket({
      ...V6,
      protocol: IpProto.UDP,
      payload: udp.subarray(40),
      fragment: { offset: 0, more: false },
    });
    expect(decodeOk(pkt)).toMatchObject({
      srcPort: 7,
      dstPort: 9,
      moreFragments: false,
      l4Offset: 48,
    });
  });
});

describe("decodePacket drop reasons", () => {
  const tcp4 = buildTcp({ ...V4, srcPort: 1, dstPort: 2, flags: SYN });
  const tcp6 = buildTcp({ ...V6, srcPort: 1, dstPort: 2, flags: SYN });
  const udp4 = buildUdp({ ...V4, srcPort: 1, dstPort: 2, payload: new Uint8Array(4) });

  it.each([
    ["empty", new Uint8Array(0)],
    ["one byte", Uint8Array.from([0x45])],
    ["IPv4 header cut", tcp4.subarray(0, 19)],
    ["IPv6 header cut", tcp6.subarray(0, 39)],
    ["IPv4 total length beyond the buffer", tcp4.subarray(0, tcp4.length - 1)],
    ["IPv6 payload length beyond the buffer", tcp6.subarray(0, tcp6.length - 1)],
    ["TCP header cut", v4Edit(tcp4.subarray(0, 30), (p) => (p[3] = 30))],
    ["TCP options beyond the segment", v4Edit(tcp4, (p) => (p[32] = 0xf0))],
    ["UDP length beyond the datagram", udp4.slice().fill(0xff, 24, 26)],
    ["UDP header cut", v4Edit(udp4.subarray(0, 27), (p) => (p[3] = 27))],
    [
      "ICMP header cut",
      v4Edit(
        buildIcmpEcho({ ...V4, id: 1, seq: 1, payload: new Uint8Array(0) }).subarray(0, 27),
        (p) => (p[3] = 27),
      ),
    ],
  ])("Truncated: %s", (_n, pkt) => {
    expect(drop(pkt)).toBe(DropReason.Truncated);
  });

  it("Truncated: a range outside the buffer never reads past it", () => {
    expect(decodePacket(tcp4, 10, tcp4.length)).toBe(DropReason.Truncated);
    expect(decodePacket(tcp4, -1, 20)).toBe(DropReason.Truncated);
  });

  it.each([0x00, 0x10, 0x50, 0x70, 0xf0])("BadIpVersion: first byte %i", (b) => {
    const p = tcp4.slice();
    p[0] = b | 5;
    expect(drop(p)).toBe(DropReason.BadIpVersion);
  });

  it.each([
    ["IHL 4", v4Edit(tcp4, (p) => (p[0] = 0x44))],
    ["total length below the header", v4Edit(tcp4, (p) => (p[2] = 0) || (p[3] = 19))],
    [
      "option length 1",
      buildTcp({
        ...V4,
        srcPort: 1,
        dstPort: 2,
        flags: SYN,
        ipv4Options: Uint8Array.from([7, 1, 0, 0]),
      }),
    ],
    [
      "option running past the header",
      buildTcp({
        ...V4,
        srcPort: 1,
        dstPort: 2,
        flags: SYN,
        ipv4Options: Uint8Array.from([1, 7, 9, 0]),
      }),
    ],
    [
      "option type without length byte",
      buildTcp({
        ...V4,
        srcPort: 1,
        dstPort: 2,
        flags: SYN,
        ipv4Options: Uint8Array.from([1, 1, 1, 7]),
      }),
    ],
  ])("BadIpHeader: %s", (_n, pkt) => {
    expect(drop(pkt)).toBe(DropReason.BadIpHeader);
  });

  it.each([
    [
      "Hop-by-Hop not first",
      buildUdp({ ...V6, srcPort: 1, dstPort: 2, extensionHeaders: [{ type: 60 }, { type: 0 }] }),
    ],
    [
      "two Fragment headers",
      buildIpPacket({
        ...V6,
        protocol: 17,
        payload: new Uint8Array(8),
        extensionHeaders: [
          { type: 44, offset: 0, more: false },
          { type: 44, offset: 0, more: false },
        ],
      }),
    ],
    [
      "Routing type 0 with segments left",
      buildUdp({
        ...V6,
        srcPort: 1,
        dstPort: 2,
        extensionHeaders: [{ type: 43, body: Uint8Array.from([0, 1, 0, 0, 0, 0]) }],
      }),
    ],
  ])("BadExtensionHeader: %s", (_n, pkt) => {
    expect(drop(pkt)).toBe(DropReason.BadExtensionHeader);
  });

  it("Truncated: an IPv6 extension header running past the packet", () => {
    const p = buildUdp({ ...V6, srcPort: 1, dstPort: 2, extensionHeaders: [{ type: 60 }] });
    p[41] = 4; // Destination Options now claims 40 bytes
    expect(drop(p)).toBe(DropReason.Truncated);
  });

  it.each([
    ["TCP data offset 4", v4Edit(tcp4, (p) => (p[32] = 0x40))],
    ["UDP length 7", udp4.slice().fill(0, 24, 25).fill(7, 25, 26)],
  ])("BadTransportHeader: %s", (_n, pkt) => {
    expect(drop(pkt)).toBe(DropReason.BadTransportHeader);
  });

  it("BadIpChecksum only when verifying", () => {
    const p = tcp4.slice();
    p[8] = 63; // TTL changed, checksum stale
    expect(drop(p, false)).not.toBe(DropReason.BadIpChecksum);
    expect(drop(p, true)).toBe(DropReason.BadIpChecksum);
  });

  it.each([
    ["TCP/IPv4", tcp4, 36],
    ["TCP/IPv6", tcp6, 56],
    ["UDP/IPv4", udp4, 28],
    ["ICMP echo/IPv4", buildIcmpEcho({ ...V4, id: 1, seq: 2 }), 30],
    ["ICMPv6 echo", buildIcmpEcho({ ...V6, id: 1, seq: 2 }), 50],
  ])("BadL4Checksum only when verifying: %s", (_n, pkt, at) => {
    const p = pkt.slice();
    p[at] = p[at]! ^ 0x01;
    expect(drop(p, false)).not.toBe(DropReason.BadL4Checksum);
    expect(drop(p, true)).toBe(DropReason.BadL4Checksum);
  });

  it("accepts IPv4 UDP without checksum (0) but not IPv6 UDP (RFC 768, RFC 8200 8.1)", () => {
    const p4 = udp4.slice().fill(0, 26, 28);
    expect(typeof drop(p4, true)).toBe("object");
    const udp6 = buildUdp({ ...V6, srcPort: 1, dstPort: 2 });
    expect(drop(udp6.slice().fill(0, 46, 48), true)).toBe(DropReason.BadL4Checksum);
  });
});

describe("decodePacket on captured frames (test/fixtures/packets.ts)", () => {
  it.each([
    [
      "ICMP4_ECHO_REQUEST",
      captured.ICMP4_ECHO_REQUEST,
      { protocol: 1, icmpType: 8, icmpId: 0x502d },
    ],
    ["ICMP4_ECHO_REPLY", captured.ICMP4_ECHO_REPLY, { protocol: 1, icmpType: 0, icmpId: 0x502d }],
    [
      "ICMP6_ECHO_REQUEST",
      captured.ICMP6_ECHO_REQUEST,
      { protocol: 58, icmpType: 128, icmpId: 0x502e },
    ],
    [
      "ICMP6_ECHO_REPLY",
      captured.ICMP6_ECHO_REPLY,
      { protocol: 58, icmpType: 129, icmpId: 0x502e },
    ],
    [
      "ICMP6_PORT_UNREACHABLE",
      captured.ICMP6_PORT_UNREACHABLE,
      { icmpType: 1, icmpCode: 4, icmpError: true },
    ],
    [
      "TCP4_SYN",
      captured.TCP4_SYN,
      { srcPort: 37044, dstPort: 8080, tcpFlags: SYN, payloadOffset: 60 },
    ],
    ["TCP4_SYN_ACK", captured.TCP4_SYN_ACK, { srcPort: 8080, dstPort: 37044, tcpFlags: SYN | ACK }],
    ["TCP4_ACK", captured.TCP4_ACK, { tcpFlags: ACK, tcpAck: 0xd202a118, payloadOffset: 52 }],
    ["TCP4_FIN_ACK", captured.TCP4_FIN_ACK, { tcpFlags: FIN | ACK }],
    ["UDP6_DATAGRAM", captured.UDP6_DATAGRAM, { protocol: 17, srcPort: 37398, dstPort: 5353 }],
  ])("decodes %s", (_n, pkt, expected) => {
    expect(decodePacket(pkt, 0, pkt.length)).toMatchObject({ ...expected, length: pkt.length });
  });

  it("drops the offloaded TCP/UDP frames only when asked to verify checksums", () => {
    for (const p of [captured.TCP4_SYN, captured.UDP6_DATAGRAM]) {
      expect(typeof decodePacket(p, 0, p.length)).toBe("object");
      expect(decodePacket(p, 0, p.length, { verifyChecksums: true })).toBe(
        DropReason.BadL4Checksum,
      );
    }
    const icmp = captured.ICMP6_PORT_UNREACHABLE;
    expect(typeof decodePacket(icmp, 0, icmp.length, { verifyChecksums: true })).toBe("object");
  });
});
