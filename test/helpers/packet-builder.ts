/**
 * Builders of whole IP packets with valid checksums, for tests and benches of every tier.
 * The family is picked from the addresses ("10.0.0.1" IPv4, "2001:db8::1" IPv6; both must match).
 * Every builder returns a new Uint8Array holding exactly one IP packet (no link header), ready for
 * decodePacket(buf, 0, buf.length) or a FakeTun. Bad input (unparsable address, mixed families,
 * oversize options) throws: these are test helpers, not data-path code.
 */
import { parseIpAddress } from "../../node-agent/packet/address.js";
import {
  writeIpv4HeaderChecksum,
  writeTransportChecksum,
} from "../../node-agent/packet/checksum.js";
import { IpProto } from "../../node-agent/packet/decoded-packet.js";

/** An IPv6 extension header to place between the fixed header and the transport header. */
export type Ipv6ExtensionHeader =
  | {
      /** Hop-by-Hop 0, Routing 43, Destination Options 60 (8-byte units) or AH 51 (RFC 4302). */
      readonly type: 0 | 43 | 60 | 51;
      /**
       * Bytes after the next-header and length bytes; zero-padded to the header's unit. Default:
       * PadN-filled options (0, 60), Routing type 4 with segments left 0 (43), zero SPI/seq/ICV (51).
       */
      readonly body?: Uint8Array;
    }
  | {
      /** Fragment header (RFC 8200 4.5). */
      readonly type: 44;
      /** Fragment offset in bytes (a multiple of 8). */
      readonly offset: number;
      readonly more: boolean;
      readonly id?: number;
    };

/** IP-level fields every builder accepts. */
export interface IpFields {
  readonly src: string;
  readonly dst: string;
  /** TTL (IPv4) or Hop Limit (IPv6); default 64. */
  readonly ttl?: number;
  /** TOS (IPv4) or Traffic Class (IPv6); default 0. */
  readonly tos?: number;
  /** IPv4 Identification; default 0x1234. */
  readonly identification?: number;
  /** IPv4 DF flag; default false. */
  readonly dontFragment?: boolean;
  /** IPv4 options bytes, EOL-padded to a multiple of 4 (at most 40 bytes). */
  readonly ipv4Options?: Uint8Array;
  /** IPv6 extension headers, in order, before the transport header. */
  readonly extensionHeaders?: readonly Ipv6ExtensionHeader[];
}

/** Parses both addresses; throws on a bad address or mixed families. */
export function parseAddressPair(src: string, dst: string): { src: Uint8Array; dst: Uint8Array } {
  const s = parseIpAddress(src);
  const d = parseIpAddress(dst);
  if (s === undefined) throw new Error(`packet-builder: bad address ${src}`);
  if (d === undefined) throw new Error(`packet-builder: bad address ${dst}`);
  if (s.length !== d.length) throw new Error(`packet-builder: mixed families ${src} -> ${dst}`);
  return { src: s, dst: d };
}

export interface TcpPacketSpec extends IpFields {
  readonly srcPort: number;
  readonly dstPort: number;
  /** Flags byte, e.g. TcpFlag.SYN | TcpFlag.ACK. */
  readonly flags: number;
  readonly seq?: number;
  readonly ack?: number;
  /** Default 65535. */
  readonly window?: number;
  /** TCP options, NOP(0x01)-padded to a multiple of 4 (at most 40 bytes). */
  readonly tcpOptions?: Uint8Array;
  readonly payload?: Uint8Array;
}

