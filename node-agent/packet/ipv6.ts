/**
 * IPv6 header view and extension-header walk (RFC 8200). Pure.
 *
 *   |Version| Traffic Class |           Flow Label                  |
 *   |         Payload Length        |  Next Header  |   Hop Limit   |
 *   |                 Source Address (16 bytes)                     |
 *   |              Destination Address (16 bytes)                   |
 *
 * validateIpv6Header() and walkIpv6Extensions() work in place without allocating (the walk fills
 * a caller-owned Ipv6Walk); parseIpv6() returns an Ipv6Header view whose getters read the
 * caller's buffer (valid only while the buffer is).
 */
import { DropReason } from "../pipeline/verdict.js";

/** The fixed IPv6 header. */
export const IPV6_HEADER_LEN = 40;
/** Largest fragmentable payload a reassembled IPv6 packet may carry (RFC 8200 4.5). */
export const IPV6_MAX_PAYLOAD_LEN = 65535;

/** Extension-header and terminal next-header numbers the walk knows (IANA). */
export const Ipv6NextHeader = {
  HopByHop: 0,
  Routing: 43,
  Fragment: 44,
  Esp: 50,
  Ah: 51,
  NoNextHeader: 59,
  DestinationOptions: 60,
} as const;

const PAYLOAD_LENGTH = 4;
const NEXT_HEADER = 6;
const HOP_LIMIT = 7;
const SRC = 8;
const DST = 24;

/** Byte offset of the source address (16 bytes) relative to the header start. */
export const IPV6_SRC_OFFSET = SRC;
/** Byte offset of the destination address (16 bytes) relative to the header start. */
export const IPV6_DST_OFFSET = DST;

const FRAGMENT_HEADER_LEN = 8;
const ROUTING_TYPE_0 = 0;

/** Payload Length field: bytes after the fixed header (extension headers included). */
export function ipv6PayloadLength(buf: Uint8Array, off: number): number {
  return (buf[off + PAYLOAD_LENGTH]! << 8) | buf[off + PAYLOAD_LENGTH + 1]!;
}

/** Next Header field of the fixed header. */
export function ipv6NextHeader(buf: Uint8Array, off: number): number {
  return buf[off + NEXT_HEADER]!;
}

/**
 * Checks the fixed header at `off` against the `len` bytes held: version 6, 40 bytes present,
 * 40 + Payload Length within `len`. Returns undefined when valid. A Payload Length of 0 is taken
 * literally (jumbograms, RFC 2675, do not cross a TUN). Bytes beyond the stated length are ignored.
 */
export function validateIpv6Header(
  buf: Uint8Array,
  off: number,
  len: number,
): DropReason | undefined {
  if (len < IPV6_HEADER_LEN) return DropReason.Truncated;
  if (buf[off]! >> 4 !== 6) return DropReason.BadIpVersion;
  if (IPV6_HEADER_LEN + ipv6PayloadLength(buf, off) > len) return DropReason.Truncated;
  return undefined;
}

/** Where the extension-header chain led: filled by walkIpv6Extensions(). */
export class Ipv6Walk {
  /** The upper-layer protocol (or 50 ESP, 59 No Next Header, or the fragment's next header). */
  protocol = 0;
  /** Offset of the upper-layer header; for a non-first fragment, of the fragment data. */
  l4Offset = 0;
  /** True when a Fragment header was seen. */
  fragmented = false;
  /** Fragment offset in bytes (0 if none or first fragment). */
  fragmentOffset = 0;
  /** M flag of the Fragment header. */
  moreFragments = false;
  /** Identification of the Fragment header (0 if none). */
  fragmentId = 0;
}

/**
 * Walks the extension headers of the validated IPv6 packet at `off`, ending at `end` (= off +
 * 40 + Payload Length), and fills `out`. Knows Hop-by-Hop 0 (only right after the fixed header),
 * Routing 43 (type 0 with segments left is refused, RFC 5095), Fragment 44 (one only; a non-first
 * fragment stops the walk; RFC 8200 4.5 length and size rules), Destination Options 60 and AH 51
 * (length in 4-byte units + 2, RFC 4302 2.2); ESP 50 and No Next Header 59 stop it. Any other
 * number is the upper-layer protocol. A header running past `end` gives Truncated, a misplaced or
 * ill-formed one BadExtensionHeader. `quoted` (a packet quoted in an ICMPv6 error, cut short by
 * design) skips the fragment size rules, which need the whole fragment. Never throws, never
 * allocates.
 */
