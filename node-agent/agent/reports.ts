/**
 * What a running agent reports: conntrack tables (CT-14), counters (MET-3..MET-5, drops per
 * reason, per-fault counters), flow-log lines (FL-1), and the periodic tasks around them (reap, report). Reads the
 * hosted ports and the data path; owns the flow-log aggregator's flush bookkeeping.
 */
import type { AgentControl, AgentLogger } from "../agent.js";
import type { Clock } from "../clock.js";
import type {
  ConntrackReport,
  CountersReport,
  EniCounters,
  FlowLogRecord as WireFlowLogRecord,
} from "../control/wire.js";
import type { DataPath } from "../pipeline/data-path.js";
import type { FaultStep } from "../pipeline/fault-step.js";
import { toEniConntrackReport } from "../report/conntrack-report.js";
import { formatFlowLogRecord } from "../report/flow-log.js";
import type { HostedPorts } from "./hosted-ports.js";

const FLOW_LOG_KEEP = 10_000;

/** See the module comment; one per running agent. */
export class AgentReports {
  private readonly keptFlowLogs: WireFlowLogRecord[] = [];
  private lastFlowFlushMs: number;

  constructor(
    private readonly dp: DataPath,
    private readonly hosted: HostedPorts,
    private readonly faults: FaultStep,
    private readonly clock: Clock,
    private readonly logger: AgentLogger,
    private readonly control: AgentControl | undefined,
    /** Audit mode's per-ENI counters (node-agent/audit/agent-audit.ts); absent: none. */
    private readonly auditCounts?: (eniId: string) => {
      readonly wouldBlock: number;
      readonly wouldAllow: number;
    },
  ) {
    this.lastFlowFlushMs = clock.now();
  }

  /** Tracked entries of the given ENIs (all when `eniIds` is empty). */
  conntrackReport(requestId = "", eniIds: readonly string[] = []): ConntrackReport {
    const now = this.clock.now();
    const want = eniIds.length > 0 ? new Set(eniIds) : undefined;
    const enis = [];
    for (const [id, st] of this.hosted.enis) {
      if (want && !want.has(id)) continue;
      enis.push(toEniConntrackReport(id, st.instanceId, st.filter.conntrackEntries(now)));
    }
    return { requestId, takenAtMs: now, enis };
  }

  countersReport(): CountersReport {
    const enis: EniCounters[] = [];
    for (const [id, st] of this.hosted.enis) {
      const allowance = this.hosted.allowances.get(st.instanceId || "");
      const drops = this.dp.drops.forPort(id);
      enis.push({
        eniId: id,
        instanceId: st.instanceId,
        drops,
        // AWS-BEHAVIOUR MET-3, MET-4; MET-5 names reported at 0 (not modelled). Why the drop
        // counter: MET-3 counts exactly the ct_allowance_exceeded drops; one count, one place.
        conntrackAllowanceExceeded: drops.ct_allowance_exceeded,
        conntrackAllowanceAvailable: allowance ? allowance.available() : 0,
        bwInAllowanceExceeded: 0,
        bwOutAllowanceExceeded: 0,
        ppsAllowanceExceeded: 0,
        linklocalAllowanceExceeded: 0,
        packetsAccepted: st.port.accepted,
        ...this.auditOf(id),
      });
    }
    return { takenAtMs: this.clock.now(), enis, faults: this.faults.counters() };
  }

  private auditOf(eniId: string): { auditWouldBlock?: number; auditWouldAllow?: number } {
    const c = this.auditCounts?.(eniId);
    if (c === undefined || c.wouldBlock + c.wouldAllow === 0) return {};
    return { auditWouldBlock: c.wouldBlock, auditWouldAllow: c.wouldAllow };
  }

  /** Closes finished flow-log windows now and returns their lines (also sent to the controller). */
  flushFlowLogs(): WireFlowLogRecord[] {
    const flowLog = this.dp.flowLog;
    if (!flowLog) return [];
    const now = this.clock.now();
    const records = flowLog.flush(now, [...this.hosted.enis.keys()], this.lastFlowFlushMs);
    // Next time, NODATA starts from the window that is open now.
    this.lastFlowFlushMs = now;
    const lines: WireFlowLogRecord[] = records.map((r) => ({
      eniId: r.interfaceId,
      line: formatFlowLogRecord(r),
      ...(r.extra ?? {}),
      ...(r.decision?.ruleId !== undefined ? { sgRuleId: r.decision.ruleId } : {}),
      ...(r.decision?.naclRule !== undefined ? { naclRule: r.decision.naclRule } : {}),
      ...(r.decision?.reason !== undefined ? { dropReason: r.decision.reason } : {}),
    }));
    this.keptFlowLogs.push(...lines);
    if (this.keptFlowLogs.length > FLOW_LOG_KEEP) {
      this.keptFlowLogs.splice(0, this.keptFlowLogs.length - FLOW_LOG_KEEP);
    }
    if (lines.length > 0) this.control?.sendFlowLogs(lines);
    return lines;
  }

  /** Every flow-log line flushed so far (the last 10 000). */
  flowLogs(): readonly WireFlowLogRecord[] {
    return this.keptFlowLogs;
  }

  /** Removes expired conntrack entries of every ENI (the 1 s timer). */
  reap(): void {
    const now = this.clock.now();
    for (const st of this.hosted.enis.values()) {
      try {
        st.filter.reap(now);
      } catch (err) {
        this.dp.internalError(st.port, err);
      }
    }
  }

  /** The periodic report: flow logs, then conntrack and counters to the controller. */
  report(): void {
    const control = this.control;
    try {
      this.flushFlowLogs();
      if (!control) return;
      control.sendConntrackReport(this.conntrackReport());
      control.sendCounters(this.countersReport());
    } catch (err) {
      this.logger.warn(`report failed: ${(err as Error).message}`);
    }
  }
}
