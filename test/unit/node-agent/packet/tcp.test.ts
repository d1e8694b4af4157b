import { describe, expect, it } from "vitest";
import {
  TcpHeader,
  isValidTcpFlagCombination,
  parseTcp,
  validateTcpHeader,
} from "../../../../node-agent/packet/tcp.js";
import { TcpFlag } from "../../../../node-agent/packet/decoded-packet.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { TCP4_SYN, TCP4_SYN_ACK } from "../../../fixtures/packets.js";
import { buildTcp } from "../../../helpers/packet-builder.js";

const { FIN, SYN, RST, PSH, ACK, URG, ECE, CWR } = TcpFlag;

describe("parseTcp", () => {
  it("reads the captured SYN's header and options in place", () => {
    const t = parseTcp(TCP4_SYN, 20, TCP4_SYN.length - 20);
    if (!(t instanceof TcpHeader)) throw new Error(String(t));
    expect([
      t.srcPort,
      t.dstPort,
      t.seq,
      t.ack,
      t.headerLength,
      t.flags,
      t.window,
      t.urgentPointer,
    ]).toEqual([37044, 8080, 0x42bfe24f, 0, 40, SYN, 0xffd7, 0]);
    expect(t.checksum).toBe(0xfe30);
    // MSS 65495 is the first option.
    expect([...t.options.subarray(0, 4)]).toEqual([2, 4, 0xff, 0xd7]);
    expect(t.payloadOffset).toBe(60);
  });

  it("reads the captured SYN-ACK: ack = SYN's seq + 1", () => {
    const t = parseTcp(TCP4_SYN_ACK, 20, TCP4_SYN_ACK.length - 20) as TcpHeader;
    expect(t.flags).toBe(SYN | ACK);
    expect(t.ack).toBe(0x42bfe24f + 1);
    expect(t.seq).toBe(0xd202a117);
  });

  it("reads 32-bit sequence numbers as unsigned", () => {
    const p = buildTcp({
      src: "10.0.0.1",
      dst: "10.0.0.2",
      srcPort: 65535,
      dstPort: 0,
      flags: ACK,
      seq: 0xffffffff,
      ack: 0x80000000,
    });
    const t = parseTcp(p, 20, p.length - 20) as TcpHeader;
    expect([t.seq, t.ack, t.srcPort, t.dstPort]).toEqual([0xffffffff, 0x80000000, 65535, 0]);
  });
});

describe("validateTcpHeader", () => {
  const seg = buildTcp({
    src: "10.0.0.1",
    dst: "10.0.0.2",
    srcPort: 1,
    dstPort: 2,
    flags: ACK,
    payload: new Uint8Array(4),
  }).slice(20);

  it.each([
    ["a 24-byte segment", seg, seg.length, undefined],
    ["exactly 20 bytes", seg, 20, undefined],
    ["19 bytes", seg, 19, DropReason.Truncated],
    [
      "data offset 0",
      Uint8Array.from(seg).fill(0x00, 12, 13),
      seg.length,
      DropReason.BadTransportHeader,
    ],
    [
      "data offset 4",
      Uint8Array.from(seg).fill(0x40, 12, 13),
      seg.length,
      DropReason.BadTransportHeader,
    ],
    ["data offset 6 with 24 bytes", Uint8Array.from(seg).fill(0x60, 12, 13), seg.length, undefined],
    [
      "data offset 7 with 24 bytes",
      Uint8Array.from(seg).fill(0x70, 12, 13),
      seg.length,
      DropReason.Truncated,
    ],
    [
      "data offset 15 (60 bytes)",
      Uint8Array.from(seg).fill(0xf0, 12, 13),
      seg.length,
      DropReason.Truncated,
    ],
  ])("%s -> %s", (_n, s, avail, expected) => {
    expect(validateTcpHeader(s, 0, avail)).toBe(expected);
  });
});

describe("isValidTcpFlagCombination (RFC 9293 3.10.7, Linux tcp_valid_flags)", () => {
  const valid = new Set<number>([
    SYN,
    SYN | URG,
    SYN | ACK,
    RST,
    RST | ACK,
    FIN | ACK,
    FIN | ACK | URG,
    ACK,
    ACK | URG,
  ]);

  it("accepts exactly the nine valid classes, whatever PSH, ECE and CWR say (all 256 bytes)", () => {
    for (let flags = 0; flags < 256; flags++) {
      const cls = flags & (FIN | SYN | RST | ACK | URG);
      expect(isValidTcpFlagCombination(flags), `flags 0x${flags.toString(16)}`).toBe(
        valid.has(cls),
      );
    }
  });

  it.each([
    ["SYN+ECE+CWR", SYN | ECE | CWR, true],
    ["ACK+PSH", ACK | PSH, true],
    ["SYN+FIN", SYN | FIN, false],
    ["SYN+RST", SYN | RST, false],
    ["null", 0, false],
    ["FIN", FIN, false],
    ["XMAS", FIN | PSH | URG, false],
    ["RST+FIN+ACK", RST | FIN | ACK, false],
  ])("%s -> %s", (_n, flags, expected) => {
    expect(isValidTcpFlagCombination(flags)).toBe(expected);
  });
});
