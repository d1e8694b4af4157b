/**
 * The hub's side of each agent connection (controller/hub/agent-hub.ts): Hello (agent id, join
 * token, what it hosts), the frames that follow (Hosting, Ack, reports, heartbeats), close, and
 * the heartbeat both ways. A malformed frame closes only that agent; a silent agent is dropped.
 */
import type { IncomingMessage } from "node:http";
import { timingSafeEqual } from "node:crypto";
import type { WebSocket } from "ws";
import type { Clock } from "../clock.js";
import type { ReportStore } from "../reports/report-store.js";
import type { CountersReport } from "../reports/report-types.js";
import {
  AgentSession,
  CLOSE_BAD_FRAME,
  CLOSE_HEARTBEAT_TIMEOUT,
  CLOSE_HELLO_TIMEOUT,
  CLOSE_JOIN_TOKEN,
  CLOSE_REPLACED,
} from "./agent-session.js";
import { AGENT_ID, type AgentRegistry } from "./agent-registry.js";
import type { ConntrackRequests } from "./waiters.js";
import type { HubObserver } from "./hub-observer.js";
import { decodeAgentFrame, type HelloInfo } from "./wire.js";

export interface AgentConnectionsOptions {
  readonly registry: AgentRegistry;
  readonly reports: ReportStore;
  readonly conntrackRequests: ConntrackRequests;
  readonly clock: Clock;
  /** When set, every Hello must carry it. */
  readonly joinToken?: string;
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
        this.opts.placementChanged(20);
      }
      this.opts.enforcementChanged();
    });
  }

  /** One heartbeat round: drop silent agents, ping the others. */
  heartbeat(): void {
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
      case "hosting":
        if (rec !== undefined) {
          rec.hosting = f.hosting;
          this.opts.placementChanged(0);
        }
        return;
      case "ack":
        if (f.revision > s.ackedRevision) s.ackedRevision = f.revision;
        if (f.generation > s.ackedGeneration) s.ackedGeneration = f.generation;
        this.opts.observer?.acked(s.agentId, f.revision, s.connectedAtMs, s.lastSeenMs);
        this.opts.enforcementChanged();
        return;
      case "conntrack-report": {
        this.opts.reports.putConntrack(s.agentId, f.report, this.opts.clock.now());
        this.opts.conntrackRequests.deliver(f.report);
        return;
      }
      case "counters":
        this.opts.reports.putCounters(s.agentId, f.counters, this.opts.clock.now());
        this.opts.countersReceived?.(s.agentId, f.counters);
        return;
      case "flow-logs":
        this.opts.reports.putFlowLogs(f.records);
        return;
      case "heartbeat":
        if (!f.reply) s.sendHeartbeat(f.sentAtMs, true);
        return;
      case "error":
        this.opts.log(`agent ${s.agentId} reported ${f.code}: ${f.message}`);
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
    s.hello = hello;
    s.state = "active";
    const records = this.opts.registry.records;
    const rec = records.get(hello.agentId);
    if (rec === undefined) {
      records.set(hello.agentId, {
        agentId: hello.agentId,
        hosting: hello.hosting,
        version: hello.version,
        session: s,
        lastSeenMs: s.lastSeenMs,
        remoteAddress: s.remoteAddress,
      });
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
    // The snapshot follows in the flush (CompilePush sends first snapshots), coalesced with
    // other Hellos.
    this.opts.placementChanged(0);
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
