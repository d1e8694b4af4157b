/**
 * One agent connection on the hub (controller/hub/agent-hub.ts): its WebSocket, what it said in
 * Hello, and what it has been sent and has acknowledged.
 *
 *   awaiting-hello --Hello ok--> active --socket closed / replaced / bad frame--> closed
 *         |                                   ^
 *         +--- bad/missing Hello, timeout ----+--> closed
 *
 * `generation` is the hub's push counter: the agent echoes it in its Ack, so the hub knows the
 * latest push (not just the latest revision) is enforced. docs/agent-protocol.md.
 */
import type WebSocket from "ws";
import type { AgentSnapshot } from "../policy/compiled-policy.js";
import { HUB_ERRORS, type HubErrorCode } from "./hub-errors.js";
import {
  encodeConntrackRequestFrame,
  encodeErrorFrame,
  encodeHeartbeatFrame,
  encodeSnapshotFrame,
  encodeWelcomeFrame,
  type HelloInfo,
  type WireErrorCode,
} from "./wire.js";

export type SessionState = "awaiting-hello" | "active" | "closed";

/** Close codes (RFC 6455 §7.4: 4000-4999 are for applications). */
export const CLOSE_BAD_FRAME = 4400;
export const CLOSE_JOIN_TOKEN = 4401;
/** Hello without the agent id's credential, or a wrong one (EMU_ERR_HUB_AGENT_KEY). */
export const CLOSE_AGENT_KEY = 4403;
/** The controller knows as many agents as it may (EMU_ERR_HUB_TOO_MANY_AGENTS). */
export const CLOSE_TOO_MANY_AGENTS = 4429;
export const CLOSE_REPLACED = 4409;
export const CLOSE_HELLO_TIMEOUT = 4408;
export const CLOSE_HEARTBEAT_TIMEOUT = 4504;
export const CLOSE_SHUTDOWN = 1001;

export class AgentSession {
  state: SessionState = "awaiting-hello";
  hello: HelloInfo | undefined;
  readonly connectedAtMs: number;
  lastSeenMs: number;
  sentRevision = 0;
  sentGeneration = 0;
  ackedRevision = 0;
  ackedGeneration = 0;
  /** When the latest ack arrived (the hub's clock, epoch ms; 0 = none yet). */
  ackedAtMs = 0;

  constructor(
    readonly ws: WebSocket,
    readonly remoteAddress: string,
    nowMs: number,
  ) {
    this.connectedAtMs = nowMs;
    this.lastSeenMs = nowMs;
  }

  get agentId(): string {
    return this.hello?.agentId ?? "";
  }

  /**
   * A newer snapshot waits to be pushed (compile-push.ts fan-out batching): not up to date even
   * when the last push was acked.
   */
  pushPending = false;

  /** True once the latest push has been acknowledged and no newer one waits. */
  upToDate(): boolean {
    return (
      this.sentGeneration > 0 && this.ackedGeneration >= this.sentGeneration && !this.pushPending
    );
  }

  /** Mapping array of the last Snapshot sent on this connection (see reuse_mapping). */
  private sentMapping: AgentSnapshot["mapping"] | undefined;

  sendSnapshot(snapshot: AgentSnapshot, generation: number): void {
    if (this.state !== "active") return;
    this.sentRevision = snapshot.revision;
    this.sentGeneration = generation;
    this.pushPending = false;
    // The compiler keeps the mapping array object while the mapping is unchanged.
    const reuse = this.sentMapping === snapshot.mapping;
    this.sentMapping = snapshot.mapping;
    this.ws.send(encodeSnapshotFrame(snapshot, generation, reuse));
  }

  /** Hands the agent the credential issued for its id (after a Hello without one). */
  sendWelcome(agentKey: string): void {
    if (this.state !== "active") return;
    this.ws.send(encodeWelcomeFrame(agentKey));
  }

  sendConntrackRequest(requestId: string, eniIds: readonly string[]): boolean {
    if (this.state !== "active") return false;
    this.ws.send(encodeConntrackRequestFrame(requestId, eniIds));
    return true;
  }

  sendHeartbeat(nowMs: number, reply: boolean): void {
    if (this.state === "closed") return;
    this.ws.send(encodeHeartbeatFrame(nowMs, reply));
  }

  /** A non-fatal Error frame (e.g. a refused report): the connection stays open. */
  warn(wireCode: WireErrorCode, code: HubErrorCode, message: string): void {
    if (this.state !== "active") return;
    this.ws.send(encodeErrorFrame(wireCode, HUB_ERRORS[code].code, message));
  }

  /** Send an Error frame naming `code`, then close with `closeCode`. */
  fail(wireCode: WireErrorCode, code: HubErrorCode, message: string, closeCode: number): void {
    if (this.state === "closed") return;
    try {
      this.ws.send(encodeErrorFrame(wireCode, HUB_ERRORS[code].code, message));
    } catch {
      // Why: the socket may already be half-closed; closing below is what matters.
    }
    this.close(closeCode, code);
  }

  close(code: number, reason: string): void {
    if (this.state === "closed") return;
    this.state = "closed";
    try {
      this.ws.close(code, reason.slice(0, 120));
    } catch {
      this.ws.terminate();
    }
    // Why: a peer that never answers the close handshake must not hold the socket open.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
}
