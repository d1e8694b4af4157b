/**
 * The hub's agents (controller/hub/agent-hub.ts): every agent seen, connected or not, with what
 * it hosts; their placement for the compiler; and the known agents persisted through the
 * PolicySource (loadAgents/saveAgents) so a restarted controller starts with them.
 *
 * Placement (docs/agent.md "Agent identity"): the first agent to announce an instance or ENI
 * holds it; a Hello or Hosting frame cannot take what another agent holds. A disconnected
 * holder keeps its claims (peers keep routing to its last underlay endpoint: its data plane
 * usually outlives the control connection) for `placementGraceMs`; after that a connected agent
 * announcing them takes them over. A disconnected agent is forgotten after `forgetMs`
 * (sweep()), and at most `maxAgents` are known at once (docs/agent.md "Limits").
 */
import type { AgentPlacement } from "../policy/compile.js";
import type { AgentSnapshot } from "../policy/compiled-policy.js";
import type { ExternalAddress } from "../policy/mapping-table.js";
import type { PolicyState, StateChange } from "../policy/policy-state.js";
import type { AgentSession } from "./agent-session.js";
import type { Hosting } from "./wire.js";

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

/** One agent as the hub tracks it; `session` is its current connection, if any. */
export interface AgentRecord {
  readonly agentId: string;
  hosting: Hosting;
  version: string;
  session: AgentSession | undefined;
  lastSeenMs: number;
  remoteAddress: string;
  /** When its connection closed (or the controller loaded it); 0 while connected. */
  disconnectedAtMs: number;
  /** Report entries it sent for ENIs it does not host (dropped). */
  forgedReportEntries: number;
  /** Report frames refused by a limit (docs/agent.md "Limits"). */
  refusedReports: number;
  /** Conntrack entries stored per ENI from its reports (bounded per agent). */
  readonly conntrackEntries: Map<string, number>;
}

/** docs/agent.md "Limits": defaults of AgentRegistryOptions. */
export const AGENT_LIMITS = {
  /** A disconnected agent is forgotten after this (10 min). */
  forgetMs: 10 * 60_000,
  /** A disconnected agent keeps what it holds this long against other agents' claims (60 s). */
  placementGraceMs: 60_000,
  /** Agents known at once, connected or not. */
  maxAgents: 1024,
  /** Instance ids, ENI ids and external nodes one agent may announce (each). */
  maxHostedPerKind: 256,
  /** Length of an announced id, external name or address, or endpoint. */
  maxIdLength: 128,
  /** Bytes of one report frame (conntrack, counters, flow logs). */
  maxReportBytes: 8 * 1024 * 1024,
  /** Conntrack entries stored per agent, over all its ENIs. */
  maxConntrackEntriesPerAgent: 262_144,
  /** Flow-log records in one frame. */
  maxFlowLogRecordsPerFrame: 50_000,
} as const;

export interface AgentRegistryOptions {
  readonly forgetMs?: number;
  readonly placementGraceMs?: number;
  readonly maxAgents?: number;
}

/** A new record for an agent (connected or loaded). */
export function newAgentRecord(
  agentId: string,
  hosting: Hosting,
  session: AgentSession | undefined,
  nowMs: number,
): AgentRecord {
  return {
    agentId,
    hosting,
    version: session?.hello?.version ?? "",
    session,
    lastSeenMs: session?.lastSeenMs ?? 0,
    remoteAddress: session?.remoteAddress ?? "",
    disconnectedAtMs: session === undefined ? nowMs : 0,
    forgedReportEntries: 0,
    refusedReports: 0,
    conntrackEntries: new Map(),
  };
}

/** Agent ids the hub accepts (Hello and saved rows). */
export const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** True when a session has said Hello and is not closed. */
export function isLive(s: AgentSession | undefined): s is AgentSession {
  return s !== undefined && s.state === "active";
}

