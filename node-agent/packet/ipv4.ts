/**
 * IPv4 header view (RFC 791 3.1). Pure. validateIpv4Header() checks a header in place without
 * allocating (decodePacket's path); parseIpv4() validates and returns an Ipv4Header view whose
 * getters read the caller's buffer (valid only while the buffer is).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |Version|  IHL  |Type of Service|          Total Length         |
 *   |         Identification        |Flags|      Fragment Offset    |
 *   |  Time to Live |    Protocol   |         Header Checksum       |
 *   |                       Source Address                          |
 *   |                    Destination Address                        |
 *   |                    Options                    |    Padding    |
 */
import { DropReason } from "../pipeline/verdict.js";

/** Smallest IPv4 header (IHL 5). */
export const IPV4_MIN_HEADER_LEN = 20;
/** Largest IPv4 header (IHL 15). */
export const IPV4_MAX_HEADER_LEN = 60;
/** Largest IPv4 datagram, and the bound a reassembled datagram must respect. */
export const IPV4_MAX_PACKET_LEN = 65535;

const VERSION_IHL = 0;
const TOS = 1;
const TOTAL_LENGTH = 2;
const IDENTIFICATION = 4;
const FLAGS_FRAGMENT = 6;
const TTL = 8;
const PROTOCOL = 9;
const CHECKSUM = 10;
const SRC = 12;
const DST = 16;

const FLAG_DF = 0x4000;
const FLAG_MF = 0x2000;
const FRAGMENT_OFFSET_MASK = 0x1fff;

// RFC 791 3.1 option types with no length byte.
const OPTION_END = 0;
const OPTION_NOP = 1;

/** Header length in bytes (IHL x 4) of the header at `off`; the byte must exist. */
export function ipv4HeaderLength(buf: Uint8Array, off: number): number {
  return (buf[off + VERSION_IHL]! & 0x0f) * 4;
}

/** Total Length field: header plus payload, in bytes. */
export function ipv4TotalLength(buf: Uint8Array, off: number): number {
  return (buf[off + TOTAL_LENGTH]! << 8) | buf[off + TOTAL_LENGTH + 1]!;
}

/** Protocol field (IANA number of the payload). */
export function ipv4Protocol(buf: Uint8Array, off: number): number {
  return buf[off + PROTOCOL]!;
}

/** Fragment offset in bytes (the field counts 8-byte units). */
export function ipv4FragmentOffset(buf: Uint8Array, off: number): number {
  return (
    (((buf[off + FLAGS_FRAGMENT]! << 8) | buf[off + FLAGS_FRAGMENT + 1]!) & FRAGMENT_OFFSET_MASK) *
    8
  );
}

/** More Fragments flag. */
export function ipv4MoreFragments(buf: Uint8Array, off: number): boolean {
  return (buf[off + FLAGS_FRAGMENT]! & (FLAG_MF >> 8)) !== 0;
}

/** Don't Fragment flag. */
export function ipv4DontFragment(buf: Uint8Array, off: number): boolean {
  return (buf[off + FLAGS_FRAGMENT]! & (FLAG_DF >> 8)) !== 0;
}

/** Byte offset of the source address (4 bytes) relative to the header start. */
export const IPV4_SRC_OFFSET = SRC;
/** Byte offset of the destination address (4 bytes) relative to the header start. */
export const IPV4_DST_OFFSET = DST;

/**
 * Checks the IPv4 header at `off` against the `len` bytes the caller holds: version 4, IHL >= 5,
 * header and Total Length within `len`, Total Length >= header, well-formed options (RFC 791 3.1:
 * EOL and NOP are one byte, every other option carries a length >= 2 inside the header), and
 * sane fragmentation (non-last fragments carry a multiple of 8 bytes, RFC 791 3.2; no fragment
 * ends beyond 65535 bytes, the "ping of death"). Returns undefined when valid. Never throws,
 * never allocates. Bytes after Total Length (link padding) are allowed and ignored.
 */
