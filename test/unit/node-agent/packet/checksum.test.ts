import { describe, expect, it } from "vitest";
import {
  computeIpv4HeaderChecksum,
  computeTransportChecksum,
  foldChecksumSum,
  internetChecksum,
  pseudoHeaderSum,
  sumWords,
  transportChecksumOffset,
  updateChecksum16,
  updateChecksumBytes,
  verifyIpv4HeaderChecksum,
  verifyTransportChecksum,
  writeIpv4HeaderChecksum,
  writeTransportChecksum,
} from "../../../../node-agent/packet/checksum.js";
import {
  ICMP4_ECHO_REPLY,
  ICMP4_ECHO_REQUEST,
  ICMP6_ECHO_REPLY,
  ICMP6_ECHO_REQUEST,
  ICMP6_PORT_UNREACHABLE,
  TCP4_ACK,
  TCP4_FIN_ACK,
  TCP4_SYN,
  TCP4_SYN_ACK,
  UDP6_DATAGRAM,
} from "../../../fixtures/packets.js";
import { buildTcp, buildUdp } from "../../../helpers/packet-builder.js";

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

/** Seeded PRNG (mulberry32) so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Addresses and transport range of an unfragmented packet without extension headers. */
function parts(p: Uint8Array): { src: Uint8Array; dst: Uint8Array; proto: number; l4: number } {
  if (p[0]! >> 4 === 4) {
    return { src: p.subarray(12, 16), dst: p.subarray(16, 20), proto: p[9]!, l4: (p[0]! & 15) * 4 };
  }
  return { src: p.subarray(8, 24), dst: p.subarray(24, 40), proto: p[6]!, l4: 40 };
}

describe("internet checksum (RFC 1071)", () => {
  it("matches the RFC 1071 section 3 example: sum ddf2, checksum 220d", () => {
    const data = hex("0001f203f4f5f6f7");
    expect(foldChecksumSum(sumWords(data, 0, data.length))).toBe(0xddf2);
    expect(internetChecksum(data, 0, data.length)).toBe(0x220d);
  });

  it("pads an odd trailing byte with zero (RFC 1071 1(2))", () => {
    expect(internetChecksum(hex("0102ff"), 0, 3)).toBe(internetChecksum(hex("0102ff00"), 0, 4));
  });

  it("is the same whether summed in one go or in chained parts (any even split)", () => {
    const rnd = prng(1071);
    const data = Uint8Array.from({ length: 1501 }, () => Math.floor(rnd() * 256));
    const whole = internetChecksum(data, 0, data.length);
    for (const cut of [0, 2, 100, 1000, 1500]) {
      const first = sumWords(data, 0, cut);
      expect(internetChecksum(data, cut, data.length - cut, first)).toBe(whole);
    }
  });

  it("stays exact for maximum-size all-ones buffers", () => {
    const data = new Uint8Array(65535).fill(0xff);
    expect(foldChecksumSum(sumWords(data, 0, 65534))).toBe(0xffff);
    // The odd last byte counts as ff00, and ffff is one's-complement zero.
    expect(foldChecksumSum(sumWords(data, 0, 65535))).toBe(0xff00);
    expect(foldChecksumSum(sumWords(data, 0, 65535, 0x7fffffff))).toBe(
      foldChecksumSum(0xff00 + foldChecksumSum(0x7fffffff)),
    );
  });

  it("honours the offset", () => {
    const data = hex("aaaa0001f203f4f5f6f7");
    expect(internetChecksum(data, 2, 8)).toBe(0x220d);
  });
});