/** A TCP segment in an IPv4 or IPv6 packet, checksums valid. */
export function buildTcp(spec: TcpPacketSpec): Uint8Array {
  const { src, dst } = parseAddressPair(spec.src, spec.dst);
  const opts = padTo(spec.tcpOptions ?? new Uint8Array(0), 4, 0x01);
  if (opts.length > 40) throw new Error("packet-builder: TCP options longer than 40 bytes");
  const payload = spec.payload ?? new Uint8Array(0);
  const hl = 20 + opts.length;
  const seg = new Uint8Array(hl + payload.length);
  put16(seg, 0, spec.srcPort);
  put16(seg, 2, spec.dstPort);
  put32(seg, 4, spec.seq ?? 0);
  put32(seg, 8, spec.ack ?? 0);
  seg[12] = (hl / 4) << 4;
  seg[13] = spec.flags & 0xff;
  put16(seg, 14, spec.window ?? 65535);
  seg.set(opts, 20);
  seg.set(payload, hl);
  writeTransportChecksum(src, dst, IpProto.TCP, seg, 0, seg.length);
  return assemble(spec, src, dst, IpProto.TCP, seg);
}

export interface UdpPacketSpec extends IpFields {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload?: Uint8Array;
}

/** A UDP datagram in an IPv4 or IPv6 packet, checksums valid. */
export function buildUdp(spec: UdpPacketSpec): Uint8Array {
  const { src, dst } = parseAddressPair(spec.src, spec.dst);
  const payload = spec.payload ?? new Uint8Array(0);
  const seg = new Uint8Array(8 + payload.length);
  put16(seg, 0, spec.srcPort);
  put16(seg, 2, spec.dstPort);
  put16(seg, 4, seg.length);
  seg.set(payload, 8);
  writeTransportChecksum(src, dst, IpProto.UDP, seg, 0, seg.length);
  return assemble(spec, src, dst, IpProto.UDP, seg);
}

export interface IcmpEchoSpec extends IpFields {
  readonly id: number;
  readonly seq: number;
  /** Echo reply (v4 type 0, v6 129) instead of request (v4 8, v6 128). */
  readonly reply?: boolean;
  /** Echo data; default 8 bytes 0..7. */
  readonly payload?: Uint8Array;
}

/** An ICMP (v4) or ICMPv6 (v6) echo request or reply, checksums valid. */
export function buildIcmpEcho(spec: IcmpEchoSpec): Uint8Array {
  const { src, dst } = parseAddressPair(spec.src, spec.dst);
  const v4 = src.length === 4;
  const type = v4 ? (spec.reply === true ? 0 : 8) : spec.reply === true ? 129 : 128;
  const data = spec.payload ?? Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
  const rest = ((spec.id & 0xffff) * 0x10000 + (spec.seq & 0xffff)) >>> 0;
  return buildIcmpMessage(spec, src, dst, type, 0, rest, data);
}

export interface IcmpErrorSpec extends IpFields {
  /** E.g. v4 3 (unreachable), 11 (time exceeded); v6 1, 2 (packet too big), 3. */
  readonly type: number;
  readonly code: number;
  /** The 4 bytes after the checksum: unused (0), next-hop MTU (v4 3/4 in the low 16 bits), v6 MTU. */
  readonly rest?: number;
  /** The quoted original packet (usually a built packet, possibly cut to 28 or more bytes). */
  readonly quoted: Uint8Array;
}

/** An ICMP or ICMPv6 error message quoting `quoted`, checksums valid. */
export function buildIcmpError(spec: IcmpErrorSpec): Uint8Array {
  const { src, dst } = parseAddressPair(spec.src, spec.dst);
  return buildIcmpMessage(spec, src, dst, spec.type, spec.code, spec.rest ?? 0, spec.quoted);
}

/** Any ICMP/ICMPv6 message: type, code, the 4-byte rest of header, body; checksum valid. */
export function buildIcmp(
  spec: IpFields & { type: number; code: number; rest?: number; body?: Uint8Array },
): Uint8Array {
  const { src, dst } = parseAddressPair(spec.src, spec.dst);
  return buildIcmpMessage(
    spec,
    src,
    dst,
    spec.type,
    spec.code,
    spec.rest ?? 0,
    spec.body ?? new Uint8Array(0),
  );
}

