/**
 * The agent hub: a `ws` server (no own port: controller/server.ts hands it upgrades on
 * AGENT_WS_PATH) speaking binary protobuf frames (controller/hub/wire.ts) with every node agent.
 * This file wires the parts and is the hub's public surface:
 *
 * - agent-connections.ts: Hello (agent id, join token, agent key, what the agent hosts), the
 *   frames that follow (Hosting, Ack, reports filtered to the agent's ENIs), heartbeats both
 *   ways; a silent agent is dropped, a malformed frame closes only that agent.
 * - agent-keys.ts: each agent id's credential, derived from the agent secret.
 * - agent-registry.ts: every known agent, connected or not (forgotten after a while), its
 *   placement for the compiler (first holder keeps a claim), and the known agents persisted
 *   through the source (loadAgents/saveAgents), so a restarted controller keeps routing to
 *   agents still in reconnect backoff.
 * - compile-push.ts: every store change (StateStore.onChange) and placement change is
 *   coalesced into one incremental compile (controller/policy/compile.ts); only agents whose
 *   snapshot changed get a push.
 * - waiters.ts: per agent, the revision it enforces; waitForEnforced() waits for all connected
 *   agents; conntrack requests wait for their report.
 * - Reports (conntrack, counters, flow logs) land in `reports` (controller/reports/); per-fault
 *   counters in `faultCounters` (fault-counters.ts).
 * - Chaos faults are state: compiled with the rest; faultEnforced() tells whether every agent
 *   a fault affects enforces it (controller/hub/fault-service.ts builds the views).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import { systemClock, type Clock } from "../clock.js";
import type { CompileOptions } from "../policy/compile.js";
import type { FaultResolution } from "../policy/compile-faults.js";
import type { AgentSnapshot } from "../policy/compiled-policy.js";
import type { ExternalAddress } from "../policy/mapping-table.js";
import { ReportStore, type StoredConntrack } from "../reports/report-store.js";
import type { ConntrackReport } from "../reports/report-types.js";
import { AgentConnections } from "./agent-connections.js";
import { newAgentSecret } from "./agent-keys.js";
import { AgentRegistry, isLive, type PolicySource } from "./agent-registry.js";
import { CLOSE_SHUTDOWN, type AgentSession } from "./agent-session.js";
import { CompilePush, type LastCompile } from "./compile-push.js";
import { FaultCounterStore } from "./fault-counters.js";
import type { HubObserver } from "./hub-observer.js";
import { ConntrackRequests, EnforcementWaiters } from "./waiters.js";
import {
  encodeCaptureControlFrame,
  encodeTraceControlFrame,
  type CaptureControl,
  type CapturedPackets,
} from "./wire.js";
import type { TraceControl, VerdictEventBatch } from "../traces/trace-types.js";

export type { KnownAgent, PolicySource } from "./agent-registry.js";

/** The HTTP path agents connect to (ws://host:port/v1/agents/ws). */
export const AGENT_WS_PATH = "/v1/agents/ws";

export interface AgentHubOptions {
  readonly source: PolicySource;
  /** When set, every Hello must carry it (config.ts requires one beyond loopback). */
  readonly joinToken?: string;
  /**
   * The secret agent keys derive from (agent-keys.ts); default: a random one for this hub
   * (app.ts passes the configured or persisted one).
   */
  readonly agentSecret?: string;
  /** The runtime configured agent credentials: a Hello without a key needs the join token. */
  readonly requireAgentKeys?: boolean;
  /** A disconnected agent is forgotten after this (default 600000 ms). */
  readonly agentForgetMs?: number;
  /** A disconnected agent keeps its instances and ENIs this long (default 60000 ms). */
  readonly placementGraceMs?: number;
  /** Agents known at once (default 1024). */
  readonly maxAgents?: number;
  readonly clock?: Clock;
  /** Heartbeat period (default 5000 ms); an agent silent for heartbeatTimeoutMs (15000) is dropped. */
  readonly heartbeatIntervalMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /** A connection that sends no Hello within this is closed (default 10000 ms). */
  readonly helloTimeoutMs?: number;
  readonly compile?: CompileOptions;
  readonly log?: (line: string) => void;
  /** Told of compile times and acks (the controller's metrics). */
  readonly observer?: HubObserver;
}

