/**
 * ICMP (RFC 792) and ICMPv6 (RFC 4443) header view, and the tuple of the packet an error message
 * quotes. Pure.
 *
 *   |     Type      |     Code      |          Checksum             |
 *   |   Identifier (echo) / unused  |  Sequence (echo) / MTU etc.   |
 *   |  echo data, or the quoted packet (IP header + at least 8 bytes of it)
 */
import { DropReason } from "../pipeline/verdict.js";
import { IpProto } from "./decoded-packet.js";
import { IPV4_MIN_HEADER_LEN, IPV4_SRC_OFFSET, IPV4_DST_OFFSET } from "./ipv4.js";
import {
  IPV6_HEADER_LEN,
  IPV6_SRC_OFFSET,
  IPV6_DST_OFFSET,
  Ipv6Walk,
  walkIpv6Extensions,
} from "./ipv6.js";

/** The ICMP/ICMPv6 header: type, code, checksum and the 4-byte rest (id and sequence for echo). */
export const ICMP_HEADER_LEN = 8;

/** ICMPv4 types the data path names (RFC 792). */
export const Icmpv4Type = {
  EchoReply: 0,
  DestinationUnreachable: 3,
  SourceQuench: 4,
  Redirect: 5,
  EchoRequest: 8,
  TimeExceeded: 11,
  ParameterProblem: 12,
} as const;

/** ICMPv6 types the data path names (RFC 4443). */
export const Icmpv6Type = {
  DestinationUnreachable: 1,
  PacketTooBig: 2,
  TimeExceeded: 3,
  ParameterProblem: 4,
  EchoRequest: 128,
  EchoReply: 129,
} as const;

const TYPE = 0;
const CODE = 1;
const CHECKSUM = 2;
const ID = 4;
const SEQ = 6;

export function icmpType(buf: Uint8Array, off: number): number {
  return buf[off + TYPE]!;
}

export function icmpCode(buf: Uint8Array, off: number): number {
  return buf[off + CODE]!;
}

/** Echo identifier (bytes 4-5); meaningful only for echo messages. */
export function icmpEchoId(buf: Uint8Array, off: number): number {
  return (buf[off + ID]! << 8) | buf[off + ID + 1]!;
}

/** Echo sequence number (bytes 6-7); meaningful only for echo messages. */
export function icmpEchoSeq(buf: Uint8Array, off: number): number {
  return (buf[off + SEQ]! << 8) | buf[off + SEQ + 1]!;
}

/** True for echo request/reply: ICMPv4 8/0, ICMPv6 128/129. */
export function isIcmpEcho(family: 4 | 6, type: number): boolean {
  return family === 4
    ? type === Icmpv4Type.EchoRequest || type === Icmpv4Type.EchoReply
    : type === Icmpv6Type.EchoRequest || type === Icmpv6Type.EchoReply;
}

