/**
 * Verdict traces (docs/observability.md "Traces"; JSON API `/v1/traces`): the controller asks
 * the agents hosting some ENIs for their verdict events (hub Frame 12 TraceControl) and keeps
 * what they send (Frame 13 VerdictEvents) in a bounded ring per trace (trace-ring.ts) that
 * clients page through. A trace ends at its expiry (the agents stop by themselves too), on
 * DELETE, or on an agent when its connection drops; it stays readable TRACE_RETAIN_MS after its
 * expiry, then is forgotten. Bad input is a HubError of the catalogue (EMU_ERR_API_TRACE_*).
 */
import { randomBytes } from "node:crypto";
import { HubError } from "../hub/hub-errors.js";
import { TraceRing } from "./trace-ring.js";
import {
  MAX_TRACE_PAGE,
  MAX_TRACE_SECONDS,
  MAX_TRACES,
  TRACE_RETAIN_MS,
  TRACE_RING_CAPACITY,
  type TraceControl,
  type TraceEventJson,
  type TraceEventsPage,
  type TraceFilter,
  type TraceView,
  type VerdictEventBatch,
} from "./trace-types.js";

/** What the service needs of the hub (controller/hub/agent-hub.ts AgentHub). */
export interface TraceHub {
  hostOfEni(eniId: string): string | undefined;
  hostedEnisOfInstance(instanceId: string): { agentId: string; eniIds: string[] } | undefined;
  /** False when the agent is not connected. */
  sendTraceControl(agentId: string, control: TraceControl): boolean;
  /** One receiver of every agent's VerdictEvents frames. */
  onVerdictEvents(handler: (agentId: string, batch: VerdictEventBatch) => void): void;
}

export interface TraceServiceOptions {
  readonly now?: () => number;
  readonly ringCapacity?: number;
  readonly maxTraces?: number;
  /** How long POST waits for the agents to say the trace runs (default 5 s). */
  readonly startTimeoutMs?: number;
}

interface Trace {
  readonly traceId: string;
  readonly enis: readonly string[];
  /** Agent id -> its ENIs in the trace. */
  readonly agents: ReadonlyMap<string, readonly string[]>;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly filter: TraceFilter | undefined;
  readonly ring: TraceRing;
  /** Agents that sent `finished` (or were stopped). */
  readonly finishedAgents: Set<string>;
  lostByAgents: number;
  errors: string[];
  timer: NodeJS.Timeout | undefined;
  /** Agents that sent a batch (the first one says the trace runs there). */
  readonly answered: Set<string>;
  /** Wakes create() waiting for the agents' first batches. */
  onAnswer: (() => void) | undefined;
}

const ENI_ID = /^eni-[0-9a-f]{8,17}$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** See the module comment. */
export class TraceService {
  private readonly traces = new Map<string, Trace>();
  private readonly now: () => number;
  private readonly ringCapacity: number;
  private readonly maxTraces: number;
  private readonly startTimeoutMs: number;

  constructor(
    private readonly hub: TraceHub,
    opts: TraceServiceOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.ringCapacity = opts.ringCapacity ?? TRACE_RING_CAPACITY;
    this.maxTraces = opts.maxTraces ?? MAX_TRACES;
    this.startTimeoutMs = opts.startTimeoutMs ?? 5000;
    hub.onVerdictEvents((agentId, batch) => this.received(agentId, batch));
  }

  /**
   * POST /v1/traces: validates, resolves ENIs to agents, starts the trace on each and answers
   * once every agent said it runs (its first batch), so every packet after the answer is traced.
   */
  async create(body: unknown): Promise<TraceView> {
    const req = parseCreate(body);
    const agents = new Map<string, string[]>();
    const enis: string[] = [];
    const add = (agentId: string, eniId: string): void => {
      if (enis.includes(eniId)) return;
      enis.push(eniId);
      const list = agents.get(agentId);
      if (list) list.push(eniId);
      else agents.set(agentId, [eniId]);
    };
    for (const eniId of req.enis) {
      const agentId = this.hub.hostOfEni(eniId);
      if (agentId === undefined)
        throw new HubError("EMU_ERR_API_TRACE_UNKNOWN_TARGET", "ENI", eniId);
      add(agentId, eniId);
    }
    for (const instanceId of req.instances) {
      const host = this.hub.hostedEnisOfInstance(instanceId);
      if (host === undefined)
        throw new HubError("EMU_ERR_API_TRACE_UNKNOWN_TARGET", "instance", instanceId);
      for (const e of host.eniIds) add(host.agentId, e);
    }
    this.forgetExpired();
    if (this.traces.size >= this.maxTraces) {
      throw new HubError("EMU_ERR_API_TRACE_LIMIT", this.traces.size);
    }
    const now = this.now();
    const traceId = `tr-${randomBytes(9).toString("hex").slice(0, 17)}`;
    const expiresAtMs = now + req.durationSeconds * 1000;
    const control = (eniIds: readonly string[]): TraceControl => ({
      traceId,
      stop: false,
      eniIds,
      expiresAtMs,
      ...(req.filter !== undefined ? { filter: req.filter } : {}),
    });
    const started: string[] = [];
    for (const [agentId, eniIds] of agents) {
      if (!this.hub.sendTraceControl(agentId, control(eniIds))) {
        for (const a of started) this.hub.sendTraceControl(a, stopControl(traceId));
        throw new HubError("EMU_ERR_API_TRACE_AGENT_DISCONNECTED", agentId, eniIds.join(", "));
      }
      started.push(agentId);
    }
    const trace: Trace = {
      traceId,
      enis,
      agents,
      createdAtMs: now,
      expiresAtMs,
      filter: req.filter,
      ring: new TraceRing(this.ringCapacity),
      finishedAgents: new Set(),
      lostByAgents: 0,
      errors: [],
      timer: undefined,
      answered: new Set(),
      onAnswer: undefined,
    };
    trace.timer = setTimeout(() => this.forgetExpired(), expiresAtMs - now + TRACE_RETAIN_MS);
    trace.timer.unref();
    this.traces.set(traceId, trace);
    await this.started(trace);
    return this.view(trace);
  }

