/**
 * Addresses as 32-bit words: the form conntrack keys and the filter's prefix tables use.
 * An IPv4 address is one word, an IPv6 address four, each word big-endian (network order) as
 * an unsigned 32-bit number. Pure: no node: modules.
 */

/** The address family's word count: 1 for IPv4, 4 for IPv6. */
export function wordCount(family: 4 | 6): 1 | 4 {
  return family === 4 ? 1 : 4;
}

/** Reads word `i` (big-endian) of an address given as 4 or 16 network-order bytes. */
export function addressWord(addr: Uint8Array, i: number): number {
  const o = i * 4;
  return (
    (((addr[o] ?? 0) << 24) |
      ((addr[o + 1] ?? 0) << 16) |
      ((addr[o + 2] ?? 0) << 8) |
      (addr[o + 3] ?? 0)) >>>
    0
  );
}

/** A parsed CIDR: family, network words (host bits cleared) and prefix length. */
export interface ParsedCidr {
  readonly family: 4 | 6;
  /** 1 word (IPv4) or 4 words (IPv6), unsigned, host bits cleared. */
  readonly words: readonly number[];
  readonly prefixLen: number;
}

/** Mask of the `bits` leading bits of a 32-bit word (0..32), unsigned. */
export function wordMask(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Parses a dotted-quad IPv4 address into one word, or undefined. */
export function parseIpv4Word(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  let w = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    w = (w << 8) | n;
  }
  return w >>> 0;
}

/** Parses an IPv6 address (with `::` and an optional dotted IPv4 tail) into 4 words, or undefined. */
export function parseIpv6Words(text: string): number[] | undefined {
  let s = text;
  const groups: number[] = [];
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (s.includes(".", lastColon)) {
    const v4 = parseIpv4Word(s.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail = [v4 >>> 16, v4 & 0xffff];
    s = s.slice(0, lastColon + 1);
    // Why: "::ffff:1.2.3.4" leaves "::ffff:", whose lone trailing colon belongs to the tail.
    if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const parseGroups = (part: string): number[] | undefined => {
    if (part === "") return [];
    const out: number[] = [];
    for (const g of part.split(":")) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const dbl = s.indexOf("::");
  if (dbl >= 0) {
    if (s.indexOf("::", dbl + 1) >= 0) return undefined;
    const head = parseGroups(s.slice(0, dbl));
    const rest = parseGroups(s.slice(dbl + 2));
    if (!head || !rest) return undefined;
    const fill = 8 - head.length - rest.length - tail.length;
    if (fill < 1) return undefined;
    groups.push(...head, ...new Array<number>(fill).fill(0), ...rest, ...tail);
  } else {
    const all = parseGroups(s);
    if (!all) return undefined;
    groups.push(...all, ...tail);
  }
  if (groups.length !== 8) return undefined;
  const words: number[] = [];
  for (let i = 0; i < 4; i++)
    words.push((((groups[2 * i] ?? 0) << 16) | (groups[2 * i + 1] ?? 0)) >>> 0);
  return words;
}

/** Distinct CIDR texts parseCidr remembers; past this the memo starts over. */
const CIDR_MEMO_ENTRIES = 65_536;
const cidrMemo = new Map<string, ParsedCidr | null>();

/**
 * Parses a CIDR ("10.0.0.0/16", "2001:db8::/32") or a bare address (as /32 or /128). Host bits
 * are cleared (AWS-BEHAVIOUR RULE-8). Returns undefined for malformed text.
 *
 * The result is frozen and may be shared: each distinct text is parsed once per process (SG
 * rules expanded from group members repeat the same /32s in every ENI's policy and snapshot).
 * The memo is bounded (it is emptied when it reaches CIDR_MEMO_ENTRIES texts).
 */
export function parseCidr(text: string): ParsedCidr | undefined {
  const m = cidrMemo.get(text);
  if (m !== undefined) return m ?? undefined;
  const c = parseCidrText(text);
  if (cidrMemo.size >= CIDR_MEMO_ENTRIES) cidrMemo.clear();
  const f = c === undefined ? null : Object.freeze({ ...c, words: Object.freeze(c.words) });
  cidrMemo.set(text, f);
  return f ?? undefined;
}

function parseCidrText(text: string): ParsedCidr | undefined {
  const slash = text.indexOf("/");
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const v6 = addr.includes(":");
  const max = v6 ? 128 : 32;
  let prefixLen = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefixLen = Number(p);
    if (prefixLen > max) return undefined;
  }
  let words: number[];
  if (v6) {
    const w = parseIpv6Words(addr);
    if (!w) return undefined;
    words = w;
  } else {
    const w = parseIpv4Word(addr);
    if (w === undefined) return undefined;
    words = [w];
  }
  for (let i = 0; i < words.length; i++) {
    words[i] = ((words[i] ?? 0) & wordMask(prefixLen - 32 * i)) >>> 0;
  }
  return { family: v6 ? 6 : 4, words, prefixLen };
}

/** Formats address words as text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run as `::`). */
export function formatAddressWords(family: 4 | 6, words: ArrayLike<number>, offset = 0): string {
  if (family === 4) {
    const w = (words[offset] ?? 0) >>> 0;
    return `${w >>> 24}.${(w >>> 16) & 255}.${(w >>> 8) & 255}.${w & 255}`;
  }
  const g: number[] = [];
  for (let i = 0; i < 4; i++) {
    const w = (words[offset + i] ?? 0) >>> 0;
    g.push(w >>> 16, w & 0xffff);
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (a: number[]): string => a.map((x) => x.toString(16)).join(":");
  if (bestStart < 0) return hex(g);
  return `${hex(g.slice(0, bestStart))}::${hex(g.slice(bestStart + bestLen))}`;
}
