/**
 * The controller's Prometheus metrics (GET /metrics on its one HTTP listener, text format 0.0.4
 * through prom-client; docs/observability.md lists every series):
 *
 * - vpcemu_controller_*: AWS API calls by service, action and error code; the store's and the
 *   compiler's revision; agents known, connected and the revision each enforces; propagation
 *   latency (a revision produced -> an agent's ack of it) and compile time as histograms;
 *   faults by state.
 * - vpcemu_agent_*: what agents put in their counters and conntrack reports (the hub's
 *   ReportStore and FaultCounterStore), so one scrape of the controller covers every agent. The
 *   agent's own listener (node-agent/agent/agent-metrics.ts) serves the same names and more.
 *
 * Values kept elsewhere (revisions, reports, faults) are read on scrape by `collect`; what only
 * happens once (a request, an ack, a compile) is observed when it happens.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { AgentHub } from "../hub/agent-hub.js";
import type { FaultView, FaultViewState } from "../hub/fault-service.js";
import type { HubObserver } from "../hub/hub-observer.js";
import { apiActionOf, apiCodeOf } from "./api-calls.js";

/** Propagation latency buckets, seconds (loopback pushes take ~1 ms; a busy hub longer). */
export const PROPAGATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];
/** Compile time buckets, seconds. */
export const COMPILE_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
];
/** Revisions whose production time is kept for the propagation histogram. */
const REVISIONS_KEPT = 4096;

const FAULT_STATES: readonly FaultViewState[] = [
  "pending",
  "scheduled",
  "active",
  "expired",
  "stale",
];
/** FaultCounters fields -> the `kind` label of vpcemu_agent_fault_packets_total. */
const FAULT_KINDS = {
  matched: "matched",
  delayed: "delayed",
  dropped: "dropped",
  duplicated: "duplicated",
  corrupted: "corrupted",
  reordered: "reordered",
  rejected: "rejected",
  queueOverflow: "queue_overflow",
  rateLimited: "rate_limited",
} as const;

/** What the metrics read on scrape. */
export interface ControllerMetricsSources {
  /** The store's persisted revision. */
  revision(): number;
  readonly hub: Pick<AgentHub, "agents" | "compiledRevision" | "reports" | "faultCounters">;
  faults(): readonly Pick<FaultView, "state">[];
}

/** The first `Action=` parameter of a query string or form body (its raw value). */
const ACTION_PARAM = /(?:^|&)Action=([^&]{0,128})/;

function decodeFormValue(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return "";
  }
}

/** One per controller; see the module comment. */
export class ControllerMetrics implements HubObserver {
  readonly registry = new Registry();
  private readonly requests: Counter<"service" | "action" | "code">;
  private readonly propagation: Histogram<never>;
  private readonly compile: Histogram<never>;
  /** revision -> when the store produced it (ms, the controller's clock). */
  private readonly producedAt = new Map<number, number>();
  /** agentId -> highest revision observed in the propagation histogram. */
  private readonly observedUpTo = new Map<string, number>();

