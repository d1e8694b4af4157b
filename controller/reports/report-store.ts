/**
 * What agents last reported, kept in memory by the hub and read by the JSON API: the latest
 * conntrack table and counters per ENI, and flow-log lines per ENI in a bounded ring (oldest
 * dropped first). Nothing here is persisted: agents resend on their next period.
 */
import type {
  ConntrackReport,
  CountersReport,
  EniConntrackReport,
  EniCounters,
  FlowLogRecord,
} from "./report-types.js";
import type { AuditEvent } from "../audit/audit-types.js";

export interface StoredConntrack {
  readonly agentId: string;
  /** When the agent took it (epoch ms, agent clock). */
  readonly takenAtMs: number;
  /** When the controller received it (epoch ms). */
  readonly receivedAtMs: number;
  readonly report: EniConntrackReport;
}

export interface StoredCounters {
  readonly agentId: string;
  readonly takenAtMs: number;
  readonly receivedAtMs: number;
  readonly counters: EniCounters;
}

export interface ReportStoreOptions {
  /** Flow-log lines kept per ENI (default 10000). */
  readonly flowLogsPerEni?: number;
  /** Audit-mode events kept (default 10000). */
  readonly auditEventsKept?: number;
}

export class ReportStore {
  private readonly conntrack = new Map<string, StoredConntrack>();
  private readonly counters = new Map<string, StoredCounters>();
  private readonly flowLogs = new Map<string, string[]>();
  private readonly flowLogsPerEni: number;
  private readonly flowLogListeners = new Set<(records: readonly FlowLogRecord[]) => void>();
  /** Audit mode's events, newest last, at most auditEventsKept (oldest dropped first). */
  private readonly audit: AuditEvent[] = [];
  private auditLost = 0;
  private readonly auditEventsKept: number;

  constructor(opts: ReportStoreOptions = {}) {
    this.flowLogsPerEni = opts.flowLogsPerEni ?? 10_000;
    this.auditEventsKept = opts.auditEventsKept ?? 10_000;
  }

  putConntrack(agentId: string, report: ConntrackReport, receivedAtMs: number): void {
    for (const eni of report.enis) {
      this.conntrack.set(eni.eniId, {
        agentId,
        takenAtMs: report.takenAtMs,
        receivedAtMs,
        report: eni,
      });
    }
  }

  putCounters(agentId: string, report: CountersReport, receivedAtMs: number): void {
    for (const c of report.enis) {
      this.counters.set(c.eniId, {
        agentId,
        takenAtMs: report.takenAtMs,
        receivedAtMs,
        counters: c,
      });
    }
  }

  putFlowLogs(records: readonly FlowLogRecord[]): void {
    for (const r of records) {
      let ring = this.flowLogs.get(r.eniId);
      if (ring === undefined) {
        ring = [];
        this.flowLogs.set(r.eniId, ring);
      }
      ring.push(r.line);
      if (ring.length > this.flowLogsPerEni) ring.splice(0, ring.length - this.flowLogsPerEni);
    }
    for (const cb of this.flowLogListeners) cb(records);
  }

  /** Calls `cb` with every batch of flow-log records put (controller/reports/flow-log-delivery.ts). */
  onFlowLogs(cb: (records: readonly FlowLogRecord[]) => void): () => void {
    this.flowLogListeners.add(cb);
    return () => this.flowLogListeners.delete(cb);
  }

  /** Audit mode: an agent's batch of "would block" / "would allow" events. */
  putAuditEvents(_agentId: string, events: readonly AuditEvent[], lost: number): void {
    this.auditLost += lost;
    for (const e of events) this.audit.push(e);
    if (this.audit.length > this.auditEventsKept)
      this.audit.splice(0, this.audit.length - this.auditEventsKept);
  }

  /** Audit events kept, oldest first, and how many agents or this store could not keep. */
  auditEvents(): { readonly events: readonly AuditEvent[]; readonly lost: number } {
    return { events: [...this.audit], lost: this.auditLost };
  }

  conntrackOf(eniId: string): StoredConntrack | undefined {
    return this.conntrack.get(eniId);
  }

  countersOf(eniId: string): StoredCounters | undefined {
    return this.counters.get(eniId);
  }

  /** Flow-log lines of an ENI, oldest first (at most `limit`, the newest ones). */
  flowLogsOf(eniId: string, limit = Infinity): readonly string[] {
    const ring = this.flowLogs.get(eniId) ?? [];
    return limit >= ring.length ? [...ring] : ring.slice(ring.length - limit);
  }

  /** ENIs with any stored report. */
  eniIds(): string[] {
    return [
      ...new Set([...this.conntrack.keys(), ...this.counters.keys(), ...this.flowLogs.keys()]),
    ];
  }
}