export class AgentRegistry {
  /** Every agent known (connected, or disconnected for less than forgetMs), by id. */
  readonly records = new Map<string, AgentRecord>();
  /** Every open connection, Hello said or not. */
  readonly sessions = new Set<AgentSession>();
  readonly forgetMs: number;
  readonly placementGraceMs: number;
  readonly maxAgents: number;
  /** Placement: instance id or ENI id -> the agent holding it. */
  private readonly holders = new Map<string, string>();
  /** Per the latest compile: ENI id -> the agent whose snapshot has it, and its instance. */
  private compiledEnis = new Map<string, { host: string; instanceId: string }>();
  /** Per the latest compile: instance id -> its hosted ENI ids. */
  private compiledInstanceEnis = new Map<string, string[]>();
  /** knownAgentsKey() as last saved (or loaded). */
  private savedAgents = "";

  constructor(
    private readonly source: PolicySource,
    private readonly log: (line: string) => void,
    private readonly now: () => number,
    opts: AgentRegistryOptions = {},
  ) {
    this.forgetMs = opts.forgetMs ?? AGENT_LIMITS.forgetMs;
    this.placementGraceMs = opts.placementGraceMs ?? AGENT_LIMITS.placementGraceMs;
    this.maxAgents = opts.maxAgents ?? AGENT_LIMITS.maxAgents;
  }

  /** Adds the agents the source saved as disconnected records (call once, at start). */
  loadKnown(): void {
    const now = this.now();
    for (const k of this.readKnownAgents().slice(0, this.maxAgents)) {
      this.records.set(k.agentId, newAgentRecord(k.agentId, k.hosting, undefined, now));
    }
    this.savedAgents = this.knownAgentsKey();
  }

  /**
   * Forgets agents disconnected for longer than forgetMs (their claims go with them); returns
   * how many. Called on every heartbeat round and before refusing a new agent for the limit.
   */
  sweep(): number {
    const now = this.now();
    let n = 0;
    for (const r of [...this.records.values()]) {
      if (isLive(r.session)) continue;
      if (now - r.disconnectedAtMs <= this.forgetMs) continue;
      this.records.delete(r.agentId);
      n++;
    }
    if (n > 0) this.log(`forgot ${n} agent(s) disconnected for over ${this.forgetMs} ms`);
    return n;
  }

  /** The live session of an agent, if connected. */
  liveSession(agentId: string): AgentSession | undefined {
    const s = this.records.get(agentId)?.session;
    return isLive(s) ? s : undefined;
  }

  /** Records sorted by agent id. */
  sorted(): AgentRecord[] {
    return [...this.records.values()].sort((a, b) => (a.agentId < b.agentId ? -1 : 1));
  }

  /** The agent holding an instance or ENI claim (placement), if any. */
  holderOf(claim: string): string | undefined {
    return this.holders.get(claim);
  }

  /**
   * Each agent with what it holds: its announced instances and ENIs filtered to the claims it
   * was granted (resolveHolders), so two agents never claim the same thing.
   */
  placements(): AgentPlacement[] {
    this.resolveHolders();
    return [...this.records.values()].map((r) => {
      const live = isLive(r.session);
      const held = (id: string): boolean => this.holders.get(id) === r.agentId;
      // Why the last known endpoint even while disconnected: the agent's data plane usually
      // outlives its control connection (controller restart, reconnect backoff); an empty
      // endpoint would make its peers drop its traffic (spoofed_underlay in, no_route out).
      return {
        agentId: r.agentId,
        connected: live,
        endpoint: r.hosting.underlayEndpoint,
        instanceIds: r.hosting.instanceIds.filter(held),
        eniIds: r.hosting.eniIds.filter(held),
        externals: r.hosting.externals,
        ...(r.hosting.conntrackMax !== undefined ? { conntrackMax: r.hosting.conntrackMax } : {}),
        ...(r.hosting.autoTracked !== undefined ? { autoTracked: r.hosting.autoTracked } : {}),
      };
    });
  }

