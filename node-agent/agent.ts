/**
 * The node agent's composition root: ports (ENIs and external nodes) on TUN devices, the
 * underlay transport, the data path (pipeline/), snapshots from the controller, reporters.
 *
 *   new Agent(deps) --start()--> StartedAgent --stop() / await using--> stopped (no restart)
 *
 * Snapshots (AgentSnapshot) are applied in arrival order and atomically
 * (agent/snapshot-apply.ts): new TUN devices are created first (async), then one synchronous
 * step swaps every ENI's policy (EniFilter.setPolicy keeps conntrack), adds and removes ports
 * and replaces the route table whole, so no packet sees half a revision. The control client
 * acks a revision after applySnapshot() resolved. Without a control client (in-process tests)
 * the caller applies snapshots itself.
 *
 * This file owns the lifecycle; agent/ holds the parts: hosted-ports.ts (what is hosted),
 * snapshot-apply.ts, read-loop.ts (TUN -> egress), reports.ts (conntrack, counters, flow logs).
 */
import type { Allowance } from "./conntrack/allowance.js";
import type {
  AuditEventBatch,
  CaptureControl,
  CapturedPackets,
  ConntrackReport,
  CountersReport,
  EniConntrackReport,
  FlowLogRecord as WireFlowLogRecord,
  TraceControl,
  VerdictEventsBatch,
} from "./control/wire.js";
import type { Clock, Scheduler } from "./clock.js";
import { preciseSystemClock, systemClock, systemScheduler } from "./clock.js";
import type { AgentConfig } from "./config.js";
import {
  EniFilter,
  type ConntrackEntryView,
  type NaclRuleHits,
  type RuleHits,
} from "./filter/filter.js";
import type { AgentSnapshot, CompiledEniPolicy } from "./filter/policy.js";
import { AgentCaptures } from "./capture/agent-captures.js";
import { AgentTraces } from "./agent/agent-traces.js";
import { AgentAudit } from "./audit/agent-audit.js";
import { UnderlayTap } from "./capture/underlay-tap.js";
import { CountingTransport } from "./overlay/counting-transport.js";
import type { Endpoint, Transport } from "./overlay/transport.js";
import { parseIpAddress } from "./packet/address.js";
import { DataPath, type DataPathLogger } from "./pipeline/data-path.js";
import type { DropCounts } from "./pipeline/drop-counters.js";
import { FaultStep } from "./pipeline/fault-step.js";
import { receiveDatagram } from "./pipeline/ingress.js";
import { Port, type PortFilter } from "./pipeline/port.js";
import { ipv4Key, ipv6Key } from "./pipeline/route-table.js";
import type { DropReason } from "./pipeline/verdict.js";
import { FlowLogAggregator } from "./report/flow-log.js";
import type { TunDevice } from "./tun/tun-device.js";
import type { TunProvider } from "./tun/tun-provider.js";
import { HostedPorts } from "./agent/hosted-ports.js";
import { runReadLoop, type ReadLoopContext } from "./agent/read-loop.js";
import { AgentReports } from "./agent/reports.js";
import { applySnapshot, type SnapshotApplyContext } from "./agent/snapshot-apply.js";
import { AgentMetrics } from "./agent/agent-metrics.js";
import { startMetricsServer, type StartedMetricsServer } from "./agent/metrics-server.js";

export { controllerControl } from "./control/controller-control.js";

