import { describe, expect, it } from "vitest";
import { corruptPacket } from "../../../../node-agent/fault/corrupt.js";
import { FaultRng } from "../../../../node-agent/fault/prng.js";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import { TcpFlag, type DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { buildIpPacket, buildTcp, buildUdp } from "../../../helpers/packet-builder.js";

const dec = (p: Uint8Array) => decodePacket(p, 0, p.length) as DecodedPacket;
const valid = (p: Uint8Array) =>
  typeof decodePacket(p, 0, p.length, { verifyChecksums: true }) !== "string";
const diff = (a: Uint8Array, b: Uint8Array) => {
  const at: number[] = [];
  let bits = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      at.push(i);
      let x = a[i]! ^ b[i]!;
      while (x) {
        bits += x & 1;
        x >>= 1;
      }
    }
  }
  return { at, bits };
};

describe("corruptPacket", () => {
  it("flips exactly one bit of the UDP payload; the checksum then fails (the kernel drops it)", () => {
    const rng = new FaultRng(1);
    for (let i = 0; i < 50; i++) {
      const p = buildUdp({
        src: "10.0.1.10",
        dst: "10.0.2.20",
        srcPort: 1,
        dstPort: 2,
        payload: new Uint8Array(64).fill(i),
      });
      const before = p.slice();
      const at = corruptPacket(dec(p), p, rng);
      const d = diff(before, p);
      expect(d.bits).toBe(1);
      expect(d.at).toEqual([at]);
      expect(at).toBeGreaterThanOrEqual(28);
      expect(valid(before)).toBe(true);
      expect(valid(p)).toBe(false);
    }
  });

  it("flips a bit of the TCP checksum when the segment has no payload", () => {
    const rng = new FaultRng(2);
    const p = buildTcp({
      src: "2001:db8::1",
      dst: "2001:db8::2",
      srcPort: 1,
      dstPort: 2,
      flags: TcpFlag.SYN,
    });
    const before = p.slice();
    const at = corruptPacket(dec(p), p, rng);
    expect([56, 57]).toContain(at); // 40 (IPv6) + 16 (TCP checksum)
    expect(diff(before, p).bits).toBe(1);
    expect(valid(p)).toBe(false);
  });

  it("flips a bit of the IPv4 header checksum for a protocol without a known checksum and no data", () => {
    const p = buildIpPacket({
      src: "10.0.1.10",
      dst: "10.0.2.20",
      protocol: 47,
      payload: new Uint8Array(0),
    });
    const at = corruptPacket(dec(p), p, new FaultRng(3));
    expect([10, 11]).toContain(at);
    expect(valid(p)).toBe(false);
  });
});