describe("IPv4 header checksum (RFC 791)", () => {
  // A widely published header: 192.168.0.1 -> 192.168.0.199, UDP, checksum b861.
  const header = hex("450000730000400040110000c0a80001c0a800c7");

  it("computes b861 for the published example, ignoring the stored field", () => {
    expect(computeIpv4HeaderChecksum(header, 0)).toBe(0xb861);
    const h = header.slice();
    h[10] = 0x12;
    expect(computeIpv4HeaderChecksum(h, 0)).toBe(0xb861);
  });

  it("writes and verifies", () => {
    const h = header.slice();
    expect(verifyIpv4HeaderChecksum(h, 0)).toBe(false);
    writeIpv4HeaderChecksum(h, 0);
    expect([h[10], h[11]]).toEqual([0xb8, 0x61]);
    expect(verifyIpv4HeaderChecksum(h, 0)).toBe(true);
  });

  it.each([
    ["ICMP4_ECHO_REQUEST", ICMP4_ECHO_REQUEST],
    ["ICMP4_ECHO_REPLY", ICMP4_ECHO_REPLY],
    ["TCP4_SYN", TCP4_SYN],
    ["TCP4_SYN_ACK", TCP4_SYN_ACK],
    ["TCP4_ACK", TCP4_ACK],
    ["TCP4_FIN_ACK", TCP4_FIN_ACK],
  ])("verifies the captured %s", (_n, p) => {
    expect(verifyIpv4HeaderChecksum(p, 0)).toBe(true);
    expect(computeIpv4HeaderChecksum(p, 0)).toBe((p[10]! << 8) | p[11]!);
  });

  it("covers the options (IHL > 5)", () => {
    const p = buildTcp({
      src: "10.0.0.1",
      dst: "10.0.0.2",
      srcPort: 1,
      dstPort: 2,
      flags: 2,
      ipv4Options: Uint8Array.from([0x94, 4, 0, 0]), // Router Alert (RFC 2113)
    });
    expect(verifyIpv4HeaderChecksum(p, 0)).toBe(true);
    p[22] = 1;
    expect(verifyIpv4HeaderChecksum(p, 0)).toBe(false);
  });
});

describe("transport checksums with pseudo-headers", () => {
  it.each([
    ["ICMP4_ECHO_REQUEST", ICMP4_ECHO_REQUEST],
    ["ICMP4_ECHO_REPLY", ICMP4_ECHO_REPLY],
    ["ICMP6_ECHO_REQUEST", ICMP6_ECHO_REQUEST],
    ["ICMP6_ECHO_REPLY", ICMP6_ECHO_REPLY],
    ["ICMP6_PORT_UNREACHABLE", ICMP6_PORT_UNREACHABLE],
  ])("verifies and recomputes the captured %s (kernel-computed)", (_n, p) => {
    const { src, dst, proto, l4 } = parts(p);
    expect(verifyTransportChecksum(src, dst, proto, p, l4, p.length - l4)).toBe(true);
    const stored = (p[l4 + 2]! << 8) | p[l4 + 3]!;
    expect(computeTransportChecksum(src, dst, proto, p, l4, p.length - l4)).toBe(stored);
  });

  it.each([
    ["TCP4_SYN", TCP4_SYN],
    ["TCP4_SYN_ACK", TCP4_SYN_ACK],
    ["TCP4_ACK", TCP4_ACK],
    ["TCP4_FIN_ACK", TCP4_FIN_ACK],
    ["UDP6_DATAGRAM", UDP6_DATAGRAM],
  ])(
    "recognises the offloaded (partial) checksum of the captured %s: the field holds the folded pseudo-header sum",
    (_n, p) => {
      const { src, dst, proto, l4 } = parts(p);
      const len = p.length - l4;
      const field = l4 + transportChecksumOffset(proto);
      const stored = (p[field]! << 8) | p[field + 1]!;
      expect(stored).toBe(foldChecksumSum(pseudoHeaderSum(src, dst, proto, len)));
      expect(verifyTransportChecksum(src, dst, proto, p, l4, len)).toBe(false);
      const fixed = p.slice();
      expect(writeTransportChecksum(src, dst, proto, fixed, l4, len)).toBe(true);
      expect(verifyTransportChecksum(src, dst, proto, fixed, l4, len)).toBe(true);
    },
  );

  it("turns a computed UDP checksum of 0 into ffff (RFC 768)", () => {
    // Find a payload whose UDP checksum computes to zero, then check the builder's field.
    const src = Uint8Array.from([10, 0, 0, 1]);
    const dst = Uint8Array.from([10, 0, 0, 2]);
    const seg = Uint8Array.from([0, 1, 0, 2, 0, 10, 0, 0, 0, 0]);
    const c = computeTransportChecksum(src, dst, 17, seg, 0, seg.length);
    // Adding c to the data makes the complemented sum exactly 0.
    seg[8] = c >> 8;
    seg[9] = c & 0xff;
    expect(computeTransportChecksum(src, dst, 17, seg, 0, seg.length)).toBe(0xffff);
    writeTransportChecksum(src, dst, 17, seg, 0, seg.length);
    expect(verifyTransportChecksum(src, dst, 17, seg, 0, seg.length)).toBe(true);
  });

  it("returns -1 for protocols without a known checksum field and for too-short segments", () => {
    const z = new Uint8Array(4);
    expect(computeTransportChecksum(z, z, 47, z, 0, 4)).toBe(-1);
    expect(computeTransportChecksum(z, z, 6, z, 0, 4)).toBe(-1);
    expect(verifyTransportChecksum(z, z, 47, z, 0, 4)).toBe(true);
    expect(verifyTransportChecksum(z, z, 6, z, 0, 4)).toBe(false);
  });

  it("includes the pseudo-header: changing an address breaks TCP and UDP but not ICMPv4", () => {
    const other = Uint8Array.from([10, 9, 9, 9]);
    for (const proto of [6, 17]) {
      const p =
        proto === 6
          ? buildTcp({ src: "10.0.0.1", dst: "10.0.0.2", srcPort: 1, dstPort: 2, flags: 2 })
          : buildUdp({ src: "10.0.0.1", dst: "10.0.0.2", srcPort: 1, dstPort: 2 });
      const { src, dst, l4 } = parts(p);
      expect(verifyTransportChecksum(src, dst, proto, p, l4, p.length - l4)).toBe(true);
      expect(verifyTransportChecksum(other, dst, proto, p, l4, p.length - l4)).toBe(false);
    }
    const { dst, l4 } = parts(ICMP4_ECHO_REQUEST);
    const p = ICMP4_ECHO_REQUEST;
    expect(verifyTransportChecksum(other, dst, 1, p, l4, p.length - l4)).toBe(true);
  });
});

