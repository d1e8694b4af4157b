import { describe, expect, it } from "vitest";
import {
  IPV6_HEADER_LEN,
  Ipv6Header,
  Ipv6NextHeader,
  Ipv6Walk,
  parseIpv6,
  validateIpv6Header,
  walkIpv6Extensions,
} from "../../../../node-agent/packet/ipv6.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { ICMP6_ECHO_REQUEST } from "../../../fixtures/packets.js";
import {
  buildIpPacket,
  buildTcp,
  buildUdp,
  type Ipv6ExtensionHeader,
} from "../../../helpers/packet-builder.js";

const A = { src: "2001:db8::a", dst: "2001:db8::b" };

function walk(p: Uint8Array): Ipv6Walk | string {
  const bad = validateIpv6Header(p, 0, p.length);
  if (bad !== undefined) return bad;
  const w = new Ipv6Walk();
  const r = walkIpv6Extensions(p, 0, IPV6_HEADER_LEN + ((p[4]! << 8) | p[5]!), w);
  return r ?? w;
}

function udpWith(ext: Ipv6ExtensionHeader[]): Uint8Array {
  return buildUdp({ ...A, srcPort: 1000, dstPort: 2000, extensionHeaders: ext });
}

describe("parseIpv6", () => {
  it("reads the fixed header of the captured ICMP6_ECHO_REQUEST", () => {
    const v = parseIpv6(ICMP6_ECHO_REQUEST, 0, ICMP6_ECHO_REQUEST.length);
    if (!(v instanceof Ipv6Header)) throw new Error(String(v));
    expect([v.trafficClass, v.flowLabel, v.payloadLength, v.nextHeader, v.hopLimit, v.end]).toEqual(
      [0, 0x5799c, 24, 58, 64, 64],
    );
    expect([...v.src]).toEqual([...new Array(15).fill(0), 1]);
    const w = v.walk();
    expect(w).toMatchObject({ protocol: 58, l4Offset: 40, fragmented: false });
  });

  it("reads traffic class from the builder's tos", () => {
    const p = buildUdp({ ...A, srcPort: 1, dstPort: 2, tos: 0xb8 });
    const v = parseIpv6(p, 0, p.length) as Ipv6Header;
    expect(v.trafficClass).toBe(0xb8);
  });

  it.each([
    ["39 bytes", ICMP6_ECHO_REQUEST.subarray(0, 39), DropReason.Truncated],
    ["payload length past the bytes", ICMP6_ECHO_REQUEST.subarray(0, 63), DropReason.Truncated],
    [
      "version 4 nibble",
      Uint8Array.from(ICMP6_ECHO_REQUEST).fill(0x45, 0, 1),
      DropReason.BadIpVersion,
    ],
  ])("refuses %s", (_n, p, reason) => {
    expect(parseIpv6(p, 0, p.length)).toBe(reason);
  });
});

