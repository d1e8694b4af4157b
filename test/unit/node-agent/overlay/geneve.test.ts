import { describe, expect, it } from "vitest";
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  GENEVE_BASE_HEADER_LEN,
  VPCEMU_OPTION_CLASS,
  encodeEniOption,
  geneveHeaderLength,
  parseGeneve,
  vniForVpc,
  writeGeneveHeader,
} from "../../../../node-agent/overlay/geneve.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";

function encap(src: string, dst: string, vni = 0x123456, proto = ETHERTYPE_IPV4) {
  const inner = Uint8Array.from([0x45, 1, 2, 3, 4, 5, 6, 7]);
  const buf = new Uint8Array(ENCAP_HEADROOM + inner.length);
  buf.set(inner, ENCAP_HEADROOM);
  const start = writeGeneveHeader(
    buf,
    ENCAP_HEADROOM,
    vni,
    proto,
    encodeEniOption(src),
    encodeEniOption(dst),
  );
  return { buf, start, inner, datagram: buf.subarray(start) };
}

describe("geneve (RFC 8926)", () => {
  it("round-trips VNI, protocol type and both ENI options without touching the inner packet", () => {
    const { buf, start, inner, datagram } = encap("eni-0123456789abcdef0", "eni-0fedcba9876543210");
    const v = parseGeneve(buf, start, buf.length - start);
    if (typeof v === "string") throw new Error(v);
    expect(v.vni).toBe(0x123456);
    expect(v.protocolType).toBe(ETHERTYPE_IPV4);
    expect(v.oam).toBe(false);
    expect(v.srcEni).toBe("eni-0123456789abcdef0");
    expect(v.dstEni).toBe("eni-0fedcba9876543210");
    expect(v.payloadOffset).toBe(ENCAP_HEADROOM);
    expect(v.payloadLength).toBe(inner.length);
    expect(buf.subarray(v.payloadOffset)).toEqual(inner);
    expect(datagram.length).toBe(
      geneveHeaderLength(
        encodeEniOption("eni-0123456789abcdef0"),
        encodeEniOption("eni-0fedcba9876543210"),
      ) + inner.length,
    );
  });

  it("writes the RFC 8926 3.4 bit layout: version 0, option length in words, class and type", () => {
    const { buf, start } = encap("eni-a", "eni-bb", 0xabcdef, ETHERTYPE_IPV6);
    // options: (4 + 8) + (4 + 8) = 24 bytes = 6 words
    expect(buf[start]).toBe(6);
    expect(buf[start + 1]).toBe(0);
    expect((buf[start + 2]! << 8) | buf[start + 3]!).toBe(0x86dd);
    expect([buf[start + 4], buf[start + 5], buf[start + 6], buf[start + 7]]).toEqual([
      0xab, 0xcd, 0xef, 0,
    ]);
    expect((buf[start + 8]! << 8) | buf[start + 9]!).toBe(VPCEMU_OPTION_CLASS);
    expect(buf[start + 10]).toBe(1);
    expect(buf[start + 11]).toBe(2); // 8 bytes of data = 2 words
    expect(String.fromCharCode(...buf.subarray(start + 12, start + 17))).toBe("eni-a");
  });

  it("carries an external node's empty ENI id as a zero-length option", () => {
    const { buf, start } = encap("", "eni-1");
    const v = parseGeneve(buf, start, buf.length - start);
    if (typeof v === "string") throw new Error(v);
    expect(v.srcEni).toBe("");
    expect(v.dstEni).toBe("eni-1");
  });

  it("throws (a caller bug) when the headroom is too small or the id is not ASCII", () => {
    const buf = new Uint8Array(20);
    expect(() =>
      writeGeneveHeader(
        buf,
        10,
        1,
        ETHERTYPE_IPV4,
        encodeEniOption("eni-1"),
        encodeEniOption("eni-2"),
      ),
    ).toThrow(RangeError);
    expect(() => encodeEniOption("eni-é")).toThrow(RangeError);
    expect(() => encodeEniOption("x".repeat(125))).toThrow(RangeError);
  });

  type Mutation = [string, (b: Uint8Array, s: number) => void, DropReason];
  const malformed: Mutation[] = [
    ["version 1", (b, s) => (b[s] = b[s]! | 0x40), DropReason.BadEncapsulation],
    ["option length beyond the datagram", (b, s) => (b[s] = 63), DropReason.Truncated],
    [
      "protocol type ARP",
      (b, s) => {
        b[s + 2] = 0x08;
        b[s + 3] = 0x06;
      },
      DropReason.BadEncapsulation,
    ],
    ["option data overrunning the header", (b, s) => (b[s + 11] = 31), DropReason.BadEncapsulation],
    [
      "unknown critical option instead of the source ENI",
      (b, s) => {
        b[s + 8] = 0x01;
        b[s + 10] = 0x85;
      },
      DropReason.BadEncapsulation,
    ],
    [
      "missing source ENI (unknown non-critical option)",
      (b, s) => {
        b[s + 8] = 0x01;
      },
      DropReason.BadEncapsulation,
    ],
    ["duplicate destination option", (b, s) => (b[s + 10] = 2), DropReason.BadEncapsulation],
  ];
  it.each(malformed)("rejects %s", (_name, mutate, reason) => {
    const { buf, start } = encap("eni-a", "eni-b");
    mutate(buf, start);
    expect(parseGeneve(buf, start, buf.length - start)).toBe(reason);
  });

  it("rejects datagrams shorter than the fixed header and out-of-range views", () => {
    const { buf, start } = encap("eni-a", "eni-b");
    expect(parseGeneve(buf, start, GENEVE_BASE_HEADER_LEN - 1)).toBe(DropReason.Truncated);
    expect(parseGeneve(buf, start, buf.length)).toBe(DropReason.Truncated);
  });

  it("never throws on random bytes (seeded)", () => {
    let seed = 12345;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    for (let i = 0; i < 20_000; i++) {
      const len = rnd() % 80;
      const b = new Uint8Array(len);
      for (let j = 0; j < len; j++) b[j] = rnd();
      if (len > 0 && i % 2 === 0) b[0] = b[0]! & 0x3f;
      const v = parseGeneve(b, 0, len);
      if (typeof v !== "string") {
        expect(v.payloadOffset).toBeLessThanOrEqual(len);
      }
    }
  });

  it("decodes ENI ids right whatever was decoded before them (interned strings)", () => {
    const parse = (src: string, dst: string) => {
      const { buf, start } = encap(src, dst);
      const v = parseGeneve(buf, start, buf.length - start);
      if (typeof v === "string") throw new Error(v);
      return [v.srcEni, v.dstEni];
    };
    // ids of the same length and different bytes, the empty id, over the cache's bound
    for (let i = 0; i < 10_000; i++) {
      const a = `eni-${(i * 7919).toString(16).padStart(17, "0")}`;
      const b = `eni-${(i % 3).toString(16).padStart(17, "0")}`;
      expect(parse(a, b)).toEqual([a, b]);
      expect(parse(b, "")).toEqual([b, ""]);
    }
  });

  it('maps VPC ids to stable non-zero 24-bit VNIs, external ("") to 0', () => {
    const a = vniForVpc("vpc-0123456789abcdef0");
    expect(a).toBe(vniForVpc("vpc-0123456789abcdef0"));
    expect(a).toBeGreaterThan(0);
    expect(a).toBeLessThan(1 << 24);
    expect(vniForVpc("vpc-0123456789abcdef1")).not.toBe(a);
    expect(vniForVpc("")).toBe(0);
  });
});
