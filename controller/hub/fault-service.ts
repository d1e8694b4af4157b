/**
 * Chaos faults for the JSON API (/v1/faults) and in-process users (StartedController.faults):
 * create, list, get, remove; views with state and counters; and the clock that expires faults.
 *
 * Faults are state (controller/store/fault-ops.ts): each write bumps the revision and the hub
 * recompiles and pushes. Their clock runs here:
 *
 *   start()  -> sweep(): past-due faults become expired at once (also after a restart), delayed
 *               conntrack faults become started; then a timer for the next due time
 *   timer    -> sweep() -> re-arm;   any fault write -> re-arm
 *
 * View state (docs/json-api.md): expired (past expiresAt) > stale (names a resource that no
 * longer exists) > pending (not every affected agent enforces it) > scheduled (before startsAt)
 * > active.
 */
import { randomInt } from "node:crypto";
import type { Clock } from "../clock.js";
import {
  protocolName,
  sanitizeFaultBody,
  sanitizePartitionBody,
  type Fault,
  type FaultSpec,
} from "../model/fault.js";
import type { SelectorCatalog } from "../model/fault-selector.js";
import type { FaultEffectsState, PartitionMode } from "../policy/policy-state.js";
import {
  advanceFaults,
  createFault,
  deleteAllFaults,
  deleteFault,
  nextFaultEventMs,
  selectorCatalog,
} from "../store/fault-ops.js";
import type { StateStore } from "../store/state-store.js";
import type { AgentHub } from "./agent-hub.js";
import type { FaultCounterTotals } from "./fault-counters.js";
import { HubError } from "./hub-errors.js";

export type FaultViewState = "pending" | "active" | "scheduled" | "expired" | "stale";

/** A fault as GET /v1/faults/{id} shows it. */
export interface FaultView {
  readonly faultId: string;
  readonly state: FaultViewState;
  /** Selectors as given, names resolved to ids ([] for a partition). */
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly partition?: {
    readonly groups: readonly (readonly string[])[];
    readonly mode: PartitionMode;
    readonly oneWay: boolean;
  };
  readonly direction: "one-way" | "both";
  /** "all", "tcp", "udp", "icmp", "icmpv6" or the IANA number as text. */
  readonly protocol: string;
  /** "3306", "8000-8100", or null for every port. */
  readonly ports: string | null;
  readonly effects: FaultEffectsState;
  readonly seed: number;
  /** null = the agent's default (1000). */
  readonly queueLimitPackets: number | null;
  readonly description: string;
  readonly createdAt: string;
  readonly startsAt: string;
  readonly expiresAt: string | null;
  /** The store revision that created it. */
  readonly revision: number;
  /** Port keys (ENI ids, ext:<node>; ["*"] = every port) at the latest compile. */
  readonly resolved: { readonly from: readonly string[]; readonly to: readonly string[] };
  /** Agents enforcing it. */
  readonly agents: readonly string[];
  /** Ids it names that no longer exist (non-empty: state stale). */
  readonly missing: readonly string[];
  readonly counters: FaultCounterTotals;
}

export interface FaultServiceDeps {
  readonly store: StateStore;
  readonly hub: AgentHub;
  readonly clock: Clock;
  readonly log: (line: string) => void;
  /** A seed for faults created without one (default: crypto random 32-bit). */
  readonly randomSeed?: () => number;
}

/** Longest timer Node accepts (2^31 - 1 ms); a later due time re-arms when it fires. */
const MAX_TIMER_MS = 2_147_483_647;

export class FaultService {
  private timer: NodeJS.Timeout | undefined;
  private timerAtMs: number | undefined;
  private unsubscribe: (() => void) | undefined;
  private closed = false;

  constructor(private readonly deps: FaultServiceDeps) {}

  /** Expire what is past due (a restarted controller included) and arm the timer. */
  start(): void {
    this.unsubscribe = this.deps.store.onChange((c) => {
      if ((c.faultIds?.length ?? 0) > 0) this.arm();
    });
    this.sweep();
  }

  /** POST /v1/faults: validate, resolve names, store (nothing stored on error); the view. */
  add(body: unknown): FaultView {
    return this.create((cat) => sanitizeFaultBody(body, cat));
  }

  /** POST /v1/faults/partition: one blackhole fault cutting the groups; the view. */
  partition(body: unknown): FaultView {
    return this.create((cat) => sanitizePartitionBody(body, cat));
  }

  /** Every fault, in creation order. */
  list(): FaultView[] {
    this.deps.hub.compileNow();
    return this.deps.store.list("fault").map((f) => this.view(f));
  }

