/**
 * Egress: a packet read from a port's TUN (DESIGN.md steps 1-8).
 *
 *   instance stopped? (INST-2) -> decode -> source check -> route (the source subnet's route
 *   table, longest prefix: vpc-routes.ts routeVerdict; then the mapping table and where the
 *   destination is hosted) -> EniFilter.egress (conntrack, SG egress,
 *   NACL outbound when the destination's subnet differs) -> fault step (chaos, step 7:
 *   pipeline/fault-step.ts) -> same agent: ingress of the destination port | other agent:
 *   Geneve into the headroom, queue for the underlay
 *
 * External nodes skip the filter (they are outside every VPC). Every refusal is a silent drop
 * counted on the source port with its reason; SG/NACL verdicts also go to the flow log.
 *
 * TUN offload (the port's TUN has IFF_VNET_HDR; packet/virtio-net.ts): the virtio header sits in
 * the VNET_HDR_LEN bytes before the packet. A TCP super-packet is judged once (its segments
 * share the 5-tuple) and counted as the segments it stands for (pkt.segments); the internet
 * gateway's source rewrite reseeds its partial checksum; the fault step gets it cut into plain
 * packets first (faults act per packet: a loss, a corrupt bit, a rate are per segment); local
 * delivery passes it on to the destination's TunWriter (which cuts it for a device without
 * offload); the underlay carries the metadata in the Geneve offload option, or gets plain
 * segments when the datagram would exceed MAX_UNDERLAY_PAYLOAD or the header its headroom.
 */
import {
  ENCAP_HEADROOM,
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  geneveHeaderLength,
  writeGeneveHeader,
} from "../overlay/geneve.js";
import { decodePacket, lastDecodeSite } from "../packet/decode.js";
import type { DecodedPacket } from "../packet/decoded-packet.js";
import {
  VNET_HDR_LEN,
  completeChecksum,
  isGso,
  offloadFits,
  readVnetHeader,
  reseedPartialChecksum,
  segmentCount,
  segmentPacket,
  type PacketOffload,
} from "../packet/virtio-net.js";
import type { Route } from "./route-table.js";
import { indexOfIpv4, rewriteIpv4Source } from "../packet/nat.js";
import { wireLength, type DataPath, type Outbox } from "./data-path.js";
import { deliverLocal } from "./ingress.js";
import type { Port } from "./port.js";
import { EgressOnlyFlows } from "../nat-gateway/egress-only.js";
import { DropReason } from "./verdict.js";
import {
  externalVerdict,
  forwardVia,
  hopVerdict,
  internetVerdict,
  routeVerdict,
} from "./vpc-routes.js";

/**
 * Forwards the packet at buf[off, off + len) that `port`'s TUN produced. `off` must leave
 * ENCAP_HEADROOM bytes in front (the Geneve header is written there). The datagram queued on
 * `outbox` is a view into `buf`: the caller keeps `buf` until outbox.flush() resolves.
 */
