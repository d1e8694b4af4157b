/**
 * The agent's link to the controller (docs/agent-protocol.md): a WebSocket carrying protobuf
 * frames (node-agent/control/wire.ts). Sends Hello, receives whole AgentSnapshots, hands each to
 * `onSnapshot` and acks its revision once the callback has returned (the swap is done), answers
 * ConntrackRequests through `onConntrackRequest`, heartbeats, and reconnects with exponential
 * backoff; after a reconnect the controller sends the current snapshot again (resync).
 *
 * Lifecycle:
 *
 *   new -> start() -> connecting -> (hello sent) connected -> ... -> close() -> closed
 *                        ^                |  socket lost / heartbeat timeout / controller error
 *                        +---- backoff ---+
 *
 * Snapshots are applied one at a time; if several arrive while one is being applied, only the
 * newest is applied next (each is a full state, STYLE.md §4.7).
 */
import WebSocket from "ws";
import type { AgentSnapshot } from "../filter/policy.js";
import {
  decodeControllerFrame,
  encodeAckFrame,
  encodeCapturedPacketsFrame,
  encodeAuditEventsFrame,
  encodeVerdictEventsFrame,
  encodeConntrackReportFrame,
  encodeCountersFrame,
  encodeFlowLogsFrame,
  encodeHeartbeatFrame,
  encodeHelloFrame,
  encodeHostingFrame,
  type CaptureControl,
  type CapturedPackets,
  type TraceControl,
  type AuditEventBatch,
  type VerdictEventsBatch,
  type ConntrackReport,
  type CountersReport,
  type EniConntrackReport,
  type FlowLogRecord,
  type Hosting,
} from "./wire.js";

export type ControllerClientState = "idle" | "connecting" | "connected" | "closed";

export interface ControllerClientOptions {
  /** ws://host:port/v1/agents/ws (the controller's HTTP URL with ws scheme and that path). */
  readonly url: string;
  readonly agentId: string;
  /** Required when the controller listens beyond loopback (or is configured with one). */
  readonly joinToken?: string;
  /**
   * This agent's credential (docs/agent.md "Agent identity"), from the runtime or a key file;
   * without one the controller issues it on joining (Welcome), kept for every later Hello.
   */
  readonly agentKey?: string;
  /** The controller issued this agent's key (e.g. to store it in a file). */
  readonly onAgentKey?: (agentKey: string) => void;
  /** What this agent hosts; change later with setHosting(). */
  readonly hosting: Hosting;
  readonly version?: string;
  /** Swap the snapshot in; the ack is sent when this returns (or its promise resolves). */
  readonly onSnapshot: (snapshot: AgentSnapshot) => void | Promise<void>;
  /** Current conntrack entries of the given ENIs (all hosted ENIs when empty). */
  readonly onConntrackRequest?: (
    eniIds: readonly string[],
  ) => readonly EniConntrackReport[] | Promise<readonly EniConntrackReport[]>;
  /** The controller starts or stops a packet capture (node-agent/capture/agent-captures.ts). */
  readonly onCaptureControl?: (control: CaptureControl) => void;
  /** The controller starts or stops a verdict trace (node-agent/agent/agent-traces.ts). */
  readonly onTraceControl?: (control: TraceControl) => void;
  /** onSnapshot threw: the snapshot is not acked; the controller keeps it pending. */
  readonly onSnapshotError?: (err: unknown, snapshot: AgentSnapshot) => void;
  /** Connection state changes (for logs and tests). */
  readonly onStateChange?: (state: ControllerClientState) => void;
  /** An Error frame from the controller (e.g. EMU_ERR_HUB_JOIN_TOKEN), before it closes. */
  readonly onControllerError?: (code: string, message: string) => void;
  /** Wall clock in epoch ms (reports and heartbeats); default Date.now. */
  readonly now?: () => number;
  /** Default 5000 ms. */
  readonly heartbeatIntervalMs?: number;
  /** No frame from the controller for this long -> reconnect. Default 15000 ms. */
  readonly heartbeatTimeoutMs?: number;
  /** Reconnect backoff: first delay (default 100 ms), doubled up to maxMs (default 5000 ms). */
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
}