  /** Saves the known agents through the source when they changed since the last save. */
  saveKnown(): void {
    if (this.source.saveAgents === undefined) return;
    const key = this.knownAgentsKey();
    if (key === this.savedAgents) return;
    try {
      this.source.saveAgents(this.knownAgents());
      this.savedAgents = key;
    } catch (err) {
      // Why not fatal: only a restarted controller's first mappings depend on it.
      this.log(`saving the known agents failed: ${String(err)}`);
    }
  }

  /** After a compile: who hosts each ENI now (resolveHolders checks claims against it). */
  noteCompiled(snapshots: ReadonlyMap<string, AgentSnapshot>): void {
    const enis = new Map<string, { host: string; instanceId: string }>();
    const byInstance = new Map<string, string[]>();
    for (const [agentId, snap] of snapshots) {
      for (const e of snap.enis) {
        enis.set(e.eniId, { host: agentId, instanceId: e.instanceId });
        if (e.instanceId === "") continue;
        const list = byInstance.get(e.instanceId);
        if (list === undefined) byInstance.set(e.instanceId, [e.eniId]);
        else list.push(e.eniId);
      }
    }
    this.compiledEnis = enis;
    this.compiledInstanceEnis = byInstance;
  }

  /**
   * Placement: a claim stays with its holder while the holder announces it and is connected or
   * disconnected for at most placementGraceMs; free claims go to connected agents first (by id),
   * then to disconnected ones (a restarted controller's loaded agents keep routing). A claim is
   * not granted while another agent hosts its ENI (or one of its instance's ENIs) through a
   * claim it still holds under the other key (an ENI id against an instance id).
   */
  private resolveHolders(): void {
    const now = this.now();
    for (const [claim, agentId] of this.holders) {
      const r = this.records.get(agentId);
      const keeps =
        r !== undefined && (isLive(r.session) || now - r.disconnectedAtMs <= this.placementGraceMs);
      if (!keeps || !announces(r, claim)) this.holders.delete(claim);
    }
    const sorted = this.sorted();
    const order = [
      ...sorted.filter((r) => isLive(r.session)),
      ...sorted.filter((r) => !isLive(r.session)),
    ];
    for (const r of order) {
      for (const claim of [...r.hosting.instanceIds, ...r.hosting.eniIds]) {
        if (this.holders.has(claim) || this.hostedElsewhere(claim, r.agentId)) continue;
        this.holders.set(claim, r.agentId);
      }
    }
    // A disconnected agent forgets the claims another agent holds now, so its stale endpoint is
    // never mapped for them again, even after the new holder disconnects too. When it
    // reconnects, its Hello announces what it hosts afresh.
    for (const r of order) {
      if (isLive(r.session)) continue;
      const mine = (c: string): boolean => (this.holders.get(c) ?? r.agentId) === r.agentId;
      const instanceIds = r.hosting.instanceIds.filter(mine);
      const eniIds = r.hosting.eniIds.filter(mine);
      if (
        instanceIds.length === r.hosting.instanceIds.length &&
        eniIds.length === r.hosting.eniIds.length
      ) {
        continue;
      }
      this.log(`agent ${r.agentId} (disconnected): its hosting moved to other agents`);
      r.hosting = { ...r.hosting, instanceIds, eniIds };
    }
  }

  private hostedElsewhere(claim: string, agentId: string): boolean {
    for (const eniId of this.compiledInstanceEnis.get(claim) ?? [claim]) {
      const e = this.compiledEnis.get(eniId);
      if (e === undefined || e.host === agentId) continue;
      if (this.holders.get(eniId) === e.host) return true;
      if (e.instanceId !== "" && this.holders.get(e.instanceId) === e.host) return true;
    }
    return false;
  }

  private readKnownAgents(): readonly KnownAgent[] {
    if (this.source.loadAgents === undefined) return [];
    try {
      return this.source.loadAgents().filter(isKnownAgent);
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
    return this.sorted().map((r) => ({ agentId: r.agentId, hosting: r.hosting }));
  }
}

function announces(r: AgentRecord, claim: string): boolean {
  return r.hosting.instanceIds.includes(claim) || r.hosting.eniIds.includes(claim);
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