/** What the agent needs from its controller connection (control/controller-client.ts). */
export interface AgentControl {
  /** Registers the snapshot handler; the client acks the revision once the handler resolves. */
  onSnapshot(handler: (snapshot: AgentSnapshot) => Promise<void>): void;
  /** Registers what answers the controller's conntrack requests (all ENIs when eniIds is empty). */
  onConntrackRequest(handler: (eniIds: readonly string[]) => readonly EniConntrackReport[]): void;
  sendConntrackReport(report: ConntrackReport): void;
  sendCounters(counters: CountersReport): void;
  sendFlowLogs(records: readonly WireFlowLogRecord[]): void;
  /** Registers what runs the controller's capture requests (absent: captures are refused). */
  onCaptureControl?(handler: (control: CaptureControl) => void): void;
  /** Sends capture state and pcapng bytes; false when not connected. */
  sendCapturedPackets?(packets: CapturedPackets): boolean;
  /** Bytes queued towards the controller, not sent yet. */
  backlogBytes?(): number;
  /** Registers what runs the controller's verdict traces (absent: none are run). */
  onTraceControl?(handler: (control: TraceControl) => void): void;
  /** Sends a batch of a trace's verdict events; false when not connected. */
  sendVerdictEvents?(batch: VerdictEventsBatch): boolean;
  /** Sends audit mode's "would block" / "would allow" events; false when not connected. */
  sendAuditEvents?(batch: AuditEventBatch): boolean;
  /** Connects (and keeps reconnecting and resyncing in the background). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** One ENI's filter as the agent uses it (EniFilter). */
export interface AgentFilter extends PortFilter {
  setPolicy(policy: CompiledEniPolicy): void;
  /** Removes every conntrack entry (CompiledEniPolicy.conntrackEpoch grew); returns how many. */
  flushConntrack(): number;
  reap(nowMs: number): number;
  conntrackEntries(nowMs: number): ConntrackEntryView[];
  counters(): { readonly conntrackAllowanceExceeded: number; readonly trackedEntries?: number };
  /** Packets per SG rule admitted without an entry (metrics); absent: not counted. */
  ruleHits?(): RuleHits[];
  /** Packets an existing entry admitted, per the rule that opened it (metrics). */
  conntrackRuleHits?(): RuleHits[];
  /** Packets per NACL entry and direction (metrics). */
  naclRuleHits?(): NaclRuleHits[];
}

export interface AgentLogger extends DataPathLogger {
  info(message: string): void;
}

export interface AgentDeps {
  readonly config: AgentConfig;
  readonly tuns: TunProvider;
  readonly transport: Transport;
  readonly clock?: Clock;
  readonly control?: AgentControl;
  readonly logger?: AgentLogger;
  /** Makes one ENI's filter; default EniFilter sharing the instance's allowance. */
  readonly createFilter?: (policy: CompiledEniPolicy, allowance: Allowance) => AgentFilter;
  /** Run the report/reap timers (default true; tests drive reports by hand). */
  readonly timers?: boolean;
  /**
   * The fault step's one-shot release timer (default: the system's setTimeout). Tests with a
   * ManualClock pass a manual scheduler they fire as they advance the clock.
   */
  readonly scheduler?: Scheduler;
}

/** A running agent. Dispose (or stop()) to close its devices, transport and timers. */
export interface StartedAgent extends AsyncDisposable {
  readonly agentId: string;
  /** Where other agents send to (the transport's endpoint, or the advertised one). */
  readonly underlayEndpoint: Endpoint;
  /** The revision applied last (0 before the first snapshot). */
  revision(): number;
  /** Resolves once `revision` (or a later one) is applied; rejects after timeoutMs (default 10 s). */
  enforced(revision: number, timeoutMs?: number): Promise<void>;
  /** Applies a snapshot (what the control client calls before acking). */
  applySnapshot(snapshot: AgentSnapshot): Promise<void>;
  /** Silent drops per reason over every port (STYLE.md §7). */
  drops(): Readonly<Record<DropReason, number>>;
  /** Silent drops per port key (ENI id, "ext:<name>", "" for the agent itself). */
  dropsByPort(): Record<string, DropCounts>;
  /** Hosted ENI ids. */
  enis(): string[];
  /** The TUN device of a port (ENI id or "ext:<name>"). */
  device(key: string): TunDevice | undefined;
  /** Tracked conntrack entries of one ENI (CT-14). */
  conntrack(eniId: string): ConntrackEntryView[];
  conntrackReport(requestId?: string, eniIds?: readonly string[]): ConntrackReport;
  countersReport(): CountersReport;
  /** Closes finished flow-log windows now and returns their lines (also sent to the controller). */
  flushFlowLogs(): WireFlowLogRecord[];
  /** Every flow-log line flushed so far (the last 10 000). */
  flowLogs(): readonly WireFlowLogRecord[];
  /** Prometheus metrics (vpcemu_agent_*), whether or not a listener serves them. */
  readonly metrics: AgentMetrics;
  /** host:port of the `metricsListen` listener (GET /metrics); undefined when off. */
  readonly metricsEndpoint: Endpoint | undefined;
  stop(): Promise<void>;
}

const consoleLogger: AgentLogger = {
  info: (m) => console.error(`[agent] ${m}`),
  warn: (m) => console.error(`[agent] WARN ${m}`),
};

/** Created -> start() -> StartedAgent; see the module comment. */
export class Agent {
  private started = false;

  constructor(private readonly deps: AgentDeps) {}

  async start(): Promise<StartedAgent> {
    if (this.started) throw new Error("Agent.start() may be called once");
    this.started = true;
    const run = new RunningAgent(this.deps);
    await run.start();
    return run;
  }
}

class RunningAgent implements StartedAgent {
  readonly agentId: string;
  readonly underlayEndpoint: Endpoint;
  readonly metrics: AgentMetrics;
  metricsEndpoint: Endpoint | undefined;
  private metricsServer: StartedMetricsServer | undefined;
  /** deps.transport, counting datagrams for the metrics. */
  private readonly transport: CountingTransport;
  private readonly config: AgentConfig;
  private readonly clock: Clock;
  private readonly logger: AgentLogger;
  private readonly dp: DataPath;
  private readonly faults: FaultStep;
  private readonly hosted: HostedPorts;
  private readonly reports: AgentReports;
  /** Packet captures the controller asked for (vpcemu capture). */
  private readonly captures: AgentCaptures;
  /** Verdict traces the controller asked for (POST /v1/traces). */
  private readonly traces: AgentTraces;
  /** Audit mode (docs/observability.md): staged rule sets judged beside the enforced ones. */
  private readonly audit: AgentAudit;
  private readonly loopCtx: ReadLoopContext;
  private readonly applyCtx: SnapshotApplyContext;
  private readonly waiters: Array<{ revision: number; resolve: () => void }> = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private applied = 0;
  private applying: Promise<void> = Promise.resolve();
  private stopping: Promise<void> | undefined;