  /** One fault; EMU_ERR_FAULT_NOT_FOUND when there is none. */
  get(faultId: string): FaultView {
    const f = this.deps.store.get("fault", faultId);
    if (f === undefined) throw new HubError("EMU_ERR_FAULT_NOT_FOUND", faultId);
    this.deps.hub.compileNow();
    return this.view(f);
  }

  /** DELETE /v1/faults/{id}: removes it; the view as it was (counters included). */
  remove(faultId: string): FaultView {
    const before = this.get(faultId);
    this.deps.store.mutate((ctx) => deleteFault(ctx, faultId));
    this.deps.hub.faultCounters.forget(faultId);
    this.deps.hub.compileNow();
    return before;
  }

  /** DELETE /v1/faults: removes every fault; their ids. */
  clear(): string[] {
    const ids = this.deps.store.mutate((ctx) => deleteAllFaults(ctx));
    for (const id of ids) this.deps.hub.faultCounters.forget(id);
    this.deps.hub.compileNow();
    return ids;
  }

  /** Apply the clock now: expire past-due faults, start delayed conntrack faults; re-arm. */
  sweep(): void {
    if (this.closed) return;
    const now = this.deps.clock.now();
    const due = nextFaultEventMs(this.deps.store.list("fault"));
    if (due !== undefined && due <= now) {
      const { expired, started } = this.deps.store.mutate((ctx) => advanceFaults(ctx, now));
      if (expired.length > 0) this.deps.log(`faults expired: ${expired.join(", ")}`);
      if (started.length > 0) this.deps.log(`faults started: ${started.join(", ")}`);
    }
    this.arm();
  }

  /** Stop the timer (the store is closed by its owner). */
  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private create(sanitize: (cat: SelectorCatalog) => FaultSpec): FaultView {
    const { store, hub, clock } = this.deps;
    const nowMs = clock.now();
    const seed = (this.deps.randomSeed ?? (() => randomInt(0, 2 ** 32 - 1)))();
    const fault = store.mutate((ctx) =>
      createFault(ctx, sanitize(selectorCatalog(ctx.tx, hub.externalNodes())), { nowMs, seed }),
    );
    hub.compileNow();
    return this.view(fault);
  }

  /** Arm the timer for the next due time (none: no timer). */
  private arm(): void {
    if (this.closed) return;
    const due = nextFaultEventMs(this.deps.store.list("fault"));
    if (due === this.timerAtMs && this.timer !== undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAtMs = due;
    if (due === undefined) return;
    const delay = Math.min(Math.max(0, due - this.deps.clock.now()), MAX_TIMER_MS);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerAtMs = undefined;
      try {
        this.sweep();
      } catch (err) {
        // Why: a timer callback must not take the controller down; retry in a second.
        this.deps.log(`fault sweep failed: ${(err as Error).stack ?? String(err)}`);
        this.timer = setTimeout(() => this.sweep(), 1000);
        this.timer.unref();
      }
    }, delay);
    this.timer.unref();
  }

  private view(f: Fault): FaultView {
    const { hub, clock } = this.deps;
    const now = clock.now();
    const r = hub.faultResolution(f.faultId);
    const missing = r?.stale ?? [];
    const state: FaultViewState =
      f.expired || (f.expiresAtMs !== null && now >= f.expiresAtMs)
        ? "expired"
        : missing.length > 0
          ? "stale"
          : !hub.faultEnforced(f.faultId, f.revision)
            ? "pending"
            : now < f.startsAtMs
              ? "scheduled"
              : "active";
    return {
      faultId: f.faultId,
      state,
      from: f.from,
      to: f.to,
      ...(f.partition !== undefined ? { partition: f.partition } : {}),
      direction: f.direction,
      protocol: protocolName(f.protocol),
      ports:
        f.fromPort < 0
          ? null
          : f.fromPort === f.toPort
            ? String(f.fromPort)
            : `${f.fromPort}-${f.toPort}`,
      effects: f.effects,
      seed: f.seed,
      queueLimitPackets: f.queueLimitPackets === 0 ? null : f.queueLimitPackets,
      description: f.description,
      createdAt: new Date(f.createdAtMs).toISOString(),
      startsAt: new Date(f.startsAtMs).toISOString(),
      expiresAt: f.expiresAtMs === null ? null : new Date(f.expiresAtMs).toISOString(),
      revision: f.revision,
      resolved: { from: r?.from ?? [], to: r?.to ?? [] },
      agents: r?.agents ?? [],
      missing,
      counters: hub.faultCounters.totals(f.faultId),
    };
  }
}
