/**
 * What callers of the hub wait for: a revision enforced by every connected agent
 * (EnforcementWaiters, behind AgentHub.waitForEnforced) and an agent's answer to a conntrack
 * request (ConntrackRequests, behind AgentHub.requestConntrack).
 */
import type { ConntrackReport } from "../reports/report-types.js";
import type { AgentSession } from "./agent-session.js";
import { HubError } from "./hub-errors.js";

interface Waiter {
  readonly revision: number;
  readonly resolve: () => void;
}

/**
 * Per agent, the revision it enforces, and promises waiting for a revision to be enforced
 * everywhere. `compiledRevision` is the revision of the hub's latest compile.
 */
export class EnforcementWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(
    private readonly sessions: ReadonlySet<AgentSession>,
    private readonly compiledRevision: () => number,
  ) {}

  /**
   * The revision an agent enforces: once it acked the latest push, its policy is what the
   * current compile would send, so it enforces the compiled revision; before, what it acked.
   */
  enforcedOf(s: AgentSession): number {
    return s.upToDate() ? Math.max(this.compiledRevision(), s.ackedRevision) : s.ackedRevision;
  }

  /**
   * True when `s` enforces `revision`. Waiting for the latest compiled revision also means
   * holding every push made since: a placement change (an agent joining, a NAT gateway placed)
   * pushes a new mapping table under the same revision, and a caller waiting for "the state
   * now" must not send before the agents have it.
   */
  enforces(s: AgentSession, revision: number): boolean {
    if (this.enforcedOf(s) < revision) return false;
    return revision < this.compiledRevision() || s.upToDate();
  }

  /** True when the hub compiled `revision` and every connected agent enforces it. */
  allEnforced(revision: number): boolean {
    if (this.compiledRevision() < revision) return false;
    for (const s of this.sessions) {
      if (s.state === "active" && !this.enforces(s, revision)) return false;
    }
    return true;
  }

  /** See AgentHub.waitForEnforced (the hub flushes pending compiles first). */
  wait(revision: number, timeoutMs: number): Promise<void> {
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
          .filter((s) => s.state === "active" && !this.enforces(s, revision))
          .map((s) => `${s.agentId}@${this.enforcedOf(s)}${s.upToDate() ? "" : " (push pending)"}`);
        const compiled = this.compiledRevision();
        const who = compiled < revision ? [`compiler@${compiled}`, ...lagging] : lagging;
        reject(new HubError("EMU_ERR_HUB_NOT_ENFORCED", revision, timeoutMs, who.join(", ")));
      }, timeoutMs);
      this.waiters.add(w);
    });
  }

  /** Resolves the waiters whose revision is now enforced (after an ack, a push, a close). */
  check(): void {
    for (const w of [...this.waiters]) if (this.allEnforced(w.revision)) w.resolve();
  }
}

/** Outstanding conntrack requests, by request id. */
export class ConntrackRequests {
  private readonly pending = new Map<string, (r: ConntrackReport) => void>();
  private seq = 0;

  /**
   * Ask `session` for a fresh conntrack report of `eniIds`; resolves with it, or with undefined
   * if the session is gone or does not answer within `timeoutMs`.
   */
  request(
    session: AgentSession | undefined,
    eniIds: readonly string[],
    timeoutMs: number,
  ): Promise<ConntrackReport | undefined> {
    const s = session;
    if (s === undefined || s.state !== "active") return Promise.resolve(undefined);
    const requestId = `ctq-${++this.seq}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        resolve(undefined);
      }, timeoutMs);
      this.pending.set(requestId, (r) => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(r);
      });
      if (!s.sendConntrackRequest(requestId, eniIds)) {
        clearTimeout(timer);
        this.pending.delete(requestId);
        resolve(undefined);
      }
    });
  }

  /** A report arrived: resolve the request it answers, if any. */
  deliver(report: ConntrackReport): void {
    if (report.requestId !== "") this.pending.get(report.requestId)?.(report);
  }
}
