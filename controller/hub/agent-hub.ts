/**
 * The agent hub: a `ws` server (no own port: controller/server.ts hands it upgrades on
 * AGENT_WS_PATH) speaking binary protobuf frames (controller/hub/wire.ts) with every node agent.
 *
 * - Hello: validates the agent id and, when configured, the join token; records what the agent
 *   hosts (instances, ENIs, external addresses, underlay endpoint) and sends the current
 *   snapshot. A Hosting frame later changes what it hosts (an instance launched after the agent
 *   started), the same way.
 * - Every store change (StateStore.onChange) is coalesced into one incremental compile
 *   (controller/policy/compile.ts); only agents whose snapshot changed get a push.
 * - Acks: per agent, the revision it enforces; waitForEnforced() waits for all connected agents.
 * - Heartbeats both ways; a silent agent is dropped. A malformed frame closes only that agent.
 * - Reports (conntrack, counters, flow logs) land in `reports` (controller/reports/).
 * - An agent that disconnects stays known with its last underlay endpoint (peers keep routing
 *   to it: its data plane usually outlives the control connection) until a connected agent
 *   takes over what it hosted. When the source implements loadAgents/saveAgents, the known
 *   agents survive a controller restart the same way.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { timingSafeEqual } from "node:crypto";
import { WebSocketServer, type WebSocket } from "ws";
import { systemClock, type Clock } from "../clock.js";
import {
  PolicyCompiler,
  mergeStateChanges,
  type AgentPlacement,
  type CompileOptions,
} from "../policy/compile.js";
import type { AgentSnapshot } from "../policy/compiled-policy.js";
import type { ExternalAddress } from "../policy/mapping-table.js";
import type { PolicyState, StateChange } from "../policy/policy-state.js";
import { ReportStore, type StoredConntrack } from "../reports/report-store.js";
import type { ConntrackReport } from "../reports/report-types.js";
import {
  AgentSession,
  CLOSE_BAD_FRAME,
  CLOSE_HEARTBEAT_TIMEOUT,
  CLOSE_HELLO_TIMEOUT,
  CLOSE_JOIN_TOKEN,
  CLOSE_REPLACED,
  CLOSE_SHUTDOWN,
} from "./agent-session.js";
import { HubError } from "./hub-errors.js";
import { decodeAgentFrame, type HelloInfo, type Hosting } from "./wire.js";

/** The HTTP path agents connect to (ws://host:port/v1/agents/ws). */
export const AGENT_WS_PATH = "/v1/agents/ws";

/** What the hub needs from the state store (controller/store/state-store.ts StateStore). */
export interface PolicySource {
  revision(): number;
  readPolicyState(): PolicyState;
  onChange(listener: (change: StateChange) => void): () => void;
  /**
   * Optional: the agents known when the hub last saved them (saveAgents). A restarted
   * controller starts with them as disconnected agents, so the first agent to reconnect is
   * given the last endpoints of peers still in reconnect backoff instead of none.
   */
  loadAgents?(): readonly KnownAgent[];
  /** Optional: called when the known agents or what they host changed (after a compile). */
  saveAgents?(agents: readonly KnownAgent[]): void;
}

/** An agent as the hub persists it (PolicySource.saveAgents): plain JSON-serialisable data. */
export interface KnownAgent {
  readonly agentId: string;
  /** What it announced last (underlay endpoint included). */
  readonly hosting: Hosting;
}

export interface AgentHubOptions {
  readonly source: PolicySource;
  /** When set, every Hello must carry it (config.ts requires one beyond loopback). */
  readonly joinToken?: string;
  readonly clock?: Clock;
  /** Heartbeat period (default 5000 ms); an agent silent for heartbeatTimeoutMs (15000) is dropped. */
  readonly heartbeatIntervalMs?: number;
  readonly heartbeatTimeoutMs?: number;
  /** A connection that sends no Hello within this is closed (default 10000 ms). */
  readonly helloTimeoutMs?: number;
  readonly compile?: CompileOptions;
  readonly log?: (line: string) => void;
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
  /** ISO-8601 time of its last frame, null if never connected in this process. */
  readonly lastSeen: string | null;
  readonly connectedSince: string | null;
  readonly version: string;
  readonly remoteAddress: string;
}

