/**
 * The hub's side of each agent connection (controller/hub/agent-hub.ts): Hello (agent id, join
 * token, agent key, what it hosts), the frames that follow (Hosting, Ack, reports, heartbeats),
 * close, and the heartbeat both ways. A malformed frame closes only that agent; a silent agent
 * is dropped. Identity and limits: docs/agent.md "Agent identity" and "Limits".
 */
import type { IncomingMessage } from "node:http";
import type { WebSocket } from "ws";
import type { Clock } from "../clock.js";
import type { ReportStore } from "../reports/report-store.js";
import type { ConntrackReport, CountersReport, FlowLogRecord } from "../reports/report-types.js";
import { deriveAgentKey, sameSecret } from "./agent-keys.js";
import {
  AgentSession,
  CLOSE_AGENT_KEY,
  CLOSE_BAD_FRAME,
  CLOSE_TOO_MANY_AGENTS,
  CLOSE_HEARTBEAT_TIMEOUT,
  CLOSE_HELLO_TIMEOUT,
  CLOSE_JOIN_TOKEN,
  CLOSE_REPLACED,
} from "./agent-session.js";
import {
  AGENT_ID,
  AGENT_LIMITS,
  newAgentRecord,
  type AgentRecord,
  type AgentRegistry,
} from "./agent-registry.js";
import type { ConntrackRequests } from "./waiters.js";
import type { HubObserver } from "./hub-observer.js";
import { decodeAgentFrame, type CapturedPackets, type HelloInfo, type Hosting } from "./wire.js";
import type { VerdictEventBatch } from "../traces/trace-types.js";

export interface AgentConnectionsOptions {
  readonly registry: AgentRegistry;
  readonly reports: ReportStore;
  readonly conntrackRequests: ConntrackRequests;
  readonly clock: Clock;
  /** When set, every Hello must carry it. */
  readonly joinToken?: string;
  /** Agent keys are derived from this (controller/hub/agent-keys.ts). */
  readonly agentSecret: string;
  /**
   * True when the runtime configured agent credentials: a Hello without a key is then refused
   * unless it carries the join token (no stranger joins on loopback).
   */
  readonly requireAgentKeys: boolean;
  /** Ports (ENI ids, "ext:NAME") an agent hosts per the latest compile: what it may report on. */
  readonly hostedPorts: (agentId: string) => ReadonlySet<string>;
  /** Whether a chaos fault id is known (fault counters of unknown faults are dropped). */
  readonly knownFault: (faultId: string) => boolean;
  /** A connection that sends no Hello within this is closed (default 10000 ms). */
  readonly helloTimeoutMs?: number;
  /** An agent silent for this long is dropped (default 15000 ms). */
  readonly heartbeatTimeoutMs?: number;
  /** What an agent hosts changed (Hello, Hosting: 0) or an agent left (20). */
  readonly placementChanged: (delayMs: 0 | 20) => void;
  /** An agent acked a push or closed: enforced revisions may have moved. */
  readonly enforcementChanged: () => void;
  /** An agent's counters report arrived (after it was stored in `reports`). */
  readonly countersReceived?: (agentId: string, counters: CountersReport) => void;
  /** Told of every ack (metrics). */
  readonly observer?: HubObserver;
  /** An agent's capture frame (controller/capture/capture-service.ts). */
  readonly capturedPackets?: (agentId: string, packets: CapturedPackets) => void;
  /** An agent's verdict events of a trace (controller/traces/trace-service.ts). */
  readonly verdictEvents?: (agentId: string, batch: VerdictEventBatch) => void;
  readonly log: (line: string) => void;
}

export class AgentConnections {
  constructor(private readonly opts: AgentConnectionsOptions) {}

