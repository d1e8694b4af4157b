import { IPv4, IPv4CidrRange, IPv6, IPv6CidrRange, collapseIPv6Number } from "ip-num";
import { controllerError, invalidValue } from "../errors.js";

/** A parsed, canonical CIDR: `cidr` has host bits cleared (AWS-BEHAVIOUR RULE-8, NACL-5). */
export interface Cidr {
  readonly family: 4 | 6;
  readonly cidr: string;
  readonly prefix: number;
  /** First and last address as integers. */
  readonly first: bigint;
  readonly last: bigint;
}

const CANONICAL_V4 =
  /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\/(0|[1-9]\d?)$/;

/**
 * A canonical dotted IPv4 CIDR (no leading zeros) parsed directly, the same Cidr ip-num gives
 * (test/unit/controller/model/cidr.test.ts compares them); anything else undefined.
 * Why: ip-num works through binary strings, ~20 us a CIDR; a request may carry 1,000 (LIM-6).
 */
function parseCanonicalIpv4(text: string): Cidr | undefined {
  const m = CANONICAL_V4.exec(text);
  if (m === null) return undefined;
  const o = [m[1], m[2], m[3], m[4]].map(Number);
  const prefix = Number(m[5]);
  if (o.some((x) => x > 255) || prefix > 32) return undefined;
  const value = ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const first = (value & mask) >>> 0;
  const last = (first | (~mask >>> 0)) >>> 0;
  const dotted = `${first >>> 24}.${(first >>> 16) & 255}.${(first >>> 8) & 255}.${first & 255}`;
  return {
    family: 4,
    cidr: `${dotted}/${prefix}`,
    prefix,
    first: BigInt(first),
    last: BigInt(last),
  };
}

function tryParse(text: string, family: 4 | 6): Cidr | undefined {
  if (family === 4) {
    const fast = parseCanonicalIpv4(text.trim());
    if (fast !== undefined) return fast;
  }
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (m === null) return undefined;
  const [, addr = "", len = ""] = m;
  try {
    if (family === 4) {
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(addr)) return undefined;
      const range = IPv4CidrRange.fromCidr(`${addr}/${len}`);
      const first = range.getFirst();
      const prefix = Number(range.cidrPrefix.getValue());
      return {
        family,
        cidr: `${first.toString()}/${prefix}`,
        prefix,
        first: first.getValue(),
        last: range.getLast().getValue(),
      };
    }
    if (!addr.includes(":")) return undefined;
    const range = IPv6CidrRange.fromCidr(`${addr}/${len}`);
    const first = range.getFirst();
    const prefix = Number(range.cidrPrefix.getValue());
    return {
      family,
      cidr: `${collapseIPv6Number(first.toString())}/${prefix}`,
      prefix,
      first: first.getValue(),
      last: range.getLast().getValue(),
    };
  } catch {
    return undefined;
  }
}

/** Parses an IPv4 CIDR, clearing host bits; a bad value (or a v6 one) raises ERR-17 naming it. */
export function sanitizeIpv4Cidr(text: string): Cidr {
  const c = tryParse(text, 4);
  if (c === undefined) throw controllerError("EMU_ERR_CIDR_MALFORMED", text);
  return c;
}

/** Parses an IPv6 CIDR, clearing host bits; a bad value raises ERR-17 naming it. */
export function sanitizeIpv6Cidr(text: string): Cidr {
  const c = tryParse(text, 6);
  if (c === undefined) throw controllerError("EMU_ERR_CIDR_MALFORMED", text);
  return c;
}

/** Parses a CIDR of either family (prefix-list entries), or raises ERR-17. */
export function sanitizeAnyCidr(text: string): Cidr {
  const c = tryParse(text, text.includes(":") ? 6 : 4);
  if (c === undefined) throw controllerError("EMU_ERR_CIDR_MALFORMED", text);
  return c;
}

/** Parses a CIDR string already known to be valid (stored state). */
export function parseCidr(text: string): Cidr {
  return sanitizeAnyCidr(text);
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.family === b.family && a.first <= b.last && b.first <= a.last;
}

export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return outer.family === inner.family && outer.first <= inner.first && inner.last <= outer.last;
}

/** A single address: canonical text and integer value, or undefined when not valid. */
export function parseAddress(
  text: string,
): { family: 4 | 6; value: bigint; text: string } | undefined {
  try {
    if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
      const a = IPv4.fromString(text);
      return { family: 4, value: a.getValue(), text: a.toString() };
    }
    if (text.includes(":")) {
      const a = IPv6.fromString(text);
      return { family: 6, value: a.getValue(), text: collapseIPv6Number(a.toString()) };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/** Parses a private address parameter, raising `InvalidParameterValue` naming it. */
export function sanitizeAddress(
  text: string,
  param: string,
  family: 4 | 6,
): { value: bigint; text: string } {
  const a = parseAddress(text);
  if (a === undefined || a.family !== family) throw invalidValue(text, param);
  return a;
}

export function ipv4FromBigint(v: bigint): string {
  return new IPv4(v).toString();
}

export function ipv6FromBigint(v: bigint): string {
  return collapseIPv6Number(new IPv6(v).toString());
}
