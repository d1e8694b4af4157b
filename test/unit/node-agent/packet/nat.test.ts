/**
 * The internet gateway's 1:1 NAT on a packet (docs/routing.md IGW-5, IGW-6): the address is
 * rewritten in place and the decoder, verifying every checksum, accepts the result.
 */
import { describe, expect, it } from "vitest";
import { decodePacket } from "../../../../node-agent/packet/decode.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import { TcpFlag } from "../../../../node-agent/packet/decoded-packet.js";
import { parseIpAddress } from "../../../../node-agent/packet/address.js";
import { rewriteIpv4Destination, rewriteIpv4Source } from "../../../../node-agent/packet/nat.js";
import {
  buildIcmpEcho,
  buildTcp,
  buildUdp,
  fragmentIpPacket,
} from "../../../helpers/packet-builder.js";

const key = (a: string): Uint8Array => parseIpAddress(a)!;
const text = (b: Uint8Array): string => [...b].join(".");

function decodeChecked(buf: Uint8Array, off = 0, len = buf.length - off): DecodedPacket {
  const pkt = decodePacket(buf, off, len, { verifyChecksums: true });
  if (typeof pkt === "string") throw new Error(`decode: ${pkt}`);
  return pkt;
}

const PUBLIC = "198.18.0.7";
const PRIVATE = "10.0.1.10";
const INTERNET = "198.51.100.10";
const payload = new TextEncoder().encode("GET / HTTP/1.0\r\n\r\n");

const cases: [string, () => Uint8Array][] = [
  [
    "TCP SYN",
    () => buildTcp({ src: INTERNET, dst: PUBLIC, srcPort: 40000, dstPort: 80, flags: TcpFlag.SYN }),
  ],
  [
    "TCP with data",
    () =>
      buildTcp({
        src: INTERNET,
        dst: PUBLIC,
        srcPort: 40000,
        dstPort: 80,
        flags: TcpFlag.ACK | TcpFlag.PSH,
        seq: 0xfffffff0,
        ack: 7,
        payload,
      }),
  ],
  ["UDP", () => buildUdp({ src: INTERNET, dst: PUBLIC, srcPort: 5353, dstPort: 53, payload })],
  ["ICMP echo", () => buildIcmpEcho({ src: INTERNET, dst: PUBLIC, id: 77, seq: 1 })],
];

describe("rewriteIpv4Destination / rewriteIpv4Source (IGW-5, IGW-6)", () => {
  it.each(cases)("translates %s public -> private and back with valid checksums", (_n, build) => {
    // Headroom in front, as the pipeline reads packets.
    const raw = build();
    const buf = new Uint8Array(raw.length + 64);
    buf.set(raw, 64);
    const pkt = decodeChecked(buf, 64, raw.length);
    rewriteIpv4Destination(buf, pkt, key(PRIVATE));
    expect(text(pkt.dst)).toBe(PRIVATE);
    const inbound = decodeChecked(buf, 64, raw.length);
    expect(text(inbound.dst)).toBe(PRIVATE);
    expect(text(inbound.src)).toBe(INTERNET);
    expect([inbound.srcPort, inbound.dstPort]).toEqual([pkt.srcPort, pkt.dstPort]);
    // Back: the same bytes as built once the destination is public again.
    rewriteIpv4Destination(buf, inbound, key(PUBLIC));
    expect(buf.subarray(64)).toEqual(raw);
  });

  it("rewrites the source of a reply (private -> public) with valid checksums", () => {
    const raw = buildTcp({
      src: PRIVATE,
      dst: INTERNET,
      srcPort: 80,
      dstPort: 40000,
      flags: TcpFlag.SYN | TcpFlag.ACK,
      seq: 1,
      ack: 2,
    });
    const pkt = decodeChecked(raw);
    rewriteIpv4Source(raw, pkt, key(PUBLIC));
    const out = decodeChecked(raw);
    expect(text(out.src)).toBe(PUBLIC);
    expect(text(out.dst)).toBe(INTERNET);
    expect(raw).toEqual(
      buildTcp({
        src: PUBLIC,
        dst: INTERNET,
        srcPort: 80,
        dstPort: 40000,
        flags: TcpFlag.SYN | TcpFlag.ACK,
        seq: 1,
        ack: 2,
      }),
    );
  });

  it("leaves a UDP checksum of 0 (none, RFC 768) at 0", () => {
    const raw = buildUdp({ src: PRIVATE, dst: INTERNET, srcPort: 53, dstPort: 5353, payload });
    const pkt = decodeChecked(raw);
    raw[pkt.l4Offset + 6] = 0;
    raw[pkt.l4Offset + 7] = 0;
    rewriteIpv4Source(raw, pkt, key(PUBLIC));
    const out = decodeChecked(raw);
    expect(text(out.src)).toBe(PUBLIC);
    expect([raw[out.l4Offset + 6], raw[out.l4Offset + 7]]).toEqual([0, 0]);
  });

  it("rewrites every fragment: the first with its TCP checksum, the others' IP header only", () => {
    const whole = buildTcp({
      src: INTERNET,
      dst: PUBLIC,
      srcPort: 40000,
      dstPort: 80,
      flags: TcpFlag.ACK,
      payload: new Uint8Array(100).fill(7),
    });
    const frags = fragmentIpPacket(whole, 48);
    expect(frags.length).toBeGreaterThan(1);
    for (const f of frags) {
      const pkt = decodeChecked(f);
      rewriteIpv4Destination(f, pkt, key(PRIVATE));
      expect(text(decodeChecked(f).dst)).toBe(PRIVATE);
    }
    // Reassembled, the TCP checksum over the whole segment holds for the private address.
    const expected = buildTcp({
      src: INTERNET,
      dst: PRIVATE,
      srcPort: 40000,
      dstPort: 80,
      flags: TcpFlag.ACK,
      payload: new Uint8Array(100).fill(7),
    });
    const hl = 20;
    const data = frags.flatMap((f) => [...f.subarray(hl)]);
    expect(Uint8Array.from(data)).toEqual(expected.subarray(hl));
  });
});
