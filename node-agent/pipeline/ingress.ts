/**
 * Ingress: a datagram from the underlay (DESIGN.md steps 8-9), or a packet handed over by the
 * egress of a port on the same agent.
 *
 *   Geneve decap -> destination port (ENI option, or the external node owning the address) ->
 *   decode -> destination check -> anti-spoofing (the outer source must be the agent the
 *   mapping table names for the inner source, and that source's ENI the one the header claims)
 *   -> instance stopped? (INST-2) -> EniFilter.ingress (NACL inbound when subnets differ,
 *   conntrack, SG ingress) -> TUN
 *
 * A datagram with the Geneve offload option (overlay/geneve.ts) holds a super-packet or a
 * packet whose checksum is to be completed: its metadata must fit the inner packet
 * (`bad_encapsulation`, site geneve_offload_mismatch, otherwise); it is judged once, counted as
 * its segments, and handed to the destination's TunWriter with its metadata (written with its
 * virtio header to a TUN with offload, so the kernel takes it whole; cut into plain packets
 * for any other device).
 */
import { lastGeneveSite, parseGeneve, vniForVpc } from "../overlay/geneve.js";
import type { Endpoint } from "../overlay/transport.js";
import { decodePacket, lastDecodeSite } from "../packet/decode.js";
import type { DecodedPacket } from "../packet/decoded-packet.js";
import {
  offloadFits,
  reseedPartialChecksum,
  segmentCount,
  type PacketOffload,
} from "../packet/virtio-net.js";
import { indexOfIpv4, rewriteIpv4Destination } from "../packet/nat.js";
import { wireLength, type DataPath } from "./data-path.js";
import type { Port } from "./port.js";
import { DropReason } from "./verdict.js";

/** Handles one underlay datagram; `data` is only read during the call (copied to the TUN). */
export function receiveDatagram(
  dp: DataPath,
  data: Uint8Array,
  from: Endpoint,
  nowMs: number,
): void {
  const g = parseGeneve(data, 0, data.length);
  if (typeof g === "string") {
    // The one site of parseGeneve's reasons (bad_encapsulation, truncated); `site` names the
    // check; the event's packet is the whole datagram.
    dp.drop(undefined, g, false, data, 0, data.length, undefined, undefined, lastGeneveSite());
    return;
  }
  if (g.oam) return; // control packets are not for ENIs (RFC 8926 3.4)
  const pkt = decodePacket(data, g.payloadOffset, g.payloadLength);
  if (typeof pkt === "string") {
    // The one site of the decode reasons on ingress; `site` names the check.
    const site = lastDecodeSite();
    dp.drop(
      undefined,
      pkt,
      false,
      data,
      g.payloadOffset,
      g.payloadLength,
      undefined,
      undefined,
      site,
    );
    return;
  }
  const offload = g.offload;
  if (offload !== undefined) {
    if (!offloadFits(pkt, offload)) {
      // The Geneve step's other site: metadata a peer sent that does not fit its packet.
      dp.drop(
        undefined,
        DropReason.BadEncapsulation,
        false,
        data,
        g.payloadOffset,
        g.payloadLength,
        pkt,
        undefined,
        "geneve_offload_mismatch",
      );
      return;
    }
    const segs = segmentCount(pkt, offload);
    if (segs > 1) (pkt as { segments?: number }).segments = segs;
  }
  const dst = g.dstEni === "" ? dp.externalFor(pkt.dst) : dp.enis.get(g.dstEni);
  if (dst === undefined) {
    dp.drop(
      undefined,
      DropReason.NoDestinationPort,
      false,
      data,
      g.payloadOffset,
      g.payloadLength,
      pkt,
    );
    return;
  }
  // No spoofing across the underlay: the inner source must live where the datagram came from.
  let src = dp.routes.lookup(pkt.src);
  if (src === undefined || src.entry.endpoint !== from || src.entry.eniId !== g.srcEni) {
    // NAT-8: a NAT gateway's interface forwards other hosts' packets; the datagram must then
    // come from the agent hosting that interface, which stands for the sender below.
    const nat = dp.routes.natGateway(g.srcEni);
    if (nat === undefined || nat.entry.endpoint !== from) {
      dp.drop(dst, DropReason.SpoofedUnderlay, false, data, g.payloadOffset, g.payloadLength, pkt);
      return;
    }
    src = nat;
  }
  // The VNI is the VPC the packet enters (or, to an external node, leaves).
  const vni = dst.kind === "eni" ? dst.vni : vniForVpc(src.entry.vpcId);
  if (g.vni !== vni || (dst.kind === "external" && src.external)) {
    dp.drop(dst, DropReason.BadVni, false, data, g.payloadOffset, g.payloadLength, pkt);
    return;
  }
  deliverLocal(
    dp,
    dst,
    src.entry.subnetId,
    pkt,
    data,
    g.payloadOffset,
    g.payloadLength,
    nowMs,
    offload,
  );
}

