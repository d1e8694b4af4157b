/**
 * The hub's agents (controller/hub/agent-hub.ts): every agent seen, connected or not, with what
 * it hosts; their placement for the compiler; and the known agents persisted through the
 * PolicySource (loadAgents/saveAgents) so a restarted controller starts with them.
 *
 * An agent that disconnects stays known with its last underlay endpoint (peers keep routing to
 * it: its data plane usually outlives the control connection) until a connected agent takes
 * over what it hosted (forgetMovedHosting).
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
}

/** Agent ids the hub accepts (Hello and saved rows). */
export const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** True when a session has said Hello and is not closed. */
export function isLive(s: AgentSession | undefined): s is AgentSession {
  return s !== undefined && s.state === "active";
}

export class AgentRegistry {
  /** Every agent seen since start (or loaded from the source), by id. */
  readonly records = new Map<string, AgentRecord>();
  /** Every open connection, Hello said or not. */
  readonly sessions = new Set<AgentSession>();
  /** knownAgentsKey() as last saved (or loaded). */
  private savedAgents = "";

  constructor(
    private readonly source: PolicySource,
    private readonly log: (line: string) => void,
  ) {}

  /** Adds the agents the source saved as disconnected records (call once, at start). */
  loadKnown(): void {
    for (const k of this.readKnownAgents()) {
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

  placements(): AgentPlacement[] {
    return [...this.records.values()].map((r) => {
      const live = isLive(r.session);
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

  /**
   * A disconnected agent whose instances or ENIs are now hosted by a connected agent (connected
   * agents claim first, controller/policy/compile.ts) forgets those claims, so its stale
   * endpoint is never mapped for them again, even after the new host disconnects too. When it
   * reconnects, its Hello announces what it hosts afresh.
   */
  forgetMovedHosting(snapshots: ReadonlyMap<string, AgentSnapshot>): void {
    const stale = [...this.records.values()].filter(
      (r) =>
        !isLive(r.session) && (r.hosting.instanceIds.length > 0 || r.hosting.eniIds.length > 0),
    );
    if (stale.length === 0) return;
    const eniHost = new Map<string, string>();
    const instanceHost = new Map<string, string>();
    for (const [agentId, snap] of snapshots) {
      if (this.liveSession(agentId) === undefined) continue;
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
