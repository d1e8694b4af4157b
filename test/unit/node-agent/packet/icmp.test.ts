import { describe, expect, it } from "vitest";
import {
  IcmpHeader,
  Icmpv4Type,
  Icmpv6Type,
  isIcmpEcho,
  isIcmpError,
  parseIcmp,
  quotedPacketTuple,
  type QuotedTuple,
} from "../../../../node-agent/packet/icmp.js";
import { formatIpAddress } from "../../../../node-agent/packet/address.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import {
  ICMP4_ECHO_REQUEST,
  ICMP6_ECHO_REPLY,
  ICMP6_PORT_UNREACHABLE,
} from "../../../fixtures/packets.js";
import {
  buildIcmpEcho,
  buildIcmpError,
  buildIpPacket,
  buildTcp,
  buildUdp,
  fragmentIpPacket,
} from "../../../helpers/packet-builder.js";

const V4 = { src: "10.0.0.1", dst: "10.0.0.2" };
const V6 = { src: "2001:db8::1", dst: "2001:db8::2" };

describe("parseIcmp", () => {
  it("reads the captured ICMPv4 echo request", () => {
    const h = parseIcmp(ICMP4_ECHO_REQUEST, 20, ICMP4_ECHO_REQUEST.length - 20, 4);
    if (!(h instanceof IcmpHeader)) throw new Error(String(h));
    expect([h.type, h.code, h.checksum, h.isEcho, h.isError, h.echoId, h.echoSeq]).toEqual([
      8,
      0,
      0x8875,
      true,
      false,
      0x502d,
      1,
    ]);
  });

  it("reads the captured ICMPv6 echo reply", () => {
    const h = parseIcmp(ICMP6_ECHO_REPLY, 40, ICMP6_ECHO_REPLY.length - 40, 6) as IcmpHeader;
    expect([h.type, h.isEcho, h.echoId, h.echoSeq]).toEqual([129, true, 0x502e, 1]);
  });

  it("gives -1 echo fields for non-echo messages and Truncated below 8 bytes", () => {
    const h = parseIcmp(
      ICMP6_PORT_UNREACHABLE,
      40,
      ICMP6_PORT_UNREACHABLE.length - 40,
      6,
    ) as IcmpHeader;
    expect([h.type, h.code, h.isError, h.echoId, h.echoSeq]).toEqual([1, 4, true, -1, -1]);
    expect(parseIcmp(ICMP4_ECHO_REQUEST, 20, 7, 4)).toBe(DropReason.Truncated);
  });
});

describe("ICMP classification", () => {
  it.each([
    [4, Icmpv4Type.EchoRequest, true],
    [4, Icmpv4Type.EchoReply, true],
    [4, 13, false],
    [4, 128, false],
    [6, Icmpv6Type.EchoRequest, true],
    [6, Icmpv6Type.EchoReply, true],
    [6, 8, false],
    [6, 0, false],
  ] as const)("family %i type %i is echo: %s", (family, type, expected) => {
    expect(isIcmpEcho(family, type)).toBe(expected);
  });

  it("flags errors: v4 types 3,4,5,11,12 and v6 types 1-4, nothing else", () => {
    const v4: number[] = [];
    const v6: number[] = [];
    for (let t = 0; t < 256; t++) {
      if (isIcmpError(4, t)) v4.push(t);
      if (isIcmpError(6, t)) v6.push(t);
    }
    expect(v4).toEqual([3, 4, 5, 11, 12]);
    expect(v6).toEqual([1, 2, 3, 4]);
  });
});

/** The tuple quoted by an error built around `quoted`. */
function tupleOf(err: Uint8Array): QuotedTuple | string {
  const l4 = err[0]! >> 4 === 4 ? (err[0]! & 15) * 4 : 40;
  return quotedPacketTuple(err, l4, err.length - l4, err[0]! >> 4 === 4 ? 4 : 6);
}

function expectTuple(r: QuotedTuple | string, t: Record<string, unknown>): void {
  if (typeof r === "string") throw new Error(r);
  expect({ ...r, src: formatIpAddress(r.src), dst: formatIpAddress(r.dst) }).toEqual(t);
}

