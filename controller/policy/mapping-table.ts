/**
 * The VPC mapping table (DESIGN.md step 4): every address an agent may route to -> ENI,
 * subnet, VPC, hosting agent and its underlay endpoint. PURE (no node: modules, no I/O).
 *
 * Built per VPC so an agent receives only the VPCs it has ENIs in and the VPCs joined to those
 * by an active peering (docs/routing.md RT-14; peered CIDRs never overlap, PCX-3), plus the
 * external (non-VPC) nodes such as `internet`, which every agent receives so replies can be
 * routed to them and their underlay source checked. An agent hosting no ENI (an external node's
 * agent) receives every VPC's table. Known gap: one agent hosting ENIs of two VPCs whose CIDRs
 * overlap (or of a VPC peered with one overlapping another it hosts) keeps one entry per
 * address; the agent's lookup is by address only.
 */
import type { MappingEntry } from "./compiled-policy.js";
import type { NetworkInterfaceState } from "./policy-state.js";

/** Where an ENI is hosted: agent id and underlay endpoint ("" / "" when unhosted). */
export interface EniHost {
  readonly agentId: string;
  readonly endpoint: string;
}

/** An address outside every VPC that an agent hosts (e.g. the `internet` node). */
export interface ExternalAddress {
  /** Node name, reported as the mapping entry's subnetId (e.g. "internet"). */
  readonly name: string;
  /** A single IPv4 or IPv6 address, e.g. "198.51.100.10". */
  readonly address: string;
}

/** Mapping entries of one VPC's ENIs, addresses in ENI order (IPv4 primary first, then IPv6). */
export function buildVpcMapping(
  enis: readonly NetworkInterfaceState[],
  hostOf: (eniId: string) => EniHost | undefined,
  isNatGateway: (eniId: string) => boolean = () => false,
): MappingEntry[] {
  const out: MappingEntry[] = [];
  for (const eni of enis) {
    const host = hostOf(eni.eniId);
    const agentId = host?.agentId ?? "";
    const endpoint = host?.endpoint ?? "";
    for (const address of [...eni.privateIpv4, ...eni.ipv6]) {
      out.push({
        address,
        eniId: eni.eniId,
        subnetId: eni.subnetId,
        vpcId: eni.vpcId,
        agentId,
        endpoint,
        // docs/routing.md NAT-8: its packets carry other hosts' sources.
        ...(isNatGateway(eni.eniId) ? { natGateway: true } : {}),
      });
    }
  }
  return out;
}

/** Mapping entries of external (non-VPC) addresses: vpcId "", eniId "", subnetId = node name. */
export function buildExternalMapping(
  hosts: readonly {
    readonly agentId: string;
    readonly endpoint: string;
    readonly externals: readonly ExternalAddress[];
  }[],
): MappingEntry[] {
  const out: MappingEntry[] = [];
  for (const h of hosts) {
    for (const ext of h.externals) {
      out.push({
        address: ext.address,
        eniId: "",
        subnetId: ext.name,
        vpcId: "",
        agentId: h.agentId,
        endpoint: h.endpoint,
      });
    }
  }
  return out;
}

/**
 * Mapping entries of the ENIs' public IPv4 addresses (internet gateway 1:1 NAT, docs/routing.md
 * IGW-5): address = the public IP, the ENI's fields, privateAddress = the private address it
 * stands for. Only ENIs that count (`active`) and carry public addresses; every agent receives
 * them (the emulated internet's agents route to them, and check replies' sources with them).
 */
export function buildPublicMapping(
  enis: readonly NetworkInterfaceState[],
  active: (eni: NetworkInterfaceState) => boolean,
  hostOf: (eniId: string) => EniHost | undefined,
): MappingEntry[] {
  const out: MappingEntry[] = [];
  for (const eni of enis) {
    if (eni.publicIpv4 === undefined || eni.publicIpv4.length === 0 || !active(eni)) continue;
    const host = hostOf(eni.eniId);
    for (const a of eni.publicIpv4) {
      out.push({
        address: a.publicIp,
        eniId: eni.eniId,
        subnetId: eni.subnetId,
        vpcId: eni.vpcId,
        agentId: host?.agentId ?? "",
        endpoint: host?.endpoint ?? "",
        privateAddress: a.privateIp,
      });
    }
  }
  return out;
}

/** Structural equality of two mapping tables (same entries, same order). */
export function sameMapping(a: readonly MappingEntry[], b: readonly MappingEntry[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.address !== y.address ||
      x.eniId !== y.eniId ||
      x.subnetId !== y.subnetId ||
      x.vpcId !== y.vpcId ||
      x.agentId !== y.agentId ||
      x.endpoint !== y.endpoint ||
      x.privateAddress !== y.privateAddress ||
      x.natGateway !== y.natGateway
    ) {
      return false;
    }
  }
  return true;
}
