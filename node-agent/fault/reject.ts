/**
 * The `reject` effect's replies: what a closed port or a host firewall sends back (AWS SGs and
 * NACLs never do: AWS-BEHAVIOUR CT-11; this is a chaos effect). For the offending packet at
 * buf[pkt.l3Offset, + pkt.length):
 *
 *   TCP without RST        a RST (RFC 9293 3.10.7.1, RFC 793 p. 36 "If the state is CLOSED"):
 *                            segment has ACK:  <SEQ=SEG.ACK><CTL=RST>
 *                            otherwise:        <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>
 *                          SEG.LEN counts payload bytes plus one for SYN and one for FIN.
 *   anything else          ICMP destination unreachable, code 3 port unreachable (RFC 792), or
 *                          ICMPv6 destination unreachable, code 4 port unreachable (RFC 4443
 *                          3.1), quoting as much of the packet as fits in 576 (IPv4, RFC 1812
 *                          4.3.2.3) or 1280 (IPv6, RFC 4443 2.4(c)) bytes.
 *   no reply               a TCP RST (RFC 9293: a reset never answers a reset), an ICMP error
 *                          (RFC 1122 3.2.2, RFC 4443 2.4(e)), a non-first fragment (RFC 1122
 *                          3.2.2: errors only for the first fragment).
 *
 * The reply goes from the packet's destination to its source, TTL/hop limit 64, every checksum
 * valid. Pure; allocates the reply.
 */
import { writeIpv4HeaderChecksum, writeTransportChecksum } from "../packet/checksum.js";
import { IpProto, TcpFlag, type DecodedPacket } from "../packet/decoded-packet.js";

/** Largest IPv4 ICMP error (RFC 1812 4.3.2.3) and IPv6 ICMPv6 error (RFC 4443 2.4(c)). */
export const ICMPV4_ERROR_MAX = 576;
export const ICMPV6_ERROR_MAX = 1280;

const TTL = 64;

/** The reply to send back to the packet's source, or undefined when none may be sent. */
export function buildRejectReply(pkt: DecodedPacket, buf: Uint8Array): Uint8Array | undefined {
  if (pkt.fragmentOffset > 0) return undefined;
  if (pkt.protocol === IpProto.TCP) {
    if ((pkt.tcpFlags & TcpFlag.RST) !== 0) return undefined;
    return buildTcpReset(pkt);
  }
  if (pkt.icmpError) return undefined;
  return pkt.family === 4 ? buildIcmpv4Unreachable(pkt, buf) : buildIcmpv6Unreachable(pkt, buf);
}

/** The RST answering a TCP segment (see the module comment for SEQ/ACK). */
export function buildTcpReset(pkt: DecodedPacket): Uint8Array {
  const ipLen = pkt.family === 4 ? 20 : 40;
  const out = new Uint8Array(ipLen + 20);
  writeIpHeader(out, pkt.family, pkt.dst, pkt.src, IpProto.TCP, 20);
  const t = ipLen;
  put16(out, t, pkt.dstPort);
  put16(out, t + 2, pkt.srcPort);
  if ((pkt.tcpFlags & TcpFlag.ACK) !== 0) {
    put32(out, t + 4, pkt.tcpAck);
    out[t + 13] = TcpFlag.RST;
  } else {
    const payload = pkt.l3Offset + pkt.length - pkt.payloadOffset;
    const segLen =
      payload +
      ((pkt.tcpFlags & TcpFlag.SYN) !== 0 ? 1 : 0) +
      ((pkt.tcpFlags & TcpFlag.FIN) !== 0 ? 1 : 0);
    put32(out, t + 8, (pkt.tcpSeq + segLen) >>> 0);
    out[t + 13] = TcpFlag.RST | TcpFlag.ACK;
  }
  out[t + 12] = 5 << 4;
  writeTransportChecksum(pkt.dst, pkt.src, IpProto.TCP, out, t, 20);
  return out;
}

/** ICMP type 3 code 3 quoting the packet (at most 576 bytes in all). */
export function buildIcmpv4Unreachable(pkt: DecodedPacket, buf: Uint8Array): Uint8Array {
  const quote = Math.min(pkt.length, ICMPV4_ERROR_MAX - 20 - 8);
  const out = new Uint8Array(20 + 8 + quote);
  writeIpHeader(out, 4, pkt.dst, pkt.src, IpProto.ICMP, 8 + quote);
  out[20] = 3; // destination unreachable
  out[21] = 3; // port unreachable
  out.set(buf.subarray(pkt.l3Offset, pkt.l3Offset + quote), 28);
  writeTransportChecksum(pkt.dst, pkt.src, IpProto.ICMP, out, 20, 8 + quote);
  return out;
}

/** ICMPv6 type 1 code 4 quoting the packet (at most 1280 bytes in all). */
export function buildIcmpv6Unreachable(pkt: DecodedPacket, buf: Uint8Array): Uint8Array {
  const quote = Math.min(pkt.length, ICMPV6_ERROR_MAX - 40 - 8);
  const out = new Uint8Array(40 + 8 + quote);
  writeIpHeader(out, 6, pkt.dst, pkt.src, IpProto.ICMPV6, 8 + quote);
  out[40] = 1; // destination unreachable
  out[41] = 4; // port unreachable
  out.set(buf.subarray(pkt.l3Offset, pkt.l3Offset + quote), 48);
  writeTransportChecksum(pkt.dst, pkt.src, IpProto.ICMPV6, out, 40, 8 + quote);
  return out;
}

/** An IPv4 (20 bytes, no options, DF, checksum) or IPv6 (40 bytes) header at out[0]. */
function writeIpHeader(
  out: Uint8Array,
  family: 4 | 6,
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  l4Len: number,
): void {
  if (family === 4) {
    out[0] = 0x45;
    put16(out, 2, 20 + l4Len);
    out[6] = 0x40; // DF
    out[8] = TTL;
    out[9] = protocol;
    out.set(src, 12);
    out.set(dst, 16);
    writeIpv4HeaderChecksum(out, 0);
    return;
  }
  out[0] = 0x60;
  put16(out, 4, l4Len);
  out[6] = protocol;
  out[7] = TTL;
  out.set(src, 8);
  out.set(dst, 24);
}

function put16(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >> 8) & 0xff;
  b[at + 1] = v & 0xff;
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}
