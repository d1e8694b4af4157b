/**
 * Geneve (RFC 8926) encapsulation of the underlay, PURE: Uint8Array and DataView only.
 *
 * One Geneve header travels in front of every inner IP packet inside a UDP datagram between
 * agents (DESIGN.md step 7):
 *
 *    0                   1                   2                   3
 *   |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |   RFC 8926 3.4
 *   |        Virtual Network Identifier (VNI)       |    Reserved   |
 *   |          Option Class         |      Type     |R|R|R| Length  |   RFC 8926 3.5, per option
 *   |                      Variable-Length Option Data              |
 *
 * - Protocol Type: the inner packet's EtherType (0x0800 IPv4, 0x86DD IPv6).
 * - VNI: the VPC (vniForVpc) the packet leaves or enters: the sender's VPC, or for traffic from
 *   an external node (outside every VPC) the receiver's.
 * - Two options of class VPCEMU_OPTION_CLASS (from the experimental range 0xFF00-0xFFFF):
 *   type 1 the source ENI id, type 2 the destination ENI id, each as ASCII zero-padded to a
 *   multiple of 4 bytes ("" for an external node: zero-length data). Not critical (C = 0).
 * - A third option, type 3 with the critical bit (0x83), only on packets that carry TUN offload
 *   metadata (packet/virtio-net.ts: a TCP super-packet, or a checksum still to complete): 12
 *   bytes, big-endian: flags (1 = NEEDS_CSUM), gso_type, hdr_len (2), gso_size (2), csum_start
 *   (2), csum_offset (2), 2 zero bytes. Critical so that an agent that does not know it drops the
 *   datagram (RFC 8926 3.5.1) instead of writing a 64 KB packet with a partial checksum.
 *
 * The header is written into headroom in front of the inner packet (no copy of the packet);
 * callers reserve ENCAP_HEADROOM bytes before it.
 */
import { DropReason } from "../pipeline/verdict.js";
import { GSO_ECN, GSO_NONE, GSO_TCPV4, GSO_TCPV6, GSO_UDP_L4 } from "../packet/virtio-net.js";
import type { PacketOffload } from "../packet/virtio-net.js";

/** IANA UDP port for Geneve (RFC 8926 3.3); agents may listen elsewhere. */
export const GENEVE_PORT = 6081;
/** Fixed part of the header. */
export const GENEVE_BASE_HEADER_LEN = 8;
/** Option class of vpcemu's options (RFC 8926 7.2: 0xFF00-0xFFFF experimental). */
export const VPCEMU_OPTION_CLASS = 0xff5c;
export const OPTION_TYPE_SRC_ENI = 0x01;
export const OPTION_TYPE_DST_ENI = 0x02;
/** The offload option (critical bit set); see the module comment. */
export const OPTION_TYPE_OFFLOAD = 0x83;
/** Bytes the offload option adds to the header (option header + 12 data bytes). */
export const OFFLOAD_OPTION_LEN = 16;
/** Longest ENI id an option carries (5-bit length in 4-byte words: 31 words = 124 bytes). */
export const MAX_ENI_ID_BYTES = 124;
/** Headroom reserved before every inner packet: base + 2 options of up to 56 bytes each. */
export const ENCAP_HEADROOM = 128;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

const OPTION_HEADER_LEN = 4;
const MAX_OPT_WORDS = 63;

/** A decoded header; payloadOffset is where the inner packet starts. */
export interface GeneveView {
  readonly vni: number;
  readonly protocolType: number;
  /** The O bit: a control (OAM) packet, never forwarded to an ENI. */
  readonly oam: boolean;
  readonly srcEni: string;
  readonly dstEni: string;
  /** The offload option's metadata (checked for known values, not yet against the packet). */
  readonly offload: PacketOffload | undefined;
  readonly payloadOffset: number;
  readonly payloadLength: number;
}

/**
 * The padded option data of an ENI id: ASCII bytes, zero-padded to a multiple of 4. Callers
 * precompute it once per ENI (it is reused for every packet). Throws RangeError for non-ASCII
 * ids or ids longer than MAX_ENI_ID_BYTES (a configuration bug, never caused by a packet).
 */
export function encodeEniOption(eniId: string): Uint8Array {
  if (eniId.length > MAX_ENI_ID_BYTES) {
    throw new RangeError(`ENI id longer than ${MAX_ENI_ID_BYTES} bytes: ${eniId}`);
  }
  const out = new Uint8Array((eniId.length + 3) & ~3);
  for (let i = 0; i < eniId.length; i++) {
    const c = eniId.charCodeAt(i);
    if (c === 0 || c > 0x7e) throw new RangeError(`ENI id is not printable ASCII: ${eniId}`);
    out[i] = c;
  }
  return out;
}

/** Header length for two encoded ENI options (and the offload option when `offload`). */
export function geneveHeaderLength(
  srcOpt: Uint8Array,
  dstOpt: Uint8Array,
  offload?: PacketOffload,
): number {
  return (
    GENEVE_BASE_HEADER_LEN +
    2 * OPTION_HEADER_LEN +
    srcOpt.length +
    dstOpt.length +
    (offload === undefined ? 0 : OFFLOAD_OPTION_LEN)
  );
}

