import { describe, expect, it } from "vitest";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { TcpFlag } from "../../../../node-agent/packet/decoded-packet.js";
import { foldChecksumSum, pseudoHeaderSum } from "../../../../node-agent/packet/checksum.js";
import {
  GSO_ECN,
  GSO_NONE,
  GSO_TCPV4,
  GSO_TCPV6,
  GSO_UDP,
  GSO_UDP_L4,
  VNET_HDR_LEN,
  completeChecksum,
  offloadFits,
  readVnetHeader,
  reseedPartialChecksum,
  segmentCount,
  segmentPacket,
  segmentedLength,
  writeVnetHeader,
  type PacketOffload,
} from "../../../../node-agent/packet/virtio-net.js";
import { buildTcp, buildUdp } from "../../../helpers/packet-builder.js";

function decoded(buf: Uint8Array): DecodedPacket {
  const p = decodePacket(buf, 0, buf.length, { verifyChecksums: false });
  if (typeof p === "string") throw new Error(p);
  return p;
}

/** Puts the pseudo-header sum (full L4 length) into the transport checksum, as the kernel does. */
function seedPartial(buf: Uint8Array, o: PacketOffload): Uint8Array {
  const b = buf.slice();
  reseedPartialChecksum(b, 0, decoded(b), o);
  return b;
}

function payload(n: number): Uint8Array {
  const p = new Uint8Array(n);
  for (let i = 0; i < n; i++) p[i] = (i * 7 + 3) & 0xff;
  return p;
}

const v4 = { src: "10.0.1.10", dst: "10.0.2.20", srcPort: 40000, dstPort: 5201 };
const v6 = { src: "2001:db8::a", dst: "2001:db8::b", srcPort: 40000, dstPort: 5201 };

describe("virtio_net_hdr", () => {
  it("reads and writes the header in host order (little-endian), plain packets as undefined", () => {
    const o: PacketOffload = {
      needsCsum: true,
      gsoType: GSO_TCPV4,
      hdrLen: 52,
      gsoSize: 1448,
      csumStart: 20,
      csumOffset: 16,
    };
    const b = new Uint8Array(12).fill(0xee);
    writeVnetHeader(b, 1, o);
    expect([...b.subarray(1, 1 + VNET_HDR_LEN)]).toEqual([1, 1, 52, 0, 0xa8, 0x05, 20, 0, 16, 0]);
    expect(b[0]).toBe(0xee);
    expect(b[11]).toBe(0xee);
    expect(readVnetHeader(b, 1)).toEqual(o);
    writeVnetHeader(b, 1, undefined);
    expect(readVnetHeader(b, 1)).toBeUndefined();
    b[1] = 2; // DATA_VALID alone: nothing to do
    expect(readVnetHeader(b, 1)).toBeUndefined();
  });
});

