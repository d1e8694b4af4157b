/**
 * A port: one thing the agent delivers packets to and reads packets from through a TUN device.
 * Either a hosted ENI (filtered by its EniFilter) or an external node (the `internet` node,
 * outside every VPC: no SG, no NACL, forwards without filtering and receives anything addressed
 * to it).
 */
import type { CompiledEniPolicy } from "../filter/policy.js";
import type { DecodedPacket } from "../packet/decoded-packet.js";
import { encodeEniOption, vniForVpc } from "../overlay/geneve.js";
import type { TunDevice } from "../tun/tun-device.js";
import { parseIpAddress } from "../packet/address.js";
import { AddressSet, EXTERNAL_SUBNET } from "./route-table.js";
import { VpcRouteTable } from "./vpc-routes.js";
import { TunWriter } from "./tun-writer.js";
import type { EgressOnlyFlows } from "../nat-gateway/egress-only.js";
import type { DropReason } from "./verdict.js";

/**
 * What the pipeline needs from one ENI's filter (node-agent/filter/filter.ts EniFilter
 * satisfies it). Order inside: egress = conntrack, SG egress, NACL out when crossesSubnet;
 * ingress = NACL in when crossesSubnet, conntrack, SG ingress.
 */
export interface PortFilter {
  egress(pkt: DecodedPacket, bytes: number, crossesSubnet: boolean, nowMs: number): FilterVerdict;
  ingress(pkt: DecodedPacket, bytes: number, crossesSubnet: boolean, nowMs: number): FilterVerdict;
}

/**
 * The part of filter.ts's FilterResult the pipeline reads: the verdict event's SG, NACL and
 * conntrack fields (verdict-event.ts) and the flow log's decision fields (report/flow-log.ts
 * FlowDecision).
 */
export type FilterVerdict =
  | {
      readonly action: "allow";
      readonly via?: "conntrack" | "rule";
      readonly tracked?: boolean;
      readonly ruleId?: string;
      readonly naclRule?: number;
    }
  | {
      readonly action: "drop";
      readonly reason: DropReason;
      readonly naclRule?: number;
      /** nacl_denied after an SG rule or entry admitted the packet: that rule. */
      readonly ruleId?: string;
      /** nacl_denied: an existing conntrack entry matched the packet. */
      readonly established?: boolean;
      /** An ingress drop after the inbound NACL: the entry that allowed the packet. */
      readonly naclAllowedBy?: number;
    };

/** A hosted ENI (filtered) or an external node (not filtered). */
export type PortKind = "eni" | "external";

/** One port's state as the pipeline reads it per packet; see the module comment. */
export class Port {
  /** ENI id, or "" for an external node. */
  readonly eniId: string;
  /** Counter and log key: the ENI id, or "ext:<name>". */
  readonly key: string;
  readonly eniOption: Uint8Array;
  readonly writer: TunWriter;
  vpcId: string;
  subnetId: string;
  vni: number;
  addresses: AddressSet;
  /** Address texts, primary IPv4 first. */
  addressList: readonly string[];
  primaryIpv4: string | undefined;
  sourceDestCheck: boolean;
  /** The ENI's instance is stopped (INST-2): DataPath.dropIfStopped drops both directions. */
  instanceStopped: boolean;
  /** Packets the port's filter allowed, both directions (counters report). */
  accepted = 0;
  /** IP bytes of the packets counted in `accepted` (metrics). */
  acceptedBytes = 0;
  filter: PortFilter | undefined;
  policy: CompiledEniPolicy | undefined;
  /** The ENI's route table (docs/routing.md RT-12); undefined: none compiled, own VPC only. */
  vpcRoutes: VpcRouteTable | undefined;
  /**
   * Internet gateway 1:1 NAT (docs/routing.md IGW-5..IGW-7): natPublic[i] (4 bytes) stands for
   * natPrivate[i]; both undefined when the ENI has no public IP. Searched linearly (an ENI has
   * few), compared byte by byte: no number keys, nothing boxed per packet.
   */
  natPublic: readonly Uint8Array[] | undefined;
  natPrivate: readonly Uint8Array[] | undefined;
  /**
   * The IPv6 flows this ENI started through an egress-only internet gateway (docs/routing.md
   * IGW-12), whose replies may come back in; created on the first such packet, kept across
   * revisions (egress.ts writes, ingress.ts reads).
   */
  egressOnly: EgressOnlyFlows | undefined;

  private constructor(
    readonly kind: PortKind,
    eniId: string,
    key: string,
    readonly tun: TunDevice,
    addresses: readonly string[],
    onWriteError: (err: unknown) => void,
  ) {
    this.eniId = eniId;
    this.key = key;
    this.eniOption = encodeEniOption(eniId);
    this.writer = new TunWriter(tun, tun.batchSize, 8, onWriteError);
    this.vpcId = "";
    this.subnetId = EXTERNAL_SUBNET;
    this.vni = 0;
    this.addresses = new AddressSet(addresses);
    this.addressList = addresses;
    this.primaryIpv4 = addresses.find((a) => !a.includes(":"));
    this.sourceDestCheck = true;
    this.instanceStopped = false;
    this.filter = undefined;
    this.policy = undefined;
    this.vpcRoutes = undefined;
    this.natPublic = undefined;
    this.natPrivate = undefined;
    this.egressOnly = undefined;
  }

  /** A hosted ENI with its filter. */
  static forEni(
    policy: CompiledEniPolicy,
    filter: PortFilter,
    tun: TunDevice,
    onWriteError: (err: unknown) => void,
  ): Port {
    const p = new Port("eni", policy.eniId, policy.eniId, tun, [], onWriteError);
    p.filter = filter;
    p.applyPolicy(policy);
    return p;
  }

  /** An external node: no VPC, no filter. */
  static forExternal(
    name: string,
    addresses: readonly string[],
    tun: TunDevice,
    onWriteError: (err: unknown) => void,
  ): Port {
    return new Port("external", "", `ext:${name}`, tun, addresses, onWriteError);
  }

  /**
   * Takes the ENI's new revision (addresses, subnet, source/dest check, instance stopped). The
   * filter is swapped by the caller.
   */
  applyPolicy(policy: CompiledEniPolicy): void {
    this.policy = policy;
    this.vpcId = policy.vpcId;
    this.subnetId = policy.subnetId;
    this.vni = vniForVpc(policy.vpcId);
    this.addressList = [...policy.ipv4, ...policy.ipv6];
    this.addresses = new AddressSet(this.addressList);
    this.primaryIpv4 = policy.ipv4[0];
    this.sourceDestCheck = policy.sourceDestCheck;
    this.instanceStopped = policy.instanceStopped === true;
    // Why the identity check: the compiler shares one routes array per unchanged table.
    if (policy.routes === undefined) this.vpcRoutes = undefined;
    else if (this.vpcRoutes?.routes !== policy.routes)
      this.vpcRoutes = new VpcRouteTable(policy.routes);
    const pubs: Uint8Array[] = [];
    const privs: Uint8Array[] = [];
    for (const a of policy.publicIpv4 ?? []) {
      const pub = parseIpAddress(a.publicIp);
      const priv = parseIpAddress(a.privateIp);
      if (pub?.length !== 4 || priv?.length !== 4) continue;
      pubs.push(pub);
      privs.push(priv);
    }
    this.natPublic = pubs.length > 0 ? pubs : undefined;
    this.natPrivate = pubs.length > 0 ? privs : undefined;
  }
}
