/**
 * Why a packet was dropped. The strings double as counter labels, flow-log notes and JSON.
 * Each reason is raised at exactly one place in the data path (STYLE.md §7), so a counter
 * points at the line that dropped the packet. Pure: shared by packet/, conntrack/, filter/.
 */
export const DropReason = {
  // packet/ (decode)
  Truncated: "truncated",
  BadIpVersion: "bad_ip_version",
  BadIpHeader: "bad_ip_header",
  BadIpChecksum: "bad_ip_checksum",
  BadL4Checksum: "bad_l4_checksum",
  BadExtensionHeader: "bad_extension_header",
  TcpInvalidFlags: "tcp_invalid_flags",
  BadTransportHeader: "bad_transport_header",
  // conntrack/
  CtInvalid: "ct_invalid_transition",
  CtAllowance: "ct_allowance_exceeded",
  // filter/ and pipeline/
  SourceCheck: "source_check",
  NaclDenied: "nacl_denied",
  SgNoMatch: "sg_no_match",
  NoRoute: "no_route",
  // The longest-prefix route of the source subnet's table is a blackhole (docs/routing.md RT-15):
  // raised in egress's route step only, as is `no_route` for a missing route.
  BlackholeRoute: "blackhole_route",
  // Internet gateway (docs/routing.md IGW-6): a packet from an ENI to the emulated internet
  // whose route is the gateway, from an address without a public IP; raised in egress's route
  // step only.
  NoPublicIp: "no_public_ip",
  // Internet gateway (IGW-5): a packet to an ENI's public IP whose subnet has no route to an
  // attached internet gateway covering the source; raised in ingress.ts deliverLocal only.
  IgwNoRoute: "igw_no_route",
  SpoofedUnderlay: "spoofed_underlay",
  BadEncapsulation: "bad_encapsulation",
  NoPolicy: "no_policy",
  InternalError: "internal_error",
  // The ENI's instance is stopped (INST-2): raised in DataPath.dropIfStopped only.
  InstanceStopped: "instance_stopped",
  // fault/ (chaos: the fault step after the egress verdict, pipeline/fault-step.ts)
  FaultBlackhole: "fault_blackhole",
  FaultReject: "fault_reject",
  FaultLoss: "fault_loss",
  FaultQueueOverflow: "fault_queue_overflow",
  FaultPortGone: "fault_port_gone",
} as const;
export type DropReason = (typeof DropReason)[keyof typeof DropReason];

/** Every drop reason, in declaration order (for counters and metrics exports). */
export const ALL_DROP_REASONS: readonly DropReason[] = Object.values(DropReason);
