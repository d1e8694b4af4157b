import { describe, expect, it } from "vitest";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  OFFLOAD_OPTION_LEN,
  OPTION_TYPE_OFFLOAD,
  encodeEniOption,
  geneveHeaderLength,
  lastGeneveSite,
  parseGeneve,
  writeGeneveHeader,
} from "../../../../node-agent/overlay/geneve.js";
import {
  GSO_ECN,
  GSO_TCPV4,
  GSO_UDP,
  type PacketOffload,
} from "../../../../node-agent/packet/virtio-net.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";

const tso: PacketOffload = {
  needsCsum: true,
  gsoType: GSO_TCPV4 | GSO_ECN,
  hdrLen: 52,
  gsoSize: 8949,
  csumStart: 20,
  csumOffset: 16,
};

function encap(offload: PacketOffload | undefined): Uint8Array {
  const inner = Uint8Array.from([0x45, 1, 2, 3]);
  const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
  buf.set(inner, ENCAP_HEADROOM);
  const src = encodeEniOption("eni-0a1b2c3d4e5f60718");
  const dst = encodeEniOption("eni-0f0e0d0c0b0a09080");
  const start = writeGeneveHeader(buf, ENCAP_HEADROOM, 42, ETHERTYPE_IPV4, src, dst, offload);
  expect(ENCAP_HEADROOM - start).toBe(geneveHeaderLength(src, dst, offload));
  return buf.subarray(start);
}

describe("Geneve offload option (type 0x83, critical)", () => {
  it("carries a super-packet's virtio fields big-endian and parses them back", () => {
    const d = encap(tso);
    const opt = d.length - 4 - OFFLOAD_OPTION_LEN;
    expect([...d.subarray(opt, opt + OFFLOAD_OPTION_LEN)]).toEqual([
      0xff,
      0x5c,
      OPTION_TYPE_OFFLOAD,
      3,
      1,
      0x81,
      0,
      52,
      0x22,
      0xf5,
      0,
      20,
      0,
      16,
      0,
      0,
    ]);
    const g = parseGeneve(d, 0, d.length);
    if (typeof g === "string") throw new Error(g);
    expect(g.offload).toEqual(tso);
    expect(g.srcEni).toBe("eni-0a1b2c3d4e5f60718");
    expect(g.payloadLength).toBe(4);
  });

  it("is absent on plain packets (the header is as before)", () => {
    const d = encap(undefined);
    const g = parseGeneve(d, 0, d.length);
    if (typeof g === "string") throw new Error(g);
    expect(g.offload).toBeUndefined();
    expect(d.length).toBe(8 + 4 + 24 + 4 + 24 + 4);
  });

  it.each([
    ["an unknown GSO type (UFO)", 5, GSO_UDP],
    ["an unknown flag", 4, 0x02],
  ])("drops a datagram whose option holds %s (bad_encapsulation)", (_n, at, v) => {
    const d = encap(tso).slice();
    d[d.length - 4 - OFFLOAD_OPTION_LEN + at] = v;
    expect(parseGeneve(d, 0, d.length)).toBe(DropReason.BadEncapsulation);
    expect(lastGeneveSite()).toBe("geneve_offload_option");
  });

  it("drops an option of the wrong length", () => {
    const d = encap(tso).slice();
    d[d.length - 4 - OFFLOAD_OPTION_LEN + 3] = 2; // 8 bytes: the rest reads as another option
    expect(parseGeneve(d, 0, d.length)).toBe(DropReason.BadEncapsulation);
  });
});
