/**
 * Verdict traces (docs/observability.md "Traces", docs/json-api.md `/v1/traces`): the shapes the
 * controller, the hub frames (control.proto TraceControl / VerdictEvents) and the JSON API share.
 * An agent's verdict event (node-agent/pipeline/verdict-event.ts VerdictEvent) travels as a
 * TraceEventRecord and is served as a TraceEventJson. Pure type module (and limits).
 */

/** An optional trace filter: only events matching every given field are kept (by the agent). */
export interface TraceFilter {
  /** "accept" or "drop"; absent = both. */
  readonly verdict?: "accept" | "drop";
  /** IANA protocol number (6 tcp, 17 udp, 1 icmp, 58 icmpv6); absent = any. */
  readonly protocol?: number;
  /** The event's source or destination address; absent = any. */
  readonly address?: string;
  /** The event's tcp/udp source or destination port; absent = any. */
  readonly port?: number;
}

/** Controller -> agent (Frame 12). */
export interface TraceControl {
  readonly traceId: string;
  /** Ends the trace (only traceId is read). */
  readonly stop: boolean;
  /** Ports the agent hosts (ENI ids, "ext:NAME") whose events it sends. */
  readonly eniIds: readonly string[];
  /** Unix ms; the agent ends the trace by itself then. */
  readonly expiresAtMs: number;
  readonly filter?: TraceFilter;
}

/** One verdict event as agents send it (Frame 13's VerdictEventRecord); absent = not applicable. */
export interface TraceEventRecord {
  readonly eniId: string;
  readonly direction: "ingress" | "egress";
  readonly verdict: "accept" | "drop";
  /** A drop reason (docs/agent.md "Drop reasons"), or `sg_rule` / `conntrack_established`. */
  readonly reason: string;
  /** Decode and Geneve drops: the check that failed. */
  readonly site?: string;
  readonly sgRuleId?: string;
  readonly noMatchGroups?: readonly string[];
  readonly naclId?: string;
  /** The deciding NACL entry; "*" = the default entry. */
  readonly naclRuleNumber?: number | "*";
  readonly conntrack: string;
  readonly faultId?: string;
  readonly protocol?: number;
  readonly src?: string;
  readonly dst?: string;
  readonly srcPort?: number;
  readonly dstPort?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  readonly length: number;
  readonly atMs: number;
}

/** Agent -> controller (Frame 13): a batch of one trace's events. */
export interface VerdictEventBatch {
  readonly traceId: string;
  readonly events: readonly TraceEventRecord[];
  /** Events the agent lost (its buffer was full) since its previous batch. */
  readonly lost: number;
  /** The trace ended on the agent; final. */
  readonly finished: boolean;
  /** The trace did not start or ended on an error; final ("" = none). */
  readonly error: string;
}

/**
 * `GET /v1/traces/{traceId}/events` element: the record plus its sequence number in the trace
 * (1, 2, ... in arrival order at the controller) and `at` (ISO 8601) for `atMs`.
 */
export type TraceEventJson = Omit<TraceEventRecord, "atMs"> & {
  readonly seq: number;
  readonly at: string;
};

/** `POST /v1/traces` body. */
export interface CreateTraceRequest {
  /** ENI ids to trace (exactly one of enis / instances). */
  readonly enis?: readonly string[];
  /** Instance ids: every ENI of each. */
  readonly instances?: readonly string[];
  /** 1..MAX_TRACE_SECONDS. */
  readonly durationSeconds: number;
  readonly filter?: TraceFilter;
}

/** `POST /v1/traces` answer (201) and one element of `GET /v1/traces`. */
export interface TraceView {
  readonly traceId: string;
  readonly enis: readonly string[];
  readonly agents: readonly string[];
  readonly createdAt: string;
  readonly expiresAt: string;
  /** Every agent of the trace ended it (expired, stopped, disconnected). */
  readonly finished: boolean;
  readonly filter?: TraceFilter;
  /** What agents reported as errors (a port gone, ...), "agentId: message". */
  readonly errors?: readonly string[];
}

/** `GET /v1/traces/{traceId}/events?since=SEQ&limit=N` answer. */
export interface TraceEventsPage {
  readonly traceId: string;
  /** Events with seq >= since, oldest first, at most `limit`. */
  readonly events: readonly TraceEventJson[];
  /** The `since` for the next call. */
  readonly next: number;
  /**
   * Events lost so far: by agents (buffers full) and by the controller's ring (overwritten
   * before they were read: seq numbers between `since` and the first event returned).
   */
  readonly lost: number;
  readonly finished: boolean;
  readonly expiresAt: string;
}

/** Longest trace (1 hour). */
export const MAX_TRACE_SECONDS = 3600;
/** Events the controller keeps per trace (a ring: the oldest go first). */
export const TRACE_RING_CAPACITY = 10_000;
/** Traces at once. */
export const MAX_TRACES = 32;
/** Largest `limit` of one events page (and the default). */
export const MAX_TRACE_PAGE = 1000;
/** How long a finished trace stays readable after its expiry before it is forgotten (5 min). */
export const TRACE_RETAIN_MS = 5 * 60_000;
/** Events an agent keeps per trace between two batches (beyond: counted as lost). */
export const AGENT_TRACE_BUFFER = 4096;
/** Events per VerdictEvents frame. */
export const TRACE_BATCH_MAX = 512;
