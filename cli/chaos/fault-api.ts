/**
 * The controller's fault API (docs/json-api.md, docs/chaos.md) as the CLI and the topology file
 * use it: request and view shapes, the limits both check before sending, and a small fetch
 * client whose errors carry the controller's `EMU_ERR_*` code.
 *
 *   POST /v1/faults            FaultRequest      -> 201 FaultView
 *   POST /v1/faults/partition  PartitionRequest  -> 201 FaultView
 *   GET /v1/faults -> {faults}, GET /v1/faults/{id}, DELETE /v1/faults/{id}, DELETE /v1/faults
 */
import { jsonApiAuthHeaders } from "../runtime/api-credentials.js";

export type DelayDistribution = "uniform" | "normal" | "pareto" | "paretonormal";
export const DELAY_DISTRIBUTIONS: readonly DelayDistribution[] = [
  "uniform",
  "normal",
  "pareto",
  "paretonormal",
];
export type PartitionMode = "complete" | "majorities-ring" | "bridge";
export const PARTITION_MODES: readonly PartitionMode[] = ["complete", "majorities-ring", "bridge"];
export type FaultDirection = "one-way" | "both";

/** Limits the controller enforces too; checked before sending so errors name the flag or field. */
export const FAULT_LIMITS = {
  /** The longest delay (and jitter) a fault may add. */
  maxDelayMs: 60_000,
  /** netem's reorder gap, and a queue's packet cap. */
  maxGap: 1_000_000,
  maxQueuePackets: 1_000_000,
  maxQueueBytes: 1 << 30,
  maxSeed: 0xffff_ffff,
  /** AWS-BEHAVIOUR TO-1 keeps real timeouts within ranges; a fault may go below them. */
  maxTimeoutSeconds: 432_000,
  maxAllowance: 10_000_000,
} as const;

/** tc-netem delay: latency +/- jitter; correlation in percent. */
export interface DelayRequest {
  readonly latencyMs: number;
  readonly jitterMs?: number;
  readonly correlation?: number;
  readonly distribution?: DelayDistribution;
}

/** netem `loss gemodel p r 1-h 1-k`, given as p, r, h, k in percent (h, k: no-loss chances). */
export interface GilbertElliottRequest {
  readonly p: number;
  readonly r?: number;
  readonly h?: number;
  readonly k?: number;
}

export type LossRequest =
  | { readonly percent: number; readonly correlation?: number }
  | { readonly gilbertElliott: GilbertElliottRequest };

export interface ConntrackRequest {
  readonly allowance?: number;
  readonly flush?: boolean;
  readonly timeouts?: {
    readonly tcpEstablished?: number;
    readonly udp?: number;
    readonly udpStream?: number;
  };
}

export interface FaultEffectsRequest {
  readonly delay?: DelayRequest;
  readonly loss?: LossRequest;
  readonly duplicate?: { readonly percent: number; readonly correlation?: number };
  readonly corrupt?: { readonly percent: number; readonly correlation?: number };
  readonly reorder?: {
    readonly percent: number;
    readonly correlation?: number;
    readonly gap?: number;
  };
  readonly rate?: { readonly bitsPerSecond: number; readonly queueLimitBytes?: number };
  readonly blackhole?: boolean;
  readonly reject?: boolean;
  readonly conntrack?: ConntrackRequest;
}

/** Body of POST /v1/faults. Selectors: see docs/chaos.md (`sg:web`, `subnet-...`, `*`, ...). */
export interface FaultRequest {
  readonly from?: readonly string[];
  readonly to?: readonly string[];
  readonly direction?: FaultDirection;
  /** tcp, udp, icmp, icmpv6, all, or an IANA number. */
  readonly protocol?: string | number;
  /** `3306` or `8000-8100` (tcp/udp only). */
  readonly ports?: string;
  readonly effects: FaultEffectsRequest;
  readonly startAfterMs?: number;
  readonly durationMs?: number;
  readonly seed?: number;
  readonly queueLimitPackets?: number;
  readonly description?: string;
}