function buildIcmpMessage(
  fields: IpFields,
  src: Uint8Array,
  dst: Uint8Array,
  type: number,
  code: number,
  rest: number,
  body: Uint8Array,
): Uint8Array {
  const proto = src.length === 4 ? IpProto.ICMP : IpProto.ICMPV6;
  const msg = new Uint8Array(8 + body.length);
  msg[0] = type;
  msg[1] = code;
  put32(msg, 4, rest);
  msg.set(body, 8);
  writeTransportChecksum(src, dst, proto, msg, 0, msg.length);
  return assemble(fields, src, dst, proto, msg);
}

export interface IpPacketSpec extends IpFields {
  /** IANA protocol number, e.g. 47 (GRE); the payload is copied as is (no checksum written). */
  readonly protocol: number;
  readonly payload: Uint8Array;
  /**
   * Make this packet a fragment: IPv4 sets offset/MF in the header, IPv6 adds a Fragment header
   * after any Hop-by-Hop header. `payload` is then the fragment's data.
   */
  readonly fragment?: { readonly offset: number; readonly more: boolean; readonly id?: number };
}

/** An IP packet carrying `payload` as protocol `protocol`. */
export function buildIpPacket(spec: IpPacketSpec): Uint8Array {
  const { src, dst } = parseAddressPair(spec.src, spec.dst);
  if (spec.fragment === undefined) return assemble(spec, src, dst, spec.protocol, spec.payload);
  if (src.length === 4) return assemble(spec, src, dst, spec.protocol, spec.payload, spec.fragment);
  const ext = [...(spec.extensionHeaders ?? [])];
  const at = ext[0]?.type === 0 ? 1 : 0;
  ext.splice(at, 0, { type: 44, ...spec.fragment });
  return assemble({ ...spec, extensionHeaders: ext }, src, dst, spec.protocol, spec.payload);
}

/**
 * Splits a built unfragmented packet into fragments carrying at most `fragmentSize` bytes of
 * data each (a multiple of 8). IPv4: the header, options included, is repeated with offset/MF
 * set and DF cleared. IPv6: the fixed header and a leading Hop-by-Hop header stay in front, a
 * Fragment header (id `id`) follows, the rest of the chain and the transport travel fragmented.
 */
export function fragmentIpPacket(
  packet: Uint8Array,
  fragmentSize: number,
  id = 0x5678,
): Uint8Array[] {
  if (fragmentSize <= 0 || fragmentSize % 8 !== 0) {
    throw new Error("packet-builder: fragment size must be a positive multiple of 8");
  }
  const out: Uint8Array[] = [];
  if (packet[0]! >> 4 === 4) {
    const hl = (packet[0]! & 0x0f) * 4;
    const data = packet.subarray(hl);
    for (let o = 0; o < data.length; o += fragmentSize) {
      const chunk = data.subarray(o, Math.min(o + fragmentSize, data.length));
      const f = new Uint8Array(hl + chunk.length);
      f.set(packet.subarray(0, hl), 0);
      f.set(chunk, hl);
      put16(f, 2, f.length);
      const more = o + chunk.length < data.length;
      put16(f, 6, (more ? 0x2000 : 0) | (o / 8));
      f[10] = 0;
      f[11] = 0;
      writeIpv4HeaderChecksum(f, 0);
      out.push(f);
    }
    return out;
  }
  let unfrag = 40;
  let firstNext = packet[6]!;
  let nextAt = 6;
  if (firstNext === 0) {
    nextAt = 40;
    firstNext = packet[40]!;
    unfrag = 40 + (packet[41]! + 1) * 8;
  }
  const data = packet.subarray(unfrag);
  for (let o = 0; o < data.length; o += fragmentSize) {
    const chunk = data.subarray(o, Math.min(o + fragmentSize, data.length));
    const f = new Uint8Array(unfrag + 8 + chunk.length);
    f.set(packet.subarray(0, unfrag), 0);
    f[nextAt] = 44;
    f[unfrag] = firstNext;
    const more = o + chunk.length < data.length;
    put16(f, unfrag + 2, o | (more ? 1 : 0));
    put32(f, unfrag + 4, id);
    f.set(chunk, unfrag + 8);
    put16(f, 4, f.length - 40);
    out.push(f);
  }
  return out;
}

