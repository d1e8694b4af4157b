/**
 * The controller's fault API (POST/GET/DELETE /v1/faults, docs/json-api.md) for the chaos netns
 * tests, with the waits they need: a fault is used only once the agents ENFORCE it (its view
 * says `state: "active"`), a removal only once every connected agent enforces the controller's
 * revision (GET /v1/revision). Every wait is bounded and polls; none is a fixed sleep.
 * Shapes are the contract's (docs/json-api.md), written here so the tests do not depend on the
 * CLI's client. `chaosCli` runs the user's way in: `vpcemu chaos ... --endpoint URL` (HTTP to
 * the loopback controller only).
 */
import { execFile } from "node:child_process";
import { VPCEMU_BIN } from "../../cli/runtime/paths.js";

/** Body of POST /v1/faults (a subset: what the tests send). */
export interface FaultBody {
  readonly from?: string | readonly string[];
  readonly to?: string | readonly string[];
  readonly direction?: "one-way" | "both";
  readonly protocol?: string | number;
  readonly ports?: string;
  readonly effects: Record<string, unknown>;
  readonly startAfterMs?: number;
  readonly durationMs?: number;
  readonly seed?: number;
  readonly description?: string;
}

export interface PartitionBody {
  readonly groups: readonly (readonly string[])[];
  readonly mode?: "complete" | "majorities-ring" | "bridge";
  readonly oneWay?: boolean;
  readonly durationMs?: number;
}

export interface FaultCounters {
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

export interface FaultView {
  readonly faultId: string;
  readonly state: "pending" | "active" | "scheduled" | "expired" | "stale";
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly createdAt: string;
  readonly startsAt: string | null;
  readonly expiresAt: string | null;
  readonly revision: number;
  readonly resolved?: { readonly from: readonly string[]; readonly to: readonly string[] };
  readonly agents?: readonly string[];
  readonly counters: FaultCounters;
  readonly [extra: string]: unknown;
}

export interface RevisionView {
  readonly revision: number;
  readonly enforced: boolean;
  readonly agents: readonly { agentId: string; enforcedRevision: number }[];
}

/** A non-2xx answer: the controller's `{code, message}` and the HTTP status. */
export class FaultApiError extends Error {
  override readonly name = "FaultApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(`${status} ${code}: ${message}`);
  }
}