describe("walkIpv6Extensions", () => {
  it.each<[string, Ipv6ExtensionHeader[], number]>([
    ["no extension headers", [], 40],
    ["Hop-by-Hop", [{ type: 0 }], 48],
    ["Hop-by-Hop with a 16-byte body", [{ type: 0, body: new Uint8Array(14) }], 56],
    ["Routing (type 4, segments left 0)", [{ type: 43 }], 48],
    [
      "Routing type 0 with segments left 0 (harmless)",
      [{ type: 43, body: Uint8Array.from([0, 0, 0, 0, 0, 0]) }],
      48,
    ],
    ["Destination Options", [{ type: 60 }], 48],
    ["AH: length in 4-byte units + 2 (RFC 4302)", [{ type: 51 }], 56],
    ["AH with a 12-byte ICV", [{ type: 51, body: new Uint8Array(22) }], 64],
    ["atomic Fragment header", [{ type: 44, offset: 0, more: false }], 48],
    [
      "HbH, Dest Opts, Routing, Fragment(first), AH, Dest Opts (RFC 8200 4.1 order)",
      [
        { type: 0 },
        { type: 60 },
        { type: 43 },
        { type: 44, offset: 0, more: false },
        { type: 51 },
        { type: 60 },
      ],
      40 + 8 + 8 + 8 + 8 + 16 + 8,
    ],
  ])("walks %s to the UDP header", (_n, ext, l4) => {
    const p = udpWith(ext);
    const w = walk(p);
    expect(w).toMatchObject({ protocol: 17, l4Offset: l4 });
    expect(((p[l4]! << 8) | p[l4 + 1]!) === 1000).toBe(true);
  });

  it("stops at ESP (50): the rest is encrypted", () => {
    const p = buildIpPacket({
      ...A,
      protocol: Ipv6NextHeader.Esp,
      payload: new Uint8Array(24),
      extensionHeaders: [{ type: 0 }],
    });
    expect(walk(p)).toMatchObject({ protocol: 50, l4Offset: 48 });
  });

  it("stops at No Next Header (59), even with bytes after it", () => {
    const p = buildIpPacket({
      ...A,
      protocol: Ipv6NextHeader.NoNextHeader,
      payload: new Uint8Array(8),
      extensionHeaders: [{ type: 60 }],
    });
    expect(walk(p)).toMatchObject({ protocol: 59, l4Offset: 48 });
  });

  it("treats an unknown number as the upper-layer protocol", () => {
    const p = buildIpPacket({ ...A, protocol: 253, payload: new Uint8Array(8) });
    expect(walk(p)).toMatchObject({ protocol: 253, l4Offset: 40 });
  });

  it("stops at a non-first fragment and reports it", () => {
    const p = buildIpPacket({
      ...A,
      protocol: 6,
      payload: new Uint8Array(16),
      fragment: { offset: 1232, more: true, id: 0xdeadbeef },
      extensionHeaders: [{ type: 0 }],
    });
    expect(walk(p)).toMatchObject({
      protocol: 6,
      l4Offset: 56,
      fragmented: true,
      fragmentOffset: 1232,
      moreFragments: true,
      fragmentId: 0xdeadbeef,
    });
  });

  it("goes on past a first fragment's Fragment header", () => {
    const p = buildIpPacket({
      ...A,
      protocol: 60,
      payload: Uint8Array.from([17, 0, 1, 4, 0, 0, 0, 0, 0, 1, 0, 2, 0, 8, 0, 0]),
      fragment: { offset: 0, more: true },
    });
    expect(walk(p)).toMatchObject({
      protocol: 17,
      l4Offset: 56,
      fragmented: true,
      moreFragments: true,
    });
  });

  it.each<[string, Uint8Array, string]>([
    [
      "Hop-by-Hop after Destination Options",
      udpWith([{ type: 60 }, { type: 0 }]),
      DropReason.BadExtensionHeader,
    ],
    [
      "two Fragment headers",
      udpWith([
        { type: 44, offset: 0, more: false },
        { type: 44, offset: 0, more: false },
      ]),
      DropReason.BadExtensionHeader,
    ],
    [
      "Routing type 0 with segments left 2 (RFC 5095)",
      udpWith([{ type: 43, body: Uint8Array.from([0, 2, 0, 0, 0, 0]) }]),
      DropReason.BadExtensionHeader,
    ],
    [
      "non-last fragment of 12 bytes",
      buildIpPacket({
        ...A,
        protocol: 17,
        payload: new Uint8Array(12),
        fragment: { offset: 8, more: true },
      }),
      DropReason.BadExtensionHeader,
    ],
    [
      "fragment past 65535",
      buildIpPacket({
        ...A,
        protocol: 17,
        payload: new Uint8Array(16),
        fragment: { offset: 65520, more: false },
      }),
      DropReason.BadExtensionHeader,
    ],
  ])("refuses %s", (_n, p, reason) => {
    expect(walk(p)).toBe(reason);
  });

  it.each([
    ["Hop-by-Hop", 0],
    ["Routing", 43],
    ["Destination Options", 60],
    ["AH", 51],
    ["Fragment", 44],
  ])("gives Truncated when a %s header runs past the packet", (_n, type) => {
    const p = buildIpPacket({ ...A, protocol: type, payload: new Uint8Array(4) });
    expect(walk(p)).toBe(DropReason.Truncated);
    if (type !== 44) {
      const q = buildIpPacket({
        ...A,
        protocol: type,
        payload: Uint8Array.from([17, 3, 0, 0, 0, 0, 0, 0]),
      });
      expect(walk(q)).toBe(DropReason.Truncated);
    }
  });

  it("resets the caller's walk object between packets", () => {
    const w = new Ipv6Walk();
    const frag = buildIpPacket({
      ...A,
      protocol: 17,
      payload: new Uint8Array(16),
      fragment: { offset: 16, more: true },
    });
    expect(walkIpv6Extensions(frag, 0, frag.length, w)).toBeUndefined();
    expect(w.fragmented).toBe(true);
    const plain = buildTcp({ ...A, srcPort: 1, dstPort: 2, flags: 2 });
    expect(walkIpv6Extensions(plain, 0, plain.length, w)).toBeUndefined();
    expect(w).toMatchObject({
      protocol: 6,
      fragmented: false,
      fragmentOffset: 0,
      moreFragments: false,
      fragmentId: 0,
    });
  });
});