/** One agent as GET /v1/agents shows it. */
export interface AgentInfo {
  readonly agentId: string;
  readonly connected: boolean;
  /** Underlay endpoint "host:port" it announced. */
  readonly endpoint: string;
  readonly instanceIds: readonly string[];
  /** ENIs it hosts per the current compile (announced ENIs + ENIs of announced instances). */
  readonly eniIds: readonly string[];
  readonly externals: readonly ExternalAddress[];
  /** The store revision its enforced policy corresponds to (0 = none yet). */
  readonly enforcedRevision: number;
  /** Revision of the last snapshot it was sent. */
  readonly sentRevision: number;
  /**
   * It acked every snapshot it was sent (false while a push, e.g. a placement change's new
   * mapping under the same revision, is unanswered, and when not connected).
   */
  readonly upToDate: boolean;
  /**
   * When its latest ack arrived, epoch milliseconds of the controller's clock (null: none on
   * this connection). With `lastCompile.atMs` of GET /v1/revision it times one change's
   * propagation per agent (bench/scale.bench.ts).
   */
  readonly lastAckMs: number | null;
  /** ISO-8601 time of its last frame, null if never connected in this process. */
  readonly lastSeen: string | null;
  readonly connectedSince: string | null;
  readonly version: string;
  readonly remoteAddress: string;
  /** Report entries it sent for ENIs it does not host (dropped). */
  readonly forgedReportEntries: number;
  /** Report frames refused by a limit. */
  readonly refusedReports: number;
}

export class AgentHub {
  /** Latest reports from agents (read by the JSON API). */
  readonly reports = new ReportStore();
  /** Per-fault counters summed over agents (Counters.faults). */
  readonly faultCounters = new FaultCounterStore();
  private readonly wss: WebSocketServer;
  private readonly registry: AgentRegistry;
  private readonly push: CompilePush;
  private readonly waiters: EnforcementWaiters;
  private readonly conntrackRequests = new ConntrackRequests();
  private readonly connections: AgentConnections;
  private readonly unsubscribe: () => void;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private closed = false;
  private capturedPackets: ((agentId: string, packets: CapturedPackets) => void) | undefined;
  private verdictEvents: ((agentId: string, batch: VerdictEventBatch) => void) | undefined;

