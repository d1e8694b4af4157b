/**
 * Internet checksums (RFC 1071) and their incremental update (RFC 1624). Pure.
 *
 * Two kinds of value travel here: a *sum* is the unfolded 32-bit-safe accumulator of 16-bit
 * big-endian words (feed it back as `initial` to continue), a *checksum* is the 16-bit one's
 * complement of the folded sum, ready for a header field. Verifying means summing the bytes
 * with the stored checksum in place and finding 0xffff (RFC 1071 1(3)).
 */

/**
 * Adds the bytes [off, off+len) as big-endian 16-bit words to `initial` (an odd trailing byte
 * is padded with zero, RFC 1071 1(2)). The result stays below 2^32 for any len up to 128 KiB
 * when `initial` is below 2^31; fold it with foldChecksumSum().
 */
export function sumWords(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  const end = off + len;
  const evenEnd = end - (len & 1);
  let i = off;
  for (; i < evenEnd; i += 2) sum += (buf[i]! << 8) | buf[i + 1]!;
  if (i < end) sum += buf[i]! << 8;
  // Why: fold now so that chaining several sums can never leave the exact integer range.
  return (sum & 0xffff) + Math.floor(sum / 0x10000);
}

/** Folds a sum into 16 bits with end-around carry (not complemented). */
export function foldChecksumSum(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** The RFC 1071 checksum of [off, off+len), plus an optional prior sum: ~fold(sum) & 0xffff. */
export function internetChecksum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  return ~foldChecksumSum(sumWords(buf, off, len, initial)) & 0xffff;
}

/**
 * Computes the IPv4 header checksum (RFC 791 3.1) of the header at `off`, its length taken from
 * IHL, as if the checksum field (bytes 10-11) were zero. The caller guarantees the header fits.
 */
export function computeIpv4HeaderChecksum(buf: Uint8Array, off: number): number {
  const hl = (buf[off]! & 0x0f) * 4;
  let sum = sumWords(buf, off, 10);
  sum = sumWords(buf, off + 12, hl - 12, sum);
  return ~foldChecksumSum(sum) & 0xffff;
}

/** Writes the IPv4 header checksum of the header at `off` into bytes 10-11. */
export function writeIpv4HeaderChecksum(buf: Uint8Array, off: number): void {
  const c = computeIpv4HeaderChecksum(buf, off);
  buf[off + 10] = c >> 8;
  buf[off + 11] = c & 0xff;
}

/** True when the IPv4 header at `off` (length from IHL, must fit) carries a correct checksum. */
export function verifyIpv4HeaderChecksum(buf: Uint8Array, off: number): boolean {
  const hl = (buf[off]! & 0x0f) * 4;
  return foldChecksumSum(sumWords(buf, off, hl)) === 0xffff;
}

/**
 * The unfolded sum of the pseudo-header: IPv4 (RFC 9293 3.1: src, dst, zero, protocol, TCP
 * length) or IPv6 (RFC 8200 8.1: src, dst, upper-layer length, zeros, next header). `src` and
 * `dst` are both 4 or both 16 bytes; `l4Len` is the transport length in bytes.
 */
export function pseudoHeaderSum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  l4Len: number,
): number {
  let sum = sumWords(src, 0, src.length);
  sum = sumWords(dst, 0, dst.length, sum);
  // Why: IPv6 widens the length to 32 bits; its upper half only matters for jumbograms.
  return sum + protocol + (l4Len & 0xffff) + Math.floor(l4Len / 0x10000);
}

/**
 * Offset of the checksum field inside the transport header: TCP 16, UDP 6, ICMP/ICMPv6 2;
 * -1 for protocols without one known here.
 */
export function transportChecksumOffset(protocol: number): number {
  switch (protocol) {
    case 6:
      return 16;
    case 17:
      return 6;
    case 1:
    case 58:
      return 2;
    default:
      return -1;
  }
}

/**
 * Computes the TCP, UDP, ICMPv6 (pseudo-header included) or ICMPv4 (no pseudo-header, RFC 792)
 * checksum of the transport segment [off, off+len), skipping its own checksum field. A UDP result
 * of 0 is returned as 0xffff (RFC 768: zero means "no checksum"). Returns -1 for a protocol
 * without a known checksum field or a segment too short to hold it.
 */
export function computeTransportChecksum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  buf: Uint8Array,
  off: number,
  len: number,
): number {
  const field = transportChecksumOffset(protocol);
  if (field < 0 || len < field + 2) return -1;
  let sum = protocol === 1 ? 0 : pseudoHeaderSum(src, dst, protocol, len);
  sum = sumWords(buf, off, field, sum);
  sum = sumWords(buf, off + field + 2, len - field - 2, sum);
  const c = ~foldChecksumSum(sum) & 0xffff;
  return protocol === 17 && c === 0 ? 0xffff : c;
}

/** Computes and writes the transport checksum in place; returns false if it could not. */
export function writeTransportChecksum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  buf: Uint8Array,
  off: number,
  len: number,
): boolean {
  const c = computeTransportChecksum(src, dst, protocol, buf, off, len);
  if (c < 0) return false;
  const field = off + transportChecksumOffset(protocol);
  buf[field] = c >> 8;
  buf[field + 1] = c & 0xff;
  return true;
}

/**
 * Verifies the transport checksum of [off, off+len). IPv4 UDP with checksum 0 passes (RFC 768:
 * not computed); IPv6 UDP with 0 fails (RFC 8200 8.1). Protocols without a known checksum pass.
 */
export function verifyTransportChecksum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  buf: Uint8Array,
  off: number,
  len: number,
): boolean {
  const field = transportChecksumOffset(protocol);
  if (field < 0) return true;
  if (len < field + 2) return false;
  if (protocol === 17 && buf[off + 6] === 0 && buf[off + 7] === 0) return src.length === 4;
  let sum = protocol === 1 ? 0 : pseudoHeaderSum(src, dst, protocol, len);
  sum = sumWords(buf, off, len, sum);
  return foldChecksumSum(sum) === 0xffff;
}

/**
 * RFC 1624 eqn. 3: the new checksum after one 16-bit word of the covered data changes from
 * `oldWord` to `newWord`: HC' = ~(~HC + ~m + m').
 */
export function updateChecksum16(checksum: number, oldWord: number, newWord: number): number {
  const sum = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
  return ~foldChecksumSum(sum) & 0xffff;
}

/**
 * RFC 1624 applied to a byte run: the new checksum after the covered bytes `oldBytes` became
 * `newBytes` (same even length and same 16-bit alignment in the covered data, e.g. an address
 * rewritten in place). Use for NAT-like rewrites of addresses and ports.
 */
export function updateChecksumBytes(
  checksum: number,
  oldBytes: Uint8Array,
  newBytes: Uint8Array,
): number {
  let sum = ~checksum & 0xffff;
  for (let i = 0; i + 1 < oldBytes.length; i += 2) {
    sum += ~((oldBytes[i]! << 8) | oldBytes[i + 1]!) & 0xffff;
    sum += (newBytes[i]! << 8) | newBytes[i + 1]!;
  }
  return ~foldChecksumSum(sum) & 0xffff;
}
