/**
 * IP address text <-> bytes, for configuration, tests and logs (never per packet on the fast
 * path). Pure: no node: modules. Bytes are network order: 4 bytes for IPv4, 16 for IPv6.
 */

/** Length in bytes of an IPv4 address. */
export const IPV4_ADDRESS_LEN = 4;
/** Length in bytes of an IPv6 address. */
export const IPV6_ADDRESS_LEN = 16;

/**
 * Parses dotted-quad IPv4 text ("10.0.0.1") into a new 4-byte array; undefined if the text is
 * not exactly four decimal octets 0-255 (no leading zeros beyond "0", no shorthand forms).
 */
export function parseIpv4Address(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(IPV4_ADDRESS_LEN);
  for (let i = 0; i < 4; i++) {
    const v = parseOctet(parts[i]!);
    if (v === undefined) return undefined;
    out[i] = v;
  }
  return out;
}

function parseOctet(part: string): number | undefined {
  // Why: "010" is octal to some parsers (inet_aton); refuse the ambiguity.
  if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
  const v = Number(part);
  return v <= 255 ? v : undefined;
}

/**
 * Parses IPv6 text (RFC 4291 2.2: full, "::"-compressed, or with a trailing dotted IPv4 part such
 * as "::ffff:10.0.0.1") into a new 16-byte array; undefined if malformed. No zone ids ("%eth0").
 */
export function parseIpv6Address(text: string): Uint8Array | undefined {
  if (text.length === 0 || text.length > 45) return undefined;
  const out = new Uint8Array(IPV6_ADDRESS_LEN);
  const dbl = text.indexOf("::");
  if (dbl !== -1 && text.indexOf("::", dbl + 1) !== -1) return undefined;
  const headText = dbl === -1 ? text : text.slice(0, dbl);
  const tailText = dbl === -1 ? "" : text.slice(dbl + 2);
  const head = headText === "" ? [] : headText.split(":");
  const tail = tailText === "" ? [] : tailText.split(":");
  const words: number[] = [];
  const tailWords: number[] = [];
  if (!pushGroups(head, words, dbl === -1)) return undefined;
  if (!pushGroups(tail, tailWords, true)) return undefined;
  if (dbl === -1) {
    if (words.length !== 8) return undefined;
  } else {
    // RFC 4291 2.2: "::" stands for one or more groups of zeros.
    if (words.length + tailWords.length > 7) return undefined;
    while (words.length + tailWords.length < 8) words.push(0);
  }
  words.push(...tailWords);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  return out;
}

/** Appends 16-bit groups; a dotted IPv4 part is allowed as the last group when `last`. */
function pushGroups(groups: string[], words: number[], last: boolean): boolean {
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    if (last && i === groups.length - 1 && g.includes(".")) {
      const v4 = parseIpv4Address(g);
      if (v4 === undefined) return false;
      words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      continue;
    }
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return false;
    words.push(parseInt(g, 16));
  }
  return true;
}

/** Parses IPv4 or IPv6 text (an address containing ":" is IPv6); undefined if malformed. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  return text.includes(":") ? parseIpv6Address(text) : parseIpv4Address(text);
}

/** Formats the 4 bytes at `off` as dotted-quad text. */
export function formatIpv4Address(bytes: Uint8Array, off = 0): string {
  return `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`;
}

/**
 * Formats the 16 bytes at `off` as canonical IPv6 text (RFC 5952: lower case, no leading zeros,
 * the longest run of two or more zero groups, the first on a tie, compressed to "::"). IPv4-mapped
 * addresses (::ffff:a.b.c.d) keep their dotted tail (RFC 5952 5).
 */
export function formatIpv6Address(bytes: Uint8Array, off = 0): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((bytes[off + 2 * i]! << 8) | bytes[off + 2 * i + 1]!);
  if (words[0] === 0 && words[1] === 0 && words[2] === 0 && words[3] === 0 && words[4] === 0) {
    if (words[5] === 0xffff) return `::ffff:${formatIpv4Address(bytes, off + 12)}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (w: number[]): string => w.map((x) => x.toString(16)).join(":");
  if (bestLen < 2) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** Formats a 4- or 16-byte address (by its length); any other length gives "?". */
export function formatIpAddress(bytes: Uint8Array): string {
  if (bytes.length === IPV4_ADDRESS_LEN) return formatIpv4Address(bytes);
  if (bytes.length === IPV6_ADDRESS_LEN) return formatIpv6Address(bytes);
  return "?";
}

/** True when both arrays hold the same bytes (same length). */
export function ipAddressEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