describe("segmentPacket (software TSO, as tcp_gso_segment cuts)", () => {
  const flagsOf = (i: number, n: number): number =>
    TcpFlag.ACK | (i === 0 ? TcpFlag.CWR : 0) | (i === n - 1 ? TcpFlag.PSH | TcpFlag.FIN : 0);

  it.each([
    ["IPv4", v4, GSO_TCPV4, 20],
    ["IPv6", v6, GSO_TCPV6, 40],
  ] as const)("cuts an %s super-packet into the packets a kernel sends", (_n, a, gso, iph) => {
    const data = payload(3 * 1000 + 345);
    const flags = TcpFlag.ACK | TcpFlag.PSH | TcpFlag.FIN | TcpFlag.CWR;
    const seq = 0xfffff000; // wraps inside the packet
    const o: PacketOffload = {
      needsCsum: true,
      gsoType: gso,
      hdrLen: iph + 32,
      gsoSize: 1000,
      csumStart: iph,
      csumOffset: 16,
    };
    const opts = new Uint8Array([1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2]); // NOP NOP timestamps
    const superPkt = seedPartial(
      buildTcp({
        ...a,
        flags,
        seq,
        ack: 77,
        tcpOptions: opts,
        payload: data,
        identification: 0xfffe,
      }),
      o,
    );
    const pkt = decoded(superPkt);
    expect(offloadFits(pkt, o)).toBe(true);
    expect(segmentCount(pkt, o)).toBe(4);
    expect(segmentedLength(pkt, 4)).toBe(superPkt.length + 3 * (iph + 32));
    const before = superPkt.slice();
    const segs = segmentPacket(superPkt, 0, pkt, o, 16);
    expect(superPkt).toEqual(before);
    expect(segs).toHaveLength(4);
    segs.forEach((s, i) => {
      const want = buildTcp({
        ...a,
        flags: flagsOf(i, 4),
        seq: (seq + i * 1000) >>> 0,
        ack: 77,
        tcpOptions: opts,
        payload: data.subarray(i * 1000, Math.min(data.length, (i + 1) * 1000)),
        identification: (0xfffe + i) & 0xffff,
      });
      expect(s.subarray(16)).toEqual(want);
      expect(decodePacket(s, 16, s.length - 16, { verifyChecksums: true })).not.toBeTypeOf(
        "string",
      );
    });
  });

  it("returns one packet with its checksum completed for NEEDS_CSUM without GSO", () => {
    const good = buildTcp({
      ...v4,
      flags: TcpFlag.ACK | TcpFlag.PSH,
      seq: 5,
      payload: payload(999),
    });
    const o: PacketOffload = {
      needsCsum: true,
      gsoType: GSO_NONE,
      hdrLen: 0,
      gsoSize: 0,
      csumStart: 20,
      csumOffset: 16,
    };
    const partial = seedPartial(good, o);
    expect(partial).not.toEqual(good);
    const pkt = decoded(partial);
    expect(segmentCount(pkt, o)).toBe(1);
    const [one] = segmentPacket(partial, 0, pkt, o, 0);
    expect(one).toEqual(good);
    completeChecksum(partial, 0, pkt, o);
    expect(partial).toEqual(good);
  });

  it("cuts a UDP (USO) super-packet into datagrams with their own lengths and checksums", () => {
    const data = payload(2 * 1200 + 1);
    const o: PacketOffload = {
      needsCsum: true,
      gsoType: GSO_UDP_L4,
      hdrLen: 28,
      gsoSize: 1200,
      csumStart: 20,
      csumOffset: 6,
    };
    const superPkt = seedPartial(buildUdp({ ...v4, payload: data }), o);
    const pkt = decoded(superPkt);
    expect(offloadFits(pkt, o)).toBe(true);
    const segs = segmentPacket(superPkt, 0, pkt, o, 0);
    expect(segs).toHaveLength(3);
    segs.forEach((s, i) => {
      const want = buildUdp({
        ...v4,
        payload: data.subarray(i * 1200, Math.min(data.length, (i + 1) * 1200)),
        identification: 0x1234 + i,
      });
      expect(s).toEqual(want);
    });
  });
});

describe("offloadFits", () => {
  const tcp = decoded(buildTcp({ ...v4, flags: TcpFlag.ACK, payload: payload(3000) }));
  const base: PacketOffload = {
    needsCsum: true,
    gsoType: GSO_TCPV4,
    hdrLen: 40,
    gsoSize: 1000,
    csumStart: 20,
    csumOffset: 16,
  };
  it.each([
    ["TCPV6 on IPv4", { ...base, gsoType: GSO_TCPV6 }],
    ["UFO", { ...base, gsoType: GSO_UDP }],
    ["UDP_L4 on TCP", { ...base, gsoType: GSO_UDP_L4 }],
    ["unknown type", { ...base, gsoType: 9 }],
    ["GSO without NEEDS_CSUM", { ...base, needsCsum: false }],
    ["gso_size 0", { ...base, gsoSize: 0 }],
    ["csum_start off the TCP header", { ...base, csumStart: 24 }],
    ["csum_offset of UDP", { ...base, csumOffset: 6 }],
  ])("refuses %s", (_n, o) => {
    expect(offloadFits(tcp, o)).toBe(false);
  });
  it("accepts TCPV4 with the ECN bit, and NEEDS_CSUM alone", () => {
    expect(offloadFits(tcp, { ...base, gsoType: GSO_TCPV4 | GSO_ECN })).toBe(true);
    expect(offloadFits(tcp, { ...base, gsoType: GSO_NONE, gsoSize: 0 })).toBe(true);
  });
});

describe("reseedPartialChecksum", () => {
  it("writes the folded pseudo-header sum of the packet's addresses and L4 length", () => {
    const b = buildTcp({ ...v4, flags: TcpFlag.ACK, payload: payload(100) });
    const o: PacketOffload = {
      needsCsum: true,
      gsoType: GSO_NONE,
      hdrLen: 0,
      gsoSize: 0,
      csumStart: 20,
      csumOffset: 16,
    };
    const p = decoded(b);
    reseedPartialChecksum(b, 0, p, o);
    const want = foldChecksumSum(pseudoHeaderSum(p.src, p.dst, 6, 120));
    expect((b[36]! << 8) | b[37]!).toBe(want);
  });
});
