/**
 * TUN offload metadata, PURE: the virtio_net_hdr a TUN opened with IFF_VNET_HDR puts in front of
 * every packet (linux/virtio_net.h; virtio spec 1.2 5.1.6), the checks a super-packet must pass,
 * checksum completion and software segmentation.
 *
 *   byte 0 flags (NEEDS_CSUM = 1, DATA_VALID = 2)    byte 1 gso_type (NONE 0, TCPV4 1, TCPV6 4,
 *   bytes 2-3 hdr_len   4-5 gso_size   6-7 csum_start   8-9 csum_offset      UDP_L4 5; ECN 0x80)
 *
 * The 16-bit fields are in the host's byte order (the TUN's default: little-endian on x86_64 and
 * aarch64, the only hosts the agent runs on); the Geneve option that carries the same fields
 * across the underlay is big-endian (overlay/geneve.ts).
 *
 * A GSO packet ("super-packet", up to 64 KB) stands for ceil(payload / gso_size) segments that
 * share its IP and TCP (or UDP) headers. How Linux cuts one (net/ipv4/tcp_offload.c
 * tcp_gso_segment, net/ipv4/af_inet.c inet_gso_segment), which segmentPacket() repeats:
 * - every segment carries gso_size payload bytes, the last one the rest;
 * - TCP: segment i has sequence number seq + i * gso_size; FIN and PSH stay on the last segment
 *   only, CWR on the first only; every other flag (ACK, ECE, URG) is on every segment. SYN and
 *   RST never come in a super-packet (the kernel sends them alone);
 * - IPv4: total length per segment, identification id + i, header checksum recomputed; IPv6:
 *   payload length per segment;
 * - the transport checksum is computed per segment (pseudo-header with the segment's length).
 * NEEDS_CSUM: the transport checksum field holds the pseudo-header sum (not complemented, the
 * L4 length included) and whoever delivers the packet finishes the sum over [csum_start, end).
 */
import type { DecodedPacket } from "./decoded-packet.js";
import { pseudoHeaderSum, sumWords, foldChecksumSum, writeIpv4HeaderChecksum } from "./checksum.js";

/** sizeof(struct virtio_net_hdr) (no num_buffers: TUNSETVNETHDRSZ 10). */
export const VNET_HDR_LEN = 10;
export const VNET_F_NEEDS_CSUM = 1;
export const VNET_F_DATA_VALID = 2;
export const GSO_NONE = 0;
export const GSO_TCPV4 = 1;
export const GSO_UDP = 3;
export const GSO_TCPV6 = 4;
export const GSO_UDP_L4 = 5;
export const GSO_ECN = 0x80;
/** The largest IP packet a super-packet may be (IPv4 total length and IPv6 payload: 16 bits). */
export const MAX_SUPER_PACKET = 65535;

/** One packet's offload metadata (a plain packet has none: undefined). */
export interface PacketOffload {
  /** The transport checksum is to be completed (the field holds the pseudo-header sum). */
  readonly needsCsum: boolean;
  /** GSO_NONE, GSO_TCPV4, GSO_TCPV6 or GSO_UDP_L4, possibly | GSO_ECN. */
  readonly gsoType: number;
  /** Payload bytes per segment (0 without GSO). */
  readonly gsoSize: number;
  /** Header bytes in front of the first payload byte, as the sender stated it (not trusted). */
  readonly hdrLen: number;
  /** Where the checksummed part starts, from the IP header. */
  readonly csumStart: number;
  /** Where the checksum field is, from csumStart (TCP 16, UDP 6). */
  readonly csumOffset: number;
}

/**
 * The header at buf[at, at + VNET_HDR_LEN), host order. Undefined for a plain packet: no
 * NEEDS_CSUM and no GSO (DATA_VALID alone says nothing the agent needs). Allocates only then.
 */
export function readVnetHeader(buf: Uint8Array, at: number): PacketOffload | undefined {
  const flags = buf[at]!;
  const gsoType = buf[at + 1]!;
  if ((flags & VNET_F_NEEDS_CSUM) === 0 && gsoType === GSO_NONE) return undefined;
  return {
    needsCsum: (flags & VNET_F_NEEDS_CSUM) !== 0,
    gsoType,
    hdrLen: buf[at + 2]! | (buf[at + 3]! << 8),
    gsoSize: buf[at + 4]! | (buf[at + 5]! << 8),
    csumStart: buf[at + 6]! | (buf[at + 7]! << 8),
    csumOffset: buf[at + 8]! | (buf[at + 9]! << 8),
  };
}

