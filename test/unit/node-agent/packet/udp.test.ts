import { describe, expect, it } from "vitest";
import { UdpHeader, parseUdp, validateUdpHeader } from "../../../../node-agent/packet/udp.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { UDP6_DATAGRAM } from "../../../fixtures/packets.js";

describe("parseUdp", () => {
  it("reads the captured datagram in place", () => {
    const u = parseUdp(UDP6_DATAGRAM, 40, UDP6_DATAGRAM.length - 40);
    if (!(u instanceof UdpHeader)) throw new Error(String(u));
    expect([u.srcPort, u.dstPort, u.length, u.checksum, u.payloadOffset]).toEqual([
      37398, 5353, 21, 0x0028, 48,
    ]);
    expect(new TextDecoder().decode(u.payload)).toBe("hello vpcemu\n");
  });
});

describe("validateUdpHeader", () => {
  const d = Uint8Array.from([0x30, 0x39, 0, 53, 0, 12, 0, 0, 1, 2, 3, 4]);

  it.each([
    ["length = bytes", d, 12, false, undefined],
    ["length below the bytes (trailing bytes ignored)", d, 12, false, undefined],
    ["7 bytes", d, 7, false, DropReason.Truncated],
    ["length 7", Uint8Array.from(d).fill(7, 5, 6), 12, false, DropReason.BadTransportHeader],
    [
      "length 0 (IPv6 jumbogram form, not supported)",
      Uint8Array.from(d).fill(0, 5, 6),
      12,
      false,
      DropReason.BadTransportHeader,
    ],
    ["length 8 (empty datagram)", Uint8Array.from(d).fill(8, 5, 6), 12, false, undefined],
    ["length past the bytes", Uint8Array.from(d).fill(13, 5, 6), 12, false, DropReason.Truncated],
    [
      "length past the bytes in a first fragment",
      Uint8Array.from(d).fill(200, 5, 6),
      12,
      true,
      undefined,
    ],
  ])("%s -> %s", (_n, b, avail, fragmented, expected) => {
    expect(validateUdpHeader(b, 0, avail, fragmented)).toBe(expected);
  });
});
