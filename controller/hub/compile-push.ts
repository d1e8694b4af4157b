/**
 * Compile and push (controller/hub/agent-hub.ts): every store change (PolicySource.onChange) and
 * every placement change (Hello, Hosting, disconnect) is coalesced into one incremental compile
 * (controller/policy/compile.ts); only agents whose snapshot changed get a push, and a
 * (re)connecting agent always gets the current snapshot.
 */
import {
  PolicyCompiler,
  mergeStateChanges,
  type CompileOptions,
  type CompileResult,
} from "../policy/compile.js";
import type { FaultResolution } from "../policy/compile-faults.js";
import type { AgentSnapshot } from "../policy/compiled-policy.js";
import type { StateChange } from "../policy/policy-state.js";
import type { AgentRegistry, PolicySource } from "./agent-registry.js";
import { isLive } from "./agent-registry.js";
import type { HubObserver } from "./hub-observer.js";

export interface CompilePushOptions {
  readonly source: PolicySource;
  readonly registry: AgentRegistry;
  readonly compile?: CompileOptions;
  /**
   * Called after every successful compile and push (the hub checks its waiters); undefined
   * after a deferred fan-out push (no compile).
   */
  readonly afterPush: (result: CompileResult | undefined) => void;
  /** Told how long each incremental compile took (metrics). */
  readonly observer?: HubObserver;
  /** The hub's clock (epoch ms): when a compile and its pushes were done. */
  readonly now: () => number;
  readonly log: (line: string) => void;
}

/** The latest incremental compile (GET /v1/revision `lastCompile`). */
export interface LastCompile {
  /** The store revision it compiled. */
  readonly revision: number;
  /**
   * When the compile began (the hub's clock, epoch ms): a change's API call to here is the
   * request's own handling, its store transaction and the microtask that coalesces writes.
   */
  readonly startedAtMs: number;
  /** How long the compile took (ms), pushes not included. */
  readonly compileMs: number;
  /** When the compile and its pushes were done (the hub's clock, epoch ms). */
  readonly atMs: number;
  /** Agents sent a snapshot by it (those whose snapshot changed, and first snapshots). */
  readonly pushed: number;
}

/**
 * Fan-out batching (issue 15 item 4): a placement-only compile (an agent came or went, no store
 * change) that changes the snapshots of more than this many already-served agents (their
 * mapping tables: the newcomer's endpoint) pushes to them after DEFER_QUIET_MS without another
 * such compile, at most DEFER_MAX_MS after the first. Why: hundreds of agents joining one by one
 * (vpcemu up of a scale topology) would otherwise push every table to every agent per join,
 * O(agents^2) snapshots. A newcomer still gets its own snapshot at once, a store change pushes
 * everything pending at once, and a deferred agent counts as not up to date (AgentSession
 * pushPending), so whoever waits for enforcement waits for it. Small runtimes never defer.
 */
export const DEFER_FANOUT_ABOVE = 32;
export const DEFER_QUIET_MS = 100;
export const DEFER_MAX_MS = 1000;

export class CompilePush {
  private compiler: PolicyCompiler;
  private pendingChange: StateChange | undefined;
  private flushScheduled = false;
  private generation = 0;
  private compiledRev = 0;
  private closed = false;
  private placementTimer: NodeJS.Timeout | undefined;
  private placementImmediate: NodeJS.Immediate | undefined;
  private placementDirty = false;
  private last: LastCompile | undefined;
  /** Agents with a placement-only push deferred (fan-out batching, above). */
  private readonly deferred = new Set<string>();
  private deferTimer: NodeJS.Timeout | undefined;
  private deferSinceMs = 0;

  /** Compiles the current state at once (no push: nobody is connected yet). */
  constructor(private readonly opts: CompilePushOptions) {
    this.compiler = new PolicyCompiler(opts.compile);
    this.compiledRev = this.compiler.update(
      opts.source.readPolicyState(),
      opts.registry.placements(),
    ).revision;
  }

  /** The store revision of the latest compile. */
  compiledRevision(): number {
    return this.compiledRev;
  }

  /** The latest incremental compile (undefined before the first after start). */
  lastCompile(): LastCompile | undefined {
    return this.last;
  }

  /** The latest compiled snapshot of an agent. */
  snapshot(agentId: string): AgentSnapshot | undefined {
    return this.compiler.snapshot(agentId);
  }

  /** What a chaos fault resolved to at the latest compile. */
  faultResolution(faultId: string): FaultResolution | undefined {
    return this.compiler.faultResolution(faultId);
  }

