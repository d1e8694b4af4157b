/**
 * `emulator.faults`: chaos faults by AWS identity through the controller's JSON API
 * (POST/GET/DELETE /v1/faults, docs/chaos.md), process faults on agent sidecars through Docker
 * (kill, pause, restart), and a controller crash (SIGKILL through the emulator container's
 * supervisor). testcontainers/ imports neither app (STYLE.md §2): the request and view shapes
 * below mirror the JSON API.
 *
 *   await using slow = await emu.faults.add({ from: "sg:web-sg", to: "sg:db-sg",
 *                                              effects: { delay: { latencyMs: 100 } } });
 *   ... traffic ...; (await slow.counters()).delayed; // removed when the scope ends
 *
 * Lifecycle of a handle: added (enforced by every affected agent when add() resolves) ->
 * remove() / `await using` disposal -> removed; remove() is idempotent and tolerates a fault
 * already gone (cleared, or expired and removed).
 */
import { getContainerRuntimeClient } from "testcontainers";
import type { AttachedInstance } from "./attach.js";
import { VPCEMU_CONTROLLER_SUPERVISOR } from "./constants.js";
import { getJson, jsonApiRequest, VpcEmulatorApiError } from "./json-api.js";

export type FaultDelayDistribution = "uniform" | "normal" | "pareto" | "paretonormal";

/** Effects with tc-netem's meanings; percentages are numbers 0..100. */
export interface FaultEffects {
  readonly delay?: {
    readonly latencyMs: number;
    readonly jitterMs?: number;
    readonly correlation?: number;
    readonly distribution?: FaultDelayDistribution;
  };
  readonly loss?:
    | { readonly percent: number; readonly correlation?: number }
    | {
        /** netem `loss gemodel`; h and k are the chances of no loss in the bad / good state. */
        readonly gilbertElliott: {
          readonly p: number;
          readonly r?: number;
          readonly h?: number;
          readonly k?: number;
        };
      };
  readonly duplicate?: { readonly percent: number; readonly correlation?: number };
  readonly corrupt?: { readonly percent: number; readonly correlation?: number };
  readonly reorder?: {
    readonly percent: number;
    readonly correlation?: number;
    readonly gap?: number;
  };
  readonly rate?: { readonly bitsPerSecond: number; readonly queueLimitBytes?: number };
  /** Silent drop: what an SG or NACL drop looks like. */
  readonly blackhole?: boolean;
  /** TCP RST / ICMP unreachable to the sender: a closed port or host firewall (AWS never rejects). */
  readonly reject?: boolean;
  /** On the ENIs of `from`: shrink the allowance, flush once, override idle timeouts (seconds). */
  readonly conntrack?: {
    readonly allowance?: number;
    readonly flush?: boolean;
    readonly timeouts?: {
      readonly tcpEstablished?: number;
      readonly udp?: number;
      readonly udpStream?: number;
    };
  };
}

/**
 * A fault: `from` and `to` are selectors (`sg:web-sg`, `subnet:private`, `instance:db`,
 * `sg-...`, `i-...`, `eni-...`, a CIDR, `az:us-east-1a`, `node:internet`, `tag:K=V`, `*`).
 */
export interface FaultSpec {
  readonly from: string | readonly string[];
  /** Required unless the only effect is `conntrack`. */
  readonly to?: string | readonly string[];
  /** one-way (default): packets from -> to; both: and to -> from. */
  readonly direction?: "one-way" | "both";
  readonly protocol?: "tcp" | "udp" | "icmp" | "icmpv6" | "all" | number;
  /** `"3306"` or `"8000-8100"` (tcp/udp); the destination port (source port on the reverse way). */
  readonly ports?: string | number;
  readonly effects: FaultEffects;
  readonly startAfterMs?: number;
  readonly durationMs?: number;
  readonly seed?: number;
  readonly queueLimitPackets?: number;
  readonly description?: string;
}