export function validateIpv4Header(
  buf: Uint8Array,
  off: number,
  len: number,
): DropReason | undefined {
  if (len < IPV4_MIN_HEADER_LEN) return DropReason.Truncated;
  const vihl = buf[off + VERSION_IHL]!;
  if (vihl >> 4 !== 4) return DropReason.BadIpVersion;
  const hl = (vihl & 0x0f) * 4;
  if (hl < IPV4_MIN_HEADER_LEN) return DropReason.BadIpHeader;
  if (hl > len) return DropReason.Truncated;
  const total = ipv4TotalLength(buf, off);
  if (total < hl) return DropReason.BadIpHeader;
  if (total > len) return DropReason.Truncated;
  if (hl > IPV4_MIN_HEADER_LEN && !optionsWellFormed(buf, off + IPV4_MIN_HEADER_LEN, off + hl)) {
    return DropReason.BadIpHeader;
  }
  const frag = (buf[off + FLAGS_FRAGMENT]! << 8) | buf[off + FLAGS_FRAGMENT + 1]!;
  if ((frag & (FLAG_MF | FRAGMENT_OFFSET_MASK)) !== 0) {
    const payload = total - hl;
    // RFC 791 3.2: every fragment but the last carries a multiple of 8 octets.
    if ((frag & FLAG_MF) !== 0 && (payload & 7) !== 0) return DropReason.BadIpHeader;
    if ((frag & FRAGMENT_OFFSET_MASK) * 8 + payload > IPV4_MAX_PACKET_LEN) {
      return DropReason.BadIpHeader;
    }
  }
  return undefined;
}

function optionsWellFormed(buf: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const type = buf[i]!;
    if (type === OPTION_END) return true;
    if (type === OPTION_NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end) return false;
    const optLen = buf[i + 1]!;
    if (optLen < 2 || i + optLen > end) return false;
    i += optLen;
  }
  return true;
}

/** A validated IPv4 header read in place; every getter reads the buffer. */
export class Ipv4Header {
  constructor(
    readonly buf: Uint8Array,
    readonly off: number,
  ) {}
  get headerLength(): number {
    return ipv4HeaderLength(this.buf, this.off);
  }
  get tos(): number {
    return this.buf[this.off + TOS]!;
  }
  get totalLength(): number {
    return ipv4TotalLength(this.buf, this.off);
  }
  get identification(): number {
    return (this.buf[this.off + IDENTIFICATION]! << 8) | this.buf[this.off + IDENTIFICATION + 1]!;
  }
  get dontFragment(): boolean {
    return ipv4DontFragment(this.buf, this.off);
  }
  get moreFragments(): boolean {
    return ipv4MoreFragments(this.buf, this.off);
  }
  /** Fragment offset in bytes. */
  get fragmentOffset(): number {
    return ipv4FragmentOffset(this.buf, this.off);
  }
  /** True for any fragment: MF set or a non-zero offset. */
  get isFragment(): boolean {
    return this.moreFragments || this.fragmentOffset !== 0;
  }
  get ttl(): number {
    return this.buf[this.off + TTL]!;
  }
  get protocol(): number {
    return ipv4Protocol(this.buf, this.off);
  }
  get checksum(): number {
    return (this.buf[this.off + CHECKSUM]! << 8) | this.buf[this.off + CHECKSUM + 1]!;
  }
  /** Source address: a 4-byte view. */
  get src(): Uint8Array {
    return this.buf.subarray(this.off + SRC, this.off + SRC + 4);
  }
  /** Destination address: a 4-byte view. */
  get dst(): Uint8Array {
    return this.buf.subarray(this.off + DST, this.off + DST + 4);
  }
  /** Options and padding (empty for IHL 5): a view. */
  get options(): Uint8Array {
    return this.buf.subarray(this.off + IPV4_MIN_HEADER_LEN, this.off + this.headerLength);
  }
  /** Offset of the payload in the buffer. */
  get payloadOffset(): number {
    return this.off + this.headerLength;
  }
  /** Payload length in bytes, from Total Length. */
  get payloadLength(): number {
    return this.totalLength - this.headerLength;
  }
}

/** Validates (see validateIpv4Header) and returns a view, or the reason to drop. */
export function parseIpv4(buf: Uint8Array, off: number, len: number): Ipv4Header | DropReason {
  const bad = validateIpv4Header(buf, off, len);
  return bad === undefined ? new Ipv4Header(buf, off) : bad;
}