export function forwardFromTun(
  dp: DataPath,
  port: Port,
  outbox: Outbox,
  buf: Uint8Array,
  off: number,
  len: number,
  nowMs: number,
): void {
  // INST-2: a stopped instance sends nothing.
  if (port.instanceStopped && dp.dropIfStopped(port, true, buf, off, len)) return;
  const pkt = decodePacket(buf, off, len);
  if (typeof pkt === "string") {
    // The one site of the decode reasons on egress; `site` names the check.
    dp.drop(port, pkt, true, buf, off, len, undefined, undefined, lastDecodeSite());
    return;
  }
  let offload: PacketOffload | undefined;
  if (port.tun.offload !== undefined) {
    offload = readVnetHeader(buf, off - VNET_HDR_LEN);
    if (offload !== undefined) {
      if (!isGso(offload)) {
        // NEEDS_CSUM alone (every TCP/UDP packet of the node: TUN_F_CSUM is NETIF_F_HW_CSUM,
        // any inet checksum): completed here, so the packet travels plain, exactly as without
        // offload (no option on the underlay; the receiving kernel verifies it as before).
        if (offload.needsCsum && offload.csumStart + offload.csumOffset + 2 <= pkt.length) {
          completeChecksum(buf, off, pkt, offload);
        }
        offload = undefined;
      } else if (!offloadFits(pkt, offload)) {
        // Why an internal error: the kernel never sends a super-packet that does not fit.
        dp.internalError(port, new Error(`offload metadata does not fit the packet read`));
        return;
      }
    }
    if (offload !== undefined) {
      const segs = segmentCount(pkt, offload);
      if (segs > 1) (pkt as { segments?: number }).segments = segs;
    }
  }
  // DESIGN.md step 3: an ENI only sends from its own addresses unless the check is disabled;
  // an external node always.
  if ((port.sourceDestCheck || port.kind === "external") && !port.addresses.has(pkt.src)) {
    dp.drop(port, DropReason.SourceCheck, true, buf, off, len, pkt);
    return;
  }
  // Step 4: the route table and the mapping table; every refusal of this step is counted here.
  // External nodes reach public IPs only (vpc-routes.ts externalVerdict, RT-17); an ENI follows
  // its subnet's route table (vpc-routes.ts routeVerdict: `no_route`, `blackhole_route`), to an
  // external node only through an internet gateway (internetVerdict, RT-17); then the
  // destination must be hosted: on this agent, or by an agent whose endpoint is known.
  // Why inline (not a helper function): V8 did not inline one here; the call cost ~20 ns/packet
  // (bench/faults.bench.ts, 0 faults).
  let route = dp.routes.lookup(pkt.dst);
  let refused: DropReason | undefined;
  // The index in port.natPublic of the address the internet gateway gives the source; -1 = none.
  let snat = -1;
  // Through an egress-only internet gateway (IGW-12): recorded once the filter let it out.
  let egressOnly = false;
  // The ENI's longest-prefix route, looked up once (undefined for external nodes, or no table).
  const hop =
    port.kind === "eni" && port.vpcRoutes !== undefined
      ? port.vpcRoutes.lookup(pkt.dst)
      : undefined;
  if (port.kind === "external") {
    refused = externalVerdict(route, pkt.dst.length);
  } else if (hop !== undefined && hop.nextHop !== undefined) {
    // RT-18, NAT-8: a route to a NAT gateway or an interface forwards the packet, destination
    // kept, to that interface (of the ENI's VPC); the filter and delivery below follow it.
    route = forwardVia(dp.routes, hop, port.vpcId, port.eniId);
    if (route === undefined) refused = DropReason.NoRoute;
  } else if (
    route !== undefined &&
    route.entry.privateAddress !== undefined &&
    hop !== undefined &&
    hop.kind === "internet-gateway" &&
    pkt.family === 4
  ) {
    // Hairpin (docs/routing.md IGW-10): to another instance's (or NAT gateway's) public IP
    // through the internet gateway and back in: the source leaves as the ENI's public IP
    // (none: `no_public_ip`); the destination's agent maps the public IP back (IGW-5).
    snat = port.natPrivate === undefined ? -1 : indexOfIpv4(port.natPrivate, pkt.src);
    if (snat < 0) refused = DropReason.NoPublicIp;
  } else if (route === undefined || !route.external) {
    refused =
      port.vpcRoutes === undefined
        ? routeVerdict(undefined, port.vpcId, pkt.dst, route)
        : hopVerdict(hop, port.vpcId, route);
  } else {
    // To the emulated internet only through an internet gateway (docs/routing.md RT-17: any
    // other route, or none: `no_route`; a NAT gateway's packets too, NAT-12); the source leaves
    // as the ENI's public IP (IGW-6; none: `no_public_ip`).
    refused = internetVerdict(hop, pkt.dst.length);
    if (refused === undefined && pkt.family === 4) {
      snat = port.natPrivate === undefined ? -1 : indexOfIpv4(port.natPrivate, pkt.src);
      if (snat < 0) refused = DropReason.NoPublicIp;
    } else if (refused === undefined && hop!.kind === "egress-only-internet-gateway") {
      // IGW-12: the egress-only gateway lets this flow's replies back in.
      egressOnly = true;
    }
  }
  if (refused === undefined && route !== undefined) {
    if (route.entry.agentId === dp.agentId) {
      const local = route.external ? dp.externalFor(pkt.dst) : dp.enis.get(route.entry.eniId);
      if (local === undefined) refused = DropReason.NoRoute;
    } else if (route.entry.endpoint === "") {
      refused = DropReason.NoRoute;
    }
  }
  if (refused !== undefined || route === undefined) {
    dp.drop(port, refused ?? DropReason.NoRoute, true, buf, off, len, pkt);
    return;
  }
  const bytes = wireLength(pkt);
  // Steps 5-6.
  if (port.filter !== undefined) {
    const crossesSubnet = route.entry.subnetId !== port.subnetId;
    const r = port.filter.egress(pkt, bytes, crossesSubnet, nowMs);
    dp.judged(port, true, pkt, buf, off, len, r, nowMs);
    if (r.action === "drop") return;
  }
  // IGW-6: after the SG, NACL, conntrack and flow log, which all see the private address.
  if (snat >= 0) {
    rewriteIpv4Source(buf, pkt, port.natPublic![snat]!);
    if (offload !== undefined && offload.needsCsum) reseedPartialChecksum(buf, off, pkt, offload);
  } else if (egressOnly) (port.egressOnly ??= new EgressOnlyFlows()).outbound(pkt, nowMs);
  // Where it goes: a port on this agent (no underlay), or another agent's endpoint.
  const dst: Port | undefined =
    route.entry.agentId !== dp.agentId
      ? undefined
      : route.external
        ? dp.externalFor(pkt.dst)
        : dp.enis.get(route.entry.eniId);
  // Step 7: faults act after the verdict, so they only ever make delivery worse.
  const faults = dp.faults;
  if (faults !== undefined && faults.size > 0) {
    if (offload !== undefined) {
      // Faults act per packet: the segments the kernel would have sent, checksums complete.
      forwardSegments(dp, port, outbox, route, dst, pkt, buf, off, offload, nowMs, true);
      return;
    }
    if (!faults.apply(port, route, dst, pkt, buf, off, len)) return;
  }
  if (dst !== undefined) {
    deliverLocal(dp, dst, port.subnetId, pkt, buf, off, len, nowMs, offload);
    return;
  }
  // Step 8.
  encapsulate(dp, port, outbox, route, pkt, buf, off, len, offload, nowMs);
}