/** A partition: every pair across groups is blackholed (Jepsen's grudges). */
export interface PartitionSpec {
  /** Each group: one selector or a list of them. */
  readonly groups: readonly (string | readonly string[])[];
  readonly mode?: "complete" | "majorities-ring" | "bridge";
  /** Only group i -> group j for i < j is cut (mode complete). */
  readonly oneWay?: boolean;
  readonly startAfterMs?: number;
  readonly durationMs?: number;
  readonly seed?: number;
  readonly description?: string;
}

/** Cumulative per-fault counters, summed over agents (reported every few seconds). */
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

/** A stored fault as GET /v1/faults/{id} shows it. */
export interface FaultView {
  readonly faultId: string;
  /** active: every affected agent enforces it; pending: not yet; stale: names something gone. */
  readonly state: "pending" | "active" | "scheduled" | "expired" | "stale";
  readonly from: readonly string[];
  readonly to: readonly string[];
  readonly direction: "one-way" | "both";
  readonly protocol: string | number;
  readonly ports?: string | null;
  readonly effects: FaultEffects;
  readonly seed: number;
  readonly createdAt: string;
  readonly startsAt: string | null;
  readonly expiresAt: string | null;
  readonly revision: number;
  readonly description?: string;
  readonly resolved?: { readonly from: readonly string[]; readonly to: readonly string[] };
  readonly agents?: readonly string[];
  readonly counters: FaultCounters;
  readonly partition?: {
    readonly groups: readonly (readonly string[])[];
    readonly mode: string;
    readonly oneWay: boolean;
  };
}

/** One added fault; `await using` removes it when the scope ends. */
export interface FaultHandle extends AsyncDisposable {
  /** `flt-` + 17 hex. */
  readonly id: string;
  /** The fault as the controller shows it now (state, resolved ports, counters). */
  view(): Promise<FaultView>;
  counters(): Promise<FaultCounters>;
  /** Removes the fault; a fault already gone is fine. */
  remove(): Promise<void>;
}

/** How long add() and partition() wait for every affected agent to enforce the fault. */
export interface AddFaultOptions {
  /** false: resolve as soon as the controller stored it. Default true. */
  readonly wait?: boolean;
  readonly timeoutMs?: number;
}

/** A paused agent sidecar; resume() (or disposal) unpauses it. */
export interface AgentPause extends AsyncDisposable {
  resume(): Promise<void>;
}

/** What killController() did. */
export interface ControllerKill {
  /** The controller process that was killed (a pid inside the emulator container). */
  readonly pid: number;
  /** How it ended, as its supervisor's waitpid saw it: `SIGKILL`. */
  readonly exit: string;
  /** The controller process that replaced it. */
  readonly newPid: number;
}

/** What the faults API needs from the started emulator. */
export interface FaultsHost {
  apiUrl(): string;
  /** Waits until the sidecar's agent is connected, enforces the current revision, has its TUN. */
  waitForAgent(instance: AttachedInstance): Promise<void>;
  /** The sidecars attached now. */
  attached(): readonly AttachedInstance[];
  /** Runs a command in the emulator container (docker exec). */
  execInEmulator(command: string[]): Promise<{ exitCode: number; stdout: string; output: string }>;
}

/** `emulator.faults`. */
export class VpcEmulatorFaults {
  constructor(private readonly host: FaultsHost) {}

  /** Adds a fault; resolves (by default) once every affected agent enforces it. */
  async add(spec: FaultSpec, options: AddFaultOptions = {}): Promise<FaultHandle> {
    const body = {
      ...spec,
      from: list(spec.from),
      ...(spec.to !== undefined ? { to: list(spec.to) } : {}),
      ...(spec.ports !== undefined ? { ports: String(spec.ports) } : {}),
    };
    const view = await send<FaultView>(this.host.apiUrl(), "POST", "/v1/faults", body);
    return this.handle(view, options);
  }

