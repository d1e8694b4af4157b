/**
 * Egress: a packet read from a port's TUN (DESIGN.md steps 1-8).
 *
 *   instance stopped? (INST-2) -> decode -> source check -> route (mapping table) -> EniFilter.egress (conntrack, SG egress,
 *   NACL outbound when the destination's subnet differs) -> fault step (chaos, step 7:
 *   pipeline/fault-step.ts) -> same agent: ingress of the destination port | other agent:
 *   Geneve into the headroom, queue for the underlay
 *
 * External nodes skip the filter (they are outside every VPC). Every refusal is a silent drop
 * counted on the source port with its reason; SG/NACL verdicts also go to the flow log.
 */
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6, vniForVpc, writeGeneveHeader } from "../overlay/geneve.js";
import { decodePacket } from "../packet/decode.js";
import type { DataPath, Outbox } from "./data-path.js";
import { deliverLocal } from "./ingress.js";
import type { Port } from "./port.js";
import { DropReason } from "./verdict.js";

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
  if (port.instanceStopped && dp.dropIfStopped(port)) return;
  const pkt = decodePacket(buf, off, len);
  if (typeof pkt === "string") {
    dp.drop(port, pkt);
    return;
  }
  // DESIGN.md step 3: an ENI only sends from its own addresses unless the check is disabled;
  // an external node always.
  if ((port.sourceDestCheck || port.kind === "external") && !port.addresses.has(pkt.src)) {
    dp.drop(port, DropReason.SourceCheck);
    return;
  }
  // Step 4: the mapping table. Other VPCs are unreachable (no peering); externals reach VPCs.
  const route = dp.routes.lookup(pkt.dst);
  if (
    route === undefined ||
    (port.kind === "external" && route.external) ||
    (port.kind === "eni" && !route.external && route.entry.vpcId !== port.vpcId)
  ) {
    dp.drop(port, DropReason.NoRoute);
    return;
  }
  const bytes = pkt.length;
  // Steps 5-6.
  if (port.filter !== undefined) {
    const crossesSubnet = route.entry.subnetId !== port.subnetId;
    const r = port.filter.egress(pkt, bytes, crossesSubnet, nowMs);
    if (r.action === "drop") {
      dp.drop(port, r.reason);
      dp.log(port, true, pkt, bytes, false, nowMs);
      return;
    }
    dp.log(port, true, pkt, bytes, true, nowMs);
  }
  // Where it goes: a port on this agent (no underlay), or another agent's endpoint.
  let dst: Port | undefined;
  if (route.entry.agentId === dp.agentId) {
    dst = route.external ? dp.externalFor(pkt.dst) : dp.enis.get(route.entry.eniId);
    if (dst === undefined) {
      dp.drop(port, DropReason.NoRoute);
      return;
    }
  } else if (route.entry.endpoint === "") {
    dp.drop(port, DropReason.NoRoute);
    return;
  }
  // Step 7: faults act after the verdict, so they only ever make delivery worse.
  const faults = dp.faults;
  if (faults !== undefined && faults.size > 0) {
    if (!faults.apply(port, route, dst, pkt, buf, off, len)) return;
  }
  if (dst !== undefined) {
    deliverLocal(dp, dst, port.subnetId, pkt, buf, off, len, nowMs);
    return;
  }
  // Step 8.
  const vni = port.kind === "eni" ? port.vni : vniForVpc(route.entry.vpcId);
  const start = writeGeneveHeader(
    buf,
    off,
    vni,
    pkt.family === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6,
    port.eniOption,
    route.eniOption,
  );
  outbox.send(buf.subarray(start, off + len), route.entry.endpoint);
}