  constructor(private readonly src: ControllerMetricsSources) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "vpcemu_controller_api_requests_total",
      help: "AWS API calls answered (EC2, STS, CloudFormation, FIS) by service, action and AWS error code (OK for success).",
      labelNames: ["service", "action", "code"],
      registers,
    });
    this.propagation = new Histogram({
      name: "vpcemu_controller_propagation_seconds",
      help: "From a revision being committed to an agent acknowledging a snapshot at that revision, per agent push.",
      buckets: PROPAGATION_BUCKETS,
      registers,
    });
    this.compile = new Histogram({
      name: "vpcemu_controller_compile_seconds",
      help: "Time of one incremental policy compile (store and placement changes coalesced).",
      buckets: COMPILE_BUCKETS,
      registers,
    });
    new Gauge({
      name: "vpcemu_controller_revision",
      help: "The store's current (persisted) revision; GET /v1/revision.",
      registers,
      collect() {
        this.set(src.revision());
      },
    });
    new Gauge({
      name: "vpcemu_controller_compiled_revision",
      help: "The store revision of the hub's latest compile.",
      registers,
      collect() {
        this.set(src.hub.compiledRevision());
      },
    });
    const agentsInfo = () => src.hub.agents();
    new Gauge({
      name: "vpcemu_controller_agents_connected",
      help: "Agents with an open connection to the hub.",
      registers,
      collect() {
        this.set(agentsInfo().filter((a) => a.connected).length);
      },
    });
    new Gauge({
      name: "vpcemu_controller_agents_known",
      help: "Agents seen since start (connected or not).",
      registers,
      collect() {
        this.set(agentsInfo().length);
      },
    });
    new Gauge({
      name: "vpcemu_controller_agent_enforced_revision",
      help: "The revision each connected agent enforces (0 = none yet).",
      labelNames: ["agent"],
      registers,
      collect() {
        this.reset();
        for (const a of agentsInfo())
          if (a.connected) this.set({ agent: a.agentId }, a.enforcedRevision);
      },
    });
    new Gauge({
      name: "vpcemu_controller_faults",
      help: "Chaos faults by state (GET /v1/faults).",
      labelNames: ["state"],
      registers,
      collect() {
        const n = new Map<string, number>(FAULT_STATES.map((s) => [s, 0]));
        for (const f of src.faults()) n.set(f.state, (n.get(f.state) ?? 0) + 1);
        for (const [state, v] of n) this.set({ state }, v);
      },
    });
    this.registerAgentReports();
  }

  /** The text format's content type (text/plain; version=0.0.4; charset=utf-8). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text (collects everything read on scrape). */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  /**
   * Counts one AWS API call once its response is finished. Called by controller/server.ts
   * before the service handler runs; reads the error code the handler wrote (apiCodeOf).
   */
  observeAwsRequest(
    req: IncomingMessage,
    res: ServerResponse,
    service: string,
    body: Buffer,
  ): void {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    const params = new URLSearchParams();
    if (service !== "fis") {
      // Why not parse the whole form: only Action is needed, and bodies can be large
      // (CloudFormation templates); the body wins over the URL, as in the handlers.
      const type = String(req.headers["content-type"] ?? "").toLowerCase();
      const form = type.startsWith("application/x-www-form-urlencoded")
        ? body.toString("latin1")
        : "";
      const action =
        ACTION_PARAM.exec(form)?.[1] ?? ACTION_PARAM.exec(q < 0 ? "" : url.slice(q + 1))?.[1];
      if (action !== undefined) params.set("Action", decodeFormValue(action));
    }
    const action = apiActionOf(service, req.method ?? "GET", path, params);
    let errorBody = "";
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    // Why wrap end: the handlers write their whole body in one end() call; the error code is in
    // it (Query XML) and nowhere else.
    res.end = ((...args: unknown[]) => {
      const chunk = args[0];
      if (res.statusCode >= 300 && (typeof chunk === "string" || Buffer.isBuffer(chunk)))
        errorBody = chunk.toString().slice(0, 4096);
      return end(...args);
    }) as typeof res.end;
    res.once("finish", () => {
      const errorType = res.getHeader("x-amzn-ErrorType");
      const code = apiCodeOf(
        res.statusCode,
        typeof errorType === "string" ? errorType : undefined,
        errorBody,
      );
      this.requests.inc({ service, action, code });
    });
  }

  /** The store committed `revision` at `nowMs` (StateStore.onChange). */
  revisionProduced(revision: number, nowMs: number): void {
    this.producedAt.set(revision, nowMs);
    if (this.producedAt.size > REVISIONS_KEPT) {
      const oldest = this.producedAt.keys().next().value;
      if (oldest !== undefined) this.producedAt.delete(oldest);
    }
  }

  /** HubObserver: one incremental compile took `ms`. */
  compiled(ms: number): void {
    this.compile.observe(ms / 1000);
  }

  /**
   * HubObserver: an agent acknowledged a snapshot at `revision`. Observed once per agent and
   * revision, and only for revisions produced while the agent was connected (a resync after a
   * reconnect is not propagation).
   */
  acked(agentId: string, revision: number, connectedAtMs: number, nowMs: number): void {
    const produced = this.producedAt.get(revision);
    if (produced === undefined || produced < connectedAtMs) return;
    if ((this.observedUpTo.get(agentId) ?? 0) >= revision) return;
    this.observedUpTo.set(agentId, revision);
    this.propagation.observe(Math.max(0, nowMs - produced) / 1000);
  }

  /** vpcemu_agent_*: the agents' latest counters and conntrack reports, read on scrape. */
  private registerAgentReports(): void {
    const registers = [this.registry];
    const reports = this.src.hub.reports;
    const faultCounters = this.src.hub.faultCounters;
    const eniCounters = () =>
      reports
        .eniIds()
        .map((e) => reports.countersOf(e))
        .filter((c) => c !== undefined);
    const eniLabels = ["agent", "eni", "instance_id"] as const;
    new Counter({
      name: "vpcemu_agent_packets_allowed_total",
      help: "Packets an ENI's filter allowed, both directions (agents' counters reports).",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        for (const s of eniCounters())
          this.inc(
            { agent: s.agentId, eni: s.counters.eniId, instance_id: s.counters.instanceId },
            s.counters.packetsAccepted,
          );
      },
    });
    new Counter({
      name: "vpcemu_agent_packets_dropped_total",
      help: "Packets dropped silently, by ENI and drop reason (agents' counters reports; GET /v1/counters).",
      labelNames: [...eniLabels, "reason"],
      registers,
      collect() {
        this.reset();
        for (const s of eniCounters()) {
          const c = s.counters;
          for (const [reason, n] of Object.entries(c.drops))
            this.inc({ agent: s.agentId, eni: c.eniId, instance_id: c.instanceId, reason }, n);
        }
      },
    });
    new Counter({
      name: "vpcemu_agent_conntrack_allowance_exceeded",
      help: "AWS ENA conntrack_allowance_exceeded (MET-3): packets dropped because the instance's tracked-connection allowance was full.",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        for (const s of eniCounters())
          this.inc(
            { agent: s.agentId, eni: s.counters.eniId, instance_id: s.counters.instanceId },
            s.counters.conntrackAllowanceExceeded,
          );
      },
    });
    new Gauge({
      name: "vpcemu_agent_conntrack_allowance_available",
      help: "AWS ENA conntrack_allowance_available (MET-4): tracked connections the instance can still open.",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        for (const s of eniCounters())
          this.set(
            { agent: s.agentId, eni: s.counters.eniId, instance_id: s.counters.instanceId },
            s.counters.conntrackAllowanceAvailable,
          );
      },
    });
    new Gauge({
      name: "vpcemu_agent_conntrack_entries",
      help: "Tracked connections of an ENI (agents' conntrack reports; GET /v1/conntrack).",
      labelNames: eniLabels,
      registers,
      collect() {
        this.reset();
        for (const e of reports.eniIds()) {
          const s = reports.conntrackOf(e);
          if (s !== undefined)
            this.set(
              { agent: s.agentId, eni: s.report.eniId, instance_id: s.report.instanceId },
              s.report.entries.length,
            );
        }
      },
    });
    new Counter({
      name: "vpcemu_agent_fault_packets_total",
      help: "Packets a chaos fault acted on, by agent, fault id and kind (matched, delayed, dropped, ...).",
      labelNames: ["agent", "fault", "kind"],
      registers,
      collect() {
        this.reset();
        for (const [agent, c] of faultCounters.perAgent())
          for (const [field, kind] of Object.entries(FAULT_KINDS))
            this.inc({ agent, fault: c.faultId, kind }, c[field as keyof typeof FAULT_KINDS]);
      },
    });
  }
}