/**
 * The destination half: destination check, the port's ingress filter, the TUN. `srcSubnet` is
 * the sender's subnet ("internet" for external nodes). Shared by the underlay and same-agent
 * delivery. `offload`: the packet's TUN offload metadata (a super-packet: pkt.segments set).
 */
export function deliverLocal(
  dp: DataPath,
  dst: Port,
  srcSubnet: string,
  pkt: DecodedPacket,
  buf: Uint8Array,
  off: number,
  len: number,
  nowMs: number,
  offload?: PacketOffload,
): void {
  // INST-2: a stopped instance receives nothing.
  if (dst.instanceStopped && dp.dropIfStopped(dst, false, buf, off, len, pkt)) return;
  // Internet gateway 1:1 NAT (docs/routing.md IGW-5): a packet to one of the ENI's public IPs
  // reaches its private address when the ENI's subnet routes the source to an attached internet
  // gateway (a detached one compiles to `blackhole`); before the destination check, NACL and
  // SG, which see the private address as on AWS. Only ENIs with a public IP pay the lookup.
  // IPv6 from the emulated internet (IGW-11, IGW-12) reaches the ENI's own address when its
  // subnet routes the source to the internet gateway, or to an egress-only gateway for the
  // replies of flows the ENI started (`eigw_inbound` otherwise). Only ENIs whose table has an
  // IPv6 gateway route pay the source lookup.
  let noGateway = false;
  if (dst.natPublic !== undefined && pkt.family === 4) {
    const i = indexOfIpv4(dst.natPublic, pkt.dst);
    if (i >= 0) {
      const hop = dst.vpcRoutes?.lookup(pkt.src);
      if (hop === undefined || hop.kind !== "internet-gateway") noGateway = true;
      else {
        rewriteIpv4Destination(buf, pkt, dst.natPrivate![i]!);
        if (offload !== undefined && offload.needsCsum) {
          reseedPartialChecksum(buf, off, pkt, offload);
        }
      }
    }
  } else if (pkt.family === 6 && dst.vpcRoutes !== undefined && dst.vpcRoutes.v6Gateway) {
    if (dp.routes.lookup(pkt.src)?.external === true) {
      const hop = dst.vpcRoutes.lookup(pkt.src);
      if (hop !== undefined && hop.kind === "egress-only-internet-gateway") {
        if (dst.egressOnly === undefined || !dst.egressOnly.inbound(pkt, nowMs)) {
          dp.drop(dst, DropReason.EigwInbound, false, buf, off, len, pkt);
          return;
        }
      } else if (hop === undefined || hop.kind !== "internet-gateway") noGateway = true;
    }
  }
  if (noGateway) {
    dp.drop(dst, DropReason.IgwNoRoute, false, buf, off, len, pkt);
    return;
  }
  if ((dst.sourceDestCheck || dst.kind === "external") && !dst.addresses.has(pkt.dst)) {
    dp.drop(dst, DropReason.DestCheck, false, buf, off, len, pkt);
    return;
  }
  if (dst.filter !== undefined) {
    const r = dst.filter.ingress(pkt, wireLength(pkt), srcSubnet !== dst.subnetId, nowMs);
    dp.judged(dst, false, pkt, buf, off, len, r, nowMs);
    if (r.action === "drop") return;
  }
  // Why pkt.length: bytes after the IP packet (underlay padding) do not belong to it.
  dst.writer.enqueue(buf, off, pkt.length <= len ? pkt.length : len, offload, pkt);
}