  /** A store write committed: compile it in a microtask, coalesced with the same tick's writes. */
  onStoreChange(change: StateChange): void {
    this.pendingChange =
      this.pendingChange === undefined ? change : mergeStateChanges(this.pendingChange, change);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // Why: a microtask coalesces writes committed in the same tick into one compile, yet runs
    // before any timer, so pushes leave right after the API's transaction.
    queueMicrotask(() => this.flush());
  }

  /**
   * Placement changed (Hello, Hosting: delayMs 0; disconnect: 20; retry after a failed
   * compile: 1000). Why coalesce: when many
   * agents come or go at once (start-up, shutdown, partition) one compile and one push per
   * agent suffices instead of one per agent per event; a Hello waits at most one event-loop
   * turn (setImmediate) for its snapshot.
   */
  schedulePlacementFlush(delayMs: 0 | 20 | 1000): void {
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

  /**
   * Compile what changed (store changes since the last flush; placement when an agent came,
   * went or re-announced its hosting) and push to agents whose snapshot changed.
   */
  flush(): void {
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
      this.opts.log(`compile failed: ${(err as Error).stack ?? String(err)}`);
      this.compiler = new PolicyCompiler(this.opts.compile);
      this.schedulePlacementFlush(1000);
    }
  }

  /** Stop: no more compiles; pending timers are cleared. */
  close(): void {
    this.closed = true;
    clearTimeout(this.deferTimer);
    clearTimeout(this.placementTimer);
    if (this.placementImmediate !== undefined) clearImmediate(this.placementImmediate);
  }

  private compileAndPush(change: StateChange | undefined): void {
    const { registry } = this.opts;
    const startedAtMs = this.opts.now();
    const t0 = performance.now();
    const state = this.opts.source.readPolicyState();
    const result = this.compiler.update(
      state,
      registry.placements(),
      change ?? emptyChange(state.revision),
    );
    const compileMs = performance.now() - t0;
    this.opts.observer?.compiled(compileMs);
    this.compiledRev = result.revision;
    registry.noteCompiled(result.snapshots);
    registry.saveKnown();
    let pushed = 0;
    const served = result.changedAgents.filter(
      (id) => (registry.liveSession(id)?.sentGeneration ?? 0) !== 0,
    );
    const defer = change === undefined && served.length > DEFER_FANOUT_ABOVE;
    for (const agentId of result.changedAgents) {
      const s = registry.liveSession(agentId);
      const snap = result.snapshots.get(agentId);
      if (s === undefined || snap === undefined) continue;
      if (defer && s.sentGeneration !== 0) {
        s.pushPending = true;
        this.deferred.add(agentId);
        continue;
      }
      s.sendSnapshot(snap, ++this.generation);
      this.deferred.delete(agentId);
      pushed++;
    }
    if (!defer) pushed += this.pushDeferred();
    pushed += this.sendFirstSnapshots();
    if (this.deferred.size > 0) this.scheduleDeferred();
    this.last = {
      revision: result.revision,
      startedAtMs,
      compileMs,
      atMs: this.opts.now(),
      pushed,
    };
    this.opts.afterPush(result);
  }

  /** Restarts the quiet period; pushes once it passes, or DEFER_MAX_MS after the first deferral. */
  private scheduleDeferred(): void {
    const now = this.opts.now();
    if (this.deferTimer === undefined) this.deferSinceMs = now;
    clearTimeout(this.deferTimer);
    const wait = Math.max(0, Math.min(DEFER_QUIET_MS, this.deferSinceMs + DEFER_MAX_MS - now));
    this.deferTimer = setTimeout(() => {
      this.deferTimer = undefined;
      if (this.closed) return;
      this.pushDeferred();
      this.opts.afterPush(undefined);
    }, wait);
    this.deferTimer.unref();
  }

  /** Sends every deferred agent its current snapshot; returns how many were sent. */
  private pushDeferred(): number {
    let sent = 0;
    for (const agentId of this.deferred) {
      const s = this.opts.registry.liveSession(agentId);
      const snap = this.compiler.snapshot(agentId);
      if (s !== undefined && snap !== undefined) {
        s.sendSnapshot(snap, ++this.generation);
        sent++;
      }
    }
    this.deferred.clear();
    if (this.deferTimer !== undefined) {
      clearTimeout(this.deferTimer);
      this.deferTimer = undefined;
    }
    return sent;
  }

  /** A (re)connecting agent always gets the current snapshot (resync), changed or not. */
  private sendFirstSnapshots(): number {
    let sent = 0;
    for (const s of this.opts.registry.sessions) {
      if (!isLive(s) || s.sentGeneration !== 0) continue;
      const snap = this.compiler.snapshot(s.agentId);
      if (snap !== undefined) {
        s.sendSnapshot(snap, ++this.generation);
        sent++;
      }
    }
    return sent;
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
