/**
 * One ENI's route table as the data path reads it (DESIGN.md step 4; docs/routing.md RT-12..
 * RT-17): the routes of its subnet's effective table, precompiled once per snapshot. IPv4: one
 * map per distinct prefix length (masked network -> route), lengths longest first, so a lookup
 * costs one map probe per distinct length (a main table with a local /16 and a /0: two) whatever
 * the number of routes; IPv6: prefixes sorted longest first with their masks, first match wins.
 * Lookups allocate nothing.
 *
 * routeVerdict() is the route step of egress: it decides from the matched route and the mapping
 * table whether a packet leaving a VPC ENI may go on, and names the drop reason otherwise;
 * internetVerdict() and externalVerdict() are its two halves for the emulated internet (RT-17:
 * only through an internet gateway and a public address).
 * Pure: no node: modules.
 */
import type { CompiledRoute, RouteTargetKind } from "../filter/policy.js";
import { parseIpAddress } from "../packet/address.js";
import type { Route, RouteTable } from "./route-table.js";
import { DropReason } from "./verdict.js";

/** One compiled route: its prefix as 32-bit words, its target. */
export interface RouteHop {
  readonly route: CompiledRoute;
  readonly kind: RouteTargetKind;
  /** `peering`: the VPC on the other side; "" otherwise. */
  readonly peerVpcId: string;
  /**
   * `nat-gateway` and `network-interface` routes: the target interface's private IPv4 address
   * (4 bytes), where egress forwards the packet, destination kept (docs/routing.md RT-18,
   * NAT-8); undefined when the controller named none.
   */
  readonly nextHop: Uint8Array | undefined;
  /** Prefix length in bits. */
  readonly length: number;
  /** The network's words (IPv4: w0 only), already masked. */
  readonly w0: number;
  readonly w1: number;
  readonly w2: number;
  readonly w3: number;
  /** The prefix's mask words. */
  readonly m0: number;
  readonly m1: number;
  readonly m2: number;
  readonly m3: number;
}

/** IPv4 routes of one prefix length. */
interface V4Level {
  readonly mask: number;
  readonly byNetwork: Map<number, RouteHop>;
}