describe("incremental checksum update (RFC 1624)", () => {
  it("reproduces the RFC 1624 section 4 example: dd2f, 5555 -> 3285 gives 0000", () => {
    expect(updateChecksum16(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });

  it("agrees with recomputation for random IPv4 header edits (TTL, addresses)", () => {
    const rnd = prng(1624);
    for (let i = 0; i < 500; i++) {
      const p = buildTcp({
        src: `10.${i & 255}.0.1`,
        dst: "192.0.2.9",
        srcPort: 1000 + i,
        dstPort: 443,
        flags: 0x10,
        ttl: 1 + Math.floor(rnd() * 254),
      });
      const before = (p[10]! << 8) | p[11]!;
      const oldWord = (p[8]! << 8) | p[9]!;
      p[8] = Math.floor(rnd() * 256);
      const newWord = (p[8]! << 8) | p[9]!;
      const c1 = updateChecksum16(before, oldWord, newWord);
      expect(c1).toBe(computeIpv4HeaderChecksum(p, 0));
      const oldSrc = p.slice(12, 16);
      const newSrc = Uint8Array.from({ length: 4 }, () => Math.floor(rnd() * 256));
      p.set(newSrc, 12);
      expect(updateChecksumBytes(c1, oldSrc, newSrc)).toBe(computeIpv4HeaderChecksum(p, 0));
    }
  });

  it("updates a TCP checksum when the destination port is rewritten", () => {
    const p = buildTcp({ src: "10.0.0.1", dst: "10.0.0.2", srcPort: 1, dstPort: 80, flags: 2 });
    const c = (p[36]! << 8) | p[37]!;
    p[22] = 0x1f;
    p[23] = 0x90;
    const n = updateChecksum16(c, 80, 8080);
    p[36] = n >> 8;
    p[37] = n & 0xff;
    const { src, dst } = parts(p);
    expect(verifyTransportChecksum(src, dst, 6, p, 20, p.length - 20)).toBe(true);
  });
});