/**
 * Writes the header immediately before buf[payloadOffset] and returns where it starts
 * (payloadOffset - header length). The inner packet is not touched. `offload`: the packet's
 * TUN offload metadata, sent as the offload option. Throws RangeError when the headroom is too
 * small (a caller bug).
 */
export function writeGeneveHeader(
  buf: Uint8Array,
  payloadOffset: number,
  vni: number,
  protocolType: number,
  srcOpt: Uint8Array,
  dstOpt: Uint8Array,
  offload?: PacketOffload,
): number {
  const hlen = geneveHeaderLength(srcOpt, dstOpt, offload);
  const start = payloadOffset - hlen;
  if (start < 0) throw new RangeError(`Geneve header needs ${hlen} bytes of headroom`);
  const optWords = (hlen - GENEVE_BASE_HEADER_LEN) >> 2;
  buf[start] = optWords & 0x3f; // Ver 0
  buf[start + 1] = 0; // O = 0, C = 0
  buf[start + 2] = (protocolType >> 8) & 0xff;
  buf[start + 3] = protocolType & 0xff;
  buf[start + 4] = (vni >> 16) & 0xff;
  buf[start + 5] = (vni >> 8) & 0xff;
  buf[start + 6] = vni & 0xff;
  buf[start + 7] = 0;
  let p = start + GENEVE_BASE_HEADER_LEN;
  p = writeOption(buf, p, OPTION_TYPE_SRC_ENI, srcOpt);
  p = writeOption(buf, p, OPTION_TYPE_DST_ENI, dstOpt);
  if (offload !== undefined) writeOffloadOption(buf, p, offload);
  return start;
}

function writeOffloadOption(buf: Uint8Array, p: number, o: PacketOffload): void {
  buf[p] = VPCEMU_OPTION_CLASS >> 8;
  buf[p + 1] = VPCEMU_OPTION_CLASS & 0xff;
  buf[p + 2] = OPTION_TYPE_OFFLOAD;
  buf[p + 3] = 3; // 12 bytes
  buf[p + 4] = o.needsCsum ? 1 : 0;
  buf[p + 5] = o.gsoType;
  put16(buf, p + 6, o.hdrLen);
  put16(buf, p + 8, o.gsoSize);
  put16(buf, p + 10, o.csumStart);
  put16(buf, p + 12, o.csumOffset);
  buf[p + 14] = 0;
  buf[p + 15] = 0;
}

function put16(buf: Uint8Array, at: number, v: number): void {
  buf[at] = (v >> 8) & 0xff;
  buf[at + 1] = v & 0xff;
}

function get16(buf: Uint8Array, at: number): number {
  return (buf[at]! << 8) | buf[at + 1]!;
}

/** The offload option's data at buf[at, at + 12), or undefined when a value is unknown. */
function readOffloadOption(buf: Uint8Array, at: number): PacketOffload | undefined {
  const flags = buf[at]!;
  const gsoType = buf[at + 1]!;
  const gso = gsoType & ~GSO_ECN;
  if ((flags & ~1) !== 0) return undefined;
  if (gso !== GSO_NONE && gso !== GSO_TCPV4 && gso !== GSO_TCPV6 && gso !== GSO_UDP_L4) {
    return undefined;
  }
  return {
    needsCsum: flags === 1,
    gsoType,
    hdrLen: get16(buf, at + 2),
    gsoSize: get16(buf, at + 4),
    csumStart: get16(buf, at + 6),
    csumOffset: get16(buf, at + 8),
  };
}

function writeOption(buf: Uint8Array, p: number, type: number, data: Uint8Array): number {
  buf[p] = VPCEMU_OPTION_CLASS >> 8;
  buf[p + 1] = VPCEMU_OPTION_CLASS & 0xff;
  buf[p + 2] = type;
  buf[p + 3] = (data.length >> 2) & 0x1f;
  buf.set(data, p + OPTION_HEADER_LEN);
  return p + OPTION_HEADER_LEN + data.length;
}

/**
 * The check that made the last parseGeneve() call fail (the verdict event's `site`, docs/
 * observability.md "Verdict events"); set only on failure.
 */
let geneveFailSite = "";

/** See geneveFailSite. */
export function lastGeneveSite(): string {
  return geneveFailSite;
}

function failGeneve(reason: DropReason, site: string): DropReason {
  geneveFailSite = site;
  return reason;
}

/**
 * Parses the header at buf[off, off + len). Returns the view, or a DropReason: Truncated when
 * the datagram is shorter than its header claims, BadEncapsulation for a version other than 0,
 * an unknown critical option (RFC 8926 3.5: must drop), a missing vpcemu ENI option, a bad
 * option length, or a protocol type other than IPv4/IPv6. Never throws.
 */
