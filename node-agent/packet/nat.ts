/**
 * 1:1 address translation of an IPv4 packet in place (the internet gateway's NAT between a
 * public or Elastic IP and a private address, docs/routing.md IGW-5..IGW-7). Pure.
 *
 * The address is written into the header and every checksum it is part of is updated
 * incrementally (RFC 1624 eqn. 3): the IPv4 header checksum (RFC 791 3.1), and the TCP (RFC
 * 9293 3.1) or UDP (RFC 768) checksum, whose pseudo-header holds both addresses. ICMPv4 has no
 * pseudo-header (RFC 792): nothing else changes. A UDP checksum of 0 ("none") stays 0, and an
 * updated one that comes out 0 is sent as 0xffff (RFC 768). Non-first fragments carry no
 * transport header: only the IP header changes. Not rewritten: the IP header quoted inside an
 * ICMP error (a known gap, docs/routing.md). Allocates nothing: addresses travel as 4-byte
 * arrays, never as numbers (a uint32 above 2^30 would be boxed when it crosses a call).
 */
import type { DecodedPacket } from "./decoded-packet.js";
import { updateChecksum16 } from "./checksum.js";

// RFC 791 3.1: offsets in the IPv4 header.
const IPV4_CHECKSUM = 10;
const IPV4_SRC = 12;
const IPV4_DST = 16;

/**
 * Replaces the source address of the IPv4 packet `pkt` (decoded from `buf`) with `addr` (4
 * bytes, network order; read, not kept). `pkt.src` is a view into `buf`, so it shows the new
 * address afterwards.
 */
export function rewriteIpv4Source(buf: Uint8Array, pkt: DecodedPacket, addr: Uint8Array): void {
  rewriteIpv4Address(buf, pkt, IPV4_SRC, addr);
}

/** As rewriteIpv4Source, for the destination address. */
export function rewriteIpv4Destination(
  buf: Uint8Array,
  pkt: DecodedPacket,
  addr: Uint8Array,
): void {
  rewriteIpv4Address(buf, pkt, IPV4_DST, addr);
}

/** The index of the 4-byte address `addr` in `list` (4-byte addresses), or -1. */
export function indexOfIpv4(list: readonly Uint8Array[], addr: Uint8Array): number {
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    if (a[0] === addr[0] && a[1] === addr[1] && a[2] === addr[2] && a[3] === addr[3]) return i;
  }
  return -1;
}

function rewriteIpv4Address(
  buf: Uint8Array,
  pkt: DecodedPacket,
  field: number,
  addr: Uint8Array,
): void {
  const ip = pkt.l3Offset;
  const at = ip + field;
  const o0 = (buf[at]! << 8) | buf[at + 1]!;
  const o1 = (buf[at + 2]! << 8) | buf[at + 3]!;
  const n0 = (addr[0]! << 8) | addr[1]!;
  const n1 = (addr[2]! << 8) | addr[3]!;
  let c = (buf[ip + IPV4_CHECKSUM]! << 8) | buf[ip + IPV4_CHECKSUM + 1]!;
  c = updateChecksum16(updateChecksum16(c, o0, n0), o1, n1);
  buf[ip + IPV4_CHECKSUM] = c >> 8;
  buf[ip + IPV4_CHECKSUM + 1] = c & 0xff;
  if (pkt.fragmentOffset === 0) {
    // TCP checksum at 16 (RFC 9293 3.1), UDP at 6 (RFC 768).
    const off =
      pkt.protocol === 6 ? pkt.l4Offset + 16 : pkt.protocol === 17 ? pkt.l4Offset + 6 : -1;
    if (off >= 0 && off + 2 <= ip + pkt.length) {
      let t = (buf[off]! << 8) | buf[off + 1]!;
      if (pkt.protocol !== 17 || t !== 0) {
        t = updateChecksum16(updateChecksum16(t, o0, n0), o1, n1);
        if (pkt.protocol === 17 && t === 0) t = 0xffff;
        buf[off] = t >> 8;
        buf[off + 1] = t & 0xff;
      }
    }
  }
  buf[at] = addr[0]!;
  buf[at + 1] = addr[1]!;
  buf[at + 2] = addr[2]!;
  buf[at + 3] = addr[3]!;
}

/**
 * Replaces the TCP or UDP source (`which` = 0) or destination (`which` = 2: the field's offset
 * in the header) port of `pkt` (decoded from `buf`) with `port`, updating the TCP or UDP
 * checksum incrementally (a UDP checksum of 0 stays 0). For the NAT gateway (docs/routing.md
 * NAT-8); the caller checked the protocol and that the packet is a first fragment.
 */
export function rewriteL4Port(
  buf: Uint8Array,
  pkt: DecodedPacket,
  which: 0 | 2,
  port: number,
): void {
  const at = pkt.l4Offset + which;
  const old = (buf[at]! << 8) | buf[at + 1]!;
  const off = pkt.protocol === 6 ? pkt.l4Offset + 16 : pkt.l4Offset + 6;
  let t = (buf[off]! << 8) | buf[off + 1]!;
  if (pkt.protocol !== 17 || t !== 0) {
    t = updateChecksum16(t, old, port);
    if (pkt.protocol === 17 && t === 0) t = 0xffff;
    buf[off] = t >> 8;
    buf[off + 1] = t & 0xff;
  }
  buf[at] = port >> 8;
  buf[at + 1] = port & 0xff;
}

/**
 * Replaces the identifier of an ICMPv4 echo request or reply (RFC 792: bytes 4-5 of the ICMP
 * header) with `id`, updating the ICMP checksum (bytes 2-3) incrementally.
 */
export function rewriteIcmpEchoId(buf: Uint8Array, pkt: DecodedPacket, id: number): void {
  const at = pkt.l4Offset + 4;
  const old = (buf[at]! << 8) | buf[at + 1]!;
  const off = pkt.l4Offset + 2;
  const c = updateChecksum16((buf[off]! << 8) | buf[off + 1]!, old, id);
  buf[off] = c >> 8;
  buf[off + 1] = c & 0xff;
  buf[at] = id >> 8;
  buf[at + 1] = id & 0xff;
}