export class ControllerClient {
  private ws: WebSocket | undefined;
  private state: ControllerClientState = "idle";
  private hosting: Hosting;
  private enforcedRev = 0;
  private backoffMs: number;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private lastHeardMs = 0;
  private applying = false;
  private pending: { snapshot: AgentSnapshot; generation: number } | undefined;
  private readonly enforcedWaiters: { revision: number; resolve: () => void }[] = [];
  private readonly now: () => number;
  private connects = 0;
  private agentKey: string;
  /** Mapping of the last Snapshot received on the current connection (reuse_mapping). */
  private connMapping: AgentSnapshot["mapping"] | undefined;

  constructor(private readonly opts: ControllerClientOptions) {
    this.hosting = opts.hosting;
    this.agentKey = opts.agentKey ?? "";
    this.backoffMs = opts.backoffInitialMs ?? 100;
    this.now = opts.now ?? Date.now;
  }

  /** Begin connecting (and keep reconnecting until close()). */
  start(): void {
    if (this.state !== "idle") return;
    this.connect();
  }

  /** Current connection state. */
  connectionState(): ControllerClientState {
    return this.state;
  }

  /** How many times a connection was opened (1 after the first connect; grows on reconnects). */
  connectionCount(): number {
    return this.connects;
  }

  /** The revision of the last snapshot swapped in and acked (0 before the first). */
  enforcedRevision(): number {
    return this.enforcedRev;
  }

  /** Resolves once a snapshot at `revision` or later has been swapped in and acked. */
  enforced(revision: number): Promise<void> {
    if (this.enforcedRev >= revision) return Promise.resolve();
    return new Promise((resolve) => this.enforcedWaiters.push({ revision, resolve }));
  }

  /** Replace what this agent hosts (e.g. an instance launched later); sent at once if connected. */
  setHosting(hosting: Hosting): void {
    this.hosting = hosting;
    this.send(encodeHostingFrame(hosting));
  }

  /** Sends a conntrack report (periodic: requestId ""); false if not connected (dropped). */
  sendConntrackReport(report: ConntrackReport): boolean {
    return this.send(encodeConntrackReportFrame(report));
  }

  /** Sends counters; false if not connected (dropped: counters are cumulative, the next one catches up). */
  sendCounters(counters: CountersReport): boolean {
    return this.send(encodeCountersFrame(counters));
  }

  /** Sends flow-log records; false if not connected (the caller may keep and retry them). */
  sendFlowLogs(records: readonly FlowLogRecord[]): boolean {
    return this.send(encodeFlowLogsFrame(records));
  }

  /** Sends capture state or pcapng bytes; false if not connected (the capture is over then). */
  sendCapturedPackets(packets: CapturedPackets): boolean {
    return this.send(encodeCapturedPacketsFrame(packets));
  }

  /** Sends a batch of a trace's verdict events; false if not connected. */
  sendVerdictEvents(batch: VerdictEventsBatch): boolean {
    return this.send(encodeVerdictEventsFrame(batch));
  }

  /** Sends audit mode's events (Frame 16); false if not connected. */
  sendAuditEvents(batch: AuditEventBatch): boolean {
    return this.send(encodeAuditEventsFrame(batch));
  }

  /** Bytes queued on the socket, not yet sent (captures bound themselves by it). */
  bufferedBytes(): number {
    return this.ws?.bufferedAmount ?? 0;
  }

