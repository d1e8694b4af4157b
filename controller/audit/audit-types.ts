/**
 * Audit mode's events as agents report them (proto report.proto AuditEvent, converted by
 * controller/hub/wire.ts; the agent keeps its own copy, STYLE.md §2). Pure type module.
 */

/** One flow on one ENI, one direction, where the staged and the enforced rule sets disagreed. */
export interface AuditEvent {
  readonly eniId: string;
  readonly direction: "ingress" | "egress";
  /** would_block: enforced allowed, staged would drop; would_allow: the opposite. */
  readonly kind: "would_block" | "would_allow";
  readonly protocol: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  /** icmp/icmpv6 type and code; absent otherwise. */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** would_block: the enforced rule that admitted it. */
  readonly enforcedRuleId?: string;
  /** would_allow: the staged rule that would admit it. */
  readonly stagedRuleId?: string;
  readonly packets: number;
  readonly bytes: number;
  readonly firstAtMs: number;
  readonly lastAtMs: number;
}

export interface AuditEventBatch {
  readonly events: readonly AuditEvent[];
  /** Events the agent could not keep since its previous batch. */
  readonly lost: number;
}