describe("quotedPacketTuple (AWS-BEHAVIOUR CT-9: read for diagnostics, no implicit RELATED)", () => {
  it("reads the captured ICMPv6 port unreachable: the UDP datagram it answers", () => {
    expectTuple(tupleOf(ICMP6_PORT_UNREACHABLE), {
      family: 6,
      protocol: 17,
      src: "::1",
      dst: "::1",
      srcPort: 37398,
      dstPort: 5353,
      icmpType: -1,
      icmpCode: -1,
      icmpId: -1,
    });
  });

  it("reads a v4 fragmentation-needed error quoting 28 bytes of a TCP segment (RFC 792 minimum)", () => {
    const tcp = buildTcp({
      src: V4.dst,
      dst: "192.0.2.80",
      srcPort: 40000,
      dstPort: 443,
      flags: 0x10,
    });
    const err = buildIcmpError({
      ...V4,
      type: 3,
      code: 4,
      rest: 1400,
      quoted: tcp.subarray(0, 28),
    });
    expectTuple(tupleOf(err), {
      family: 4,
      protocol: 6,
      src: "10.0.0.2",
      dst: "192.0.2.80",
      srcPort: 40000,
      dstPort: 443,
      icmpType: -1,
      icmpCode: -1,
      icmpId: -1,
    });
  });

  it("reads a quoted IPv4 header with options", () => {
    const udp = buildUdp({
      src: V4.dst,
      dst: V4.src,
      srcPort: 7,
      dstPort: 9,
      ipv4Options: Uint8Array.from([0x94, 4, 0, 0]),
    });
    const err = buildIcmpError({ ...V4, type: 11, code: 0, quoted: udp.subarray(0, 32) });
    expectTuple(
      tupleOf(err),
      expect.objectContaining({ protocol: 17, srcPort: 7, dstPort: 9 }) as never,
    );
  });

  it.each([
    ["v4", V4, 4],
    ["v6", V6, 6],
  ] as const)("reads a quoted %s echo request: type and identifier", (_n, a, family) => {
    const echo = buildIcmpEcho({ src: a.dst, dst: a.src, id: 0x4242, seq: 5 });
    const err = buildIcmpError({ ...a, type: family === 4 ? 11 : 3, code: 0, quoted: echo });
    expectTuple(tupleOf(err), {
      family,
      protocol: family === 4 ? 1 : 58,
      src: a.dst,
      dst: a.src,
      srcPort: 0,
      dstPort: 0,
      icmpType: family === 4 ? 8 : 128,
      icmpCode: 0,
      icmpId: 0x4242,
    });
  });

  it("reads a quoted IPv6 packet through its extension headers, cut short by the quote", () => {
    const tcp = buildTcp({
      src: V6.dst,
      dst: V6.src,
      srcPort: 22,
      dstPort: 50000,
      flags: 0x18,
      payload: new Uint8Array(1400),
      extensionHeaders: [{ type: 0 }, { type: 60 }],
    });
    const err = buildIcmpError({
      ...V6,
      type: 2,
      code: 0,
      rest: 1280,
      quoted: tcp.subarray(0, 100),
    });
    expectTuple(
      tupleOf(err),
      expect.objectContaining({ protocol: 6, srcPort: 22, dstPort: 50000 }) as never,
    );
  });

  it("gives ports 0 for a quoted non-first fragment and for other protocols", () => {
    const frags = fragmentIpPacket(
      buildUdp({ ...V6, srcPort: 1, dstPort: 2, payload: new Uint8Array(64) }),
      32,
    );
    const err = buildIcmpError({ ...V6, type: 3, code: 1, quoted: frags[1]! });
    expectTuple(
      tupleOf(err),
      expect.objectContaining({ protocol: 17, srcPort: 0, dstPort: 0 }) as never,
    );
    const gre = buildIpPacket({ ...V4, protocol: 47, payload: new Uint8Array(8) });
    const err4 = buildIcmpError({ ...V4, type: 3, code: 3, quoted: gre });
    expectTuple(
      tupleOf(err4),
      expect.objectContaining({ protocol: 47, srcPort: 0, dstPort: 0 }) as never,
    );
  });

  it.each([
    [
      "no quote at all",
      buildIcmpError({ ...V4, type: 3, code: 1, quoted: new Uint8Array(0) }),
      DropReason.Truncated,
    ],
    [
      "a v4 quote cut inside the IP header",
      buildIcmpError({
        ...V4,
        type: 3,
        code: 1,
        quoted: buildUdp({ ...V4, srcPort: 1, dstPort: 2 }).subarray(0, 19),
      }),
      DropReason.Truncated,
    ],
    [
      "a v4 quote without the ports",
      buildIcmpError({
        ...V4,
        type: 3,
        code: 1,
        quoted: buildUdp({ ...V4, srcPort: 1, dstPort: 2 }).subarray(0, 22),
      }),
      DropReason.Truncated,
    ],
    [
      "a v6 quote inside an ICMPv4 error",
      buildIcmpError({
        ...V4,
        type: 3,
        code: 1,
        quoted: buildUdp({ ...V6, srcPort: 1, dstPort: 2 }),
      }),
      DropReason.BadIpVersion,
    ],
    [
      "a quoted IHL of 3",
      buildIcmpError({
        ...V4,
        type: 3,
        code: 1,
        quoted: Uint8Array.from(buildUdp({ ...V4, srcPort: 1, dstPort: 2 })).fill(0x43, 0, 1),
      }),
      DropReason.BadIpHeader,
    ],
    [
      "a v6 quote cut inside its Hop-by-Hop header",
      buildIcmpError({
        ...V6,
        type: 1,
        code: 1,
        quoted: buildUdp({
          ...V6,
          srcPort: 1,
          dstPort: 2,
          extensionHeaders: [{ type: 0, body: new Uint8Array(30) }],
        }).subarray(0, 50),
      }),
      DropReason.Truncated,
    ],
  ])("refuses %s", (_n, err, reason) => {
    expect(tupleOf(err)).toBe(reason);
  });
});