const POLL_MS = 50;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class FaultApi {
  /** `baseUrl` is read per call: the controller keeps its URL across a restart. */
  constructor(private readonly baseUrl: () => string) {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl()}${path}`, {
      method,
      ...(body !== undefined
        ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } }
        : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      throw new FaultApiError(res.status, "NOT_JSON", `${method} ${path}: ${text.slice(0, 300)}`);
    }
    if (!res.ok) {
      const e = (parsed ?? {}) as { code?: string; message?: string };
      throw new FaultApiError(res.status, e.code ?? "?", `${method} ${path}: ${e.message ?? text}`);
    }
    return parsed as T;
  }

  /** POST /v1/faults -> 201 view. */
  add(body: FaultBody): Promise<FaultView> {
    return this.request("POST", "/v1/faults", body);
  }

  /** POST /v1/faults/partition -> 201 view. */
  partition(body: PartitionBody): Promise<FaultView> {
    return this.request("POST", "/v1/faults/partition", body);
  }

  /** GET /v1/faults/{id}; undefined on 404 EMU_ERR_FAULT_NOT_FOUND. */
  async get(id: string): Promise<FaultView | undefined> {
    try {
      return await this.request<FaultView>("GET", `/v1/faults/${id}`);
    } catch (err) {
      if (err instanceof FaultApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  async list(): Promise<FaultView[]> {
    return (await this.request<{ faults: FaultView[] }>("GET", "/v1/faults")).faults;
  }

  remove(id: string): Promise<FaultView> {
    return this.request("DELETE", `/v1/faults/${id}`);
  }

  async clear(): Promise<string[]> {
    return (await this.request<{ deleted: string[] }>("DELETE", "/v1/faults")).deleted;
  }

  revision(): Promise<RevisionView> {
    return this.request("GET", "/v1/revision");
  }

  /** GET /v1/snapshot?agent=ID: what the controller last compiled for that agent. */
  snapshot(agentId: string): Promise<Record<string, unknown>> {
    return this.request("GET", `/v1/snapshot?agent=${encodeURIComponent(agentId)}`);
  }

  /** GET /v1/counters?eni=ID; undefined until the agent's first report (404). */
  async counters(eniId: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.request("GET", `/v1/counters?eni=${encodeURIComponent(eniId)}`);
    } catch (err) {
      if (err instanceof FaultApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** Polls GET /v1/faults/{id} until `until(view)` holds; throws with the last view after `timeoutMs`. */
  async waitFor(
    id: string,
    until: (v: FaultView | undefined) => boolean,
    what: string,
    timeoutMs = 15_000,
  ): Promise<FaultView | undefined> {
    const deadline = Date.now() + timeoutMs;
    let last: FaultView | undefined;
    for (;;) {
      last = await this.get(id);
      if (until(last)) return last;
      if (Date.now() > deadline) {
        throw new Error(
          `fault ${id}: not ${what} within ${timeoutMs} ms; last view: ${JSON.stringify(last)}`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  /** Waits until the agents enforce the fault (`state: "active"`). */
  async waitActive(id: string, timeoutMs = 15_000): Promise<FaultView> {
    return (await this.waitFor(id, (v) => v?.state === "active", "active", timeoutMs))!;
  }

  /** POST a fault and wait until it is active: the one way tests add a fault. */
  async addActive(body: FaultBody, timeoutMs = 15_000): Promise<FaultView> {
    return this.waitActive((await this.add(body)).faultId, timeoutMs);
  }

  async partitionActive(body: PartitionBody, timeoutMs = 15_000): Promise<FaultView> {
    return this.waitActive((await this.partition(body)).faultId, timeoutMs);
  }

  /**
   * Waits until every connected agent enforces the controller's current revision and at least
   * `agents` agents are connected (after a controller restart `enforced` alone is vacuously true
   * while nobody has reconnected) and the revision is at least `minRevision`. Unreachable
   * controller: keeps polling until the deadline.
   */
  async waitEnforced(agents: number, minRevision = 0, timeoutMs = 15_000): Promise<RevisionView> {
    const deadline = Date.now() + timeoutMs;
    let last: RevisionView | string | undefined;
    for (;;) {
      try {
        const r = await this.revision();
        last = r;
        if (r.enforced && r.agents.length >= agents && r.revision >= minRevision) return r;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `agents did not enforce the controller's revision (>= ${minRevision}, ${agents} agents connected) within ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * DELETE one fault, then wait until the agents enforce its removal: a removal is a new store
   * revision (pushed like policy), so the wait is for a revision above the one before.
   */
  async removeEnforced(id: string, agents: number): Promise<FaultView> {
    const before = (await this.revision()).revision;
    const v = await this.remove(id);
    await this.waitEnforced(agents, before + 1);
    return v;
  }

  /** DELETE every fault, then wait until the agents enforce that (as removeEnforced). */
  async clearEnforced(agents: number, timeoutMs = 15_000): Promise<string[]> {
    const before = (await this.revision()).revision;
    const deleted = await this.clear();
    await this.waitEnforced(agents, deleted.length > 0 ? before + 1 : before, timeoutMs);
    return deleted;
  }
}

/**
 * Runs `vpcemu chaos ARGS... --endpoint URL` (the bin, as a user would) and returns the fault id
 * it prints (`add` and `partition` print it once every affected agent enforces the fault).
 * Rejects with the CLI's stderr when it exits non-zero or prints no id.
 */
export function chaosCli(endpoint: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [VPCEMU_BIN, "chaos", ...args, "--endpoint", endpoint],
      { timeout: 60_000 },
      (err, stdout, stderr) => {
        const id = /^(flt-[0-9a-f]{17})$/m.exec(String(stdout))?.[1];
        if (err || id === undefined) {
          reject(
            new Error(
              `vpcemu chaos ${args.join(" ")}: ${err?.message ?? "no fault id printed"}\n${String(stdout)}${String(stderr)}`,
            ),
          );
        } else {
          resolve(id);
        }
      },
    );
  });
}
