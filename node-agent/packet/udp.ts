/**
 * UDP header view (RFC 768). Pure.
 *
 *   |          Source Port          |       Destination Port        |
 *   |            Length             |           Checksum            |
 */
import { DropReason } from "../pipeline/verdict.js";

/** The UDP header. */
export const UDP_HEADER_LEN = 8;

const SRC_PORT = 0;
const DST_PORT = 2;
const LENGTH = 4;
const CHECKSUM = 6;

export function udpSrcPort(buf: Uint8Array, off: number): number {
  return (buf[off + SRC_PORT]! << 8) | buf[off + SRC_PORT + 1]!;
}

export function udpDstPort(buf: Uint8Array, off: number): number {
  return (buf[off + DST_PORT]! << 8) | buf[off + DST_PORT + 1]!;
}

/** Length field: header plus data, in bytes. */
export function udpLength(buf: Uint8Array, off: number): number {
  return (buf[off + LENGTH]! << 8) | buf[off + LENGTH + 1]!;
}

/**
 * Checks the UDP header at `off` against the `avail` bytes the IP layer holds: 8 bytes present
 * (else Truncated), Length >= 8 (else BadTransportHeader) and, unless `fragmented` (a first
 * fragment holds only part of the datagram), Length within `avail` (else Truncated). Bytes after
 * Length are ignored. Returns undefined when valid; never allocates.
 */
export function validateUdpHeader(
  buf: Uint8Array,
  off: number,
  avail: number,
  fragmented = false,
): DropReason | undefined {
  if (avail < UDP_HEADER_LEN) return DropReason.Truncated;
  const ulen = udpLength(buf, off);
  if (ulen < UDP_HEADER_LEN) return DropReason.BadTransportHeader;
  if (!fragmented && ulen > avail) return DropReason.Truncated;
  return undefined;
}

/** A validated UDP header read in place; every getter reads the buffer. */
export class UdpHeader {
  constructor(
    readonly buf: Uint8Array,
    readonly off: number,
  ) {}
  get srcPort(): number {
    return udpSrcPort(this.buf, this.off);
  }
  get dstPort(): number {
    return udpDstPort(this.buf, this.off);
  }
  get length(): number {
    return udpLength(this.buf, this.off);
  }
  get checksum(): number {
    return (this.buf[this.off + CHECKSUM]! << 8) | this.buf[this.off + CHECKSUM + 1]!;
  }
  get payloadOffset(): number {
    return this.off + UDP_HEADER_LEN;
  }
  /** The datagram's data (Length - 8 bytes): a view. */
  get payload(): Uint8Array {
    return this.buf.subarray(this.off + UDP_HEADER_LEN, this.off + this.length);
  }
}

/** Validates (see validateUdpHeader) and returns a view, or the reason to drop. */
export function parseUdp(buf: Uint8Array, off: number, avail: number): UdpHeader | DropReason {
  const bad = validateUdpHeader(buf, off, avail);
  return bad === undefined ? new UdpHeader(buf, off) : bad;
}
