/** The test helper test/helpers/packet-builder.ts: byte layout, fragments, refusals. */
import { describe, expect, it } from "vitest";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import { verifyIpv4HeaderChecksum } from "../../../../node-agent/packet/checksum.js";
import {
  buildIcmp,
  buildIcmpEcho,
  buildIpPacket,
  buildTcp,
  buildUdp,
  fragmentIpPacket,
  parseAddressPair,
} from "../../../helpers/packet-builder.js";

const V4 = { src: "10.0.0.1", dst: "10.0.0.2" };
const V6 = { src: "2001:db8::1", dst: "2001:db8::2" };

function hexOf(p: Uint8Array): string {
  return Array.from(p, (b) => b.toString(16).padStart(2, "0")).join("");
}

describe("packet-builder", () => {
  it("lays out an IPv4 TCP SYN byte for byte", () => {
    const p = buildTcp({
      ...V4,
      srcPort: 0x1234,
      dstPort: 80,
      flags: 0x02,
      seq: 1,
      ttl: 63,
      identification: 7,
      dontFragment: true,
    });
    expect(hexOf(p.subarray(0, 20))).toBe(
      `45000028` + `00074000` + `3f06` + hexOf(p.subarray(10, 12)) + `0a0000010a000002`,
    );
    expect(verifyIpv4HeaderChecksum(p, 0)).toBe(true);
    expect(hexOf(p.subarray(20, 36))).toBe("1234005000000001000000005002ffff");
  });

  it("lays out an IPv6 header with traffic class and hop limit", () => {
    const p = buildUdp({ ...V6, srcPort: 1, dstPort: 2, tos: 0xab, ttl: 255 });
    expect(hexOf(p.subarray(0, 8))).toBe("6ab000000008" + "11ff");
  });

  it("pads IPv4 options with EOL and TCP options with NOP", () => {
    const p = buildTcp({
      ...V4,
      srcPort: 1,
      dstPort: 2,
      flags: 2,
      ipv4Options: Uint8Array.from([1]),
      tcpOptions: Uint8Array.from([2, 4, 5, 0xb4, 3, 3, 7]),
    });
    expect(p[0]).toBe(0x46);
    expect([...p.subarray(20, 24)]).toEqual([1, 0, 0, 0]);
    expect(p[24 + 12]).toBe(0x70); // data offset 7
    expect([...p.subarray(44, 52)]).toEqual([2, 4, 5, 0xb4, 3, 3, 7, 1]);
  });

  it("encodes extension headers: chained next-header bytes and length units", () => {
    const p = buildUdp({
      ...V6,
      srcPort: 1,
      dstPort: 2,
      extensionHeaders: [{ type: 0 }, { type: 51 }, { type: 44, offset: 0, more: false, id: 9 }],
    });
    expect(p[6]).toBe(0); // -> Hop-by-Hop
    expect([p[40], p[41]]).toEqual([51, 0]); // HbH -> AH, 8 bytes
    expect([p[48], p[49]]).toEqual([44, 2]); // AH -> Fragment, (2 + 2) * 4 = 16 bytes
    expect([p[64], p[66], p[67], p[71]]).toEqual([17, 0, 0, 9]); // Fragment -> UDP
    expect(decodePacket(p, 0, p.length, { verifyChecksums: true })).toMatchObject({
      l4Offset: 72,
      srcPort: 1,
    });
  });

  it.each([
    ["IPv4", V4],
    ["IPv6", V6],
  ])("splits an %s packet into fragments that reassemble to the original", (_n, a) => {
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const whole = buildUdp({ ...a, srcPort: 9, dstPort: 9, payload });
    const frags = fragmentIpPacket(whole, 128, 0xabcdef);
    expect(frags).toHaveLength(3);
    const hdr = a === V4 ? 20 : 48;
    const data = new Uint8Array(whole.length - (a === V4 ? 20 : 40));
    for (const f of frags) {
      const d = decodePacket(f, 0, f.length, { verifyChecksums: true });
      if (typeof d === "string") throw new Error(d);
      data.set(f.subarray(hdr), d.fragmentOffset);
    }
    expect(data).toEqual(whole.subarray(a === V4 ? 20 : 40));
  });

  it("keeps a leading Hop-by-Hop header unfragmentable", () => {
    const whole = buildUdp({
      ...V6,
      srcPort: 9,
      dstPort: 9,
      payload: new Uint8Array(64),
      extensionHeaders: [{ type: 0 }],
    });
    const [first, second] = fragmentIpPacket(whole, 32);
    expect([first![6], first![40], first![48]]).toEqual([0, 44, 17]);
    expect(decodePacket(second!, 0, second!.length)).toMatchObject({
      fragmentOffset: 32,
      protocol: 17,
      l4Offset: 56,
    });
  });

  it("builds generic ICMP messages and echo defaults", () => {
    const ns = buildIcmp({ ...V6, type: 135, code: 0, body: new Uint8Array(16) });
    expect(decodePacket(ns, 0, ns.length, { verifyChecksums: true })).toMatchObject({
      icmpType: 135,
      icmpId: -1,
    });
    const echo = buildIcmpEcho({ ...V4, id: 1, seq: 2 });
    expect(echo.length).toBe(20 + 8 + 8);
  });

  it("refuses bad input loudly", () => {
    expect(() => parseAddressPair("10.0.0.1", "2001:db8::1")).toThrow(/mixed families/);
    expect(() => buildUdp({ src: "10.0.0.300", dst: "10.0.0.1", srcPort: 1, dstPort: 2 })).toThrow(
      /bad address/,
    );
    expect(() =>
      buildTcp({ ...V4, srcPort: 1, dstPort: 2, flags: 2, ipv4Options: new Uint8Array(41) }),
    ).toThrow(/options/);
    expect(() =>
      buildTcp({ ...V4, srcPort: 1, dstPort: 2, flags: 2, tcpOptions: new Uint8Array(41) }),
    ).toThrow(/options/);
    expect(() =>
      fragmentIpPacket(buildIpPacket({ ...V4, protocol: 47, payload: new Uint8Array(8) }), 12),
    ).toThrow(/multiple of 8/);
  });
});