  constructor(private readonly deps: AgentDeps) {
    this.config = deps.config;
    this.agentId = deps.config.agentId;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? consoleLogger;
    this.underlayEndpoint = deps.config.underlayAdvertise ?? deps.transport.localEndpoint;
    // The tap shows captures the underlay's datagrams (one length test per batch otherwise).
    const tap = new UnderlayTap(deps.transport);
    const transport = new CountingTransport(tap);
    this.transport = transport;
    const flowLog = deps.config.flowLogs
      ? new FlowLogAggregator({
          accountId: deps.config.accountId,
          windowMs: deps.config.flowLogWindowMs,
        })
      : undefined;
    this.dp = new DataPath(this.agentId, flowLog, this.logger, () => this.clock.now());
    // Why a precise clock by default: due times of delayed packets in whole ms would be off by
    // up to 1 ms; an injected clock (tests) is used as is.
    this.faults = new FaultStep(
      this.dp,
      transport,
      deps.clock ?? preciseSystemClock,
      deps.scheduler ?? systemScheduler,
    );
    this.dp.faults = this.faults;
    this.hosted = new HostedPorts(deps.config.conntrackMax);
    this.reports = new AgentReports(
      this.dp,
      this.hosted,
      this.faults,
      this.clock,
      this.logger,
      deps.control,
      (eniId) => this.audit.countsOf(eniId),
    );
    const control = deps.control;
    this.captures = new AgentCaptures({
      agentId: this.agentId,
      verdicts: this.dp.verdicts,
      underlay: tap,
      localEndpoint: deps.transport.localEndpoint,
      ports: () => [
        ...[...this.hosted.enis.values()].map((e) => ({
          key: e.port.key,
          description: [e.instanceId, ...e.port.addressList].filter((x) => x !== "").join(" "),
        })),
        ...this.hosted.externals.map((x) => ({
          key: x.port.key,
          description: `external node ${x.port.addressList.join(" ")}`,
        })),
      ],
      send: (m) => control?.sendCapturedPackets?.(m) ?? false,
      backlog: () => control?.backlogBytes?.() ?? 0,
    });
    this.traces = new AgentTraces({
      verdicts: this.dp.verdicts,
      hostedPorts: () =>
        new Set([
          ...[...this.hosted.enis.values()].map((e) => e.port.key),
          ...this.hosted.externals.map((x) => x.port.key),
        ]),
      send: (b) => control?.sendVerdictEvents?.(b) ?? false,
      backlog: () => control?.backlogBytes?.() ?? 0,
      now: () => this.clock.now(),
    });
    this.audit = new AgentAudit({
      verdicts: this.dp.verdicts,
      send: (b) => control?.sendAuditEvents?.(b) ?? false,
    });
    this.loopCtx = {
      dp: this.dp,
      transport,
      clock: this.clock,
      stopping: () => this.stopping !== undefined,
      warn: (m) => this.logger.warn(m),
    };
    const createFilter =
      deps.createFilter ??
      ((policy: CompiledEniPolicy, allowance: Allowance) => new EniFilter(policy, { allowance }));
    this.metrics = new AgentMetrics({
      agentId: this.agentId,
      revision: () => this.applied,
      dp: this.dp,
      hosted: this.hosted,
      faults: this.faults,
      underlay: transport.counts,
      audit: this.audit,
    });
    this.applyCtx = {
      agentId: this.agentId,
      dp: this.dp,
      hosted: this.hosted,
      faults: this.faults,
      tuns: deps.tuns,
      logger: this.logger,
      createFilter,
      startReadLoop: (port) => runReadLoop(this.loopCtx, port),
      onSwapped: (revision) => this.swapped(revision),
      now: () => this.clock.now(),
    };
  }

  async start(): Promise<void> {
    if (this.config.metricsListen !== undefined) {
      this.metricsServer = await startMetricsServer(this.config.metricsListen, this.metrics, (m) =>
        this.logger.warn(m),
      );
      this.metricsEndpoint = this.metricsServer.endpoint;
    }
    try {
      await this.startPorts();
    } catch (err) {
      await this.metricsServer?.close();
      throw err;
    }
  }

