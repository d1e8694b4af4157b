/**
 * A pcapng writer (IETF draft-ietf-opsawg-pcapng), PURE: Uint8Array and DataView only. Blocks
 * are written in the host's byte order (little-endian on the platforms vpcemu runs on; the
 * Section Header Block's byte-order magic tells readers), one section per capture:
 *
 *   SHB (shb_userappl) -> IDB per interface (if_name, if_description, if_tsresol = 9) ->
 *   EPB per packet (opt_comment) ... -> ISB per interface at the end (isb_ifrecv, isb_ifdrop)
 *
 * An IDB may follow EPBs (an ENI that appears during a capture); an EPB names its interface by
 * the IDB's index in the section. Timestamps are nanoseconds since the Unix epoch (bigint).
 */

/** Block types. */
const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 0x00000001;
const BT_ISB = 0x00000005;
const BT_EPB = 0x00000006;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Option codes. */
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_NAME = 2;
const IF_DESCRIPTION = 3;
const IF_TSRESOL = 9;
const ISB_STARTTIME = 2;
const ISB_ENDTIME = 3;
const ISB_IFRECV = 4;
const ISB_IFDROP = 5;

/** Link types (tcpdump.org/linktypes.html). */
export const LINKTYPE_RAW = 101;
/**
 * Wireshark's exported PDUs: tags in front of the payload name the dissector (epan/exported_pdu.h).
 * The underlay interface uses it so that Geneve is decoded whatever UDP port the agents use.
 */
export const LINKTYPE_WIRESHARK_UPPER_PDU = 252;

/** Exported-PDU tags (epan/exported_pdu.h); values big-endian. */
const EXP_PDU_TAG_END_OF_OPT = 0;
const EXP_PDU_TAG_DISSECTOR_TABLE_NAME = 14;
const EXP_PDU_TAG_DISSECTOR_TABLE_NAME_NUM_VAL = 32;
const EXP_PDU_TAG_IPV4_SRC = 20;
const EXP_PDU_TAG_IPV4_DST = 21;
const EXP_PDU_TAG_IPV6_SRC = 22;
const EXP_PDU_TAG_IPV6_DST = 23;
const EXP_PDU_TAG_PORT_TYPE = 24;
const EXP_PDU_TAG_SRC_PORT = 25;
const EXP_PDU_TAG_DST_PORT = 26;
/** The IANA Geneve port, under which Wireshark's udp.port table holds the Geneve dissector. */
const GENEVE_UDP_PORT = 6081;
/** EXP_PDU_PT_UDP. */
const EXP_PDU_PT_UDP = 3;

const encoder = new TextEncoder();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** One option (code, value) for a block's options list. */
interface Option {
  readonly code: number;
  readonly value: Uint8Array;
}

function optionsLength(opts: readonly Option[]): number {
  if (opts.length === 0) return 0;
  let n = 4; // opt_endofopt
  for (const o of opts) n += 4 + pad4(o.value.length);
  return n;
}

function writeOptions(
  view: DataView,
  bytes: Uint8Array,
  at: number,
  opts: readonly Option[],
): number {
  if (opts.length === 0) return at;
  for (const o of opts) {
    view.setUint16(at, o.code, true);
    view.setUint16(at + 2, o.value.length, true);
    bytes.set(o.value, at + 4);
    at += 4 + pad4(o.value.length);
  }
  view.setUint16(at, OPT_ENDOFOPT, true);
  view.setUint16(at + 2, 0, true);
  return at + 4;
}

function u64(value: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, value, true);
  return b;
}

function tsOption(code: number, ns: bigint): Option {
  const b = new Uint8Array(8);
  const v = new DataView(b.buffer);
  v.setUint32(0, Number((ns >> 32n) & 0xffffffffn), true);
  v.setUint32(4, Number(ns & 0xffffffffn), true);
  return { code, value: b };
}

/** A block of `body` bytes (after type and length) and options, with both length fields. */
function block(type: number, bodyLen: number, opts: readonly Option[]) {
  const total = 8 + pad4(bodyLen) + optionsLength(opts) + 4;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, total, true);
  view.setUint32(total - 4, total, true);
  return { bytes, view, optionsAt: 8 + pad4(bodyLen), total };
}

