/** CIDR and IPv4 address arithmetic for topology validation (no library: a few lines suffice). */
import { isIPv4, isIPv6 } from "node:net";

/** Parsed CIDR; `network` is the canonical text (host bits cleared, RULE-8). */
export interface Cidr {
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly network: string;
  /** IPv4 only: first and last address as unsigned 32-bit numbers. */
  readonly first?: number;
  readonly last?: number;
}

export function ipv4ToNumber(addr: string): number {
  return addr.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function numberToIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Parses `a.b.c.d/n` or `v6/n`; undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!m) return undefined;
  const addr = m[1] ?? "";
  const prefix = Number(m[2]);
  if (isIPv4(addr) && prefix <= 32) {
    const size = 2 ** (32 - prefix);
    const first = Math.floor(ipv4ToNumber(addr) / size) * size;
    return {
      family: 4,
      prefix,
      network: `${numberToIpv4(first)}/${prefix}`,
      first,
      last: first + size - 1,
    };
  }
  if (isIPv6(addr) && prefix <= 128) return { family: 6, prefix, network: `${addr}/${prefix}` };
  return undefined;
}

/** True when IPv4 `addr` lies inside IPv4 `cidr`. */
export function cidrContains(cidr: Cidr, addr: string): boolean {
  if (cidr.family !== 4 || !isIPv4(addr) || cidr.first === undefined || cidr.last === undefined) {
    return false;
  }
  const n = ipv4ToNumber(addr);
  return n >= cidr.first && n <= cidr.last;
}
