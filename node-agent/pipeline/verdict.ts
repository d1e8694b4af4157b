/**
 * Why a packet was dropped. The strings double as counter labels, flow-log notes and JSON.
 * Each reason is raised at exactly one place in the data path (STYLE.md §7), so a counter
 * points at the line that dropped the packet; the place is named beside each reason. Two
 * kinds of place are one site with a detail (docs/observability.md "Verdict events"):
 * - the decoders (packet/, overlay/geneve.ts parseGeneve) return their reason from many checks;
 *   the one decode call per direction raises it and the event's `site` names the check
 *   (packet/decode-site.ts);
 * - the filter (filter/filter.ts) raises its reasons in `egress` and `ingress`: the event's
 *   `direction` tells which.
 * Pure: shared by packet/, conntrack/, filter/.
 */
export const DropReason = {
  // packet/ (decode): raised by egress.ts forwardFromTun (egress) and ingress.ts
  // receiveDatagram (ingress) from decodePacket's result; `site` names the check.
  Truncated: "truncated",
  BadIpVersion: "bad_ip_version",
  BadIpHeader: "bad_ip_header",
  BadIpChecksum: "bad_ip_checksum",
  BadL4Checksum: "bad_l4_checksum",
  BadExtensionHeader: "bad_extension_header",
  TcpInvalidFlags: "tcp_invalid_flags",
  BadTransportHeader: "bad_transport_header",
  // filter/filter.ts (one site per direction):
  // a packet of an existing entry that TCP does not allow in its state (CT-7)
  CtInvalid: "ct_invalid_transition",
  // a first packet (no entry) TCP does not allow to open a flow (SYN-ACK, ACK, ...)
  CtInvalidFirst: "ct_invalid_first_packet",
  CtAllowance: "ct_allowance_exceeded",
  NaclDenied: "nacl_denied",
  SgNoMatch: "sg_no_match",
  // egress.ts: the ENI sends from an address it does not own (DESIGN.md step 3)
  SourceCheck: "source_check",
  // ingress.ts deliverLocal: the packet is for an address the ENI does not own
  DestCheck: "dest_check",
  // egress.ts route step only: no route (route table, mapping table, hosting agent)
  NoRoute: "no_route",
  // ingress.ts receiveDatagram only: the datagram names an ENI (or external address) this agent
  // does not host
  NoDestinationPort: "no_destination_port",
  // The longest-prefix route of the source subnet's table is a blackhole (docs/routing.md RT-15):
  // raised in egress's route step only, as is `no_route` for a missing route.
  BlackholeRoute: "blackhole_route",
  // Internet gateway (docs/routing.md IGW-6): a packet from an ENI to the emulated internet
  // whose route is the gateway, from an address without a public IP; raised in egress's route
  // step only.
  NoPublicIp: "no_public_ip",
  // Internet gateway (IGW-5, IGW-11): a packet from the emulated internet to an ENI's public IP
  // (or IPv6 address) whose subnet has no route to an attached internet gateway covering the
  // source; raised in ingress.ts deliverLocal only.
  IgwNoRoute: "igw_no_route",
  // Egress-only internet gateway (IGW-12): IPv6 from the emulated internet through the ENI's
  // egress-only gateway route that is no reply to a flow the ENI started; ingress.ts
  // deliverLocal only.
  EigwInbound: "eigw_inbound",
  // NAT gateway (docs/routing.md NAT-9, NAT-10): a packet to its address that no live
  // translation expects (unsolicited, expired); raised in nat-gateway/translate.ts only.
  NatNoMapping: "nat_no_mapping",
  // NAT gateway (NAT-11): no free port towards the destination; nat-gateway/translate.ts only.
  NatPortExhausted: "nat_port_exhausted",
  // NAT gateway (NAT-11): not TCP, UDP or ICMP echo over IPv4, an ICMP error, a non-first
  // fragment; nat-gateway/translate.ts only.
  NatUnsupported: "nat_unsupported",
  // ingress.ts receiveDatagram: the inner source does not live where the datagram came from
  SpoofedUnderlay: "spoofed_underlay",
  // ingress.ts receiveDatagram: parseGeneve refused the datagram (`site` names the check)
  BadEncapsulation: "bad_encapsulation",
  // ingress.ts receiveDatagram: the VNI is not the VPC the packet enters
  BadVni: "bad_vni",
  // DataPath.internalError only: an exception in a batch loop (a bug)
  InternalError: "internal_error",
  // The ENI's instance is stopped (INST-2): raised in DataPath.dropIfStopped only.
  InstanceStopped: "instance_stopped",
  // fault/ (chaos: the fault step after the egress verdict, pipeline/fault-step.ts)
  FaultBlackhole: "fault_blackhole",
  FaultReject: "fault_reject",
  FaultLoss: "fault_loss",
  // fault-engine.ts: the delay/reorder queue is full
  FaultQueueOverflow: "fault_queue_overflow",
  // fault-engine.ts: the rate limit's queue is full
  FaultRateOverflow: "fault_rate_queue_overflow",
  // fault-engine.ts copy(): a packet that decoded once did not decode as a copy (a bug)
  FaultCopyFailed: "fault_copy_failed",
  FaultPortGone: "fault_port_gone",
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** Every drop reason, in declaration order (for counters and metrics exports). */
export const ALL_DROP_REASONS: readonly DropReason[] = Object.values(DropReason);
