/**
 * decodePacket(): one IP packet in a caller's buffer -> DecodedPacket or the DropReason. Pure.
 * Called once per packet by the pipeline (egress on every TUN read, ingress after decap), so it
 * allocates only the result object and the two address views, and never throws: malformed bytes
 * always give a DropReason (STYLE.md §7).
 */
import { DropReason } from "../pipeline/verdict.js";
import { IpProto, type DecodedPacket } from "./decoded-packet.js";
import { verifyIpv4HeaderChecksum, verifyTransportChecksum } from "./checksum.js";
import {
  icmpCode,
  icmpEchoId,
  icmpType,
  isIcmpEcho,
  isIcmpError,
  validateIcmpHeader,
} from "./icmp.js";
import {
  IPV4_DST_OFFSET,
  IPV4_SRC_OFFSET,
  ipv4FragmentOffset,
  ipv4HeaderLength,
  ipv4MoreFragments,
  ipv4Protocol,
  ipv4TotalLength,
  validateIpv4Header,
} from "./ipv4.js";
import {
  IPV6_DST_OFFSET,
  IPV6_HEADER_LEN,
  IPV6_SRC_OFFSET,
  Ipv6Walk,
  ipv6PayloadLength,
  validateIpv6Header,
  walkIpv6Extensions,
} from "./ipv6.js";
import {
  isValidTcpFlagCombination,
  tcpAck,
  tcpDstPort,
  tcpFlags,
  tcpHeaderLength,
  tcpSeq,
  tcpSrcPort,
  validateTcpHeader,
} from "./tcp.js";
import { UDP_HEADER_LEN, udpDstPort, udpLength, udpSrcPort, validateUdpHeader } from "./udp.js";

/** Options of decodePacket(). */
export interface DecodeOptions {
  /**
   * Verify the IPv4 header checksum and, for unfragmented packets, the TCP/UDP/ICMP/ICMPv6
   * checksum. Default false: the kernel's TUN output is trusted and offloaded checksums may be
   * partial (only the pseudo-header sum) until the NIC would have finished them.
   */
  readonly verifyChecksums?: boolean;
}

// Why: module scratch for the IPv6 walk, so that decoding allocates nothing per packet.
// decodePacket never yields, so no two calls share it at once.
const walk = new Ipv6Walk();

// RFC 1858 3.4: a TCP fragment at offset 8 bytes could overwrite the flags of the first one.
const TCP_OVERLAP_FRAGMENT_OFFSET = 8;

/**
 * Decodes the IP packet at buf[off, off+len). Returns the DecodedPacket (addresses are views
 * into `buf`, valid while it is) or why to drop it:
 * - Truncated: fewer bytes than a header or a stated length needs (also when [off, off+len)
 *   does not lie inside `buf`);
 * - BadIpVersion: first nibble neither 4 nor 6;
 * - BadIpHeader: IPv4 IHL < 5, Total Length below the header, bad options, bad fragment fields;
 * - BadExtensionHeader: misplaced Hop-by-Hop, second Fragment header, IPv6 fragment rules,
 *   Routing type 0 with segments left;
 * - BadTransportHeader: TCP data offset < 5, UDP Length < 8;
 * - TcpInvalidFlags: a combination no conforming TCP sends (SYN+FIN, SYN+RST, none, ...);
 * - BadIpChecksum / BadL4Checksum: only with `verifyChecksums`.
 * Non-first fragments decode with ports 0, tcpFlags 0 and icmpType -1 (their transport header
 * travels in the first fragment); a first fragment must hold the whole transport header
 * (RFC 1858, RFC 7112) or is Truncated. Fragments are not reassembled: an IPv6 non-first
 * fragment's protocol is the Fragment header's Next Header, which names the transport only
 * when no extension header follows the Fragment header (the usual case).
 */
export function decodePacket(
  buf: Uint8Array,
  off: number,
  len: number,
  opts?: DecodeOptions,
): DecodedPacket | DropReason {
  if (!(off >= 0 && len > 0 && off + len <= buf.length))
    return fail(DropReason.Truncated, "bounds");
  const verify = opts !== undefined && opts.verifyChecksums === true;
  const version = buf[off]! >> 4;
  if (version === 4) {
    const bad = validateIpv4Header(buf, off, len);
    if (bad !== undefined) return fail(bad, "ipv4_header");
    if (verify && !verifyIpv4HeaderChecksum(buf, off))
      return fail(DropReason.BadIpChecksum, "ipv4_checksum");
    const total = ipv4TotalLength(buf, off);
    const fragOff = ipv4FragmentOffset(buf, off);
    const protocol = ipv4Protocol(buf, off);
    if (protocol === IpProto.TCP && fragOff === TCP_OVERLAP_FRAGMENT_OFFSET) {
      return fail(DropReason.BadIpHeader, "ipv4_tcp_overlap");
    }
    return decodeTransport(
      buf,
      4,
      buf.subarray(off + IPV4_SRC_OFFSET, off + IPV4_SRC_OFFSET + 4),
      buf.subarray(off + IPV4_DST_OFFSET, off + IPV4_DST_OFFSET + 4),
      protocol,
      fragOff,
      ipv4MoreFragments(buf, off),
      off,
      off + ipv4HeaderLength(buf, off),
      off + total,
      total,
      verify,
    );
  }
  if (version === 6) {
    const bad = validateIpv6Header(buf, off, len);
    if (bad !== undefined) return fail(bad, "ipv6_header");
    const total = IPV6_HEADER_LEN + ipv6PayloadLength(buf, off);
    const walkBad = walkIpv6Extensions(buf, off, off + total, walk);
    if (walkBad !== undefined) return fail(walkBad, "ipv6_extensions");
    return decodeTransport(
      buf,
      6,
      buf.subarray(off + IPV6_SRC_OFFSET, off + IPV6_SRC_OFFSET + 16),
      buf.subarray(off + IPV6_DST_OFFSET, off + IPV6_DST_OFFSET + 16),
      walk.protocol,
      walk.fragmentOffset,
      walk.moreFragments,
      off,
      walk.l4Offset,
      off + total,
      total,
      verify,
    );
  }
  return fail(DropReason.BadIpVersion, "ip_version");
}

