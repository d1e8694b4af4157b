import { describe, expect, it } from "vitest";
import {
  IPV4_MIN_HEADER_LEN,
  Ipv4Header,
  parseIpv4,
  validateIpv4Header,
} from "../../../../node-agent/packet/ipv4.js";
import { writeIpv4HeaderChecksum } from "../../../../node-agent/packet/checksum.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { ICMP4_ECHO_REPLY, TCP4_SYN } from "../../../fixtures/packets.js";
import { buildIpPacket, buildUdp } from "../../../helpers/packet-builder.js";

const A = { src: "192.0.2.1", dst: "198.51.100.2" };

function withOptions(opts: number[]): Uint8Array {
  return buildUdp({ ...A, srcPort: 1, dstPort: 2, ipv4Options: Uint8Array.from(opts) });
}

function edit(p: Uint8Array, f: (q: Uint8Array) => void): Uint8Array {
  const q = p.slice();
  f(q);
  writeIpv4HeaderChecksum(q, 0);
  return q;
}

function view(p: Uint8Array, off = 0, len = p.length - off): Ipv4Header {
  const v = parseIpv4(p, off, len);
  if (typeof v === "string") throw new Error(v);
  return v;
}

describe("parseIpv4", () => {
  it("reads every field of the captured TCP4_SYN in place", () => {
    const v = view(TCP4_SYN);
    expect({
      headerLength: v.headerLength,
      tos: v.tos,
      totalLength: v.totalLength,
      identification: v.identification,
      dontFragment: v.dontFragment,
      moreFragments: v.moreFragments,
      fragmentOffset: v.fragmentOffset,
      isFragment: v.isFragment,
      ttl: v.ttl,
      protocol: v.protocol,
      checksum: v.checksum,
      src: [...v.src],
      dst: [...v.dst],
      options: v.options.length,
      payloadOffset: v.payloadOffset,
      payloadLength: v.payloadLength,
    }).toEqual({
      headerLength: 20,
      tos: 0,
      totalLength: 60,
      identification: 0x6a2f,
      dontFragment: true,
      moreFragments: false,
      fragmentOffset: 0,
      isFragment: false,
      ttl: 64,
      protocol: 6,
      checksum: 0xd28a,
      src: [127, 0, 0, 1],
      dst: [127, 0, 0, 1],
      options: 0,
      payloadOffset: 20,
      payloadLength: 40,
    });
    expect(view(ICMP4_ECHO_REPLY).dontFragment).toBe(false);
  });

  it("reads at an offset and exposes options as a view", () => {
    const p = withOptions([0x94, 4, 0, 0]);
    const buf = new Uint8Array(p.length + 6);
    buf.set(p, 6);
    const v = view(buf, 6);
    expect(v.headerLength).toBe(24);
    expect([...v.options]).toEqual([0x94, 4, 0, 0]);
    expect(v.payloadOffset).toBe(30);
    expect(v.src.buffer).toBe(buf.buffer);
  });

  it("reads fragment fields", () => {
    const p = buildIpPacket({
      ...A,
      protocol: 17,
      payload: new Uint8Array(16),
      fragment: { offset: 1480, more: true, id: 0xabcd },
    });
    const v = view(p);
    expect([v.identification, v.fragmentOffset, v.moreFragments, v.isFragment]).toEqual([
      0xabcd,
      1480,
      true,
      true,
    ]);
  });
});

describe("validateIpv4Header", () => {
  const udp = buildUdp({ ...A, srcPort: 1, dstPort: 2, payload: new Uint8Array(8) });

  it.each([
    ["a plain header", udp, undefined],
    ["NOP, NOP, EOL padding", withOptions([1, 1, 0, 0]), undefined],
    ["Router Alert (RFC 2113)", withOptions([0x94, 4, 0, 0]), undefined],
    [
      "Record Route with room for 9 addresses (IHL 15)",
      withOptions([7, 39, 4, ...new Array(36).fill(0)]),
      undefined,
    ],
    ["EOL ends the list, garbage after it ignored", withOptions([0, 0xff, 0xff, 0xff]), undefined],
    ["fewer than 20 bytes", udp.subarray(0, IPV4_MIN_HEADER_LEN - 1), DropReason.Truncated],
    ["version 6 nibble", edit(udp, (q) => (q[0] = 0x65)), DropReason.BadIpVersion],
    ["IHL 0", edit(udp, (q) => (q[0] = 0x40)), DropReason.BadIpHeader],
    ["IHL 4", edit(udp, (q) => (q[0] = 0x44)), DropReason.BadIpHeader],
    [
      "IHL 15 beyond the bytes held",
      edit(udp.subarray(0, 40), (q) => (q[0] = 0x4f)),
      DropReason.Truncated,
    ],
    ["total length 0", edit(udp, (q) => ((q[2] = 0), (q[3] = 0))), DropReason.BadIpHeader],
    ["total length one past the bytes", edit(udp, (q) => (q[3] = q[3]! + 1)), DropReason.Truncated],
    ["option length 0", withOptions([7, 0, 0, 0]), DropReason.BadIpHeader],
    ["option length past the header", withOptions([0x94, 5, 0, 0]), DropReason.BadIpHeader],
    [
      "option type in the last byte, no length",
      withOptions([1, 1, 1, 0x94]),
      DropReason.BadIpHeader,
    ],
    [
      "non-last fragment with 12 bytes",
      buildIpPacket({
        ...A,
        protocol: 17,
        payload: new Uint8Array(12),
        fragment: { offset: 0, more: true },
      }),
      DropReason.BadIpHeader,
    ],
    [
      "last fragment with 12 bytes",
      buildIpPacket({
        ...A,
        protocol: 17,
        payload: new Uint8Array(12),
        fragment: { offset: 64, more: false },
      }),
      undefined,
    ],
    [
      "fragment ending at exactly 65535",
      buildIpPacket({
        ...A,
        protocol: 17,
        payload: new Uint8Array(7),
        fragment: { offset: 65528, more: false },
      }),
      undefined,
    ],
    [
      "fragment ending at 65536",
      buildIpPacket({
        ...A,
        protocol: 17,
        payload: new Uint8Array(8),
        fragment: { offset: 65528, more: false },
      }),
      DropReason.BadIpHeader,
    ],
  ])("%s -> %s", (_n, p, expected) => {
    expect(validateIpv4Header(p, 0, p.length)).toBe(expected);
    expect(parseIpv4(p, 0, p.length) instanceof Ipv4Header).toBe(expected === undefined);
  });

  it("allows bytes after Total Length (link padding) and ignores them", () => {
    const padded = new Uint8Array(udp.length + 10);
    padded.set(udp);
    expect(validateIpv4Header(padded, 0, padded.length)).toBeUndefined();
  });
});
