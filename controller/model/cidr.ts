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

function tryParse(text: string, family: 4 | 6): Cidr | undefined {
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