  /** Cuts every pair across `groups`; resolves (by default) once every affected agent enforces it. */
  async partition(spec: PartitionSpec, options: AddFaultOptions = {}): Promise<FaultHandle> {
    const body = { ...spec, groups: spec.groups.map(list) };
    const view = await send<FaultView>(this.host.apiUrl(), "POST", "/v1/faults/partition", body);
    return this.handle(view, options);
  }

  /** Every stored fault (expired ones too, until removed). */
  async list(): Promise<FaultView[]> {
    const body = await getJson<{ faults?: FaultView[] }>(this.host.apiUrl(), "/v1/faults");
    return body.faults ?? [];
  }

  get(id: string): Promise<FaultView> {
    return getJson<FaultView>(this.host.apiUrl(), `/v1/faults/${encodeURIComponent(id)}`);
  }

  /** Removes every fault; resolves with their ids. */
  async clear(): Promise<string[]> {
    const body = await send<{ deleted?: string[] }>(this.host.apiUrl(), "DELETE", "/v1/faults");
    return body.deleted ?? [];
  }

  /**
   * Kills the instance's agent sidecar (docker kill, SIGKILL): its TUN device goes with it, so
   * the app container is cut off the VPC until restartAgent(). Resolves once it has stopped.
   */
  async killAgent(instance: AttachedInstance): Promise<void> {
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(instance.agent.getId());
    await container.kill({ signal: "SIGKILL" });
    const deadline = Date.now() + 10_000;
    while ((await client.container.inspect(container)).State.Running) {
      if (Date.now() > deadline)
        throw new Error(`vpcemu: agent ${instance.agentId} still runs after docker kill`);
      await sleep(100);
    }
  }

  /**
   * Pauses the instance's agent sidecar (docker pause: every process frozen): the TUN stays but
   * nothing forwards the app's packets and the controller misses the agent's heartbeats. With
   * `durationMs` it resumes by itself; resume() or disposal resumes it earlier.
   */
  async pauseAgent(
    instance: AttachedInstance,
    options: { durationMs?: number } = {},
  ): Promise<AgentPause> {
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(instance.agent.getId());
    await container.pause();
    let resumed: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    const resume = (): Promise<void> => {
      if (timer) clearTimeout(timer);
      resumed ??= (async () => {
        const state = (await client.container.inspect(container)).State;
        if (state.Paused) await container.unpause();
      })();
      return resumed;
    };
    if (options.durationMs !== undefined) {
      timer = setTimeout(() => void resume().catch(() => undefined), options.durationMs);
    }
    return { resume, [Symbol.asyncDispose]: resume };
  }

  /**
   * Restarts the instance's agent sidecar (docker restart; after killAgent: starts it again) and
   * resolves once the agent is connected, enforces the current policy and has recreated its TUN.
   */
  async restartAgent(instance: AttachedInstance): Promise<void> {
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(instance.agent.getId());
    const state = (await client.container.inspect(container)).State;
    if (state.Paused) await container.unpause();
    await instance.agent.restart({ timeout: 2_000 });
    await this.host.waitForAgent(instance);
  }