/**
 * The largest underlay datagram (a UDP payload over IPv4: 65535 - 20 - 8). A super-packet whose
 * datagram would be longer travels as plain segments.
 */
export const MAX_UNDERLAY_PAYLOAD = 65507;

/** Step 8: Geneve into the headroom, queued for the destination agent. */
function encapsulate(
  dp: DataPath,
  port: Port,
  outbox: Outbox,
  route: Route,
  pkt: DecodedPacket,
  buf: Uint8Array,
  off: number,
  len: number,
  offload: PacketOffload | undefined,
  nowMs: number,
): void {
  if (offload !== undefined) {
    const hlen = geneveHeaderLength(port.eniOption, route.eniOption, offload);
    if (hlen > off || hlen + len > MAX_UNDERLAY_PAYLOAD) {
      forwardSegments(dp, port, outbox, route, undefined, pkt, buf, off, offload, nowMs, false);
      return;
    }
  }
  // The VNI is the VPC the packet enters (a peer VPC across a peering), or leaves to an
  // external node.
  const vni = route.external ? port.vni : route.vni;
  const start = writeGeneveHeader(
    buf,
    off,
    vni,
    pkt.family === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6,
    port.eniOption,
    route.eniOption,
    offload,
  );
  outbox.send(buf.subarray(start, off + len), route.entry.endpoint);
}

/**
 * The rest of egress for a packet with offload metadata, as plain packets (segmentPacket: the
 * segments of a super-packet, or the packet with its checksum completed), each in its own buffer
 * with ENCAP_HEADROOM in front (the outbox keeps them until its flush). Already judged: only
 * the fault step (when `faults`), local delivery or the underlay follow.
 */
function forwardSegments(
  dp: DataPath,
  port: Port,
  outbox: Outbox,
  route: Route,
  dst: Port | undefined,
  pkt: DecodedPacket,
  buf: Uint8Array,
  off: number,
  offload: PacketOffload,
  nowMs: number,
  faults: boolean,
): void {
  for (const seg of segmentPacket(buf, off, pkt, offload, ENCAP_HEADROOM)) {
    const n = seg.length - ENCAP_HEADROOM;
    const p = decodePacket(seg, ENCAP_HEADROOM, n);
    // Why: segmentPacket writes valid headers; a failure here would be a bug.
    if (typeof p === "string") {
      dp.internalError(port, new Error(`a segment did not decode: ${p}`));
      return;
    }
    if (faults && !dp.faults!.apply(port, route, dst, p, seg, ENCAP_HEADROOM, n)) continue;
    if (dst !== undefined) deliverLocal(dp, dst, port.subnetId, p, seg, ENCAP_HEADROOM, n, nowMs);
    else encapsulate(dp, port, outbox, route, p, seg, ENCAP_HEADROOM, n, undefined, nowMs);
  }
}