  private async startPorts(): Promise<void> {
    const { control } = this.deps;
    const transport = this.transport;
    transport.onReceive((data, from) => {
      try {
        receiveDatagram(this.dp, data, from, this.clock.now());
      } catch (err) {
        this.dp.internalError(undefined, err);
      }
    });
    for (const ext of this.config.externals) {
      const index = this.hosted.takeIndex();
      const tun = await this.deps.tuns.open({
        key: `ext:${ext.name}`,
        index,
        addresses: [ext.address],
      });
      const port = Port.forExternal(ext.name, [ext.address], tun, (e) =>
        this.dp.internalError(port, e),
      );
      const bytes = parseIpAddress(ext.address)!;
      this.dp.externals.set(bytes.length === 4 ? ipv4Key(bytes) : ipv6Key(bytes), port);
      this.hosted.externals.push({ port, loop: runReadLoop(this.loopCtx, port) });
    }
    if (this.deps.timers ?? true) {
      const t1 = setInterval(() => this.reports.reap(), 1000);
      const t2 = setInterval(() => this.reports.report(), this.config.reportIntervalMs);
      const t3 = setInterval(() => this.audit.flush(), this.config.reportIntervalMs);
      t1.unref();
      t2.unref();
      t3.unref();
      this.timers.push(t1, t2, t3);
    }
    if (control) {
      control.onSnapshot((s) => this.applySnapshot(s));
      control.onConntrackRequest((eniIds) => this.conntrackReport("", eniIds).enis);
      control.onCaptureControl?.((c) => this.captures.control(c));
      control.onTraceControl?.((c) => this.traces.control(c));
      await control.start();
    }
  }

  revision(): number {
    return this.applied;
  }

  enforced(revision: number, timeoutMs = 10_000): Promise<void> {
    if (this.applied >= revision) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { revision, resolve: () => (clearTimeout(t), resolve()) };
      const t = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(
          new Error(
            `agent ${this.agentId}: revision ${revision} not enforced within ${timeoutMs} ms (at ${this.applied})`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  applySnapshot(snapshot: AgentSnapshot): Promise<void> {
    const next = this.applying.then(() => this.apply(snapshot));
    // A failed snapshot must not block later ones; the caller still sees the failure.
    this.applying = next.catch(() => undefined);
    return next;
  }

  private async apply(s: AgentSnapshot): Promise<void> {
    if (this.stopping) throw new Error(`agent ${this.agentId} is stopped`);
    await applySnapshot(this.applyCtx, s);
    this.audit.setPolicies(s.enis);
  }

  /** Audit mode's counters per ENI ("would block" / "would allow" packets). */
  auditCounts(): ReadonlyMap<string, { readonly wouldBlock: number; readonly wouldAllow: number }> {
    return this.audit.allCounts();
  }

  /** The data path enforces `revision` from now on: wake whoever waits for it. */
  private swapped(revision: number): void {
    this.applied = revision;
    for (const w of this.waiters.splice(0)) {
      if (w.revision <= revision) w.resolve();
      else this.waiters.push(w);
    }
  }

  drops(): Readonly<Record<DropReason, number>> {
    return this.dp.drops.total();
  }

  dropsByPort(): Record<string, DropCounts> {
    const out: Record<string, DropCounts> = {};
    for (const k of this.dp.drops.ports()) out[k] = this.dp.drops.forPort(k);
    return out;
  }

  enis(): string[] {
    return [...this.hosted.enis.keys()];
  }

  device(key: string): TunDevice | undefined {
    return this.hosted.port(key)?.tun;
  }

  conntrack(eniId: string): ConntrackEntryView[] {
    return this.hosted.enis.get(eniId)?.filter.conntrackEntries(this.clock.now()) ?? [];
  }

  conntrackReport(requestId = "", eniIds: readonly string[] = []): ConntrackReport {
    return this.reports.conntrackReport(requestId, eniIds);
  }

  countersReport(): CountersReport {
    return this.reports.countersReport();
  }

  flushFlowLogs(): WireFlowLogRecord[] {
    return this.reports.flushFlowLogs();
  }

  flowLogs(): readonly WireFlowLogRecord[] {
    return this.reports.flowLogs();
  }

  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.captures.stopAll();
    this.traces.stopAll();
    this.audit.close();
    await this.applying;
    await this.deps.control?.close().catch(() => undefined);
    this.faults.stop();
    const ports = this.hosted.all();
    this.hosted.enis.clear();
    this.dp.enis.clear();
    this.dp.externals.clear();
    await Promise.all(ports.map((p) => this.deps.tuns.close(p.port.tun).catch(() => undefined)));
    await Promise.all(ports.map((p) => p.loop));
    await this.metricsServer?.close();
    await this.deps.transport.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