/** A mask of the first `bits` (0..32) bits of a word. */
function maskOf(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

function word(a: Uint8Array, i: number): number {
  return ((a[i]! << 24) | (a[i + 1]! << 16) | (a[i + 2]! << 8) | a[i + 3]!) >>> 0;
}

/** The prefix words of a CIDR, or undefined when it does not parse. */
function parsePrefix(
  cidr: string,
): { v6: boolean; length: number; w: [number, number, number, number] } | undefined {
  const slash = cidr.indexOf("/");
  const bytes = parseIpAddress(slash < 0 ? cidr : cidr.slice(0, slash));
  if (bytes === undefined) return undefined;
  const max = bytes.length * 8;
  const length = slash < 0 ? max : Number(cidr.slice(slash + 1));
  if (!Number.isInteger(length) || length < 0 || length > max) return undefined;
  const w: [number, number, number, number] = [0, 0, 0, 0];
  for (let i = 0; i < bytes.length / 4; i++)
    w[i] = (word(bytes, i * 4) & maskOf(length - i * 32)) >>> 0;
  return { v6: bytes.length === 16, length, w };
}

function nextHopOf(route: CompiledRoute): Uint8Array | undefined {
  if (route.nextHop === undefined) return undefined;
  if (route.kind !== "nat-gateway" && route.kind !== "network-interface") return undefined;
  const a = parseIpAddress(route.nextHop);
  return a?.length === 4 ? a : undefined;
}

/** An ENI's routes, longest prefix first per family; immutable once built. */
export class VpcRouteTable {
  private readonly v4: V4Level[] = [];
  private readonly v6: RouteHop[] = [];
  /** Routes whose destination did not parse (ignored, never thrown). */
  readonly invalid: number;
  /**
   * Whether an IPv6 route targets an internet or egress-only internet gateway: only then can
   * IPv6 from the emulated internet reach the ENI (IGW-11, IGW-12), so only then does ingress
   * look its source up.
   */
  readonly v6Gateway: boolean;

  constructor(readonly routes: readonly CompiledRoute[]) {
    let invalid = 0;
    const v4Levels = new Map<number, Map<number, RouteHop>>();
    for (const route of routes) {
      const p = parsePrefix(route.destination);
      if (p === undefined) {
        invalid++;
        continue;
      }
      const hop: RouteHop = {
        route,
        kind: route.kind,
        peerVpcId: route.peerVpcId ?? "",
        nextHop: nextHopOf(route),
        length: p.length,
        w0: p.w[0],
        w1: p.w[1],
        w2: p.w[2],
        w3: p.w[3],
        m0: maskOf(p.length),
        m1: maskOf(p.length - 32),
        m2: maskOf(p.length - 64),
        m3: maskOf(p.length - 96),
      };
      if (p.v6) {
        this.v6.push(hop);
        continue;
      }
      let level = v4Levels.get(p.length);
      if (level === undefined) {
        level = new Map();
        v4Levels.set(p.length, level);
      }
      // Why first wins: equal prefixes cannot exist in one table (RT-4 RouteAlreadyExists).
      if (!level.has(hop.w0)) level.set(hop.w0, hop);
    }
    for (const [length, byNetwork] of [...v4Levels].sort((a, b) => b[0] - a[0]))
      this.v4.push({ mask: maskOf(length), byNetwork });
    this.v6.sort((a, b) => b.length - a.length);
    this.invalid = invalid;
    this.v6Gateway = this.v6.some(
      (h) => h.kind === "internet-gateway" || h.kind === "egress-only-internet-gateway",
    );
  }

  /** The longest-prefix match for a 4- or 16-byte address, or undefined (no route). */
  lookup(addr: Uint8Array): RouteHop | undefined {
    if (addr.length === 4) {
      const a = word(addr, 0);
      for (const level of this.v4) {
        const h = level.byNetwork.get((a & level.mask) >>> 0);
        if (h !== undefined) return h;
      }
      return undefined;
    }
    const a0 = word(addr, 0);
    const a1 = word(addr, 4);
    const a2 = word(addr, 8);
    const a3 = word(addr, 12);
    for (const h of this.v6) {
      if (
        (a0 & h.m0) >>> 0 === h.w0 &&
        (a1 & h.m1) >>> 0 === h.w1 &&
        (a2 & h.m2) >>> 0 === h.w2 &&
        (a3 & h.m3) >>> 0 === h.w3
      )
        return h;
    }
    return undefined;
  }
}

/**
 * The route step of egress for a packet from an ENI of `portVpcId` (docs/routing.md RT-13..
 * RT-17). `route` is the destination's mapping entry (undefined: no VPC ENI or external node
 * has that address); `table` the ENI's routes (undefined: an older controller sent none, and
 * the ENI reaches its own VPC only, as before routing existed). Returns undefined when the
 * packet goes on, else the drop reason; the caller counts it at its one site.
 *
 *   external node (the `internet` node)  -> internetVerdict (through a gateway only, RT-17)
 *   longest prefix match: none           -> no_route
 *                         blackhole      -> blackhole_route (RT-10, RT-15)
 *                         local / eni    -> on when the destination is in the ENI's VPC (RT-13)
 *                         peering        -> on when the destination is in the peer VPC (RT-14)
 *                         igw/eigw/nat   -> no_route (they reach no other VPC, RT-16)
 */
export function routeVerdict(
  table: VpcRouteTable | undefined,
  portVpcId: string,
  dst: Uint8Array,
  route: Route | undefined,
): DropReason | undefined {
  if (route !== undefined && route.external) return internetVerdict(table?.lookup(dst), dst.length);
  if (table === undefined) {
    return route !== undefined && route.entry.vpcId === portVpcId ? undefined : DropReason.NoRoute;
  }
  return hopVerdict(table.lookup(dst), portVpcId, route);
}

/**
 * The route step for a packet from a VPC ENI to the emulated internet (an external node's
 * address, docs/routing.md RT-17): it leaves only through an internet gateway, as on AWS. `hop`
 * is the longest-prefix route of the ENI's table (undefined: none, or no table at all, as from
 * an older controller), `family` the address length (4 or 16).
 *
 *   internet gateway, IPv4   -> on (the caller translates the source, IGW-6: no_public_ip
 *                               when the ENI has no public IP)
 *   internet gateway, IPv6   -> on, untranslated (IGW-11)
 *   egress-only gw, IPv6     -> on; the caller records the flow for its replies (IGW-12)
 *   blackhole                -> blackhole_route (RT-15)
 *   anything else            -> no_route: no route, local, peering, an interface, an
 *                               egress-only gateway for IPv4
 */
export function internetVerdict(hop: RouteHop | undefined, family: number): DropReason | undefined {
  if (hop === undefined) return DropReason.NoRoute;
  if (hop.kind === "blackhole") return DropReason.BlackholeRoute;
  if (hop.kind === "internet-gateway") return undefined;
  return hop.kind === "egress-only-internet-gateway" && family === 16
    ? undefined
    : DropReason.NoRoute;
}

/**
 * The route step for a packet an external node (the `internet` node) sends (docs/routing.md
 * RT-17, IGW-5): the emulated internet reaches a VPC only at a public IPv4 address (an entry
 * with `privateAddress`: an Elastic IP or launch-time public IP, which the ENI's agent
 * translates when its subnet routes the source to an internet gateway, else `igw_no_route`
 * there). IPv6 addresses are global: an ENI's IPv6 address goes on to the ENI's agent, which
 * admits it through its subnet's internet gateway route, or egress-only gateway route for
 * replies (IGW-11, IGW-12). A private IPv4 address, another external node or an unknown
 * address: no_route. `family` is the destination address length (4 or 16).
 */
export function externalVerdict(route: Route | undefined, family = 4): DropReason | undefined {
  if (route === undefined || route.external) return DropReason.NoRoute;
  if (route.entry.privateAddress !== undefined) return undefined;
  return family === 16 ? undefined : DropReason.NoRoute;
}

/**
 * routeVerdict for a packet whose longest-prefix route `hop` the caller already looked up (a
 * VPC destination, `route` its mapping entry). A hop with a next hop is the caller's: it
 * forwards to the next hop's interface (forwardVia) instead.
 */
export function hopVerdict(
  hop: RouteHop | undefined,
  portVpcId: string,
  route: Route | undefined,
): DropReason | undefined {
  if (hop === undefined) return DropReason.NoRoute;
  switch (hop.kind) {
    case "blackhole":
      return DropReason.BlackholeRoute;
    case "local":
    case "network-interface":
      return route !== undefined && route.entry.vpcId === portVpcId
        ? undefined
        : DropReason.NoRoute;
    case "peering":
      return route !== undefined && route.entry.vpcId === hop.peerVpcId
        ? undefined
        : DropReason.NoRoute;
    default:
      return DropReason.NoRoute;
  }
}

/**
 * Where a packet goes whose longest-prefix route names a next hop (docs/routing.md RT-18,
 * NAT-8: a NAT gateway's or another interface's private address): that interface's mapping
 * entry, when it is an interface of the sender's VPC other than the sender itself; else
 * undefined (the caller drops `no_route`).
 */
export function forwardVia(
  routes: RouteTable,
  hop: RouteHop,
  portVpcId: string,
  portEniId: string,
): Route | undefined {
  const r = routes.lookup(hop.nextHop!);
  if (r === undefined || r.external || r.entry.privateAddress !== undefined) return undefined;
  if (r.entry.vpcId !== portVpcId || r.entry.eniId === portEniId) return undefined;
  return r;
}