interface AgentRecord {
  readonly agentId: string;
  hosting: Hosting;
  version: string;
  session: AgentSession | undefined;
  lastSeenMs: number;
  remoteAddress: string;
}

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
}

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export class AgentHub {
  /** Latest reports from agents (read by the JSON API). */
  readonly reports = new ReportStore();
  private readonly wss: WebSocketServer;
  private readonly clock: Clock;
  private compiler: PolicyCompiler;
  private readonly records = new Map<string, AgentRecord>();
  private readonly sessions = new Set<AgentSession>();
  private readonly waiters = new Set<Waiter>();
  private readonly conntrackWaiters = new Map<string, (r: ConntrackReport) => void>();
  private readonly unsubscribe: () => void;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private pendingChange: StateChange | undefined;
  private flushScheduled = false;
  private generation = 0;
  private compiledRev = 0;
  private requestSeq = 0;
  private closed = false;
  private placementTimer: NodeJS.Timeout | undefined;
  private placementImmediate: NodeJS.Immediate | undefined;
  private placementDirty = false;
  /** knownAgentsKey() as last saved (or loaded). */
  private savedAgents = "";

  constructor(private readonly opts: AgentHubOptions) {
    this.clock = opts.clock ?? systemClock;
    this.compiler = new PolicyCompiler(opts.compile);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: 16 * 1024 * 1024,
      perMessageDeflate: false,
    });
    this.wss.on("connection", (ws: WebSocket, req: IncomingMessage) => this.onConnection(ws, req));
    for (const k of this.loadKnownAgents()) {
      this.records.set(k.agentId, {
        agentId: k.agentId,
        hosting: k.hosting,
        version: "",
        session: undefined,
        lastSeenMs: 0,
        remoteAddress: "",
      });
    }
    this.savedAgents = this.knownAgentsKey();
    this.compiledRev = this.compiler.update(
      opts.source.readPolicyState(),
      this.placements(),
    ).revision;
    this.unsubscribe = opts.source.onChange((change) => this.onStoreChange(change));
    const interval = opts.heartbeatIntervalMs ?? 5000;
    this.heartbeatTimer = setInterval(() => this.heartbeat(), interval);
    this.heartbeatTimer.unref();
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
  compiledRevision(): number {
    return this.compiledRev;
  }

  /** The latest compiled snapshot of an agent. */
  snapshotOf(agentId: string): AgentSnapshot | undefined {
    return this.compiler.snapshot(agentId);
  }

  /** The revision an agent enforces (0 if none / not connected). */
  enforcedRevision(agentId: string): number {
    const s = this.records.get(agentId)?.session;
    return s === undefined || s.state !== "active" ? 0 : this.enforcedOf(s);
  }

  /** Every agent seen since start, connected or not, sorted by id. */
  agents(): AgentInfo[] {
    return [...this.records.values()]
      .sort((a, b) => (a.agentId < b.agentId ? -1 : 1))
      .map((r) => {
        const s = r.session;
        const live = s !== undefined && s.state === "active";
        return {
          agentId: r.agentId,
          connected: live,
          endpoint: r.hosting.underlayEndpoint,
          instanceIds: [...r.hosting.instanceIds],
          eniIds: (this.compiler.snapshot(r.agentId)?.enis ?? []).map((e) => e.eniId),
          externals: [...r.hosting.externals],
          enforcedRevision: live ? this.enforcedOf(s) : 0,
          sentRevision: live ? s.sentRevision : 0,
          lastSeen: r.lastSeenMs === 0 ? null : new Date(r.lastSeenMs).toISOString(),
          connectedSince: live ? new Date(s.connectedAtMs).toISOString() : null,
          version: r.version,
          remoteAddress: r.remoteAddress,
        };
      });
  }

  /** The agent hosting an ENI per the current compile. */
  hostOfEni(eniId: string): string | undefined {
    for (const r of this.records.values()) {
      if (this.compiler.snapshot(r.agentId)?.enis.some((e) => e.eniId === eniId)) return r.agentId;
    }
    return undefined;
  }

  /** ENIs of an instance hosted by some agent, with that agent. */
  hostedEnisOfInstance(instanceId: string): { agentId: string; eniIds: string[] } | undefined {
    for (const r of this.records.values()) {
      const enis = (this.compiler.snapshot(r.agentId)?.enis ?? []).filter(
        (e) => e.instanceId === instanceId,
      );
      if (enis.length > 0) return { agentId: r.agentId, eniIds: enis.map((e) => e.eniId) };
    }
    return undefined;
  }

  /**
   * Resolves once every connected agent enforces `revision` (or later) and the hub has compiled
   * it; rejects with EMU_ERR_HUB_NOT_ENFORCED after `timeoutMs`.
   */
  waitForEnforced(revision: number, timeoutMs: number): Promise<void> {
    this.flush();
    if (this.allEnforced(revision)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        revision,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(w);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(w);
        const lagging = [...this.sessions]
          .filter((s) => s.state === "active" && this.enforcedOf(s) < revision)
          .map((s) => `${s.agentId}@${this.enforcedOf(s)}`);
        const who =
          this.compiledRev < revision ? [`compiler@${this.compiledRev}`, ...lagging] : lagging;
        reject(new HubError("EMU_ERR_HUB_NOT_ENFORCED", revision, timeoutMs, who.join(", ")));
      }, timeoutMs);
      this.waiters.add(w);
    });
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
    const s = this.records.get(agentId)?.session;
    if (s === undefined || s.state !== "active") return Promise.resolve(undefined);
    const requestId = `ctq-${++this.requestSeq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.conntrackWaiters.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.conntrackWaiters.set(requestId, (r) => {
        clearTimeout(timer);
        this.conntrackWaiters.delete(requestId);
        resolve(r);
      });
      if (!s.sendConntrackRequest(requestId, eniIds)) {
        clearTimeout(timer);
        this.conntrackWaiters.delete(requestId);
        resolve(undefined);
      }
    });
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
    clearTimeout(this.placementTimer);
    if (this.placementImmediate !== undefined) clearImmediate(this.placementImmediate);
    for (const s of this.sessions) s.close(CLOSE_SHUTDOWN, "controller shutting down");
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  // --- connections

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const s = new AgentSession(ws, req.socket.remoteAddress ?? "", this.clock.now());
    this.sessions.add(s);
    const helloTimer = setTimeout(() => {
      if (s.state === "awaiting-hello") s.close(CLOSE_HELLO_TIMEOUT, "no Hello");
    }, this.opts.helloTimeoutMs ?? 10_000);
    helloTimer.unref();
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      s.lastSeenMs = this.clock.now();
      if (!isBinary) {
        s.fail(
          "bad_frame",
          "EMU_ERR_HUB_BAD_FRAME",
          "text frames are not part of the protocol",
          CLOSE_BAD_FRAME,
        );
        return;
      }
      try {
        // Why: a Buffer lets protobufjs decode strings natively (BufferReader).
        this.onFrame(s, data);
      } catch (err) {
        this.log(
          `agent ${s.agentId || s.remoteAddress}: internal error: ${(err as Error).stack ?? String(err)}`,
        );
        s.fail("internal", "EMU_ERR_API_INTERNAL", "internal error", CLOSE_BAD_FRAME);
      }
    });
    ws.on("error", (err) =>
      this.log(`agent ${s.agentId || s.remoteAddress}: socket error: ${err.message}`),
    );
    ws.on("close", () => {
      clearTimeout(helloTimer);
      s.state = "closed";
      this.sessions.delete(s);
      const r = s.hello === undefined ? undefined : this.records.get(s.agentId);
      if (r !== undefined && r.session === s) {
        r.session = undefined;
        r.lastSeenMs = s.lastSeenMs;
        this.schedulePlacementFlush(20);
      }
      this.checkWaiters();
    });
  }

  private onFrame(s: AgentSession, bytes: Uint8Array): void {
    const f = decodeAgentFrame(bytes);
    if (f.kind === "wire-error") {
      this.log(`agent ${s.agentId || s.remoteAddress}: ${f.message}; closing its connection`);
      s.fail("bad_frame", "EMU_ERR_HUB_BAD_FRAME", f.message, CLOSE_BAD_FRAME);
      return;
    }
    if (s.state === "awaiting-hello") {
      if (f.kind !== "hello") {
        s.fail(
          "hello_required",
          "EMU_ERR_HUB_HELLO_REQUIRED",
          `first frame was '${f.kind}'`,
          CLOSE_BAD_FRAME,
        );
        return;
      }
      this.onHello(s, f.hello);
      return;
    }
    const rec = this.records.get(s.agentId);
    if (rec !== undefined) rec.lastSeenMs = s.lastSeenMs;
    switch (f.kind) {
      case "hello":
        s.fail(
          "bad_frame",
          "EMU_ERR_HUB_BAD_FRAME",
          "second Hello on one connection",
          CLOSE_BAD_FRAME,
        );
        return;
      case "hosting":
        if (rec !== undefined) {
          rec.hosting = f.hosting;
          this.schedulePlacementFlush(0);
        }
        return;
      case "ack":
        if (f.revision > s.ackedRevision) s.ackedRevision = f.revision;
        if (f.generation > s.ackedGeneration) s.ackedGeneration = f.generation;
        this.checkWaiters();
        return;
      case "conntrack-report": {
        this.reports.putConntrack(s.agentId, f.report, this.clock.now());
        if (f.report.requestId !== "") this.conntrackWaiters.get(f.report.requestId)?.(f.report);
        return;
      }
      case "counters":
        this.reports.putCounters(s.agentId, f.counters, this.clock.now());
        return;
      case "flow-logs":
        this.reports.putFlowLogs(f.records);
        return;
      case "heartbeat":
        if (!f.reply) s.sendHeartbeat(f.sentAtMs, true);
        return;
      case "error":
        this.log(`agent ${s.agentId} reported ${f.code}: ${f.message}`);
        return;
    }
  }

  private onHello(s: AgentSession, hello: HelloInfo): void {
    if (!AGENT_ID.test(hello.agentId)) {
      s.fail(
        "bad_frame",
        "EMU_ERR_HUB_BAD_HELLO",
        `agent id '${hello.agentId}' is not valid`,
        CLOSE_BAD_FRAME,
      );
      return;
    }
    if (this.opts.joinToken !== undefined && !sameSecret(hello.joinToken, this.opts.joinToken)) {
      this.log(`agent ${hello.agentId} from ${s.remoteAddress}: join token rejected`);
      s.fail(
        "join_token",
        "EMU_ERR_HUB_JOIN_TOKEN",
        `join token rejected for '${hello.agentId}'`,
        CLOSE_JOIN_TOKEN,
      );
      return;
    }
    s.hello = hello;
    s.state = "active";
    let rec = this.records.get(hello.agentId);
    if (rec === undefined) {
      rec = {
        agentId: hello.agentId,
        hosting: hello.hosting,
        version: hello.version,
        session: s,
        lastSeenMs: s.lastSeenMs,
        remoteAddress: s.remoteAddress,
      };
      this.records.set(hello.agentId, rec);
    } else {
      const old = rec.session;
      rec.session = s;
      rec.hosting = hello.hosting;
      rec.version = hello.version;
      rec.lastSeenMs = s.lastSeenMs;
      rec.remoteAddress = s.remoteAddress;
      old?.fail(
        "duplicate_agent",
        "EMU_ERR_HUB_REPLACED",
        `agent '${hello.agentId}' connected again`,
        CLOSE_REPLACED,
      );
    }
    // The snapshot follows in the flush (sendFirstSnapshots), coalesced with other Hellos.
    this.schedulePlacementFlush(0);
  }

  /** A (re)connecting agent always gets the current snapshot (resync), changed or not. */
  private sendFirstSnapshots(): void {
    for (const s of this.sessions) {
      if (s.state !== "active" || s.sentGeneration !== 0) continue;
      const snap = this.compiler.snapshot(s.agentId);
      if (snap !== undefined) s.sendSnapshot(snap, ++this.generation);
    }
  }

  // --- compile and push

  /**
   * Placement changed (Hello, Hosting: delayMs 0; disconnect: 20; retry after a failed
   * compile: 1000). Why coalesce: when many
   * agents come or go at once (start-up, shutdown, partition) one compile and one push per
   * agent suffices instead of one per agent per event; a Hello waits at most one event-loop
   * turn (setImmediate) for its snapshot.
   */
  private schedulePlacementFlush(delayMs: 0 | 20 | 1000): void {
    this.placementDirty = true;
    if (this.closed) return;
    if (delayMs === 0) {
      this.placementImmediate ??= setImmediate(() => {
        this.placementImmediate = undefined;
        this.flush();
      });
      return;
    }
    if (this.placementTimer !== undefined) return;
    this.placementTimer = setTimeout(() => {
      this.placementTimer = undefined;
      this.flush();
    }, delayMs);
    this.placementTimer.unref();
  }

  private onStoreChange(change: StateChange): void {
    this.pendingChange =
      this.pendingChange === undefined ? change : mergeStateChanges(this.pendingChange, change);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Why: a microtask coalesces writes committed in the same tick into one compile, yet runs
    // before any timer, so pushes leave right after the API's transaction.
    queueMicrotask(() => this.flush());
  }

  /**
   * Compile what changed (store changes since the last flush; placement when an agent came,
   * went or re-announced its hosting) and push to agents whose snapshot changed.
   */
  private flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    const change = this.pendingChange;
    if (change === undefined && !this.placementDirty) return;
    this.pendingChange = undefined;
    this.placementDirty = false;
    try {
      this.compileAndPush(change);
    } catch (err) {
      // Why: flush runs from microtasks and timers; a compile bug must not take the controller
      // down. Agents keep their last snapshot; the next change recompiles everything.
      this.log(`compile failed: ${(err as Error).stack ?? String(err)}`);
      this.compiler = new PolicyCompiler(this.opts.compile);
      this.schedulePlacementFlush(1000);
    }
  }

  private compileAndPush(change: StateChange | undefined): void {
    const state = this.opts.source.readPolicyState();
    const result = this.compiler.update(
      state,
      this.placements(),
      change ?? emptyChange(state.revision),
    );
    this.compiledRev = result.revision;
    this.forgetMovedHosting(result.snapshots);
    this.saveKnownAgents();
    for (const agentId of result.changedAgents) {
      const s = this.records.get(agentId)?.session;
      const snap = result.snapshots.get(agentId);
      if (s !== undefined && s.state === "active" && snap !== undefined)
        s.sendSnapshot(snap, ++this.generation);
    }
    this.sendFirstSnapshots();
    this.checkWaiters();
  }

  private placements(): AgentPlacement[] {
    return [...this.records.values()].map((r) => {
      const live = r.session !== undefined && r.session.state === "active";
      // Why the last known endpoint even while disconnected: the agent's data plane usually
      // outlives its control connection (controller restart, reconnect backoff); an empty
      // endpoint would make its peers drop its traffic (spoofed_underlay in, no_route out).
      return {
        agentId: r.agentId,
        connected: live,
        endpoint: r.hosting.underlayEndpoint,
        instanceIds: r.hosting.instanceIds,
        eniIds: r.hosting.eniIds,
        externals: r.hosting.externals,
        ...(r.hosting.conntrackMax !== undefined ? { conntrackMax: r.hosting.conntrackMax } : {}),
        ...(r.hosting.autoTracked !== undefined ? { autoTracked: r.hosting.autoTracked } : {}),
      };
    });
  }

  private loadKnownAgents(): readonly KnownAgent[] {
    if (this.opts.source.loadAgents === undefined) return [];
    try {
      return this.opts.source.loadAgents().filter(isKnownAgent);
    } catch (err) {
      this.log(`loading the known agents failed; starting without them: ${String(err)}`);
      return [];
    }
  }

  /** Agents and what they host, in a stable form (what saveAgents receives, as JSON). */
  private knownAgentsKey(): string {
    return JSON.stringify(this.knownAgents());
  }

  private knownAgents(): KnownAgent[] {
    return [...this.records.values()]
      .sort((a, b) => (a.agentId < b.agentId ? -1 : 1))
      .map((r) => ({ agentId: r.agentId, hosting: r.hosting }));
  }

  private saveKnownAgents(): void {
    if (this.opts.source.saveAgents === undefined) return;
    const key = this.knownAgentsKey();
    if (key === this.savedAgents) return;
    try {
      this.opts.source.saveAgents(this.knownAgents());
      this.savedAgents = key;
    } catch (err) {
      // Why not fatal: only a restarted controller's first mappings depend on it.
      this.log(`saving the known agents failed: ${String(err)}`);
    }
  }

  /**
   * A disconnected agent whose instances or ENIs are now hosted by a connected agent (connected
   * agents claim first, controller/policy/compile.ts) forgets those claims, so its stale
   * endpoint is never mapped for them again, even after the new host disconnects too. When it
   * reconnects, its Hello announces what it hosts afresh.
   */
  private forgetMovedHosting(snapshots: ReadonlyMap<string, AgentSnapshot>): void {
    const stale = [...this.records.values()].filter(
      (r) =>
        (r.session === undefined || r.session.state !== "active") &&
        (r.hosting.instanceIds.length > 0 || r.hosting.eniIds.length > 0),
    );
    if (stale.length === 0) return;
    const eniHost = new Map<string, string>();
    const instanceHost = new Map<string, string>();
    for (const [agentId, snap] of snapshots) {
      const s = this.records.get(agentId)?.session;
      if (s === undefined || s.state !== "active") continue;
      for (const e of snap.enis) {
        eniHost.set(e.eniId, agentId);
        if (e.instanceId !== "") instanceHost.set(e.instanceId, agentId);
      }
    }
    for (const r of stale) {
      const instanceIds = r.hosting.instanceIds.filter((id) => !instanceHost.has(id));
      const eniIds = r.hosting.eniIds.filter((id) => !eniHost.has(id));
      if (
        instanceIds.length === r.hosting.instanceIds.length &&
        eniIds.length === r.hosting.eniIds.length
      ) {
        continue;
      }
      this.log(`agent ${r.agentId} (disconnected): its hosting moved to connected agents`);
      r.hosting = { ...r.hosting, instanceIds, eniIds };
    }
  }

  /**
   * The revision an agent enforces: once it acked the latest push, its policy is what the
   * current compile would send, so it enforces the compiled revision; before, what it acked.
   */
  private enforcedOf(s: AgentSession): number {
    return s.upToDate() ? Math.max(this.compiledRev, s.ackedRevision) : s.ackedRevision;
  }

  private allEnforced(revision: number): boolean {
    if (this.compiledRev < revision) return false;
    for (const s of this.sessions) {
      if (s.state === "active" && this.enforcedOf(s) < revision) return false;
    }
    return true;
  }

  private checkWaiters(): void {
    for (const w of [...this.waiters]) if (this.allEnforced(w.revision)) w.resolve();
  }

  private heartbeat(): void {
    const now = this.clock.now();
    const timeout = this.opts.heartbeatTimeoutMs ?? 15_000;
    for (const s of this.sessions) {
      if (s.state !== "active") continue;
      if (now - s.lastSeenMs > timeout) {
        this.log(`agent ${s.agentId}: silent for ${now - s.lastSeenMs} ms; dropping it`);
        s.close(CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout");
        s.ws.terminate();
        continue;
      }
      s.sendHeartbeat(now, false);
    }
  }

  private log(line: string): void {
    (this.opts.log ?? ((l: string) => process.stderr.write(`vpcemu hub: ${l}\n`)))(line);
  }
}

function emptyChange(revision: number): StateChange {
  return {
    revision,
    vpcIds: [],
    subnetIds: [],
    groupIds: [],
    networkAclIds: [],
    prefixListIds: [],
    eniIds: [],
    instanceIds: [],
  };
}

/** Saved data is checked before the compiler sees it (a corrupt row must not break compiles). */
function isKnownAgent(k: KnownAgent): boolean {
  const h = k.hosting as Partial<Hosting> | undefined;
  const strings = (xs: unknown): boolean =>
    Array.isArray(xs) && xs.every((x) => typeof x === "string");
  return (
    typeof k.agentId === "string" &&
    AGENT_ID.test(k.agentId) &&
    h !== undefined &&
    strings(h.instanceIds) &&
    strings(h.eniIds) &&
    Array.isArray(h.externals) &&
    h.externals.every(
      (e: ExternalAddress) => typeof e?.name === "string" && typeof e?.address === "string",
    ) &&
    typeof h.underlayEndpoint === "string" &&
    (h.conntrackMax === undefined || typeof h.conntrackMax === "number") &&
    (h.autoTracked === undefined || typeof h.autoTracked === "boolean")
  );
}

function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