/** Writes the header of `o` (zeros for a plain packet) at buf[at, at + VNET_HDR_LEN), host order. */
export function writeVnetHeader(buf: Uint8Array, at: number, o: PacketOffload | undefined): void {
  if (o === undefined) {
    buf.fill(0, at, at + VNET_HDR_LEN);
    return;
  }
  buf[at] = o.needsCsum ? VNET_F_NEEDS_CSUM : 0;
  buf[at + 1] = o.gsoType;
  put16le(buf, at + 2, o.hdrLen);
  put16le(buf, at + 4, o.gsoSize);
  put16le(buf, at + 6, o.csumStart);
  put16le(buf, at + 8, o.csumOffset);
}

function put16le(buf: Uint8Array, at: number, v: number): void {
  buf[at] = v & 0xff;
  buf[at + 1] = (v >> 8) & 0xff;
}

/** True when `o` describes a super-packet (gso_type other than NONE). */
export function isGso(o: PacketOffload | undefined): boolean {
  return o !== undefined && (o.gsoType & ~GSO_ECN) !== GSO_NONE;
}

/**
 * True when `o` fits the decoded packet `pkt`: a GSO type that names the packet's family and
 * transport (TCPV4: IPv4 TCP; TCPV6: IPv6 TCP; UDP_L4: UDP; UFO and unknown types: no), GSO only
 * with NEEDS_CSUM and a gso_size > 0, no fragment, and NEEDS_CSUM pointing at the transport
 * checksum (csum_start = the transport header, csum_offset TCP 16 / UDP 6). Metadata from the
 * underlay that fails this is dropped (a peer's bug or a forgery); from the kernel it never does.
 */
export function offloadFits(pkt: DecodedPacket, o: PacketOffload): boolean {
  const gso = o.gsoType & ~GSO_ECN;
  if (pkt.fragmentOffset !== 0 || pkt.moreFragments) return false;
  if (gso !== GSO_NONE) {
    if (!o.needsCsum || o.gsoSize === 0) return false;
    if (gso === GSO_TCPV4) {
      if (pkt.family !== 4 || pkt.protocol !== 6) return false;
    } else if (gso === GSO_TCPV6) {
      if (pkt.family !== 6 || pkt.protocol !== 6) return false;
    } else if (gso === GSO_UDP_L4) {
      if (pkt.protocol !== 17 || (o.gsoType & GSO_ECN) !== 0) return false;
    } else return false;
  }
  if (o.needsCsum) {
    if (o.csumStart !== pkt.l4Offset - pkt.l3Offset) return false;
    const field = pkt.protocol === 6 ? 16 : pkt.protocol === 17 ? 6 : -1;
    if (o.csumOffset !== field || o.csumStart + field + 2 > pkt.length) return false;
  }
  return true;
}

/** Bytes in front of a segment's payload: IP header (+ extensions) and transport header. */
export function segmentHeaderLength(pkt: DecodedPacket): number {
  return pkt.payloadOffset - pkt.l3Offset;
}

/**
 * How many packets `pkt` stands for: 1 without GSO, else ceil(payload / gso_size) (at least 1).
 * Counters, conntrack, flow logs and metrics count these.
 */
export function segmentCount(pkt: DecodedPacket, o: PacketOffload | undefined): number {
  if (o === undefined || !isGso(o) || o.gsoSize === 0) return 1;
  const payload = pkt.length - segmentHeaderLength(pkt);
  return payload <= o.gsoSize ? 1 : Math.ceil(payload / o.gsoSize);
}

/** The IP bytes of `segments` segments of `pkt`: its length plus the repeated headers. */
export function segmentedLength(pkt: DecodedPacket, segments: number): number {
  return pkt.length + (segments - 1) * segmentHeaderLength(pkt);
}

/**
 * Completes the transport checksum of a NEEDS_CSUM packet at buf[off, off + pkt.length) in
 * place: the field holds the pseudo-header sum, so the RFC 1071 sum over [csum_start, end)
 * with the field included is the checksum's complement. A UDP result of 0 is sent as 0xffff.
 */
export function completeChecksum(
  buf: Uint8Array,
  off: number,
  pkt: DecodedPacket,
  o: PacketOffload,
): void {
  const start = off + o.csumStart;
  const field = start + o.csumOffset;
  let c = ~foldChecksumSum(sumWords(buf, start, pkt.length - o.csumStart)) & 0xffff;
  if (pkt.protocol === 17 && c === 0) c = 0xffff;
  buf[field] = c >> 8;
  buf[field + 1] = c & 0xff;
}