  /**
   * Kills the controller: SIGKILL to the `vpcemu controller` process inside the emulator
   * container, no graceful close (agents see their connections drop). The container stays, so
   * its mapped ports and its state file (/var/lib/vpcemu/state.db) do; its supervisor starts the
   * controller again after `downMs` (default 1000) with every VPC, SG, instance and fault it had.
   * Meanwhile agents forward with the policy and faults they have (a fault's end is applied by
   * their own clocks). Resolves once the controller answers again and every running agent
   * sidecar (not killed, not paused) has reconnected, enforces the current revision and has its
   * TUN; rejects after `downMs + timeoutMs` (default 60 s).
   */
  async killController(
    options: { downMs?: number; timeoutMs?: number } = {},
  ): Promise<ControllerKill> {
    const downMs = options.downMs ?? 1000;
    const supervisor = async (args: string[]): Promise<string> => {
      const r = await this.host.execInEmulator(["node", VPCEMU_CONTROLLER_SUPERVISOR, ...args]);
      if (r.exitCode !== 0) {
        throw new Error(`vpcemu: killController: supervisor ${args[0]}: ${r.output.trim()}`);
      }
      return r.stdout.trim().split("\n").pop() ?? "";
    };
    const killed = JSON.parse(await supervisor(["kill", "--down-ms", String(downMs)])) as {
      pid: number;
      exit: string;
    };
    const deadline = Date.now() + downMs + (options.timeoutMs ?? 60_000);
    let last = "no answer";
    for (;;) {
      await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
      try {
        await getJson(this.host.apiUrl(), "/v1/revision");
        const status = JSON.parse(await supervisor(["status"])) as { pid: number | null } | null;
        if (typeof status?.pid === "number" && status.pid !== killed.pid) {
          for (const instance of await this.runningAgents()) await this.host.waitForAgent(instance);
          return { pid: killed.pid, exit: killed.exit, newPid: status.pid };
        }
        last = `supervisor status ${JSON.stringify(status)}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `vpcemu: killController: the controller did not come back within ${downMs} ms + ${options.timeoutMs ?? 60_000} ms (${last})`,
        );
      }
    }
  }

  /** Attached sidecars whose container runs and is not paused. */
  private async runningAgents(): Promise<AttachedInstance[]> {
    const client = await getContainerRuntimeClient();
    const running: AttachedInstance[] = [];
    for (const instance of this.host.attached()) {
      const container = client.container.getById(instance.agent.getId());
      const state = (await client.container.inspect(container)).State;
      if (state.Running && !state.Paused) running.push(instance);
    }
    return running;
  }

  private async handle(view: FaultView, options: AddFaultOptions): Promise<FaultHandle> {
    const api = this.host.apiUrl();
    const id = view.faultId;
    const get = () => getJson<FaultView>(api, `/v1/faults/${encodeURIComponent(id)}`);
    if (options.wait !== false) {
      const timeoutMs = options.timeoutMs ?? 15_000;
      const deadline = Date.now() + timeoutMs;
      let current = view;
      while (current.state === "pending") {
        if (Date.now() > deadline) {
          throw new Error(
            `vpcemu: fault ${id} not enforced within ${timeoutMs} ms (agents: ${(current.agents ?? []).join(", ") || "none"})`,
          );
        }
        await sleep(100);
        current = await get();
      }
    }
    let removed: Promise<void> | undefined;
    const remove = (): Promise<void> =>
      (removed ??= send(api, "DELETE", `/v1/faults/${encodeURIComponent(id)}`).then(
        () => undefined,
        (err: unknown) => {
          if (err instanceof VpcEmulatorApiError && err.status === 404) return;
          removed = undefined;
          throw err;
        },
      ));
    return {
      id,
      view: get,
      counters: async () => (await get()).counters,
      remove,
      [Symbol.asyncDispose]: remove,
    };
  }
}

function list(v: string | readonly string[]): string[] {
  return typeof v === "string" ? [v] : [...v];
}

/** A JSON request with a body (or none); errors become VpcEmulatorApiError. */
async function send<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const { url, headers } = jsonApiRequest(baseUrl, path);
  const res = await fetch(url, {
    method,
    headers: body !== undefined ? { ...headers, "content-type": "application/json" } : headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? {} : JSON.parse(text);
  } catch {
    throw new VpcEmulatorApiError(
      res.status,
      "EMU_ERR_BAD_JSON",
      `not JSON: ${text.slice(0, 200)}`,
    );
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as { code?: string; message?: string };
    throw new VpcEmulatorApiError(res.status, e.code ?? "HTTP", e.message ?? text.slice(0, 200));
  }
  return parsed as T;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