/** The Section Header Block that starts a capture file. */
export function sectionHeaderBlock(userAppl: string): Uint8Array {
  const opts: Option[] = [{ code: SHB_USERAPPL, value: encoder.encode(userAppl) }];
  const b = block(BT_SHB, 16, opts);
  b.view.setUint32(8, BYTE_ORDER_MAGIC, true);
  b.view.setUint16(12, 1, true); // major
  b.view.setUint16(14, 0, true); // minor
  b.view.setBigInt64(16, -1n, true); // section length unknown (a stream)
  writeOptions(b.view, b.bytes, b.optionsAt, opts);
  return b.bytes;
}

/** An Interface Description Block: nanosecond timestamps (if_tsresol 9). */
export function interfaceDescriptionBlock(
  linkType: number,
  snapLen: number,
  name: string,
  description: string,
): Uint8Array {
  const opts: Option[] = [
    { code: IF_NAME, value: encoder.encode(name) },
    ...(description === "" ? [] : [{ code: IF_DESCRIPTION, value: encoder.encode(description) }]),
    { code: IF_TSRESOL, value: Uint8Array.of(9) },
  ];
  const b = block(BT_IDB, 8, opts);
  b.view.setUint16(8, linkType, true);
  b.view.setUint16(10, 0, true);
  b.view.setUint32(12, snapLen, true);
  writeOptions(b.view, b.bytes, b.optionsAt, opts);
  return b.bytes;
}

/**
 * An Enhanced Packet Block: the first `snapLen` bytes of `data` (origLen = data.length unless
 * given), timestamp in ns since the epoch, an opt_comment unless `comment` is "".
 */
export function enhancedPacketBlock(
  interfaceId: number,
  timestampNs: bigint,
  data: Uint8Array,
  snapLen: number,
  comment: string,
  origLen: number = data.length,
): Uint8Array {
  const captured = data.length > snapLen ? snapLen : data.length;
  const opts: Option[] =
    comment === "" ? [] : [{ code: OPT_COMMENT, value: encoder.encode(comment) }];
  const b = block(BT_EPB, 20 + captured, opts);
  const v = b.view;
  v.setUint32(8, interfaceId, true);
  v.setUint32(12, Number((timestampNs >> 32n) & 0xffffffffn), true);
  v.setUint32(16, Number(timestampNs & 0xffffffffn), true);
  v.setUint32(20, captured, true);
  v.setUint32(24, origLen, true);
  b.bytes.set(captured === data.length ? data : data.subarray(0, captured), 28);
  writeOptions(v, b.bytes, b.optionsAt, opts);
  return b.bytes;
}

/** An Interface Statistics Block: packets seen and packets lost (buffer full) on an interface. */
export function interfaceStatisticsBlock(
  interfaceId: number,
  timestampNs: bigint,
  startNs: bigint,
  received: number,
  dropped: number,
): Uint8Array {
  const opts: Option[] = [
    tsOption(ISB_STARTTIME, startNs),
    tsOption(ISB_ENDTIME, timestampNs),
    { code: ISB_IFRECV, value: u64(BigInt(received)) },
    { code: ISB_IFDROP, value: u64(BigInt(dropped)) },
  ];
  const b = block(BT_ISB, 12, opts);
  b.view.setUint32(8, interfaceId, true);
  b.view.setUint32(12, Number((timestampNs >> 32n) & 0xffffffffn), true);
  b.view.setUint32(16, Number(timestampNs & 0xffffffffn), true);
  writeOptions(b.view, b.bytes, b.optionsAt, opts);
  return b.bytes;
}

/** Underlay addresses of one datagram: IP literals (4 or 16 bytes) and UDP ports. */
export interface UdpAddresses {
  readonly src: Uint8Array;
  readonly srcPort: number;
  readonly dst: Uint8Array;
  readonly dstPort: number;
}

/**
 * The exported-PDU tags in front of a Geneve datagram on a LINKTYPE_WIRESHARK_UPPER_PDU
 * interface: the dissector (udp.port 6081: Geneve), the underlay addresses and UDP ports (the
 * real ones, whatever port the agents bind). Computed once per
 * (src, dst) pair by callers that care; cheap enough per datagram.
 */
