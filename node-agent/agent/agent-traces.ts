/**
 * The agent's side of verdict traces (docs/observability.md "Traces"): a TraceControl frame
 * from the controller subscribes to the data path's verdict events (pipeline/verdict-event.ts)
 * for some hosted ports, keeps those matching the trace's filter in a bounded buffer, and sends
 * them in VerdictEvents batches every FLUSH_MS. The trace ends at its expiry, on a stop frame,
 * or when the agent stops; the last batch says `finished`. Events beyond the buffer, or that
 * could not be sent (not connected), are counted as `lost` in the next batch.
 *
 * Per event while a trace runs: a set lookup and a few comparisons in the listener; nothing
 * while none runs (the data path builds no event then).
 */
import { formatIpAddress, parseIpAddress } from "../packet/address.js";
import type { VerdictEmitter, VerdictEvent } from "../pipeline/verdict-event.js";
import type { TraceControl, VerdictEventsBatch } from "../control/wire.js";

/**
 * Events kept per trace between two batches; beyond: lost. (The controller documents the same
 * numbers in controller/traces/trace-types.ts; the agent does not import controller code.)
 */
export const AGENT_TRACE_BUFFER = 4096;
/** Events per VerdictEvents frame. */
export const TRACE_BATCH_MAX = 512;
/** How often buffered events are sent. */
export const FLUSH_MS = 100;
/** Bytes queued towards the controller above which batches are not sent (counted as lost). */
export const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

export interface AgentTracesDeps {
  readonly verdicts: VerdictEmitter;
  /** Ports (ENI ids, "ext:NAME") this agent hosts now. */
  readonly hostedPorts: () => ReadonlySet<string>;
  /** Sends a batch; false when not connected. */
  readonly send: (batch: VerdictEventsBatch) => boolean;
  /** Bytes queued on the controller connection, not sent yet (absent: 0). */
  readonly backlog?: () => number;
  readonly now: () => number;
}

interface Filter {
  readonly verdict: string;
  readonly protocol: number;
  /** Canonical text ("" = any). */
  readonly address: string;
  readonly port: number;
}

interface ActiveTrace {
  readonly traceId: string;
  readonly ports: ReadonlySet<string>;
  readonly expiresAtMs: number;
  readonly filter: Filter;
  buffer: VerdictEvent[];
  lost: number;
  unsubscribe: () => void;
}

/** See the module comment. One per agent; main thread only. */
export class AgentTraces {
  private readonly traces = new Map<string, ActiveTrace>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: AgentTracesDeps) {}

  /** Runs one TraceControl frame. */
  control(c: TraceControl): void {
    if (c.stop) {
      const t = this.traces.get(c.traceId);
      if (t !== undefined) this.end(t, "");
      return;
    }
    if (this.traces.has(c.traceId)) return; // a repeated start changes nothing
    const hosted = this.deps.hostedPorts();
    const ports = new Set(c.eniIds.filter((p) => hosted.has(p)));
    if (ports.size === 0) {
      this.deps.send({
        traceId: c.traceId,
        events: [],
        lost: 0,
        finished: true,
        error: `this agent hosts none of ${c.eniIds.join(", ") || "(no ports named)"}`,
      });
      return;
    }
    const parsed = c.filter.address === "" ? undefined : parseIpAddress(c.filter.address);
    const filter: Filter = {
      verdict: c.filter.verdict,
      protocol: c.filter.protocol,
      address: parsed === undefined ? c.filter.address : formatIpAddress(parsed),
      port: c.filter.port,
    };
    const t: ActiveTrace = {
      traceId: c.traceId,
      ports,
      expiresAtMs: c.expiresAtMs,
      filter,
      buffer: [],
      lost: 0,
      unsubscribe: () => undefined,
    };
    t.unsubscribe = this.deps.verdicts.subscribe((e) => {
      if (!t.ports.has(e.eniId) || !matches(t.filter, e)) return;
      if (t.buffer.length >= AGENT_TRACE_BUFFER) t.lost++;
      else t.buffer.push(e);
    });
    this.traces.set(c.traceId, t);
    // The start's answer: an empty batch, once the listener is in place (the controller
    // answers POST /v1/traces only then, so every packet after the answer is traced).
    this.deps.send({ traceId: c.traceId, events: [], lost: 0, finished: false, error: "" });
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Traces running (tests, metrics). */
  get size(): number {
    return this.traces.size;
  }

  /** Ends every trace (the agent is stopping): their last batches say finished. */
  stopAll(): void {
    for (const t of [...this.traces.values()]) this.end(t, "");
  }

  private tick(): void {
    const now = this.deps.now();
    for (const t of [...this.traces.values()]) {
      if (now >= t.expiresAtMs) this.end(t, "");
      else this.flush(t, false, "");
    }
  }

  private end(t: ActiveTrace, error: string): void {
    t.unsubscribe();
    this.traces.delete(t.traceId);
    this.flush(t, true, error);
    if (this.traces.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Sends the buffer in batches; the last one carries `finished` when `final`. */
  private flush(t: ActiveTrace, final: boolean, error: string): void {
    const events = t.buffer;
    if (events.length === 0 && t.lost === 0 && !final) return;
    t.buffer = [];
    // A slow controller connection: the events go (counted), the connection does not fill up.
    if (!final && (this.deps.backlog?.() ?? 0) > MAX_BACKLOG_BYTES) {
      t.lost += events.length;
      return;
    }
    for (let i = 0; i < events.length || (i === 0 && (final || t.lost > 0)); i += TRACE_BATCH_MAX) {
      const chunk = events.slice(i, i + TRACE_BATCH_MAX);
      const last = i + TRACE_BATCH_MAX >= events.length;
      const batch: VerdictEventsBatch = {
        traceId: t.traceId,
        events: chunk,
        lost: i === 0 ? t.lost : 0,
        finished: final && last,
        error: last ? error : "",
      };
      if (this.deps.send(batch)) {
        if (i === 0) t.lost = 0;
      } else if (i === 0) {
        // Not connected: these events are gone; the next batch says how many.
        t.lost += events.length;
        return;
      } else {
        t.lost += events.length - i;
        return;
      }
    }
  }
}

function matches(f: Filter, e: VerdictEvent): boolean {
  if (f.verdict !== "" && e.verdict !== f.verdict) return false;
  if (f.protocol !== 0 && e.protocol !== f.protocol) return false;
  if (f.address !== "" && e.src !== f.address && e.dst !== f.address) return false;
  if (f.port !== 0 && e.srcPort !== f.port && e.dstPort !== f.port) return false;
  return true;
}