  /** Resolves once every agent of `t` sent its first batch; a refusal or silence stops the trace. */
  private async started(t: Trace): Promise<void> {
    const deadline = this.now() + this.startTimeoutMs;
    while (t.answered.size < t.agents.size && this.now() < deadline) {
      await new Promise<void>((resolve) => {
        t.onAnswer = resolve;
        setTimeout(resolve, 25).unref();
      });
    }
    t.onAnswer = undefined;
    const silent = [...t.agents.keys()].filter((a) => !t.answered.has(a));
    if (silent.length > 0 || t.errors.length > 0) {
      this.stop(t);
      this.traces.delete(t.traceId);
      if (t.errors.length > 0) throw new HubError("EMU_ERR_API_TRACE_REFUSED", t.errors.join("; "));
      throw new HubError("EMU_ERR_API_TRACE_TIMEOUT", silent.join(", "), this.startTimeoutMs);
    }
  }

  /** GET /v1/traces */
  list(): TraceView[] {
    this.forgetExpired();
    return [...this.traces.values()].map((t) => this.view(t));
  }

  /** GET /v1/traces/{traceId} */
  get(traceId: string): TraceView {
    return this.view(this.find(traceId));
  }

  /** GET /v1/traces/{traceId}/events?since=SEQ&limit=N */
  events(traceId: string, sinceText: string | null, limitText: string | null): TraceEventsPage {
    const t = this.find(traceId);
    const since = sinceText === null || sinceText === "" ? 1 : Number(sinceText);
    if (!Number.isSafeInteger(since) || since < 0) {
      throw new HubError(
        "EMU_ERR_API_BAD_QUERY",
        `since must be a sequence number >= 0, got '${sinceText}'`,
      );
    }
    const limit = limitText === null || limitText === "" ? MAX_TRACE_PAGE : Number(limitText);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_TRACE_PAGE) {
      throw new HubError(
        "EMU_ERR_API_BAD_QUERY",
        `limit must be an integer from 1 to ${MAX_TRACE_PAGE}, got '${limitText}'`,
      );
    }
    const { events, overwritten } = t.ring.read(since, limit);
    const out: TraceEventJson[] = events.map(({ seq, event }) => {
      const { atMs, ...rest } = event;
      return { seq, ...rest, at: new Date(atMs).toISOString() };
    });
    const next =
      events.length > 0 ? events[events.length - 1]!.seq + 1 : Math.max(since, t.ring.oldest);
    return {
      traceId: t.traceId,
      events: out,
      next,
      lost: t.lostByAgents + overwritten,
      finished: this.finished(t),
      expiresAt: new Date(t.expiresAtMs).toISOString(),
    };
  }

  /** DELETE /v1/traces/{traceId}: stops it on its agents and forgets it. */
  remove(traceId: string): { traceId: string; deleted: true } {
    const t = this.find(traceId);
    this.stop(t);
    this.traces.delete(traceId);
    return { traceId, deleted: true };
  }

  /** Stops every trace (the controller is stopping). */
  close(): void {
    for (const t of this.traces.values()) this.stop(t);
    this.traces.clear();
  }

  private stop(t: Trace): void {
    if (t.timer !== undefined) clearTimeout(t.timer);
    if (this.finished(t)) return;
    for (const agentId of t.agents.keys()) {
      if (!t.finishedAgents.has(agentId))
        this.hub.sendTraceControl(agentId, stopControl(t.traceId));
    }
  }

  private received(agentId: string, batch: VerdictEventBatch): void {
    const t = this.traces.get(batch.traceId);
    if (t === undefined || !t.agents.has(agentId)) return;
    const allowed = t.agents.get(agentId)!;
    for (const e of batch.events) {
      // Why: an agent only reports the ports it was asked for; anything else is not kept.
      if (allowed.includes(e.eniId)) t.ring.push(e);
    }
    t.answered.add(agentId);
    t.onAnswer?.();
    t.lostByAgents += batch.lost;
    if (batch.error !== "") t.errors.push(`${agentId}: ${batch.error}`);
    if (batch.finished || batch.error !== "") t.finishedAgents.add(agentId);
  }

  private finished(t: Trace): boolean {
    return this.now() >= t.expiresAtMs || t.finishedAgents.size === t.agents.size;
  }

  private find(traceId: string): Trace {
    this.forgetExpired();
    const t = this.traces.get(traceId);
    if (t === undefined) throw new HubError("EMU_ERR_API_TRACE_NOT_FOUND", traceId);
    return t;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [id, t] of this.traces) {
      if (now >= t.expiresAtMs + TRACE_RETAIN_MS) {
        if (t.timer !== undefined) clearTimeout(t.timer);
        this.traces.delete(id);
      }
    }
  }

  private view(t: Trace): TraceView {
    return {
      traceId: t.traceId,
      enis: t.enis,
      agents: [...t.agents.keys()],
      createdAt: new Date(t.createdAtMs).toISOString(),
      expiresAt: new Date(t.expiresAtMs).toISOString(),
      finished: this.finished(t),
      ...(t.filter !== undefined ? { filter: t.filter } : {}),
      ...(t.errors.length > 0 ? { errors: [...t.errors] } : {}),
    };
  }
}