export function walkIpv6Extensions(
  buf: Uint8Array,
  off: number,
  end: number,
  out: Ipv6Walk,
  quoted = false,
): DropReason | undefined {
  let next = buf[off + NEXT_HEADER]!;
  let pos = off + IPV6_HEADER_LEN;
  out.fragmented = false;
  out.fragmentOffset = 0;
  out.moreFragments = false;
  out.fragmentId = 0;
  for (;;) {
    switch (next) {
      case Ipv6NextHeader.HopByHop:
      case Ipv6NextHeader.Routing:
      case Ipv6NextHeader.DestinationOptions: {
        // RFC 8200 4.3: Hop-by-Hop only immediately after the IPv6 header.
        if (next === Ipv6NextHeader.HopByHop && pos !== off + IPV6_HEADER_LEN) {
          return DropReason.BadExtensionHeader;
        }
        if (pos + 8 > end) return DropReason.Truncated;
        const hlen = (buf[pos + 1]! + 1) * 8;
        if (pos + hlen > end) return DropReason.Truncated;
        // RFC 5095 3: a type 0 Routing header with segments left is discarded.
        if (
          next === Ipv6NextHeader.Routing &&
          buf[pos + 2] === ROUTING_TYPE_0 &&
          buf[pos + 3] !== 0
        ) {
          return DropReason.BadExtensionHeader;
        }
        next = buf[pos]!;
        pos += hlen;
        break;
      }
      case Ipv6NextHeader.Ah: {
        if (pos + 8 > end) return DropReason.Truncated;
        const hlen = (buf[pos + 1]! + 2) * 4;
        if (pos + hlen > end) return DropReason.Truncated;
        next = buf[pos]!;
        pos += hlen;
        break;
      }
      case Ipv6NextHeader.Fragment: {
        if (out.fragmented) return DropReason.BadExtensionHeader;
        if (pos + FRAGMENT_HEADER_LEN > end) return DropReason.Truncated;
        const field = (buf[pos + 2]! << 8) | buf[pos + 3]!;
        const fragOff = field & 0xfff8;
        const more = (field & 1) !== 0;
        const dataLen = end - pos - FRAGMENT_HEADER_LEN;
        // RFC 8200 4.5: non-last fragments carry a multiple of 8 bytes; none ends past 65535.
        if (!quoted && more && (dataLen & 7) !== 0) return DropReason.BadExtensionHeader;
        if (!quoted && fragOff + dataLen > IPV6_MAX_PAYLOAD_LEN) {
          return DropReason.BadExtensionHeader;
        }
        out.fragmented = true;
        out.fragmentOffset = fragOff;
        out.moreFragments = more;
        out.fragmentId =
          ((buf[pos + 4]! << 24) | (buf[pos + 5]! << 16) | (buf[pos + 6]! << 8) | buf[pos + 7]!) >>>
          0;
        next = buf[pos]!;
        pos += FRAGMENT_HEADER_LEN;
        if (fragOff !== 0) {
          // The rest of the chain and the transport header live in the first fragment.
          out.protocol = next;
          out.l4Offset = pos;
          return undefined;
        }
        break;
      }
      default:
        // Upper layer, ESP (50: the rest is encrypted) or No Next Header (59): the walk ends.
        out.protocol = next;
        out.l4Offset = pos;
        return undefined;
    }
  }
}

/** A validated IPv6 fixed header read in place; every getter reads the buffer. */
export class Ipv6Header {
  constructor(
    readonly buf: Uint8Array,
    readonly off: number,
  ) {}
  get trafficClass(): number {
    return ((this.buf[this.off]! & 0x0f) << 4) | (this.buf[this.off + 1]! >> 4);
  }
  get flowLabel(): number {
    const b = this.buf;
    const o = this.off;
    return ((b[o + 1]! & 0x0f) << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  }
  get payloadLength(): number {
    return ipv6PayloadLength(this.buf, this.off);
  }
  /** Next Header of the fixed header (the first extension header, if any). */
  get nextHeader(): number {
    return ipv6NextHeader(this.buf, this.off);
  }
  get hopLimit(): number {
    return this.buf[this.off + HOP_LIMIT]!;
  }
  /** Source address: a 16-byte view. */
  get src(): Uint8Array {
    return this.buf.subarray(this.off + SRC, this.off + SRC + 16);
  }
  /** Destination address: a 16-byte view. */
  get dst(): Uint8Array {
    return this.buf.subarray(this.off + DST, this.off + DST + 16);
  }
  /** Offset just past the packet (off + 40 + Payload Length). */
  get end(): number {
    return this.off + IPV6_HEADER_LEN + this.payloadLength;
  }
  /** Walks the extension headers into a new Ipv6Walk, or returns the reason to drop. */
  walk(): Ipv6Walk | DropReason {
    const w = new Ipv6Walk();
    const bad = walkIpv6Extensions(this.buf, this.off, this.end, w);
    return bad === undefined ? w : bad;
  }
}

/** Validates the fixed header (see validateIpv6Header) and returns a view, or the drop reason. */
export function parseIpv6(buf: Uint8Array, off: number, len: number): Ipv6Header | DropReason {
  const bad = validateIpv6Header(buf, off, len);
  return bad === undefined ? new Ipv6Header(buf, off) : bad;
}
