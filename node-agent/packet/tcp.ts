/**
 * TCP header view (RFC 9293 3.1). Pure.
 *
 *   |          Source Port          |       Destination Port        |
 *   |                        Sequence Number                        |
 *   |                    Acknowledgment Number                      |
 *   |  DOff |  Rsrvd|C|E|U|A|P|R|S|F|             Window            |
 *   |           Checksum            |         Urgent Pointer        |
 */
import { DropReason } from "../pipeline/verdict.js";
import { TcpFlag } from "./decoded-packet.js";

/** Smallest TCP header (data offset 5). */
export const TCP_MIN_HEADER_LEN = 20;

const SRC_PORT = 0;
const DST_PORT = 2;
const SEQ = 4;
const ACK = 8;
const DATA_OFFSET = 12;
const FLAGS = 13;
const WINDOW = 14;
const CHECKSUM = 16;
const URGENT = 18;

export function tcpSrcPort(buf: Uint8Array, off: number): number {
  return (buf[off + SRC_PORT]! << 8) | buf[off + SRC_PORT + 1]!;
}

export function tcpDstPort(buf: Uint8Array, off: number): number {
  return (buf[off + DST_PORT]! << 8) | buf[off + DST_PORT + 1]!;
}

function readU32(buf: Uint8Array, at: number): number {
  return ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
}

/** Sequence number, unsigned 32-bit. */
export function tcpSeq(buf: Uint8Array, off: number): number {
  return readU32(buf, off + SEQ);
}

/** Acknowledgment number, unsigned 32-bit. */
export function tcpAck(buf: Uint8Array, off: number): number {
  return readU32(buf, off + ACK);
}

/** Header length in bytes (data offset x 4). */
export function tcpHeaderLength(buf: Uint8Array, off: number): number {
  return (buf[off + DATA_OFFSET]! >> 4) * 4;
}

/** The flags byte (CWR..FIN, see TcpFlag). The NS/AE bit in byte 12 is not included. */
export function tcpFlags(buf: Uint8Array, off: number): number {
  return buf[off + FLAGS]!;
}

/**
 * Checks the TCP header at `off` against the `avail` bytes of segment the IP layer holds:
 * 20 bytes present (else Truncated), data offset >= 5 (else BadTransportHeader), the header with
 * its options within `avail` (else Truncated). Returns undefined when valid; never allocates.
 */
export function validateTcpHeader(
  buf: Uint8Array,
  off: number,
  avail: number,
): DropReason | undefined {
  if (avail < TCP_MIN_HEADER_LEN) return DropReason.Truncated;
  const hl = tcpHeaderLength(buf, off);
  if (hl < TCP_MIN_HEADER_LEN) return DropReason.BadTransportHeader;
  if (hl > avail) return DropReason.Truncated;
  return undefined;
}

// Why: PSH, ECE and CWR never change the validity of a combination, so they are masked out.
const FLAG_CLASS_MASK = TcpFlag.FIN | TcpFlag.SYN | TcpFlag.RST | TcpFlag.ACK | TcpFlag.URG;

/**
 * Flag combinations a real stack sends (RFC 9293 3.10.7; the same table as Linux
 * nf_conntrack_proto_tcp.c tcp_valid_flags), indexed by flags & (FIN|SYN|RST|ACK|URG).
 * Everything else (SYN+FIN, SYN+RST, FIN+RST, no flag at all, a bare FIN or URG, XMAS) is a scan
 * or garbage. RFC 9293 3.10.7.x: after the SYN every segment carries ACK, so FIN without ACK
 * is invalid; RST may come without ACK (a reset answering a non-ACK segment).
 */
const VALID_FLAG_CLASSES: Uint8Array = (() => {
  const t = new Uint8Array(64);
  const { FIN, SYN, RST, ACK, URG } = TcpFlag;
  for (const f of [
    SYN,
    SYN | URG,
    SYN | ACK,
    RST,
    RST | ACK,
    FIN | ACK,
    FIN | ACK | URG,
    ACK,
    ACK | URG,
  ]) {
    t[f] = 1;
  }
  return t;
})();

/** True for a flag byte a conforming TCP may send (see VALID_FLAG_CLASSES). */
export function isValidTcpFlagCombination(flags: number): boolean {
  return VALID_FLAG_CLASSES[flags & FLAG_CLASS_MASK] === 1;
}

/** A validated TCP header read in place; every getter reads the buffer. */
export class TcpHeader {
  constructor(
    readonly buf: Uint8Array,
    readonly off: number,
  ) {}
  get srcPort(): number {
    return tcpSrcPort(this.buf, this.off);
  }
  get dstPort(): number {
    return tcpDstPort(this.buf, this.off);
  }
  get seq(): number {
    return tcpSeq(this.buf, this.off);
  }
  get ack(): number {
    return tcpAck(this.buf, this.off);
  }
  get headerLength(): number {
    return tcpHeaderLength(this.buf, this.off);
  }
  get flags(): number {
    return tcpFlags(this.buf, this.off);
  }
  get window(): number {
    return (this.buf[this.off + WINDOW]! << 8) | this.buf[this.off + WINDOW + 1]!;
  }
  get checksum(): number {
    return (this.buf[this.off + CHECKSUM]! << 8) | this.buf[this.off + CHECKSUM + 1]!;
  }
  get urgentPointer(): number {
    return (this.buf[this.off + URGENT]! << 8) | this.buf[this.off + URGENT + 1]!;
  }
  /** Options (empty for data offset 5): a view. */
  get options(): Uint8Array {
    return this.buf.subarray(this.off + TCP_MIN_HEADER_LEN, this.off + this.headerLength);
  }
  /** Offset of the payload in the buffer. */
  get payloadOffset(): number {
    return this.off + this.headerLength;
  }
}

/** Validates (see validateTcpHeader) and returns a view, or the reason to drop. */
export function parseTcp(buf: Uint8Array, off: number, avail: number): TcpHeader | DropReason {
  const bad = validateTcpHeader(buf, off, avail);
  return bad === undefined ? new TcpHeader(buf, off) : bad;
}