function stopControl(traceId: string): TraceControl {
  return { traceId, stop: true, eniIds: [], expiresAtMs: 0 };
}

/** The validated body of POST /v1/traces. */
function parseCreate(body: unknown): {
  enis: string[];
  instances: string[];
  durationSeconds: number;
  filter: TraceFilter | undefined;
} {
  const bad = (msg: string): never => {
    throw new HubError("EMU_ERR_API_TRACE_INVALID", msg);
  };
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return bad('the body must be a JSON object such as {"enis":["eni-..."],"durationSeconds":60}');
  }
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!["enis", "instances", "durationSeconds", "filter"].includes(k)) {
      bad(`unknown field '${k}' (allowed: enis, instances, durationSeconds, filter)`);
    }
  }
  if ((b.enis === undefined) === (b.instances === undefined)) {
    bad("give exactly one of 'enis' (ENI ids) or 'instances' (instance ids)");
  }
  const ids = (field: "enis" | "instances", pattern: RegExp, example: string): string[] => {
    const v = b[field];
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.length === 0)
      return bad(`'${field}' must be a non-empty array of ids`);
    if (v.length > 64) return bad(`'${field}' holds ${v.length} ids; at most 64`);
    return v.map((x) => {
      if (typeof x !== "string" || !pattern.test(x)) {
        return bad(`'${field}' holds ${JSON.stringify(x)}, not an id like '${example}'`);
      }
      return x;
    });
  };
  const enis = ids("enis", ENI_ID, "eni-0123456789abcdef0");
  const instances = ids("instances", INSTANCE_ID, "i-0123456789abcdef0");
  const d = b.durationSeconds;
  if (typeof d !== "number" || !Number.isInteger(d) || d < 1 || d > MAX_TRACE_SECONDS) {
    bad(
      `'durationSeconds' must be an integer from 1 to ${MAX_TRACE_SECONDS}, got ${d === undefined ? "none" : JSON.stringify(d)}`,
    );
  }
  return { enis, instances, durationSeconds: d as number, filter: parseFilter(b.filter, bad) };
}

function parseFilter(v: unknown, bad: (msg: string) => never): TraceFilter | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "object" || v === null || Array.isArray(v))
    return bad("'filter' must be an object");
  const f = v as Record<string, unknown>;
  const out: { verdict?: "accept" | "drop"; protocol?: number; address?: string; port?: number } =
    {};
  for (const [k, x] of Object.entries(f)) {
    switch (k) {
      case "verdict":
        if (x !== "accept" && x !== "drop")
          bad(`'filter.verdict' must be "accept" or "drop", got ${JSON.stringify(x)}`);
        out.verdict = x as "accept" | "drop";
        break;
      case "protocol":
        if (typeof x !== "number" || !Number.isInteger(x) || x < 1 || x > 255)
          bad(
            `'filter.protocol' must be an IANA protocol number from 1 to 255, got ${JSON.stringify(x)}`,
          );
        out.protocol = x as number;
        break;
      case "address":
        if (typeof x !== "string" || !/^[0-9a-fA-F:.]+$/.test(x) || x.length > 45)
          bad(`'filter.address' must be an IPv4 or IPv6 address, got ${JSON.stringify(x)}`);
        out.address = x as string;
        break;
      case "port":
        if (typeof x !== "number" || !Number.isInteger(x) || x < 1 || x > 65535)
          bad(`'filter.port' must be a port from 1 to 65535, got ${JSON.stringify(x)}`);
        out.port = x as number;
        break;
      default:
        bad(`unknown field 'filter.${k}' (allowed: verdict, protocol, address, port)`);
    }
  }
  return out;
}