  /** A new WebSocket from the hub's server: it must say Hello first. */
  accept(ws: WebSocket, req: IncomingMessage): void {
    const { registry, clock } = this.opts;
    const s = new AgentSession(ws, req.socket.remoteAddress ?? "", clock.now());
    registry.sessions.add(s);
    const helloTimer = setTimeout(() => {
      if (s.state === "awaiting-hello") s.close(CLOSE_HELLO_TIMEOUT, "no Hello");
    }, this.opts.helloTimeoutMs ?? 10_000);
    helloTimer.unref();
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      s.lastSeenMs = clock.now();
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
        this.opts.log(
          `agent ${s.agentId || s.remoteAddress}: internal error: ${(err as Error).stack ?? String(err)}`,
        );
        s.fail("internal", "EMU_ERR_API_INTERNAL", "internal error", CLOSE_BAD_FRAME);
      }
    });
    ws.on("error", (err) =>
      this.opts.log(`agent ${s.agentId || s.remoteAddress}: socket error: ${err.message}`),
    );
    ws.on("close", () => {
      clearTimeout(helloTimer);
      s.state = "closed";
      registry.sessions.delete(s);
      const r = s.hello === undefined ? undefined : registry.records.get(s.agentId);
      if (r !== undefined && r.session === s) {
        r.session = undefined;
        r.lastSeenMs = s.lastSeenMs;
        r.disconnectedAtMs = clock.now();
        this.opts.placementChanged(20);
      }
      this.opts.enforcementChanged();
    });
  }

  /** One heartbeat round: drop silent agents, ping the others. */
  heartbeat(): void {
    // Forgotten agents leave the compile; a disconnected holder past its grace frees its claims.
    if (this.opts.registry.sweep() > 0) this.opts.placementChanged(20);
    const now = this.opts.clock.now();
    const timeout = this.opts.heartbeatTimeoutMs ?? 15_000;
    for (const s of this.opts.registry.sessions) {
      if (s.state !== "active") continue;
      if (now - s.lastSeenMs > timeout) {
        this.opts.log(`agent ${s.agentId}: silent for ${now - s.lastSeenMs} ms; dropping it`);
        s.close(CLOSE_HEARTBEAT_TIMEOUT, "heartbeat timeout");
        s.ws.terminate();
        continue;
      }
      s.sendHeartbeat(now, false);
    }
  }

  private onFrame(s: AgentSession, bytes: Uint8Array): void {
    const f = decodeAgentFrame(bytes);
    if (f.kind === "wire-error") {
      this.opts.log(`agent ${s.agentId || s.remoteAddress}: ${f.message}; closing its connection`);
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
    const rec = this.opts.registry.records.get(s.agentId);
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
      case "hosting": {
        const bad = hostingProblem(f.hosting);
        if (bad !== undefined) {
          s.fail("bad_frame", "EMU_ERR_HUB_BAD_FRAME", `Hosting: ${bad}`, CLOSE_BAD_FRAME);
          return;
        }
        if (rec !== undefined) {
          rec.hosting = f.hosting;
          this.opts.placementChanged(0);
        }
        return;
      }
      case "ack":
        if (f.revision > s.ackedRevision) s.ackedRevision = f.revision;
        if (f.generation > s.ackedGeneration) s.ackedGeneration = f.generation;
        s.ackedAtMs = s.lastSeenMs;
        this.opts.observer?.acked(s.agentId, f.revision, s.connectedAtMs, s.lastSeenMs);
        this.opts.enforcementChanged();
        return;
      case "conntrack-report": {
        if (rec === undefined || this.oversized(s, rec, bytes.length, "conntrack")) return;
        const report = this.ownConntrack(s, rec, f.report);
        if (report === undefined) return;
        this.opts.reports.putConntrack(s.agentId, report, this.opts.clock.now());
        this.opts.conntrackRequests.deliver(report);
        return;
      }
      case "counters": {
        if (rec === undefined || this.oversized(s, rec, bytes.length, "counters")) return;
        const hosted = this.opts.hostedPorts(s.agentId);
        const enis = this.ownEntries(rec, f.counters.enis, hosted);
        const faults = f.counters.faults?.filter((c) => this.opts.knownFault(c.faultId));
        const counters: CountersReport = {
          ...f.counters,
          enis,
          ...(faults !== undefined ? { faults } : {}),
        };
        this.opts.reports.putCounters(s.agentId, counters, this.opts.clock.now());
        this.opts.countersReceived?.(s.agentId, counters);
        return;
      }
      case "flow-logs": {
        if (rec === undefined || this.oversized(s, rec, bytes.length, "flow logs")) return;
        if (f.records.length > AGENT_LIMITS.maxFlowLogRecordsPerFrame) {
          this.refuse(
            s,
            rec,
            `${f.records.length} flow-log records in one frame (limit ${AGENT_LIMITS.maxFlowLogRecordsPerFrame})`,
          );
          return;
        }
        const own: readonly FlowLogRecord[] = this.ownEntries(
          rec,
          f.records,
          this.opts.hostedPorts(s.agentId),
        );
        if (own.length > 0) this.opts.reports.putFlowLogs(own);
        return;
      }
      case "heartbeat":
        if (!f.reply) s.sendHeartbeat(f.sentAtMs, true);
        return;
      case "audit-events": {
        // Audit mode (controller/audit/): kept only for ENIs this agent hosts.
        if (rec === undefined || this.oversized(s, rec, bytes.length, "audit events")) return;
        const own = this.ownEntries(rec, f.batch.events, this.opts.hostedPorts(s.agentId));
        if (own.length > 0 || f.batch.lost > 0)
          this.opts.reports.putAuditEvents(s.agentId, own, f.batch.lost);
        return;
      }
      case "captured-packets":
        this.opts.capturedPackets?.(s.agentId, f.packets);
        return;
      case "verdict-events":
        this.opts.verdictEvents?.(s.agentId, f.batch);
        return;
      case "error":
        this.opts.log(`agent ${s.agentId} reported ${f.code}: ${f.message}`);
        return;
    }
  }

  private onHello(s: AgentSession, hello: HelloInfo): void {
    const { registry } = this.opts;
    if (!AGENT_ID.test(hello.agentId)) {
      s.fail(
        "bad_frame",
        "EMU_ERR_HUB_BAD_HELLO",
        `agent id '${hello.agentId}' is not valid`,
        CLOSE_BAD_FRAME,
      );
      return;
    }
    const bad = hostingProblem(hello.hosting);
    if (bad !== undefined) {
      s.fail("bad_frame", "EMU_ERR_HUB_BAD_HELLO", bad, CLOSE_BAD_FRAME);
      return;
    }
    const token = this.opts.joinToken;
    if (token !== undefined && !sameSecret(hello.joinToken, token)) {
      this.opts.log(`agent ${hello.agentId} from ${s.remoteAddress}: join token rejected`);
      s.fail(
        "join_token",
        "EMU_ERR_HUB_JOIN_TOKEN",
        `join token rejected for '${hello.agentId}'`,
        CLOSE_JOIN_TOKEN,
      );
      return;
    }
    // Identity (docs/agent.md "Agent identity"): a key proves the id; without one, only an id
    // nobody holds may join, and then it is issued its key (Welcome).
    const key = deriveAgentKey(this.opts.agentSecret, hello.agentId);
    const known = registry.records.get(hello.agentId);
    let refusal: string | undefined;
    if (hello.agentKey !== "") {
      if (!sameSecret(hello.agentKey, key)) refusal = "wrong agent key";
    } else if (this.opts.requireAgentKeys && token === undefined) {
      refusal = "an agent key is required (this controller's agents get theirs from the runtime)";
    } else if (known !== undefined) {
      refusal = "the agent id is in use; only the holder of its key may use it";
    }
    if (refusal !== undefined) {
      this.opts.log(`agent ${hello.agentId} from ${s.remoteAddress}: refused: ${refusal}`);
      s.fail(
        "agent_key",
        "EMU_ERR_HUB_AGENT_KEY",
        `agent '${hello.agentId}': ${refusal}`,
        CLOSE_AGENT_KEY,
      );
      return;
    }
    if (known === undefined && registry.records.size >= registry.maxAgents) {
      registry.sweep();
      if (registry.records.size >= registry.maxAgents) {
        this.opts.log(`agent ${hello.agentId}: refused, ${registry.records.size} agents known`);
        s.fail(
          "limit",
          "EMU_ERR_HUB_TOO_MANY_AGENTS",
          `${registry.records.size} agents known (limit ${registry.maxAgents})`,
          CLOSE_TOO_MANY_AGENTS,
        );
        return;
      }
    }
    s.hello = hello;
    s.state = "active";
    if (known === undefined) {
      registry.records.set(
        hello.agentId,
        newAgentRecord(hello.agentId, hello.hosting, s, this.opts.clock.now()),
      );
    } else {
      const old = known.session;
      known.session = s;
      known.hosting = hello.hosting;
      known.version = hello.version;
      known.lastSeenMs = s.lastSeenMs;
      known.remoteAddress = s.remoteAddress;
      known.disconnectedAtMs = 0;
      old?.fail(
        "duplicate_agent",
        "EMU_ERR_HUB_REPLACED",
        `agent '${hello.agentId}' connected again`,
        CLOSE_REPLACED,
      );
    }
    if (hello.agentKey === "") s.sendWelcome(key);
    // The snapshot follows in the flush (CompilePush sends first snapshots), coalesced with
    // other Hellos.
    this.opts.placementChanged(0);
  }

  /** True (and the frame refused) when a report frame exceeds maxReportBytes. */
  private oversized(s: AgentSession, rec: AgentRecord, bytes: number, what: string): boolean {
    if (bytes <= AGENT_LIMITS.maxReportBytes) return false;
    this.refuse(s, rec, `a ${what} frame of ${bytes} bytes (limit ${AGENT_LIMITS.maxReportBytes})`);
    return true;
  }

  /** Refuses a report: counted, logged, answered with a non-fatal Error frame. */
  private refuse(s: AgentSession, rec: AgentRecord, why: string): void {
    rec.refusedReports++;
    if (rec.refusedReports <= 3 || rec.refusedReports % 100 === 0)
      this.opts.log(`agent ${rec.agentId}: report refused (${rec.refusedReports}): ${why}`);
    s.warn("limit", "EMU_ERR_HUB_REPORT_TOO_LARGE", why);
  }

  /** Entries naming a port the agent hosts; the rest are dropped and counted as forged. */
  private ownEntries<T extends { readonly eniId: string }>(
    rec: AgentRecord,
    entries: readonly T[],
    hosted: ReadonlySet<string>,
  ): T[] {
    const own = entries.filter((e) => hosted.has(e.eniId));
    const forged = entries.length - own.length;
    if (forged > 0) {
      if (rec.forgedReportEntries === 0)
        this.opts.log(`agent ${rec.agentId}: dropped report entries for ENIs it does not host`);
      rec.forgedReportEntries += forged;
    }
    return own;
  }

  /**
   * A conntrack report filtered to the agent's ENIs, or undefined when it would take the agent
   * over maxConntrackEntriesPerAgent (refused: the previous report of each ENI stays).
   */
  private ownConntrack(
    s: AgentSession,
    rec: AgentRecord,
    report: ConntrackReport,
  ): ConntrackReport | undefined {
    const hosted = this.opts.hostedPorts(rec.agentId);
    const enis = this.ownEntries(rec, report.enis, hosted);
    const stored = rec.conntrackEntries;
    for (const eniId of [...stored.keys()]) if (!hosted.has(eniId)) stored.delete(eniId);
    const next = new Map(stored);
    for (const e of enis) next.set(e.eniId, e.entries.length);
    let total = 0;
    for (const n of next.values()) total += n;
    if (total > AGENT_LIMITS.maxConntrackEntriesPerAgent) {
      this.refuse(
        s,
        rec,
        `${total} conntrack entries stored for this agent (limit ${AGENT_LIMITS.maxConntrackEntriesPerAgent})`,
      );
      return undefined;
    }
    for (const [k, v] of next) stored.set(k, v);
    return { ...report, enis };
  }
}

/** Why a Hosting is refused (docs/agent.md "Limits"), or undefined when it is within them. */
function hostingProblem(h: Hosting): string | undefined {
  const max = AGENT_LIMITS.maxHostedPerKind;
  const len = AGENT_LIMITS.maxIdLength;
  if (h.instanceIds.length > max || h.eniIds.length > max || h.externals.length > max)
    return `more than ${max} instances, ENIs or external nodes announced`;
  const strings = [
    ...h.instanceIds,
    ...h.eniIds,
    ...h.externals.flatMap((x) => [x.name, x.address]),
    h.underlayEndpoint,
  ];
  if (strings.some((x) => x.length > len))
    return `an announced id or address is over ${len} characters`;
  return undefined;
}