export function genevePduTags(a: UdpAddresses): Uint8Array {
  const v6 = a.src.length === 16;
  const tags: Array<[number, Uint8Array]> = [
    // Why the table, not the dissector's name: Debian's Wireshark 4.0 registers Geneve only in
    // the udp.port table (6081), not by name.
    [EXP_PDU_TAG_DISSECTOR_TABLE_NAME, encoder.encode("udp.port")],
    [EXP_PDU_TAG_DISSECTOR_TABLE_NAME_NUM_VAL, be32(GENEVE_UDP_PORT)],
    [v6 ? EXP_PDU_TAG_IPV6_SRC : EXP_PDU_TAG_IPV4_SRC, a.src],
    [v6 ? EXP_PDU_TAG_IPV6_DST : EXP_PDU_TAG_IPV4_DST, a.dst],
    [EXP_PDU_TAG_PORT_TYPE, be32(EXP_PDU_PT_UDP)],
    [EXP_PDU_TAG_SRC_PORT, be32(a.srcPort)],
    [EXP_PDU_TAG_DST_PORT, be32(a.dstPort)],
  ];
  let n = 4;
  for (const [, v] of tags) n += 4 + pad4(v.length);
  const out = new Uint8Array(n);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [t, v] of tags) {
    view.setUint16(at, t, false);
    view.setUint16(at + 2, pad4(v.length), false);
    out.set(v, at + 4);
    at += 4 + pad4(v.length);
  }
  view.setUint16(at, EXP_PDU_TAG_END_OF_OPT, false);
  view.setUint16(at + 2, 0, false);
  return out;
}

function be32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

/** `tags` followed by `payload` in one buffer (an upper-PDU packet). */
export function concatBytes(tags: Uint8Array, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(tags.length + payload.length);
  out.set(tags, 0);
  out.set(payload, tags.length);
  return out;
}

/**
 * Blocks appended into one reused buffer, sent as a chunk (take()). Enhanced Packet Blocks are
 * written in place (no allocation per packet); `capacity` must hold the largest block expected.
 */
export class BlockBuffer {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  /** Bytes written so far. */
  length = 0;

  constructor(readonly capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Appends a whole block; false when it does not fit (take() first). */
  append(block: Uint8Array): boolean {
    if (this.length + block.length > this.capacity) return false;
    this.buf.set(block, this.length);
    this.length += block.length;
    return true;
  }

  /**
   * Appends an Enhanced Packet Block as enhancedPacketBlock() makes it; false when it may not
   * fit (take() first). A `prefix` goes in front of `data` (counted in both lengths).
   */
  appendPacket(
    interfaceId: number,
    timestampNs: bigint,
    data: Uint8Array,
    snapLen: number,
    comment: string,
    origLen: number = data.length,
    prefix?: Uint8Array,
  ): boolean {
    const pre = prefix === undefined ? 0 : prefix.length;
    const whole = pre + data.length;
    const captured = whole > snapLen ? snapLen : whole;
    const at = this.length;
    const optAt = at + 28 + pad4(captured);
    // Worst case: 3 bytes per UTF-16 unit of the comment, option header, end of options.
    if (optAt + 8 + comment.length * 3 + 4 + 4 > this.capacity) return false;
    const v = this.view;
    const b = this.buf;
    let end = optAt;
    if (comment !== "") {
      const { written } = encoder.encodeInto(comment, b.subarray(optAt + 4));
      v.setUint16(optAt, OPT_COMMENT, true);
      v.setUint16(optAt + 2, written, true);
      end = optAt + 4 + written;
      while ((end & 3) !== 0) b[end++] = 0;
      v.setUint32(end, 0, true); // opt_endofopt
      end += 4;
    }
    const total = end + 4 - at;
    v.setUint32(at, BT_EPB, true);
    v.setUint32(at + 4, total, true);
    v.setUint32(at + 8, interfaceId, true);
    v.setUint32(at + 12, Number(timestampNs >> 32n), true);
    v.setUint32(at + 16, Number(timestampNs & 0xffffffffn), true);
    v.setUint32(at + 20, captured, true);
    v.setUint32(at + 24, pre + origLen, true);
    if (pre === 0) {
      b.set(captured === data.length ? data : data.subarray(0, captured), at + 28);
    } else {
      // Why no concatenation: the prefix (exported-PDU tags) and the datagram go in place.
      const p = prefix!;
      b.set(captured >= pre ? p : p.subarray(0, captured), at + 28);
      if (captured > pre) b.set(data.subarray(0, captured - pre), at + 28 + pre);
    }
    for (let p = at + 28 + captured; p < optAt; p++) b[p] = 0;
    v.setUint32(end, total, true);
    this.length = end + 4;
    return true;
  }

  /** A copy of the blocks written, and the buffer emptied. */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    this.length = 0;
    return out;
  }
}