export function parseGeneve(buf: Uint8Array, off: number, len: number): GeneveView | DropReason {
  if (len < GENEVE_BASE_HEADER_LEN || off < 0 || off + len > buf.length) {
    return failGeneve(DropReason.Truncated, "geneve_short");
  }
  const b0 = buf[off]!;
  if (b0 >> 6 !== 0) return failGeneve(DropReason.BadEncapsulation, "geneve_version");
  const optBytes = (b0 & MAX_OPT_WORDS) << 2;
  const hlen = GENEVE_BASE_HEADER_LEN + optBytes;
  if (hlen > len) return failGeneve(DropReason.Truncated, "geneve_options_length");
  const b1 = buf[off + 1]!;
  const oam = (b1 & 0x80) !== 0;
  const protocolType = (buf[off + 2]! << 8) | buf[off + 3]!;
  if (protocolType !== ETHERTYPE_IPV4 && protocolType !== ETHERTYPE_IPV6) {
    return failGeneve(DropReason.BadEncapsulation, "geneve_protocol_type");
  }
  const vni = (buf[off + 4]! << 16) | (buf[off + 5]! << 8) | buf[off + 6]!;
  let srcEni: string | undefined;
  let dstEni: string | undefined;
  let offload: PacketOffload | undefined;
  let p = off + GENEVE_BASE_HEADER_LEN;
  const end = off + hlen;
  while (p < end) {
    if (p + OPTION_HEADER_LEN > end)
      return failGeneve(DropReason.BadEncapsulation, "geneve_option_header");
    const cls = (buf[p]! << 8) | buf[p + 1]!;
    const type = buf[p + 2]!;
    const dlen = (buf[p + 3]! & 0x1f) << 2;
    const data = p + OPTION_HEADER_LEN;
    if (data + dlen > end) return failGeneve(DropReason.BadEncapsulation, "geneve_option_length");
    if (cls === VPCEMU_OPTION_CLASS && (type & 0x7f) === OPTION_TYPE_SRC_ENI) {
      if (srcEni !== undefined)
        return failGeneve(DropReason.BadEncapsulation, "geneve_src_eni_twice");
      srcEni = readAscii(buf, data, dlen);
    } else if (cls === VPCEMU_OPTION_CLASS && (type & 0x7f) === OPTION_TYPE_DST_ENI) {
      if (dstEni !== undefined)
        return failGeneve(DropReason.BadEncapsulation, "geneve_dst_eni_twice");
      dstEni = readAscii(buf, data, dlen);
    } else if (cls === VPCEMU_OPTION_CLASS && type === OPTION_TYPE_OFFLOAD) {
      if (offload !== undefined || dlen !== 12) {
        return failGeneve(DropReason.BadEncapsulation, "geneve_offload_option");
      }
      offload = readOffloadOption(buf, data);
      if (offload === undefined) {
        return failGeneve(DropReason.BadEncapsulation, "geneve_offload_option");
      }
    } else if ((type & 0x80) !== 0) {
      return failGeneve(DropReason.BadEncapsulation, "geneve_critical_option"); // unknown critical option: RFC 8926 3.5.1
    }
    p = data + dlen;
  }
  if (srcEni === undefined || dstEni === undefined)
    return failGeneve(DropReason.BadEncapsulation, "geneve_eni_option_missing");
  return {
    vni,
    protocolType,
    oam,
    srcEni,
    dstEni,
    offload,
    payloadOffset: end,
    payloadLength: len - hlen,
  };
}

/**
 * ENI ids seen in options, by a hash of their bytes: a datagram whose option names a known id
 * gets that id's string (compared byte by byte, nothing allocated), so the strings the pipeline
 * looks up in its maps are the same few objects, their hashes computed once. Bounded: cleared
 * when it holds INTERN_LIMIT ids (random options from a fuzzer or a spoofer cannot grow it).
 */
const interned = new Map<number, string>();
const INTERN_LIMIT = 4096;

function readAscii(buf: Uint8Array, at: number, n: number): string {
  let len = 0;
  let h = 0x811c9dc5;
  for (; len < n; len++) {
    const c = buf[at + len]!;
    if (c === 0) break;
    h = Math.imul(h ^ c, 0x01000193);
  }
  const key = h * 256 + len; // len <= 124
  const known = interned.get(key);
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known.charCodeAt(i) === buf[at + i]) i++;
    if (i === len) return known;
  }
  let s = "";
  for (let i = 0; i < len; i++) s += String.fromCharCode(buf[at + i]!);
  if (interned.size >= INTERN_LIMIT) interned.clear();
  interned.set(key, s);
  return s;
}

/**
 * The VNI of a VPC: FNV-1a of its id folded to 24 bits, never 0 ("" -> 0, external nodes).
 * Every agent computes the same value from the same id, so no table travels for it.
 */
export function vniForVpc(vpcId: string): number {
  if (vpcId === "") return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < vpcId.length; i++) {
    h ^= vpcId.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const v = ((h >>> 24) ^ h) & 0xffffff;
  return v === 0 ? 1 : v;
}
