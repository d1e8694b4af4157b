/**
 * Audit mode on the agent (docs/observability.md "Audit mode"): every decision the SG rules
 * made on an ENI with a staged rule set (CompiledEniPolicy.audit) is judged again by the staged
 * set; where the two disagree the packet is counted and logged as "would block" (enforced
 * allowed, staged would drop) or "would allow" (the opposite). Nothing is dropped or let
 * through because of the staged set: this only listens to the data path's verdict events.
 *
 *   verdict event (sg_rule accept | sg_no_match drop) on an audited ENI
 *     -> the packet decoded again -> the staged SgMatcher of its direction
 *     -> disagreement: counters per ENI, an event aggregated per flow until flush()
 *
 * Only decisions an SG rule made count: a packet a conntrack entry admitted would pass under
 * the staged set too (CT-5), and NACL or other drops do not depend on SG rules. So a tracked
 * flow is judged once, at its first packet; an untracked one at every packet.
 *
 * Lifecycle: setPolicies() after every applied snapshot subscribes to the verdicts while some
 * hosted ENI has a staged set and unsubscribes when none has; flush() (every report interval)
 * sends the events gathered; close() unsubscribes.
 */
import { SgMatcher } from "../filter/match.js";
import type { CompiledEniPolicy } from "../filter/policy.js";
import { decodePacket } from "../packet/decode.js";
import type { VerdictEvent, VerdictListener } from "../pipeline/verdict-event.js";
import type { AuditEvent, AuditEventBatch } from "../control/wire.js";

/** Events kept between two flushes; more are counted as lost. */
export const MAX_AUDIT_EVENTS = 4096;

export interface AgentAuditOptions {
  /** The data path's verdict events (DataPath.verdicts). */
  readonly verdicts: { subscribe(listener: VerdictListener): () => void };
  /** Sends a batch to the controller; false when not connected (the batch is then lost). */
  readonly send: (batch: AuditEventBatch) => boolean;
}

interface Audited {
  readonly policy: CompiledEniPolicy;
  readonly ingress: SgMatcher;
  readonly egress: SgMatcher;
}

interface Pending {
  event: AuditEvent;
  packets: number;
  bytes: number;
  lastAtMs: number;
}

/** Per-ENI counters of disagreements since the agent started. */
export interface AuditCounts {
  readonly wouldBlock: number;
  readonly wouldAllow: number;
}

export class AgentAudit {
  private readonly enis = new Map<string, Audited>();
  private readonly counts = new Map<string, { wouldBlock: number; wouldAllow: number }>();
  private pending = new Map<string, Pending>();
  private lost = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly opts: AgentAuditOptions) {}

  /** The hosted ENIs' policies of the snapshot just applied. */
  setPolicies(policies: readonly CompiledEniPolicy[]): void {
    const next = new Map<string, Audited>();
    for (const p of policies) {
      if (p.audit === undefined) continue;
      const old = this.enis.get(p.eniId);
      next.set(
        p.eniId,
        old !== undefined && old.policy.audit === p.audit
          ? old
          : {
              policy: p,
              ingress: new SgMatcher(p.audit.ingress),
              egress: new SgMatcher(p.audit.egress),
            },
      );
    }
    this.enis.clear();
    for (const [k, v] of next) this.enis.set(k, v);
    if (this.enis.size > 0 && this.unsubscribe === undefined) {
      this.unsubscribe = this.opts.verdicts.subscribe((e, pkt) => this.judge(e, pkt));
    } else if (this.enis.size === 0 && this.unsubscribe !== undefined) {
      this.unsubscribe();
      this.unsubscribe = undefined;
    }
  }

  /** Counters of one ENI (0 when it never had a staged set). */
  countsOf(eniId: string): AuditCounts {
    return this.counts.get(eniId) ?? { wouldBlock: 0, wouldAllow: 0 };
  }

  /** Every ENI's counters. */
  allCounts(): ReadonlyMap<string, AuditCounts> {
    return this.counts;
  }

  /** Sends what was gathered since the last flush (nothing when there is nothing). */
  flush(): void {
    if (this.pending.size === 0 && this.lost === 0) return;
    const events = [...this.pending.values()].map((p) => ({
      ...p.event,
      packets: p.packets,
      bytes: p.bytes,
      lastAtMs: p.lastAtMs,
    }));
    const batch = { events, lost: this.lost };
    this.pending = new Map();
    this.lost = 0;
    if (!this.opts.send(batch)) this.lost += events.length + batch.lost;
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private judge(e: VerdictEvent, packet: Uint8Array): void {
    const a = this.enis.get(e.eniId);
    if (a === undefined) return;
    const accepted = e.verdict === "accept" && e.reason === "sg_rule";
    const refused = e.verdict === "drop" && e.reason === "sg_no_match";
    if (!accepted && !refused) return;
    const pkt = decodePacket(packet, 0, packet.length);
    if (typeof pkt !== "object") return;
    const ingress = e.direction === "ingress";
    const staged = ingress ? a.ingress : a.egress;
    const i = staged.match(pkt, ingress ? pkt.src : pkt.dst);
    let kind: AuditEvent["kind"];
    if (accepted && i < 0) kind = "would_block";
    else if (refused && i >= 0) kind = "would_allow";
    else return;
    let c = this.counts.get(e.eniId);
    if (c === undefined) this.counts.set(e.eniId, (c = { wouldBlock: 0, wouldAllow: 0 }));
    if (kind === "would_block") c.wouldBlock++;
    else c.wouldAllow++;
    const key = `${e.eniId}|${e.direction}|${kind}|${e.protocol}|${e.src}|${e.srcPort}|${e.dst}|${e.dstPort}|${e.icmpType}|${e.icmpCode}`;
    const p = this.pending.get(key);
    if (p !== undefined) {
      p.packets++;
      p.bytes += e.length;
      p.lastAtMs = e.atMs;
      return;
    }
    if (this.pending.size >= MAX_AUDIT_EVENTS) {
      this.lost++;
      return;
    }
    const stagedRule =
      i >= 0 ? (ingress ? a.policy.audit!.ingress : a.policy.audit!.egress)[i] : undefined;
    this.pending.set(key, {
      event: {
        eniId: e.eniId,
        direction: e.direction,
        kind,
        protocol: e.protocol ?? pkt.protocol,
        src: e.src ?? "",
        srcPort: e.srcPort ?? 0,
        dst: e.dst ?? "",
        dstPort: e.dstPort ?? 0,
        ...(e.icmpType !== undefined ? { icmpType: e.icmpType, icmpCode: e.icmpCode ?? 0 } : {}),
        ...(kind === "would_block" && e.sgRuleId !== undefined
          ? { enforcedRuleId: e.sgRuleId }
          : {}),
        ...(stagedRule !== undefined ? { stagedRuleId: stagedRule.ruleId } : {}),
        packets: 1,
        bytes: e.length,
        firstAtMs: e.atMs,
        lastAtMs: e.atMs,
      },
      packets: 1,
      bytes: e.length,
      lastAtMs: e.atMs,
    });
  }
}