  /** Stop for good: close the socket, cancel timers. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.setState("closed");
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    const ws = this.ws;
    this.ws = undefined;
    if (ws !== undefined && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((resolve) => {
        ws.once("close", () => resolve());
        ws.close(1000, "agent closing");
        setTimeout(() => {
          ws.terminate();
          resolve();
        }, 1000).unref();
      });
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private setState(s: ControllerClientState): void {
    if (this.state === s) return;
    this.state = s;
    this.opts.onStateChange?.(s);
  }

  private send(bytes: Uint8Array): boolean {
    const ws = this.ws;
    if (ws === undefined || ws.readyState !== WebSocket.OPEN || this.state !== "connected")
      return false;
    ws.send(bytes);
    return true;
  }

  private connect(): void {
    if (this.state === "closed") return;
    this.setState("connecting");
    const ws = new WebSocket(this.opts.url, { perMessageDeflate: false });
    ws.binaryType = "nodebuffer";
    this.ws = ws;
    ws.on("open", () => {
      if (this.ws !== ws) return;
      this.connects++;
      this.connMapping = undefined;
      this.backoffMs = this.opts.backoffInitialMs ?? 100;
      this.lastHeardMs = this.now();
      ws.send(
        encodeHelloFrame({
          agentId: this.opts.agentId,
          joinToken: this.opts.joinToken ?? "",
          hosting: this.hosting,
          version: this.opts.version ?? "0.1.0",
          enforcedRevision: this.enforcedRev,
          agentKey: this.agentKey,
        }),
      );
      this.setState("connected");
      this.startHeartbeat(ws);
    });
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      if (this.ws !== ws) return;
      this.lastHeardMs = this.now();
      if (!isBinary) return;
      // Why: hand protobufjs the Buffer itself: its BufferReader decodes strings natively (the
      // generic Uint8Array reader decodes UTF-8 in JS, the top cost of a 100-agent push).
      this.onFrame(ws, data);
    });
    ws.on("error", () => {
      // Why: 'close' always follows 'error'; reconnecting happens there.
    });
    ws.on("close", () => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      clearInterval(this.heartbeatTimer);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.state === "closed") return;
    this.setState("connecting");
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.backoffMaxMs ?? 5000);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  private startHeartbeat(ws: WebSocket): void {
    clearInterval(this.heartbeatTimer);
    const interval = this.opts.heartbeatIntervalMs ?? 5000;
    const timeout = this.opts.heartbeatTimeoutMs ?? 15000;
    this.heartbeatTimer = setInterval(() => {
      if (this.ws !== ws) return;
      if (this.now() - this.lastHeardMs > timeout) {
        ws.terminate();
        return;
      }
      if (ws.readyState === WebSocket.OPEN) ws.send(encodeHeartbeatFrame(this.now(), false));
    }, interval);
    this.heartbeatTimer.unref();
  }

  private onFrame(ws: WebSocket, bytes: Uint8Array): void {
    const f = decodeControllerFrame(bytes);
    switch (f.kind) {
      case "snapshot": {
        let snapshot = f.snapshot;
        if (f.reuseMapping) {
          if (this.connMapping === undefined) {
            // A reuse with nothing to reuse: resync through a fresh connection.
            ws.terminate();
            return;
          }
          snapshot = { ...snapshot, mapping: this.connMapping };
        }
        this.connMapping = snapshot.mapping;
        this.pending = { snapshot, generation: f.generation };
        void this.applyPending();
        return;
      }
      case "conntrack-request":
        void this.answerConntrack(f.requestId, f.eniIds);
        return;
      case "heartbeat":
        if (!f.reply && ws.readyState === WebSocket.OPEN)
          ws.send(encodeHeartbeatFrame(f.sentAtMs, true));
        return;
      case "capture-control":
        this.opts.onCaptureControl?.(f.control);
        return;
      case "trace-control":
        this.opts.onTraceControl?.(f.control);
        return;
      case "welcome":
        if (f.agentKey !== "" && f.agentKey !== this.agentKey) {
          this.agentKey = f.agentKey;
          this.opts.onAgentKey?.(f.agentKey);
        }
        return;
      case "error":
        this.opts.onControllerError?.(f.code, f.message);
        return;
      case "wire-error":
        // A frame we cannot read: drop the connection and resync on reconnect.
        ws.terminate();
        return;
    }
  }

  private async applyPending(): Promise<void> {
    if (this.applying) return;
    this.applying = true;
    try {
      while (this.pending !== undefined) {
        const { snapshot, generation } = this.pending;
        this.pending = undefined;
        try {
          await this.opts.onSnapshot(snapshot);
        } catch (err) {
          this.opts.onSnapshotError?.(err, snapshot);
          continue;
        }
        this.enforcedRev = snapshot.revision;
        this.send(encodeAckFrame(snapshot.revision, generation));
        for (let i = this.enforcedWaiters.length - 1; i >= 0; i--) {
          const w = this.enforcedWaiters[i]!;
          if (w.revision <= this.enforcedRev) {
            this.enforcedWaiters.splice(i, 1);
            w.resolve();
          }
        }
      }
    } finally {
      this.applying = false;
    }
  }

  private async answerConntrack(requestId: string, eniIds: readonly string[]): Promise<void> {
    const enis =
      this.opts.onConntrackRequest === undefined ? [] : await this.opts.onConntrackRequest(eniIds);
    this.sendConntrackReport({ requestId, takenAtMs: this.now(), enis });
  }
}