  constructor(opts: AgentHubOptions) {
    const clock: Clock = opts.clock ?? systemClock;
    const log = (line: string): void =>
      (opts.log ?? ((l: string) => process.stderr.write(`vpcemu hub: ${l}\n`)))(line);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 16 * 1024 * 1024,
      perMessageDeflate: false,
    });
    this.wss.on("connection", (ws: WebSocket, req: IncomingMessage) =>
      this.connections.accept(ws, req),
    );
    this.registry = new AgentRegistry(opts.source, log, () => clock.now(), {
      ...(opts.agentForgetMs !== undefined ? { forgetMs: opts.agentForgetMs } : {}),
      ...(opts.placementGraceMs !== undefined ? { placementGraceMs: opts.placementGraceMs } : {}),
      ...(opts.maxAgents !== undefined ? { maxAgents: opts.maxAgents } : {}),
    });
    this.registry.loadKnown();
    this.push = new CompilePush({
      source: opts.source,
      registry: this.registry,
      ...(opts.compile !== undefined ? { compile: opts.compile } : {}),
      afterPush: () => this.waiters.check(),
      now: () => clock.now(),
      ...(opts.observer !== undefined ? { observer: opts.observer } : {}),
      log,
    });
    this.waiters = new EnforcementWaiters(this.registry.sessions, () =>
      this.push.compiledRevision(),
    );
    this.connections = new AgentConnections({
      registry: this.registry,
      reports: this.reports,
      conntrackRequests: this.conntrackRequests,
      clock,
      ...(opts.joinToken !== undefined ? { joinToken: opts.joinToken } : {}),
      agentSecret: opts.agentSecret ?? newAgentSecret(),
      requireAgentKeys: opts.requireAgentKeys === true,
      hostedPorts: (agentId) => this.hostedPorts(agentId),
      knownFault: (faultId) => this.push.faultResolution(faultId) !== undefined,
      ...(opts.helloTimeoutMs !== undefined ? { helloTimeoutMs: opts.helloTimeoutMs } : {}),
      ...(opts.heartbeatTimeoutMs !== undefined
        ? { heartbeatTimeoutMs: opts.heartbeatTimeoutMs }
        : {}),
      placementChanged: (delayMs) => this.push.schedulePlacementFlush(delayMs),
      enforcementChanged: () => this.waiters.check(),
      ...(opts.observer !== undefined ? { observer: opts.observer } : {}),
      capturedPackets: (agentId, p) => this.capturedPackets?.(agentId, p),
      verdictEvents: (agentId, b) => this.verdictEvents?.(agentId, b),
      countersReceived: (agentId, c) => {
        if (c.faults !== undefined) this.faultCounters.put(agentId, c.faults);
      },
      log,
    });
    this.unsubscribe = opts.source.onChange((change) => this.push.onStoreChange(change));
    const interval = opts.heartbeatIntervalMs ?? 5000;
    this.heartbeatTimer = setInterval(() => this.connections.heartbeat(), interval);
    this.heartbeatTimer.unref();
  }

  /**
   * Every open agent connection. Why kept as a (private) member: in-process tests cut an
   * agent's socket from the controller side through it (test/integration/hub-agents.test.ts).
   */
  private get sessions(): ReadonlySet<AgentSession> {
    return this.registry.sessions;
  }

  /** For controller/server.ts: take over an HTTP upgrade request on AGENT_WS_PATH. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req));
  }

  /** The store revision of the latest compile. */
  /** The latest incremental compile: its revision, duration, end time and pushes. */
  lastCompile(): LastCompile | undefined {
    return this.push.lastCompile();
  }

  compiledRevision(): number {
    return this.push.compiledRevision();
  }

  /** The latest compiled snapshot of an agent. */
  snapshotOf(agentId: string): AgentSnapshot | undefined {
    return this.push.snapshot(agentId);
  }

  /** The revision an agent enforces (0 if none / not connected). */
  enforcedRevision(agentId: string): number {
    const s = this.registry.liveSession(agentId);
    return s === undefined ? 0 : this.waiters.enforcedOf(s);
  }

  /** Every agent seen since start, connected or not, sorted by id. */
  agents(): AgentInfo[] {
    return this.registry.sorted().map((r) => {
      const s = r.session;
      const live = isLive(s);
      return {
        agentId: r.agentId,
        connected: live,
        endpoint: r.hosting.underlayEndpoint,
        instanceIds: [...r.hosting.instanceIds],
        eniIds: (this.push.snapshot(r.agentId)?.enis ?? []).map((e) => e.eniId),
        externals: [...r.hosting.externals],
        enforcedRevision: live ? this.waiters.enforcedOf(s) : 0,
        sentRevision: live ? s.sentRevision : 0,
        upToDate: live && s.upToDate(),
        lastAckMs: live && s.ackedAtMs > 0 ? s.ackedAtMs : null,
        lastSeen: r.lastSeenMs === 0 ? null : new Date(r.lastSeenMs).toISOString(),
        connectedSince: live ? new Date(s.connectedAtMs).toISOString() : null,
        version: r.version,
        remoteAddress: r.remoteAddress,
        forgedReportEntries: r.forgedReportEntries,
        refusedReports: r.refusedReports,
      };
    });
  }

  /** Ports an agent hosts per the current compile: its ENI ids and "ext:NAME" external nodes. */
  private hostedPorts(agentId: string): ReadonlySet<string> {
    const ports = new Set<string>();
    for (const e of this.push.snapshot(agentId)?.enis ?? []) ports.add(e.eniId);
    for (const x of this.registry.records.get(agentId)?.hosting.externals ?? [])
      ports.add(`ext:${x.name}`);
    return ports;
  }

  /** The agent hosting an ENI per the current compile. */
  hostOfEni(eniId: string): string | undefined {
    for (const r of this.registry.records.values()) {
      if (this.push.snapshot(r.agentId)?.enis.some((e) => e.eniId === eniId)) return r.agentId;
    }
    return undefined;
  }

  /** ENIs of an instance hosted by some agent, with that agent. */
  hostedEnisOfInstance(instanceId: string): { agentId: string; eniIds: string[] } | undefined {
    for (const r of this.registry.records.values()) {
      const enis = (this.push.snapshot(r.agentId)?.enis ?? []).filter(
        (e) => e.instanceId === instanceId,
      );
      if (enis.length > 0) return { agentId: r.agentId, eniIds: enis.map((e) => e.eniId) };
    }
    return undefined;
  }

  /** Compile pending store and placement changes now (normally a microtask or timer away). */
  compileNow(): void {
    this.push.flush();
  }

  /** Names of the external nodes known agents host (connected or not), sorted. */
  externalNodes(): string[] {
    const names = new Set<string>();
    for (const r of this.registry.records.values())
      for (const x of r.hosting.externals) names.add(x.name);
    return [...names].sort();
  }

  /** What a chaos fault resolved to at the latest compile (undefined: not compiled yet). */
  faultResolution(faultId: string): FaultResolution | undefined {
    return this.push.faultResolution(faultId);
  }

  /**
   * True when the hub compiled the fault (created at `revision`) and every agent it affects
   * enforces a snapshot carrying it as it is now; a disconnected affected agent enforces nothing.
   */
  faultEnforced(faultId: string, revision: number): boolean {
    if (this.push.compiledRevision() < revision) return false;
    const r = this.push.faultResolution(faultId);
    if (r === undefined) return false;
    return r.agents.every(
      (a) => this.enforcedRevision(a) >= Math.max(revision, r.since.get(a) ?? revision),
    );
  }

  /**
   * Resolves once every connected agent enforces `revision` (or later) and the hub has compiled
   * it; rejects with EMU_ERR_HUB_NOT_ENFORCED after `timeoutMs`.
   */
  waitForEnforced(revision: number, timeoutMs: number): Promise<void> {
    this.push.flush();
    return this.waiters.wait(revision, timeoutMs);
  }

  /**
   * Ask the agent hosting these ENIs for a fresh conntrack report; resolves with it, or with
   * undefined if the agent is not connected or does not answer within `timeoutMs`.
   */
  requestConntrack(
    agentId: string,
    eniIds: readonly string[],
    timeoutMs: number,
  ): Promise<ConntrackReport | undefined> {
    return this.conntrackRequests.request(this.registry.liveSession(agentId), eniIds, timeoutMs);
  }

  /**
   * Sends a capture request (or stop) to a connected agent; returns the connection it went on
   * (compare with liveConnection() to tell the agent has not reconnected since), or undefined
   * when the agent is not connected.
   */
  sendCaptureControl(agentId: string, control: CaptureControl): object | undefined {
    const s = this.registry.liveSession(agentId);
    if (s === undefined || s.state !== "active") return undefined;
    s.ws.send(encodeCaptureControlFrame(control));
    return s;
  }

  /** The agent's open connection (an opaque token), undefined when it is not connected. */
  liveConnection(agentId: string): object | undefined {
    return this.registry.liveSession(agentId);
  }

  /**
   * Sends a verdict trace's start or stop (controller/traces/trace-service.ts) to a connected
   * agent; false when it is not connected.
   */
  sendTraceControl(agentId: string, control: TraceControl): boolean {
    const s = this.registry.liveSession(agentId);
    if (s === undefined || s.state !== "active") return false;
    s.ws.send(encodeTraceControlFrame(control));
    return true;
  }

  /** Where agents' verdict events go (controller/traces/trace-service.ts); one receiver. */
  onVerdictEvents(handler: (agentId: string, batch: VerdictEventBatch) => void): void {
    this.verdictEvents = handler;
  }

  /** Where agents' capture frames go (controller/capture/capture-service.ts); one receiver. */
  onCapturedPackets(handler: (agentId: string, packets: CapturedPackets) => void): void {
    this.capturedPackets = handler;
  }

  /** The stored conntrack report of an ENI. */
  conntrackOf(eniId: string): StoredConntrack | undefined {
    return this.reports.conntrackOf(eniId);
  }

  /** Close every agent connection and stop. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    clearInterval(this.heartbeatTimer);
    this.push.close();
    for (const s of this.sessions) s.close(CLOSE_SHUTDOWN, "controller shutting down");
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