/** Body of POST /v1/faults/partition: every pair across groups is cut (one-way: i -> j, i < j). */
export interface PartitionRequest {
  readonly groups: readonly (readonly string[])[];
  readonly mode?: PartitionMode;
  readonly oneWay?: boolean;
  readonly startAfterMs?: number;
  readonly durationMs?: number;
  readonly description?: string;
}

export type FaultState = "pending" | "active" | "scheduled" | "expired" | "stale";

export interface FaultCountersView {
  readonly matched: number;
  readonly delayed: number;
  readonly dropped: number;
  readonly duplicated: number;
  readonly corrupted: number;
  readonly reordered: number;
  readonly rejected: number;
  readonly queueOverflow: number;
  readonly rateLimited: number;
}

/** A stored fault as the controller shows it. */
export interface FaultView {
  readonly faultId: string;
  readonly state: FaultState;
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly direction: FaultDirection;
  readonly protocol: string | number;
  readonly ports?: string | null;
  readonly effects: FaultEffectsRequest;
  readonly seed: number;
  readonly createdAt: string;
  readonly startsAt: string | null;
  readonly expiresAt: string | null;
  readonly revision: number;
  readonly description?: string;
  readonly resolved?: { readonly from: readonly string[]; readonly to: readonly string[] };
  readonly agents?: readonly string[];
  readonly counters: FaultCountersView;
  /** Partitions: the groups (names resolved to ids), the mode and whether one-way. */
  readonly partition?: {
    readonly groups: readonly (readonly string[])[];
    readonly mode: PartitionMode;
    readonly oneWay: boolean;
  };
}

/** The controller answered with an error body `{code, message}` (or could not be reached). */
export class FaultApiError extends Error {
  override readonly name = "FaultApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The fault routes of one controller. Every method throws FaultApiError on failure. */
export class FaultClient {
  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 15_000,
  ) {}

  add(request: FaultRequest): Promise<FaultView> {
    return this.call<FaultView>("POST", "/v1/faults", request);
  }

  partition(request: PartitionRequest): Promise<FaultView> {
    return this.call<FaultView>("POST", "/v1/faults/partition", request);
  }

  async list(): Promise<FaultView[]> {
    const body = await this.call<{ faults?: FaultView[] }>("GET", "/v1/faults");
    return body.faults ?? [];
  }

  get(id: string): Promise<FaultView> {
    return this.call<FaultView>("GET", `/v1/faults/${encodeURIComponent(id)}`);
  }

  remove(id: string): Promise<FaultView> {
    return this.call<FaultView>("DELETE", `/v1/faults/${encodeURIComponent(id)}`);
  }

  async clear(): Promise<string[]> {
    const body = await this.call<{ deleted?: string[] }>("DELETE", "/v1/faults");
    return body.deleted ?? [];
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, this.baseUrl);
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          ...jsonApiAuthHeaders(),
          ...(body !== undefined ? { "content-type": "application/json" } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (err as Error).message;
      throw new FaultApiError(
        0,
        "EMU_ERR_UNREACHABLE",
        `cannot reach the controller at ${this.baseUrl} (${why})`,
      );
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? {} : JSON.parse(text);
    } catch {
      throw new FaultApiError(
        res.status,
        "EMU_ERR_BAD_JSON",
        `${method} ${url.pathname} answered HTTP ${res.status} with no JSON: ${text.slice(0, 200)}`,
      );
    }
    if (!res.ok) {
      const e = (parsed ?? {}) as { code?: unknown; message?: unknown };
      throw new FaultApiError(
        res.status,
        typeof e.code === "string" ? e.code : `HTTP_${res.status}`,
        typeof e.message === "string" ? e.message : text.slice(0, 200),
      );
    }
    return parsed as T;
  }
}