/** True for error messages that quote a packet: ICMPv4 3, 4, 5, 11, 12; ICMPv6 1-4. */
export function isIcmpError(family: 4 | 6, type: number): boolean {
  if (family === 6) return type >= 1 && type <= 4;
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** Checks that the 8-byte ICMP header fits in `avail` bytes (else Truncated); never allocates. */
export function validateIcmpHeader(
  buf: Uint8Array,
  off: number,
  avail: number,
): DropReason | undefined {
  return avail < ICMP_HEADER_LEN ? DropReason.Truncated : undefined;
}

/** A validated ICMP/ICMPv6 header read in place. */
export class IcmpHeader {
  constructor(
    readonly buf: Uint8Array,
    readonly off: number,
    readonly family: 4 | 6,
  ) {}
  get type(): number {
    return icmpType(this.buf, this.off);
  }
  get code(): number {
    return icmpCode(this.buf, this.off);
  }
  get checksum(): number {
    return (this.buf[this.off + CHECKSUM]! << 8) | this.buf[this.off + CHECKSUM + 1]!;
  }
  get isEcho(): boolean {
    return isIcmpEcho(this.family, this.type);
  }
  get isError(): boolean {
    return isIcmpError(this.family, this.type);
  }
  /** Echo identifier, or -1 for other messages. */
  get echoId(): number {
    return this.isEcho ? icmpEchoId(this.buf, this.off) : -1;
  }
  /** Echo sequence number, or -1 for other messages. */
  get echoSeq(): number {
    return this.isEcho ? icmpEchoSeq(this.buf, this.off) : -1;
  }
}

/** Validates (see validateIcmpHeader) and returns a view, or the reason to drop. */
export function parseIcmp(
  buf: Uint8Array,
  off: number,
  avail: number,
  family: 4 | 6,
): IcmpHeader | DropReason {
  const bad = validateIcmpHeader(buf, off, avail);
  return bad === undefined ? new IcmpHeader(buf, off, family) : bad;
}

/**
 * The original packet an ICMP error quotes, as seen by its sender: addresses are views into the
 * buffer. Ports are 0 when the quote holds a non-first fragment or a protocol without ports;
 * for a quoted ICMP echo, icmpId is its identifier (else -1).
 */
export interface QuotedTuple {
  readonly family: 4 | 6;
  readonly protocol: number;
  readonly src: Uint8Array;
  readonly dst: Uint8Array;
  readonly srcPort: number;
  readonly dstPort: number;
  /** Type and code of a quoted ICMP message; -1 otherwise. */
  readonly icmpType: number;
  readonly icmpCode: number;
  readonly icmpId: number;
}

/**
 * Reads the tuple of the packet quoted by the ICMP error whose header is at `icmpOff`, with
 * `avail` bytes of ICMP message held. The quote follows the 8-byte ICMP header (RFC 792;
 * RFC 4443 3) and is read leniently: its Total/Payload Length names the original packet, which
 * the quote cuts short, so only the headers must fit. Needs the IP header (and IPv6 extension
 * headers), plus 4 bytes of TCP/UDP for ports or 8 of ICMP for an echo id; otherwise Truncated.
 * A quote of another family than `family` gives BadIpVersion, a bad quoted header BadIpHeader or
 * BadExtensionHeader. Call only for error messages (isIcmpError). Allocates the result; used off
 * the per-packet fast path (diagnostics, explain, tests): vpcemu has no implicit RELATED
 * (AWS-BEHAVIOUR CT-9).
 */
export function quotedPacketTuple(
  buf: Uint8Array,
  icmpOff: number,
  avail: number,
  family: 4 | 6,
): QuotedTuple | DropReason {
  const q = icmpOff + ICMP_HEADER_LEN;
  const end = icmpOff + avail;
  if (q >= end) return DropReason.Truncated;
  if (buf[q]! >> 4 !== family) return DropReason.BadIpVersion;
  let protocol: number;
  let l4: number;
  let nonFirstFragment: boolean;
  let src: Uint8Array;
  let dst: Uint8Array;
  if (family === 4) {
    if (end - q < IPV4_MIN_HEADER_LEN) return DropReason.Truncated;
    const hl = (buf[q]! & 0x0f) * 4;
    if (hl < IPV4_MIN_HEADER_LEN) return DropReason.BadIpHeader;
    if (q + hl > end) return DropReason.Truncated;
    protocol = buf[q + 9]!;
    nonFirstFragment = (((buf[q + 6]! << 8) | buf[q + 7]!) & 0x1fff) !== 0;
    l4 = q + hl;
    src = buf.subarray(q + IPV4_SRC_OFFSET, q + IPV4_SRC_OFFSET + 4);
    dst = buf.subarray(q + IPV4_DST_OFFSET, q + IPV4_DST_OFFSET + 4);
  } else {
    if (end - q < IPV6_HEADER_LEN) return DropReason.Truncated;
    const stated = q + IPV6_HEADER_LEN + ((buf[q + 4]! << 8) | buf[q + 5]!);
    const walk = new Ipv6Walk();
    const bad = walkIpv6Extensions(buf, q, Math.min(stated, end), walk, true);
    if (bad !== undefined) return bad;
    protocol = walk.protocol;
    nonFirstFragment = walk.fragmentOffset !== 0;
    l4 = walk.l4Offset;
    src = buf.subarray(q + IPV6_SRC_OFFSET, q + IPV6_SRC_OFFSET + 16);
    dst = buf.subarray(q + IPV6_DST_OFFSET, q + IPV6_DST_OFFSET + 16);
  }
  let srcPort = 0;
  let dstPort = 0;
  let type = -1;
  let code = -1;
  let id = -1;
  const icmpProto = family === 4 ? IpProto.ICMP : IpProto.ICMPV6;
  if (!nonFirstFragment) {
    if (protocol === IpProto.TCP || protocol === IpProto.UDP) {
      if (l4 + 4 > end) return DropReason.Truncated;
      srcPort = (buf[l4]! << 8) | buf[l4 + 1]!;
      dstPort = (buf[l4 + 2]! << 8) | buf[l4 + 3]!;
    } else if (protocol === icmpProto) {
      if (l4 + ICMP_HEADER_LEN > end) return DropReason.Truncated;
      type = buf[l4]!;
      code = buf[l4 + 1]!;
      if (isIcmpEcho(family, type)) id = icmpEchoId(buf, l4);
    }
  }
  return {
    family,
    protocol,
    src,
    dst,
    srcPort,
    dstPort,
    icmpType: type,
    icmpCode: code,
    icmpId: id,
  };
}