/**
 * Cuts the super-packet `pkt` (at buf[off, off + pkt.length), metadata `o`, checked with
 * offloadFits) into plain packets as the kernel would (module comment), each in a new buffer
 * with `headroom` free bytes in front: segment i is out[i][headroom, out[i].length), with
 * complete checksums. A packet without GSO comes back as one copy, its checksum completed when
 * NEEDS_CSUM. The source buffer is not changed. Allocates: the fallback path only (a peer or a
 * device without offload, the fault step).
 */
export function segmentPacket(
  buf: Uint8Array,
  off: number,
  pkt: DecodedPacket,
  o: PacketOffload,
  headroom: number,
): Uint8Array[] {
  const hlen = segmentHeaderLength(pkt);
  const l4 = pkt.l4Offset - pkt.l3Offset;
  const total = pkt.length;
  const tcp = pkt.protocol === 6;
  const segs = segmentCount(pkt, o);
  const size = segs === 1 ? total - hlen : o.gsoSize;
  const out: Uint8Array[] = [];
  const seq = pkt.tcpSeq;
  const id = pkt.family === 4 ? (buf[off + 4]! << 8) | buf[off + 5]! : 0;
  for (let i = 0, at = hlen; i < segs; i++, at += size) {
    const n = Math.min(size, total - at);
    const len = hlen + n;
    const seg = new Uint8Array(headroom + len);
    seg.set(buf.subarray(off, off + hlen), headroom);
    seg.set(buf.subarray(off + at, off + at + n), headroom + hlen);
    const p = headroom;
    if (pkt.family === 4) {
      seg[p + 2] = len >> 8;
      seg[p + 3] = len & 0xff;
      if (segs > 1) {
        const nid = (id + i) & 0xffff;
        seg[p + 4] = nid >> 8;
        seg[p + 5] = nid & 0xff;
      }
      writeIpv4HeaderChecksum(seg, p);
    } else {
      const pl = len - 40;
      seg[p + 4] = pl >> 8;
      seg[p + 5] = pl & 0xff;
    }
    const t = p + l4;
    if (tcp) {
      const s = (seq + i * size) >>> 0;
      seg[t + 4] = s >>> 24;
      seg[t + 5] = (s >>> 16) & 0xff;
      seg[t + 6] = (s >>> 8) & 0xff;
      seg[t + 7] = s & 0xff;
      // tcp_gso_segment: FIN and PSH on the last segment only, CWR on the first only.
      if (i < segs - 1) seg[t + 13]! &= ~0x09;
      if (i > 0) seg[t + 13]! &= ~0x80;
    } else {
      const ul = len - l4;
      seg[t + 4] = ul >> 8;
      seg[t + 5] = ul & 0xff;
    }
    // The full checksum of this segment: pseudo-header with its length, header, payload.
    const field = t + (tcp ? 16 : 6);
    seg[field] = 0;
    seg[field + 1] = 0;
    const srcAt = p + (pkt.family === 4 ? 12 : 8);
    const alen = pkt.family === 4 ? 4 : 16;
    const sum = pseudoHeaderSum(
      seg.subarray(srcAt, srcAt + alen),
      seg.subarray(srcAt + alen, srcAt + 2 * alen),
      pkt.protocol,
      len - l4,
    );
    let c = ~foldChecksumSum(sumWords(seg, t, len - l4, sum)) & 0xffff;
    if (!tcp && c === 0) c = 0xffff;
    seg[field] = c >> 8;
    seg[field + 1] = c & 0xff;
    out.push(seg);
  }
  return out;
}

/**
 * After an address or port of a NEEDS_CSUM packet was rewritten (NAT), its checksum field
 * must again hold the pseudo-header sum of the new addresses: recomputed here from the packet
 * (the L4 length of the whole packet, as the kernel seeds it). The ordinary incremental update
 * (packet/nat.ts) assumes a complete checksum and would leave a wrong seed.
 */
export function reseedPartialChecksum(
  buf: Uint8Array,
  off: number,
  pkt: DecodedPacket,
  o: PacketOffload,
): void {
  const l4Len = pkt.length - o.csumStart;
  const s = foldChecksumSum(pseudoHeaderSum(pkt.src, pkt.dst, pkt.protocol, l4Len));
  const field = off + o.csumStart + o.csumOffset;
  buf[field] = s >> 8;
  buf[field + 1] = s & 0xff;
}
