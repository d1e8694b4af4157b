/**
 * The agent's view of the VPC mapping table (DESIGN.md step 4): address -> where it lives (ENI,
 * subnet, VPC, agent, underlay endpoint). Built once per snapshot from MappingEntry[] and
 * replaced whole; lookups take the address bytes of a decoded packet and allocate nothing for
 * IPv4 (a number key) and one short string for IPv6.
 *
 * External nodes (the `internet` node) appear with vpcId "", subnetId "internet", eniId "".
 * Pure: no node: modules.
 */
import type { MappingEntry } from "../filter/policy.js";
import { parseIpAddress } from "../packet/address.js";
import { encodeEniOption, vniForVpc } from "../overlay/geneve.js";

/** One destination, with what the pipeline needs precomputed. */
export interface Route {
  readonly entry: MappingEntry;
  /** The Geneve option data of entry.eniId (overlay/geneve.ts encodeEniOption). */
  readonly eniOption: Uint8Array;
  /** True for external nodes (outside every VPC). */
  readonly external: boolean;
  /** The destination's port key (Port.key): the ENI id, or "ext:<subnetId>" for an external node. */
  readonly portKey: string;
  /** The Geneve VNI of the destination's VPC (0 for an external node). */
  readonly vni: number;
}

/** The subnet id external nodes carry in the mapping table. */
export const EXTERNAL_SUBNET = "internet";

/** Address -> Route for one snapshot's mapping table; immutable once built. */
export class RouteTable {
  private readonly v4 = new Map<number, Route>();
  private readonly v6 = new Map<string, Route>();
  /** NAT gateways' interfaces by ENI id: the entry of their private address (NAT-8). */
  private readonly nat = new Map<string, Route>();
  /** Number of addresses that did not parse (reported, never thrown). */
  readonly invalid: number;

  constructor(readonly entries: readonly MappingEntry[]) {
    const options = new Map<string, Uint8Array>();
    let invalid = 0;
    for (const entry of entries) {
      const bytes = parseIpAddress(entry.address);
      if (!bytes) {
        invalid++;
        continue;
      }
      let opt = options.get(entry.eniId);
      if (!opt) {
        opt = encodeEniOption(entry.eniId);
        options.set(entry.eniId, opt);
      }
      const external = entry.vpcId === "" || entry.subnetId === EXTERNAL_SUBNET;
      const route: Route = {
        entry,
        eniOption: opt,
        external,
        portKey: external ? `ext:${entry.subnetId}` : entry.eniId,
        vni: entry.vpcId === "" ? 0 : vniForVpc(entry.vpcId),
      };
      if (bytes.length === 4) this.v4.set(ipv4Key(bytes), route);
      else this.v6.set(ipv6Key(bytes), route);
      if (entry.natGateway === true && !this.nat.has(entry.eniId)) this.nat.set(entry.eniId, route);
    }
    this.invalid = invalid;
  }

  /** The route of a 4- or 16-byte address, or undefined. */
  lookup(addr: Uint8Array): Route | undefined {
    return addr.length === 4 ? this.v4.get(ipv4Key(addr)) : this.v6.get(ipv6Key(addr));
  }

  /**
   * The route of a NAT gateway's interface by its ENI id (docs/routing.md NAT-8), or undefined:
   * the packets it forwards carry other hosts' sources, so the underlay check of a packet from
   * it compares the sender with this entry's agent.
   */
  natGateway(eniId: string): Route | undefined {
    return this.nat.size === 0 ? undefined : this.nat.get(eniId);
  }

  /** Every address (text) in the table. */
  addresses(): string[] {
    return this.entries.map((e) => e.address);
  }
}

/**
 * A number key for 4 address bytes: the address as a signed 32-bit integer (distinct addresses,
 * distinct keys). Why signed, not `>>> 0`: V8 keeps integers in [-2^30, 2^30) unboxed (Smi), so
 * the signed form makes 0.0.0.0-63.255.255.255 and 192.0.0.0-255.255.255.255 (the emulated
 * internet 198.51.100.0/24 and public range 198.18.0.0/15, 192.168.0.0/16) lookups allocate
 * nothing; the unsigned form boxed every key from 64.0.0.0 up, a heap number per packet
 * (bench/route-step.bench.ts). Keys are only compared with keys made here.
 */
export function ipv4Key(a: Uint8Array): number {
  return (a[0]! << 24) | (a[1]! << 16) | (a[2]! << 8) | a[3]!;
}

/** An 8-character string key for 16 address bytes. */
export function ipv6Key(a: Uint8Array): string {
  return String.fromCharCode(
    (a[0]! << 8) | a[1]!,
    (a[2]! << 8) | a[3]!,
    (a[4]! << 8) | a[5]!,
    (a[6]! << 8) | a[7]!,
    (a[8]! << 8) | a[9]!,
    (a[10]! << 8) | a[11]!,
    (a[12]! << 8) | a[13]!,
    (a[14]! << 8) | a[15]!,
  );
}

/** A set of a port's own addresses, checked per packet (source/destination check). */
export class AddressSet {
  private readonly v4 = new Set<number>();
  private readonly v6 = new Set<string>();

  constructor(addresses: readonly string[]) {
    for (const a of addresses) {
      const b = parseIpAddress(a);
      if (!b) continue;
      if (b.length === 4) this.v4.add(ipv4Key(b));
      else this.v6.add(ipv6Key(b));
    }
  }

  has(addr: Uint8Array): boolean {
    return addr.length === 4 ? this.v4.has(ipv4Key(addr)) : this.v6.has(ipv6Key(addr));
  }
}