/**
 * The check that made the last decodePacket() call fail (docs/observability.md "Verdict
 * events" `site`): one decoder step ("ipv4_header", "tcp_header", "ipv6_extensions", ...). Set
 * only on failure, read right after it by the one caller that raises the reason; no cost for
 * packets that decode.
 */
let failSite = "";

/** See failSite. */
export function lastDecodeSite(): string {
  return failSite;
}

function fail(reason: DropReason, site: string): DropReason {
  failSite = site;
  return reason;
}

/** The transport part, shared by both families; `end` is where the IP packet ends. */
function decodeTransport(
  buf: Uint8Array,
  family: 4 | 6,
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  fragmentOffset: number,
  moreFragments: boolean,
  l3Offset: number,
  l4Offset: number,
  end: number,
  length: number,
  verify: boolean,
): DecodedPacket | DropReason {
  let srcPort = 0;
  let dstPort = 0;
  let flags = 0;
  let seq = 0;
  let ack = 0;
  let type = -1;
  let code = -1;
  let id = -1;
  let error = false;
  let payloadOffset = l4Offset;
  const avail = end - l4Offset;
  if (fragmentOffset === 0) {
    // A first fragment holds only part of the segment: its checksum cannot be checked alone.
    const check = verify && !moreFragments;
    if (protocol === IpProto.TCP) {
      const bad = validateTcpHeader(buf, l4Offset, avail);
      if (bad !== undefined) return fail(bad, "tcp_header");
      flags = tcpFlags(buf, l4Offset);
      if (!isValidTcpFlagCombination(flags)) return fail(DropReason.TcpInvalidFlags, "tcp_flags");
      if (check && !verifyTransportChecksum(src, dst, protocol, buf, l4Offset, avail)) {
        return fail(DropReason.BadL4Checksum, "tcp_checksum");
      }
      srcPort = tcpSrcPort(buf, l4Offset);
      dstPort = tcpDstPort(buf, l4Offset);
      seq = tcpSeq(buf, l4Offset);
      ack = tcpAck(buf, l4Offset);
      payloadOffset = l4Offset + tcpHeaderLength(buf, l4Offset);
    } else if (protocol === IpProto.UDP) {
      const bad = validateUdpHeader(buf, l4Offset, avail, moreFragments);
      if (bad !== undefined) return fail(bad, "udp_header");
      if (
        check &&
        !verifyTransportChecksum(src, dst, protocol, buf, l4Offset, udpLength(buf, l4Offset))
      ) {
        return fail(DropReason.BadL4Checksum, "udp_checksum");
      }
      srcPort = udpSrcPort(buf, l4Offset);
      dstPort = udpDstPort(buf, l4Offset);
      payloadOffset = l4Offset + UDP_HEADER_LEN;
    } else if (protocol === (family === 4 ? IpProto.ICMP : IpProto.ICMPV6)) {
      const bad = validateIcmpHeader(buf, l4Offset, avail);
      if (bad !== undefined) return fail(bad, "icmp_header");
      if (check && !verifyTransportChecksum(src, dst, protocol, buf, l4Offset, avail)) {
        return fail(DropReason.BadL4Checksum, "icmp_checksum");
      }
      type = icmpType(buf, l4Offset);
      code = icmpCode(buf, l4Offset);
      if (isIcmpEcho(family, type)) id = icmpEchoId(buf, l4Offset);
      error = isIcmpError(family, type);
      payloadOffset = l4Offset + 8;
    }
  }
  return {
    family,
    src,
    dst,
    protocol,
    srcPort,
    dstPort,
    tcpFlags: flags,
    tcpSeq: seq,
    tcpAck: ack,
    icmpType: type,
    icmpCode: code,
    icmpId: id,
    icmpError: error,
    fragmentOffset,
    moreFragments,
    l3Offset,
    l4Offset,
    payloadOffset,
    length,
  };
}