/** Puts the IP header(s) in front of the transport bytes. */
function assemble(
  fields: IpFields,
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  transport: Uint8Array,
  fragment?: { readonly offset: number; readonly more: boolean; readonly id?: number },
): Uint8Array {
  if (src.length === 4) {
    const opts = padTo(fields.ipv4Options ?? new Uint8Array(0), 4, 0);
    if (opts.length > 40) throw new Error("packet-builder: IPv4 options longer than 40 bytes");
    const hl = 20 + opts.length;
    const p = new Uint8Array(hl + transport.length);
    p[0] = 0x40 | (hl / 4);
    p[1] = fields.tos ?? 0;
    put16(p, 2, p.length);
    put16(p, 4, fragment?.id ?? fields.identification ?? 0x1234);
    let flags = fields.dontFragment === true ? 0x4000 : 0;
    if (fragment !== undefined) flags |= (fragment.more ? 0x2000 : 0) | (fragment.offset / 8);
    put16(p, 6, flags);
    p[8] = fields.ttl ?? 64;
    p[9] = protocol;
    p.set(src, 12);
    p.set(dst, 16);
    p.set(opts, 20);
    writeIpv4HeaderChecksum(p, 0);
    p.set(transport, hl);
    return p;
  }
  const ext = (fields.extensionHeaders ?? []).map(encodeExtension);
  const extLen = ext.reduce((n, e) => n + e.length, 0);
  const p = new Uint8Array(40 + extLen + transport.length);
  const tc = fields.tos ?? 0;
  p[0] = 0x60 | (tc >> 4);
  p[1] = (tc & 0x0f) << 4;
  put16(p, 4, p.length - 40);
  p[6] = fields.extensionHeaders?.[0]?.type ?? protocol;
  p[7] = fields.ttl ?? 64;
  p.set(src, 8);
  p.set(dst, 24);
  let pos = 40;
  const headers = fields.extensionHeaders ?? [];
  for (let i = 0; i < ext.length; i++) {
    const e = ext[i]!;
    e[0] = headers[i + 1]?.type ?? protocol;
    p.set(e, pos);
    pos += e.length;
  }
  p.set(transport, pos);
  return p;
}

/** Encodes one extension header; byte 0 (next header) is filled by assemble(). */
function encodeExtension(h: Ipv6ExtensionHeader): Uint8Array {
  if (h.type === 44) {
    const e = new Uint8Array(8);
    put16(e, 2, (h.offset & 0xfff8) | (h.more ? 1 : 0));
    put32(e, 4, h.id ?? 0x5678);
    return e;
  }
  if (h.type === 51) {
    // RFC 4302 2: reserved 2, SPI 4, sequence 4, ICV; length field in 4-byte units minus 2.
    const body = padTo(h.body ?? new Uint8Array(14), 8, 0, 2);
    const e = new Uint8Array(2 + body.length);
    e[1] = e.length / 4 - 2;
    e.set(body, 2);
    return e;
  }
  const defaultBody =
    h.type === 43
      ? Uint8Array.from([4, 0, 0, 0, 0, 0]) // Routing type 4 (SRH shape not needed), segments left 0
      : Uint8Array.from([1, 4, 0, 0, 0, 0]); // PadN option of 4 bytes
  const body = padTo(h.body ?? defaultBody, 8, 0, 2);
  const e = new Uint8Array(2 + body.length);
  e[1] = e.length / 8 - 1;
  e.set(body, 2);
  return e;
}

/** `b` padded with `fill` so that (lead + length) is a multiple of `unit`; a copy. */
function padTo(b: Uint8Array, unit: number, fill: number, lead = 0): Uint8Array {
  const total = Math.ceil((lead + b.length) / unit) * unit - lead;
  const out = new Uint8Array(Math.max(total, 0)).fill(fill);
  out.set(b, 0);
  return out;
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
