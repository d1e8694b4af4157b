/**
 * The local runtime behind `vpcemu up` and `vpcemu demo`: the controller as a supervised child
 * process (`node bin/vpcemu.js controller --state FILE`, controller-process.ts), and for every
 * instance of its state a network namespace plus a node agent, plus the `internet` node outside
 * every VPC. Node agents run in a few agent host processes (`node bin/vpcemu.js agent-host`,
 * one per core by default, agent-host-process.ts), each hosting the agents of many nodes, or
 * with `agentProcesses: "per-node"` one `node bin/vpcemu.js agent ... --netns NS` per node. A
 * node a pause-agent fault targets moves to an agent process of its own (SIGSTOP stops a whole
 * process).
 * Instances are followed live: RunInstances through the API adds a node, TerminateInstances
 * removes it (a change of the controller's revision, polled on GET /v1/revision, triggers a
 * reconcile from GET /v1/instances). A state file lets `vpcemu down`, `exec` and `conntrack`
 * find everything from another process; a control socket (runtime-control.ts) lets
 * `vpcemu chaos` kill, pause and restart agents and SIGKILL the controller.
 *
 *   LocalRuntime --start()--> StartedLocalRuntime --stop() / asyncDispose--> stopped
 *                  (controller, topology, nodes)      (agents stopped, namespaces deleted,
 *                                                      controller stopped, state file removed)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { AgentHostProcess } from "./agent-host-process.js";
import { cleanUpRuntime, removeDatabaseFiles } from "./cleanup.js";
import { VPCEMU_BIN } from "./paths.js";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { isLoopbackHost, parseListen } from "../../controller/config.js";
import { deriveAgentKey, newAgentSecret } from "../../controller/hub/agent-keys.js";
import { ControllerProcess } from "./controller-process.js";
import { applyTopology, type AppliedTopology } from "../topology/apply-topology.js";
import { formatIssue, parseTopology, type Topology } from "../topology/topology.js";
import {
  ProcessFaultError,
  serveRuntimeControl,
  controlSocketPath,
  type ControlServer,
  type ProcessFaultResult,
  type RuntimeProcessControl,
} from "./runtime-control.js";
import {
  assertPrerequisites,
  createNamespace,
  deleteNamespace,
  ip,
  listNamespaces,
  NODE_NAMESPACE_PREFIX,
  namespaceExists,
  runInNamespace,
  spawnInNamespace,
  type NamespaceRunResult,
} from "./netns.js";
import {
  ephemeralStatePath,
  processAlive,
  readRuntimeState,
  removeRuntimeState,
  runtimeDir as defaultRuntimeDir,
  writeRuntimeState,
  type RuntimeNode,
  type RuntimeState,
} from "./runtime-state.js";

/** The internet node: outside every VPC, an address of a documentation range (RFC 5737). */
export const INTERNET_NODE = "internet";
export const DEFAULT_INTERNET_ADDRESS = "198.51.100.10";

const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,40}$/;

export interface LocalRuntimeOptions {
  /** Topology file applied once the controller is up (skipped when its VPCs already exist). */
  readonly topologyFile?: string;
  /** Controller listen address; default 127.0.0.1:4566. Port 0 picks a free port. */
  readonly listen?: string;
  /**
   * Controller state database. Default: a private file in the runtime directory
   * (`controller-state.db`), created empty at start and removed at stop, so a killed controller
   * (`vpcemu chaos kill-controller`) comes back with its state. ":memory:" keeps it in the
   * controller process's memory (it then cannot be killed and come back).
   */
  readonly statePath?: string;
  /** Directory of the state file and agent logs; default /run/vpcemu ($VPCEMU_RUNTIME_DIR). */
  readonly runtimeDir?: string;
  /** Prefix of namespace names; default `vpcemu-`. Tests use their own. */
  readonly namespacePrefix?: string;
  readonly internetAddress?: string;
  /**
   * Token agents present to the controller. Default: none on loopback; a random one when the
   * controller listens beyond loopback (the controller then requires one). Passed to agents in
   * their environment ($VPCEMU_JOIN_TOKEN), not on their command line.
   */
  readonly joinToken?: string;
  /**
   * Flow-log aggregation window of every agent (`vpcemu agent --flow-log-window`); default the
   * agents' 60 s (FL-3). Tests shorten it to see records without waiting a minute.
   */
  readonly flowLogWindowMs?: number;
  /**
   * How many agent host processes carry the nodes' agents (`vpcemu up --agent-processes`):
   * default one per core (os.availableParallelism()); nodes are spread over them, the least
   * loaded first. "per-node" (or 0): one `vpcemu agent` process per node, as before hosts.
   */
  readonly agentProcesses?: number | "per-node";
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

/** `--agent-processes` value -> count of host processes (0: one agent process per node). */
export function parseAgentProcesses(value: string): number {
  if (value === "per-node") return 0;
  if (!/^\d+$/.test(value) || Number(value) > 1024) {
    throw new Error(
      `--agent-processes must be a number of processes (0-1024) or 'per-node', got '${value}'`,
    );
  }
  return Number(value);
}

interface NodeRecord {
  node: RuntimeNode;
  /** Position among the nodes (the order instances were seen in): nodes() lists them so. */
  readonly ordinal: number;
  /** The node's own log (an agent process of its own writes there). */
  readonly ownLogFile: string;
  /** Index of the agent host that carries this node's agent (undefined: a process of its own). */
  hostIndex?: number;
  /** The hosted agent: start sent, running, or down (start failed, host gone, killed). */
  hostedState?: "starting" | "running" | "down";
  /** Identifies the current hosted start; a stale answer (after a stop) is ignored. */
  hostedStart?: object;
  /** Restarts exhausted: the node stays down. */
  gaveUp?: boolean;
  /** Its own agent process (when not hosted). */
  agent?: ChildProcess;
  exited?: Promise<void>;
  /** Restarts after unexpected agent exits. */
  restarts: number;
  /** When the current agent was started (Date.now()). */
  startedAtMs: number;
  /** Set by a process fault before it stops the agent: restart after this many ms, as planned. */
  plannedRestartMs?: number;
  /** A pending (re)start of the agent. */
  restartTimer?: NodeJS.Timeout;
  /** While paused by `chaos pause-agent`: when it resumes, and the timer that resumes it. */
  pausedUntilMs?: number;
  resumeTimer?: NodeJS.Timeout;
}

/** Nodes whose namespaces are made at once when many instances appear together. */
const ADD_NODE_CONCURRENCY = 8;

/** How often `up` asks the controller for its revision, to follow instances as they come and go. */
const REVISION_POLL_MS = 250;

/** GET /v1/instances (controller/api/routes.ts), as far as the runtime reads it. */
interface InstancesView {
  readonly revision: number;
  readonly instances: readonly {
    readonly instanceId: string;
    readonly state: string;
    readonly privateIpv4: readonly string[];
    /** Absent from controllers older than the public IPs (IGW-5). */
    readonly publicIpv4?: readonly string[];
    readonly ipv6: readonly string[];
    readonly tags: Readonly<Record<string, string>>;
  }[];
}

/** GET /v1/revision. */
interface RevisionView {
  readonly revision: number;
  readonly agents: readonly {
    readonly agentId: string;
    readonly enforcedRevision: number;
    /** It holds every snapshot it was sent; absent from older controllers. */
    readonly upToDate?: boolean;
  }[];
}

/** Restarts of a crashed agent before its node is left down. */
const MAX_AGENT_RESTARTS = 5;
/** An agent that ran this long before exiting starts over with a fresh restart budget. */
const HEALTHY_RUN_MS = 30_000;
/** How often the local runtime's agents report conntrack and counters (`vpcemu agent --report-interval`). */
const LOCAL_REPORT_INTERVAL_MS = 1000;

/** Starts the local runtime; see the module comment. */
export class LocalRuntime {
  constructor(private readonly options: LocalRuntimeOptions = {}) {}

  async start(): Promise<StartedLocalRuntime> {
    // Parse before anything else: a bad file fails fast with its line numbers, on any machine.
    const topology = this.options.topologyFile
      ? parseTopology(readFileSync(this.options.topologyFile, "utf8"), this.options.topologyFile)
      : undefined;
    assertPrerequisites();
    const dir = defaultRuntimeDir(this.options.runtimeDir);
    const previous = readRuntimeState(dir);
    if (previous && processAlive(previous.pid) && previous.pid !== process.pid) {
      throw new Error(
        `a local runtime is already running (pid ${previous.pid}, ${previous.controllerUrl}); stop it with 'vpcemu down'`,
      );
    }
    if (previous) await cleanUpRuntime(previous, dir);
    const runtime = new StartedLocalRuntime(this.options, dir);
    try {
      await runtime.boot(topology);
    } catch (err) {
      await runtime.stop();
      throw err;
    }
    return runtime;
  }
}

/** A running local runtime. Call stop() (or `await using`) to remove everything it made. */
export class StartedLocalRuntime implements AsyncDisposable, RuntimeProcessControl {
  readonly namespacePrefix: string;
  readonly internetAddress: string;
  private controller?: ControllerProcess;
  /** The controller's URL; it stays the same across a kill-controller restart. */
  private url?: string;
  private statePath = ":memory:";
  private controlServer?: ControlServer;
  private client?: EC2Client;
  private readonly records = new Map<string, NodeRecord>();
  /** Next NodeRecord.ordinal. */
  private nextOrdinal = 0;
  /** The revision poll (follows instances); the revision last seen. */
  private revisionTimer?: NodeJS.Timeout;
  private seenRevision = -1;
  private queue: Promise<void> = Promise.resolve();
  private pending = false;
  private stopping = false;
  private stopped?: Promise<void>;
  private appliedTopology?: AppliedTopology;
  private joinToken?: string;
  /** Agent keys derive from it (docs/agent.md "Agent identity"); the controller requires them. */
  private readonly agentSecret = newAgentSecret();
  private readonly log: (line: string) => void;
  /** Agent host processes (0: every node has an agent process of its own). */
  private readonly agentProcesses: number;
  private readonly hosts: (AgentHostProcess | undefined)[] = [];
  private readonly hostRestarts: number[] = [];
  private readonly hostTimers: (NodeJS.Timeout | undefined)[] = [];

  constructor(
    private readonly options: LocalRuntimeOptions,
    readonly runtimeDir: string,
  ) {
    this.namespacePrefix = options.namespacePrefix ?? NODE_NAMESPACE_PREFIX;
    this.internetAddress = options.internetAddress ?? DEFAULT_INTERNET_ADDRESS;
    this.log = options.log ?? (() => undefined);
    const n = options.agentProcesses ?? availableParallelism();
    if (n !== "per-node" && (!Number.isInteger(n) || n < 0 || n > 1024)) {
      throw new Error(`agentProcesses must be 0-1024 or "per-node", got ${String(n)}`);
    }
    this.agentProcesses = n === "per-node" ? 0 : n;
  }

  /** Process ids of the agent host processes running now (empty with "per-node"). */
  get agentHostPids(): number[] {
    return this.hosts.flatMap((h) => (h?.running && h.pid !== undefined ? [h.pid] : []));
  }

  /** Controller base URL (EC2 Query API at `/`, JSON API at `/v1`). */
  get controllerUrl(): string {
    if (this.url === undefined) throw new Error("the local runtime is not running");
    return this.url;
  }

  get ec2Endpoint(): string {
    return this.controllerUrl;
  }

  /** An EC2 client for the runtime's controller (any credentials are accepted, API-1). */
  get ec2(): EC2Client {
    // Why: the SDK's notice about future Node versions is not something a vpcemu user can act on.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
    this.client ??= new EC2Client({
      endpoint: this.ec2Endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "vpcemu", secretAccessKey: "vpcemu" },
    });
    return this.client;
  }

  /** Ids of what the topology file created (undefined without a file or when skipped). */
  get applied(): AppliedTopology | undefined {
    return this.appliedTopology;
  }

  /** Process id of the controller while it runs (it changes with every restart). */
  get controllerPid(): number | undefined {
    return this.controller?.pid;
  }

  /** Throws while the controller is down (killed, or crashed and not back yet). */
  private assertControllerUp(): void {
    if (!this.controller) throw new Error("the local runtime is not running");
    const until = this.controller.downUntilMs;
    if (until !== undefined) {
      throw new Error(
        `the controller is down (killed or crashed) until ${new Date(until).toISOString()}`,
      );
    }
  }

  /** GET `path` of the controller's JSON API. */
  private async getJson<T>(path: string, timeoutMs = 5_000): Promise<T> {
    const res = await fetch(`${this.controllerUrl}${path}`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  }

  /** @internal Called once by LocalRuntime.start(). */
  async boot(topology: Topology | undefined): Promise<void> {
    mkdirSync(join(this.runtimeDir, "logs"), { recursive: true });
    const listen = this.options.listen ?? "127.0.0.1:4566";
    this.joinToken =
      this.options.joinToken ??
      (isLoopbackHost(parseListen(listen).host) ? undefined : randomBytes(24).toString("hex"));
    if (this.options.statePath === undefined) {
      this.statePath = ephemeralStatePath(this.runtimeDir);
      // Why: a leftover of a runtime that died without `down`; this one starts empty.
      this.removeEphemeralState();
    } else {
      this.statePath = this.options.statePath;
    }
    this.controller = new ControllerProcess({
      listen,
      statePath: this.statePath,
      ...(this.joinToken !== undefined ? { joinToken: this.joinToken } : {}),
      agentSecret: this.agentSecret,
      logFile: join(this.runtimeDir, "logs", "controller.log"),
      log: this.log,
      onStart: () => this.writeState(),
      onDown: () => this.writeState(),
    });
    await this.controller.start();
    this.url = this.controller.url;
    this.log(`controller listening on ${this.controller.url} (pid ${this.controller.pid})`);
    this.controlServer = await serveRuntimeControl(this.runtimeDir, this);
    this.writeState();
    await this.addInternetNode();
    if (topology) {
      const existing = await this.ec2.send(
        new DescribeVpcsCommand({
          Filters: [{ Name: "tag:Name", Values: topology.vpcs.map((v) => v.name) }],
        }),
      );
      if ((existing.Vpcs ?? []).length > 0) {
        this.log(`${topology.file}: its VPCs already exist in the state; not applied again`);
      } else {
        this.appliedTopology = await applyTopology(this.ec2, topology, {
          jsonApiUrl: this.controllerUrl,
        });
        const faults = topology.faults.length;
        this.log(
          `${topology.file}: applied (${topology.instances.length} instances${faults > 0 ? `, ${faults} faults` : ""})`,
        );
        for (const [name, inst] of this.appliedTopology.instances) {
          if (inst.publicIp !== undefined)
            this.log(`${name}: public IP ${inst.publicIp} (private ${inst.privateIp})`);
        }
      }
      for (const w of topology.warnings) this.log(`warning: ${formatIssue(w)}`);
    }
    // Why follow after applying: nodes are named after the instances' Name tags, which the
    // topology sets right after RunInstances.
    this.pollRevision();
    // Why longer with more nodes: each node's TUN is made and configured with a few `ip` runs.
    await this.settle(20_000 + 250 * (topology?.instances.length ?? 0));
  }

  /** Polls the controller's revision; a change (a write, a fault expiring) triggers a reconcile. */
  private pollRevision(): void {
    const tick = async (): Promise<void> => {
      if (this.stopping) return;
      if (this.controller?.downUntilMs === undefined) {
        try {
          const r = await this.getJson<RevisionView>("/v1/revision", 2_000);
          if (r.revision !== this.seenRevision) {
            this.seenRevision = r.revision;
            this.scheduleReconcile();
          }
        } catch {
          // Why: down between the check and the request, or busy; the next tick asks again.
        }
      }
      if (!this.stopping) this.revisionTimer = setTimeout(() => void tick(), REVISION_POLL_MS);
    };
    void tick();
  }

  /** Nodes now running (the internet node first). */
  nodes(): RuntimeNode[] {
    // Why sorted: nodes are added several at a time and land in the map in completion order.
    return [...this.records.values()].sort((a, b) => a.ordinal - b.ordinal).map((r) => r.node);
  }

  /** The node named `ref` (name, instance id, namespace or address); throws when unknown. */
  node(ref: string): RuntimeNode {
    const nodes = this.nodes();
    const found =
      nodes.find((n) => n.name === ref) ??
      nodes.find((n) => n.instanceId === ref || n.namespace === ref) ??
      nodes.find((n) => n.addresses.includes(ref) || (n.publicIps ?? []).includes(ref));
    if (!found) {
      throw new Error(
        `unknown node '${ref}' (nodes: ${nodes.map((n) => n.name).join(", ") || "none"})`,
      );
    }
    return found;
  }

  /**
   * Waits until every instance has its node, every agent placed its TUN, and every connected
   * agent enforces the controller's current revision.
   */
  async settle(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    this.assertControllerUp();
    // Why: what the caller changed through the API must be seen now, not at the next poll.
    this.scheduleReconcile();
    for (;;) {
      await this.queue;
      if (!this.pending) break;
      if (Date.now() > deadline) throw new Error("timed out waiting for the runtime to reconcile");
    }
    // Why a few at a time: one `ip` run per node; hundreds of nodes checked one after another
    // added seconds to a scale topology's start.
    const recs = [...this.records.values()];
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < recs.length && !failed) {
        const rec = recs[next++]!;
        await this.waitForTun(rec.node, Math.max(1, deadline - Date.now())).catch((err) => {
          failed = true;
          throw err;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(ADD_NODE_CONCURRENCY, recs.length) }, worker));
    await this.waitForEnforced(deadline);
  }

  /**
   * Waits until every running (not paused) agent of the runtime is connected and enforces the
   * controller's current revision (GET /v1/revision, polled).
   */
  private async waitForEnforced(deadline: number): Promise<void> {
    let last = "";
    for (;;) {
      try {
        const r = await this.getJson<RevisionView>("/v1/revision", 2_000);
        // Why upToDate: a placement change (a node's agent joining) pushes new mapping tables
        // under the same revision, and with many agents the controller batches those pushes
        // (controller/hub/compile-push.ts); a node is ready once its peers can reach it.
        const enforced = new Map(
          r.agents.map((a) => [a.agentId, a.upToDate === false ? -1 : a.enforcedRevision]),
        );
        const lagging = [...this.records.values()]
          .filter((rec) => this.agentRunning(rec) && rec.pausedUntilMs === undefined)
          .filter((rec) => (enforced.get(rec.node.agentId) ?? -1) < r.revision)
          .map((rec) => `${rec.node.name}@${enforced.get(rec.node.agentId) ?? "disconnected"}`);
        if (lagging.length === 0) return;
        last = `revision ${r.revision}; not enforced by ${lagging.join(", ")}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for the agents to enforce the policy (${last})`);
      }
      // Why 10 ms: the demo reports how long enforcement took from settle(); a wait is short.
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private agentRunning(rec: NodeRecord): boolean {
    if (this.isHosted(rec)) {
      return rec.hostedState === "starting" || rec.hostedState === "running";
    }
    return rec.agent !== undefined && rec.agent.exitCode === null && rec.agent.signalCode === null;
  }

  /** True when the node's agent runs in an agent host (not in a process of its own). */
  private isHosted(rec: NodeRecord): boolean {
    return rec.hostIndex !== undefined;
  }

  /** Runs `cmd args...` inside a node to completion (see runInNamespace). */
  exec(
    ref: string,
    cmd: string,
    args: readonly string[],
    opts: { timeoutMs?: number; input?: string } = {},
  ): Promise<NamespaceRunResult> {
    return runInNamespace(this.node(ref).namespace, cmd, args, opts);
  }

  /** Spawns `cmd args...` inside a node; the caller owns (and must kill) the child. */
  spawn(ref: string, cmd: string, args: readonly string[]): ChildProcess {
    return spawnInNamespace(this.node(ref).namespace, cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
    });
  }

  /** Stops every agent, deletes every namespace, stops the controller, removes the state file. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.revisionTimer) clearTimeout(this.revisionTimer);
    await this.controlServer?.close();
    await this.queue.catch(() => undefined);
    await Promise.all([...this.records.values()].map((r) => this.removeRecord(r)));
    this.records.clear();
    for (const t of this.hostTimers) clearTimeout(t);
    await Promise.all(this.hosts.map((h) => h?.stop()));
    this.client?.destroy();
    if (this.controller) {
      // Why after the agents: they are stopped with the controller still answering.
      await this.controller
        .stop()
        .catch((err: unknown) => this.log(`controller stop: ${String(err)}`));
    }
    if (this.options.statePath === undefined && this.statePath !== ":memory:") {
      this.removeEphemeralState();
    }
    removeRuntimeState(this.runtimeDir);
    this.log("local runtime stopped");
  }

  // ---- process faults (vpcemu chaos kill-agent | restart-agent | pause-agent | kill-controller)

  /**
   * SIGKILLs the node's agent (its TUN device goes with it: the node is cut off) and starts it
   * again after `downMs`. Resolves once the agent has exited. Not counted as a crash.
   */
  async killAgent(ref: string, downMs: number): Promise<ProcessFaultResult> {
    const rec = this.recordOf(ref);
    if (this.isHosted(rec)) return this.killHosted(rec, downMs);
    const agent = this.runningAgent(rec, "kill");
    rec.plannedRestartMs = downMs;
    this.clearPause(rec);
    agent.kill("SIGKILL");
    await rec.exited;
    const until = new Date(Date.now() + downMs).toISOString();
    return {
      node: rec.node.name,
      ...(agent.pid !== undefined ? { pid: agent.pid } : {}),
      until,
      message: `killed the agent of ${rec.node.name} (pid ${agent.pid}); 'vpcemu up' starts it again ${downMs === 0 ? "now" : `at ${until}`}`,
    };
  }

  /**
   * Stops the node's agent (SIGTERM, SIGKILL after 3 s) and starts a new one at once; resolves
   * when the new agent has placed its TUN device and enforces the current revision.
   */
  async restartAgent(ref: string): Promise<ProcessFaultResult> {
    const rec = this.recordOf(ref);
    if (this.isHosted(rec)) return this.restartHosted(rec);
    const old = rec.agent;
    if (old && old.exitCode === null && old.signalCode === null) {
      rec.plannedRestartMs = 0;
      this.clearPause(rec);
      old.kill("SIGTERM");
      const exited = await Promise.race([
        rec.exited!.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
      ]);
      if (!exited) {
        old.kill("SIGKILL");
        await rec.exited;
      }
    } else {
      // Killed earlier and waiting for its planned start, or given up on: start it now.
      clearTimeout(rec.restartTimer);
      rec.restarts = 0;
      this.startAgent(rec);
    }
    const deadline = Date.now() + 20_000;
    while (rec.agent === old || rec.agent === undefined) {
      if (Date.now() > deadline) throw new Error(`node ${rec.node.name}: the agent did not start`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await this.waitForTun(rec.node, Math.max(1, deadline - Date.now()));
    if (this.controller && this.controller.downUntilMs === undefined) {
      await this.waitForEnforced(deadline);
    }
    const newPid = rec.agent.pid;
    return {
      node: rec.node.name,
      ...(old?.pid !== undefined ? { pid: old.pid } : {}),
      ...(newPid !== undefined ? { newPid } : {}),
      message: `restarted the agent of ${rec.node.name}: pid ${old?.pid ?? "-"} -> ${newPid}, ready`,
    };
  }

  /**
   * SIGSTOPs the node's agent for `durationMs`, then SIGCONTs it. The agent stays connected on
   * paper but answers nothing: packets of its node queue in the TUN and are lost, the controller
   * misses its heartbeats. `vpcemu up` owns the timer, and resumes paused agents before it stops.
   */
  async pauseAgent(ref: string, durationMs: number): Promise<ProcessFaultResult> {
    const rec = this.recordOf(ref);
    if (durationMs <= 0) {
      throw new ProcessFaultError(
        "EMU_ERR_RUNTIME_BAD_REQUEST",
        "a pause needs a duration above 0",
      );
    }
    if (rec.pausedUntilMs !== undefined) {
      throw new ProcessFaultError(
        "EMU_ERR_RUNTIME_ALREADY_PAUSED",
        `the agent of ${rec.node.name} is already paused until ${new Date(rec.pausedUntilMs).toISOString()}`,
        409,
      );
    }
    if (this.isHosted(rec)) {
      this.assertHostedRunning(rec, "pause");
      // Why: SIGSTOP stops a whole process; the node's agent gets one of its own first, so the
      // other nodes of its host keep running.
      await this.moveToOwnProcess(rec);
    }
    const agent = this.runningAgent(rec, "pause");
    agent.kill("SIGSTOP");
    rec.pausedUntilMs = Date.now() + durationMs;
    rec.resumeTimer = setTimeout(() => {
      if (rec.agent === agent && agent.exitCode === null) agent.kill("SIGCONT");
      rec.pausedUntilMs = undefined;
      rec.resumeTimer = undefined;
      this.log(`node ${rec.node.name}: agent resumed (SIGCONT)`);
    }, durationMs);
    const until = new Date(rec.pausedUntilMs).toISOString();
    this.log(`node ${rec.node.name}: agent paused (SIGSTOP) until ${until}`);
    return {
      node: rec.node.name,
      ...(agent.pid !== undefined ? { pid: agent.pid } : {}),
      until,
      message: `paused the agent of ${rec.node.name} (pid ${agent.pid}, SIGSTOP); 'vpcemu up' resumes it at ${until}`,
    };
  }

  /**
   * SIGKILLs the controller process (a crash: no graceful close, agents see their connections
   * drop) and starts it again after `downMs` on the same address with the same state file.
   * Agents keep forwarding with the policy and faults they have (faults end on their own
   * clocks), reconnect with backoff and are sent the current state again. Resolves once the
   * killed process has exited.
   */
  async killController(downMs: number): Promise<ProcessFaultResult> {
    if (this.statePath === ":memory:") {
      throw new ProcessFaultError(
        "EMU_ERR_RUNTIME_STATE_IN_MEMORY",
        "the controller keeps its state in memory (--state :memory:): it could not come back; start 'vpcemu up' without --state, or with a file",
        409,
      );
    }
    const controller = this.controller;
    if (!controller) throw new Error("the local runtime is not running");
    const downUntil = controller.downUntilMs;
    if (downUntil !== undefined) {
      throw new ProcessFaultError(
        "EMU_ERR_RUNTIME_CONTROLLER_DOWN",
        `the controller is already down until ${new Date(downUntil).toISOString()}`,
        409,
      );
    }
    const { pid, untilMs, how } = await controller.kill(downMs);
    const until = new Date(untilMs).toISOString();
    return {
      pid,
      exit: how,
      until,
      message: `killed the controller (pid ${pid}, SIGKILL); 'vpcemu up' starts it again ${downMs === 0 ? "now" : `at ${until}`} on ${this.controllerUrl} from ${this.statePath}`,
    };
  }

  /** A hosted node's agent must be running (or starting) for a fault to act on it. */
  private assertHostedRunning(rec: NodeRecord, what: string): AgentHostProcess {
    const host = this.hosts[rec.hostIndex!];
    if (!host?.running || !this.agentRunning(rec)) {
      throw new ProcessFaultError(
        "EMU_ERR_RUNTIME_AGENT_DOWN",
        `cannot ${what} the agent of ${rec.node.name}: it is not running (killed, or starting again)`,
        409,
      );
    }
    return host;
  }

  /**
   * kill-agent on a hosted node: its agent (one Agent of the host process) is stopped at once:
   * its TUN device goes (the node is cut off), its controller session and underlay socket
   * close; the host's other nodes go on. Started again in the same host after `downMs`.
   */
  private async killHosted(rec: NodeRecord, downMs: number): Promise<ProcessFaultResult> {
    const host = this.assertHostedRunning(rec, "kill");
    await this.stopHosted(rec);
    const name = rec.node.name;
    rec.restartTimer = setTimeout(() => {
      rec.restartTimer = undefined;
      if (!this.stopping && this.records.get(name) === rec && this.isHosted(rec))
        this.startHosted(rec);
    }, downMs);
    rec.restartTimer.unref();
    const until = new Date(Date.now() + downMs).toISOString();
    this.log(
      `node ${name}: agent killed in agent host ${host.index} (pid ${host.pid}); back at ${until}`,
    );
    return {
      node: name,
      ...(host.pid !== undefined ? { pid: host.pid } : {}),
      until,
      message: `killed the agent of ${name} (in agent host ${host.index}, pid ${host.pid}; its other nodes keep running); 'vpcemu up' starts it again ${downMs === 0 ? "now" : `at ${until}`}`,
    };
  }

  /** restart-agent on a hosted node: stopped and started again in its host; resolves when ready. */
  private async restartHosted(rec: NodeRecord): Promise<ProcessFaultResult> {
    const i = rec.hostIndex!;
    const oldPid = rec.node.agentPid;
    await this.stopHosted(rec);
    rec.restarts = 0;
    rec.gaveUp = undefined;
    this.startHosted(rec);
    if (rec.hostedState !== "starting") {
      throw new ProcessFaultError(
        "EMU_ERR_RUNTIME_AGENT_DOWN",
        `cannot restart the agent of ${rec.node.name}: its agent host ${i + 1} is down (starting again)`,
        409,
      );
    }
    const deadline = Date.now() + 20_000;
    await this.waitForTun(rec.node, 20_000);
    if (this.controller && this.controller.downUntilMs === undefined) {
      await this.waitForEnforced(deadline);
    }
    const newPid = rec.node.agentPid;
    return {
      node: rec.node.name,
      ...(oldPid !== undefined ? { pid: oldPid } : {}),
      ...(newPid !== undefined ? { newPid } : {}),
      message: `restarted the agent of ${rec.node.name}: pid ${oldPid ?? "-"} -> ${newPid}, ready (in agent host ${i + 1}; its other nodes kept running)`,
    };
  }

  private removeEphemeralState(): void {
    removeDatabaseFiles(this.statePath);
  }

  private recordOf(ref: string): NodeRecord {
    const node = (() => {
      try {
        return this.node(ref);
      } catch (err) {
        throw new ProcessFaultError("EMU_ERR_RUNTIME_UNKNOWN_NODE", (err as Error).message, 404);
      }
    })();
    return this.records.get(node.name)!;
  }

  /** The node's agent process when it runs; a precise refusal when it does not. */
  private runningAgent(rec: NodeRecord, what: string): ChildProcess {
    const agent = rec.agent;
    if (!agent || agent.exitCode !== null || agent.signalCode !== null) {
      throw new ProcessFaultError(
        "EMU_ERR_RUNTIME_AGENT_DOWN",
        `cannot ${what} the agent of ${rec.node.name}: it is not running (killed, or starting again)`,
        409,
      );
    }
    return agent;
  }

  /** Ends a pause early (the agent is about to be stopped anyway). */
  private clearPause(rec: NodeRecord): void {
    if (rec.resumeTimer) clearTimeout(rec.resumeTimer);
    if (rec.pausedUntilMs !== undefined && rec.agent && rec.agent.exitCode === null) {
      rec.agent.kill("SIGCONT");
    }
    rec.pausedUntilMs = undefined;
    rec.resumeTimer = undefined;
  }

  private scheduleReconcile(): void {
    if (this.stopping || this.pending) return;
    this.pending = true;
    this.queue = this.queue
      .then(async () => {
        this.pending = false;
        if (!this.stopping) await this.reconcile();
      })
      .catch((err: unknown) =>
        this.log(`reconcile failed: ${err instanceof Error ? err.message : String(err)}`),
      );
  }

  /** Makes the nodes match the instances of the controller's state that are not terminated. */
  private async reconcile(): Promise<void> {
    if (this.controller?.downUntilMs !== undefined) return;
    const state = await this.getJson<InstancesView>("/v1/instances");
    this.seenRevision = Math.max(this.seenRevision, state.revision);
    // Why stopped ones too: a stopped instance keeps its ENI, which its agent keeps hosting while
    // the data path drops its packets (docs/ec2-api.md INST-2); removing the node would tear down
    // its namespace, TUN and processes, and StartInstances would find a different node.
    const live = state.instances.filter(
      (i) => i.state !== "terminated" && i.state !== "shutting-down",
    );
    const liveIds = new Set(live.map((i) => i.instanceId));
    for (const [key, rec] of this.records) {
      if (rec.node.instanceId !== undefined && !liveIds.has(rec.node.instanceId)) {
        this.log(`node ${rec.node.name}: instance ${rec.node.instanceId} is gone; removing`);
        this.records.delete(key);
        await this.removeRecord(rec);
        this.writeState();
      }
    }
    // Public IPs change under a running node (AssociateAddress, a gateway attached or detached).
    for (const rec of this.records.values()) {
      const inst = live.find((i) => i.instanceId === rec.node.instanceId);
      const now = inst?.publicIpv4 ?? [];
      if (inst !== undefined && now.join(",") !== (rec.node.publicIps ?? []).join(",")) {
        rec.node = { ...rec.node, publicIps: now };
        this.log(`node ${rec.node.name}: public IP ${now.join(", ") || "none"}`);
        this.writeState();
      }
    }
    const known = new Set([...this.records.values()].map((r) => r.node.instanceId));
    const taken = new Set([...this.records.values()].map((r) => r.node.name));
    const toAdd: RuntimeNode[] = [];
    for (const inst of live) {
      if (known.has(inst.instanceId) || this.stopping) continue;
      const tag = inst.tags.Name;
      const sameName = live.filter((i) => i.tags.Name === tag).length;
      const name =
        tag !== undefined &&
        NODE_NAME.test(tag) &&
        sameName === 1 &&
        !taken.has(tag) &&
        tag !== INTERNET_NODE
          ? tag
          : inst.instanceId;
      const addresses = [...inst.privateIpv4, ...inst.ipv6];
      taken.add(name);
      toAdd.push({
        name,
        instanceId: inst.instanceId,
        namespace: `${this.namespacePrefix}${name}`,
        addresses,
        ...(inst.publicIpv4 !== undefined && inst.publicIpv4.length > 0
          ? { publicIps: inst.publicIpv4 }
          : {}),
        agentId: inst.instanceId,
        logFile: join(this.runtimeDir, "logs", `${name}.log`),
      });
    }
    if (toAdd.length === 0) return;
    // Why a few at a time: each node is a handful of `ip` runs; hundreds of nodes (a scale
    // topology) come up in a fraction of the time, and the machine is not flooded with spawns.
    const leftovers = new Set(await listNamespaces(this.namespacePrefix));
    let next = 0;
    const base = this.nextOrdinal;
    this.nextOrdinal += toAdd.length;
    const worker = async (): Promise<void> => {
      while (next < toAdd.length && !this.stopping) {
        const i = next++;
        await this.addNode(toAdd[i]!, leftovers, base + i);
      }
    };
    await Promise.all(Array.from({ length: Math.min(ADD_NODE_CONCURRENCY, toAdd.length) }, worker));
  }

  private async addInternetNode(): Promise<void> {
    await this.addNode({
      name: INTERNET_NODE,
      namespace: `${this.namespacePrefix}${INTERNET_NODE}`,
      addresses: [this.internetAddress],
      agentId: INTERNET_NODE,
      logFile: join(this.runtimeDir, "logs", `${INTERNET_NODE}.log`),
    });
  }

  /** Creates the namespace and starts the node's agent in it. */
  private async addNode(
    node: RuntimeNode,
    leftovers?: ReadonlySet<string>,
    ordinal = this.nextOrdinal++,
  ): Promise<void> {
    if (
      leftovers !== undefined
        ? leftovers.has(node.namespace)
        : await namespaceExists(node.namespace)
    ) {
      // Why: a leftover of a runtime that died without `down`; its processes are gone.
      await deleteNamespace(node.namespace);
    }
    await createNamespace(node.namespace);
    const rec: NodeRecord = {
      node,
      ordinal,
      ownLogFile: node.logFile,
      restarts: 0,
      startedAtMs: Date.now(),
      ...(this.agentProcesses > 0 ? { hostIndex: this.leastLoadedHost() } : {}),
    };
    this.records.set(node.name, rec);
    this.startAgent(rec);
    this.log(
      `node ${node.name}: namespace ${node.namespace}, ${[...node.addresses, ...(node.publicIps ?? []).map((p) => `public ${p}`)].join(", ")}, agent ${rec.hostIndex !== undefined ? `in agent host ${rec.hostIndex + 1} (pid ${rec.node.agentPid ?? "starting"})` : `pid ${rec.agent?.pid}`}`,
    );
  }

  /** Starts (or restarts) a node's agent: in its agent host, or as a process of its own. */
  private startAgent(rec: NodeRecord): void {
    if (this.isHosted(rec)) this.startHosted(rec);
    else this.spawnAgent(rec);
  }

  /** The `vpcemu agent` arguments of a node (its own process, or a start message to a host). */
  private agentArgs(node: RuntimeNode): string[] {
    return [
      "--controller",
      this.controllerUrl,
      "--agent-id",
      node.agentId,
      "--netns",
      node.namespace,
      // Why 1 s: chaos counter probes and `vpcemu chaos ls` read what agents last reported; the
      // agent default (5 s) outlives short faults. A local runtime has few ENIs to report.
      "--report-interval",
      String(LOCAL_REPORT_INTERVAL_MS),
      ...(this.options.flowLogWindowMs !== undefined
        ? ["--flow-log-window", String(this.options.flowLogWindowMs)]
        : []),
      ...(node.instanceId !== undefined
        ? ["--instance", node.instanceId]
        : ["--external", `${node.name}=${node.addresses[0] ?? ""}`]),
    ];
  }

  /** The agent host with the fewest nodes (index). */
  private leastLoadedHost(): number {
    const load = new Array<number>(this.agentProcesses).fill(0);
    for (const r of this.records.values()) if (r.hostIndex !== undefined) load[r.hostIndex]! += 1;
    return load.indexOf(Math.min(...load));
  }

  /** The running host of index i, started when needed; undefined while it waits to restart. */
  private hostFor(i: number): AgentHostProcess | undefined {
    const running = this.hosts[i];
    if (running?.running) return running;
    if (this.hostTimers[i] !== undefined || this.stopping) return undefined;
    const host: AgentHostProcess = new AgentHostProcess({
      index: i + 1,
      logFile: join(this.runtimeDir, "logs", `agent-host-${i + 1}.log`),
      // Why the environment: the join token stays off the command line; keys go per message.
      env: {
        ...process.env,
        ...(this.joinToken !== undefined ? { VPCEMU_JOIN_TOKEN: this.joinToken } : {}),
      },
      onExit: (how) => this.hostExited(i, host, how),
    });
    this.hosts[i] = host;
    this.log(`agent host ${i + 1}: pid ${host.pid}, log ${host.logFile}`);
    return host;
  }

  /**
   * Starts the node's agent in its host. A start that fails is retried after 1, 2, 4, 8, 16 s
   * (the node named in the log); after MAX_AGENT_RESTARTS failures the node stays down.
   */
  private startHosted(rec: NodeRecord): void {
    const i = rec.hostIndex!;
    const host = this.hostFor(i);
    rec.startedAtMs = Date.now();
    if (host === undefined) {
      // Started with the others once its host is back (hostExited).
      rec.hostedState = "down";
      return;
    }
    const token = {};
    rec.hostedStart = token;
    rec.hostedState = "starting";
    rec.node = {
      ...rec.node,
      ...(host.pid !== undefined ? { agentPid: host.pid } : {}),
      agentHost: i + 1,
      logFile: host.logFile,
    };
    const name = rec.node.name;
    host
      .startAgent(
        rec.node.agentId,
        this.agentArgs(rec.node),
        deriveAgentKey(this.agentSecret, rec.node.agentId),
      )
      .then(
        () => {
          if (rec.hostedStart === token) rec.hostedState = "running";
        },
        (err: unknown) => {
          if (rec.hostedStart !== token || this.stopping || this.records.get(name) !== rec) return;
          rec.hostedState = "down";
          const why = err instanceof Error ? err.message : String(err);
          // The host's own exit is handled (and logged, with its nodes) by hostExited.
          if (!host.running) return;
          if (Date.now() - rec.startedAtMs >= HEALTHY_RUN_MS) rec.restarts = 0;
          if (rec.restarts >= MAX_AGENT_RESTARTS) {
            rec.gaveUp = true;
            this.log(
              `node ${name}: its agent failed to start in agent host ${i + 1} (pid ${host.pid}) ${rec.restarts} times (${why}); giving up, see ${host.logFile}`,
            );
            return;
          }
          const delay = 1000 * 2 ** rec.restarts;
          rec.restarts += 1;
          this.log(
            `node ${name}: its agent failed to start in agent host ${i + 1} (pid ${host.pid}): ${why}; retrying in ${delay / 1000} s`,
          );
          rec.restartTimer = setTimeout(() => {
            rec.restartTimer = undefined;
            if (!this.stopping && this.records.get(name) === rec && this.isHosted(rec))
              this.startHosted(rec);
          }, delay);
          rec.restartTimer.unref();
        },
      );
    this.writeState();
  }

  /**
   * An agent host exited on its own: every node it carried is down. It is started again after
   * 1, 2, 4, 8, 16 s with all its nodes; after MAX_AGENT_RESTARTS crashes they stay down.
   */
  private hostExited(i: number, host: AgentHostProcess, how: string): void {
    if (this.stopping || this.hosts[i] !== host) return;
    const recs = [...this.records.values()].filter((r) => r.hostIndex === i);
    for (const r of recs) r.hostedState = "down";
    const names = recs.map((r) => r.node.name).join(", ") || "none";
    if (Date.now() - host.startedAtMs >= HEALTHY_RUN_MS) this.hostRestarts[i] = 0;
    const restarts = this.hostRestarts[i] ?? 0;
    if (restarts >= MAX_AGENT_RESTARTS) {
      for (const r of recs) r.gaveUp = true;
      this.log(
        `agent host ${i + 1} (pid ${host.pid}) exited (${how}) ${restarts} times; giving up: its nodes ${names} stay down, see ${host.logFile}`,
      );
      return;
    }
    const delay = 1000 * 2 ** restarts;
    this.hostRestarts[i] = restarts + 1;
    this.log(
      `agent host ${i + 1} (pid ${host.pid}) exited (${how}): the agents of ${names} are down; starting it again in ${delay / 1000} s (see ${host.logFile})`,
    );
    const timer = setTimeout(() => {
      this.hostTimers[i] = undefined;
      if (this.stopping) return;
      for (const r of this.records.values()) if (r.hostIndex === i) this.startHosted(r);
      this.writeState();
    }, delay);
    timer.unref();
    this.hostTimers[i] = timer;
  }

  /**
   * Starts (or restarts) the node's agent process of its own. An agent that dies while the node
   * exists is restarted after 1, 2, 4, 8, 16 s; after MAX_AGENT_RESTARTS failures the node stays
   * down (logged).
   */
  private spawnAgent(rec: NodeRecord): void {
    const node = rec.node;
    const args = [VPCEMU_BIN, "agent", ...this.agentArgs(node)];
    const logFd = openSync(node.logFile, "a");
    let agent: ChildProcess;
    try {
      // Why detached: a Ctrl-C on `vpcemu up` must reach only up, which stops agents in order.
      agent = spawn(process.execPath, args, {
        stdio: ["ignore", logFd, logFd],
        // Why the environment: keys and tokens stay off the command line (ps shows it).
        env: {
          ...process.env,
          ...(this.joinToken !== undefined ? { VPCEMU_JOIN_TOKEN: this.joinToken } : {}),
          VPCEMU_AGENT_KEY: deriveAgentKey(this.agentSecret, node.agentId),
        },
        detached: true,
      });
    } finally {
      closeSync(logFd);
    }
    rec.agent = agent;
    rec.startedAtMs = Date.now();
    rec.node = { ...node, ...(agent.pid ? { agentPid: agent.pid } : {}) };
    rec.exited = new Promise((resolveExit) => {
      agent.once("exit", (code, signal) => {
        resolveExit();
        if (this.stopping || this.records.get(node.name) !== rec || rec.agent !== agent) return;
        const how = signal ?? `code ${code}`;
        const restart = (delay: number) => {
          rec.restartTimer = setTimeout(() => {
            rec.restartTimer = undefined;
            if (!this.stopping && this.records.get(node.name) === rec) {
              this.spawnAgent(rec);
              this.writeState();
            }
          }, delay);
          rec.restartTimer.unref();
        };
        if (rec.plannedRestartMs !== undefined) {
          // A process fault stopped it: restart as planned, outside the crash budget.
          const delay = rec.plannedRestartMs;
          rec.plannedRestartMs = undefined;
          this.log(
            `node ${node.name}: agent stopped by a process fault (${how}); starting it again in ${delay / 1000} s`,
          );
          restart(delay);
          return;
        }
        if (Date.now() - rec.startedAtMs >= HEALTHY_RUN_MS) rec.restarts = 0;
        if (rec.restarts >= MAX_AGENT_RESTARTS) {
          this.log(
            `node ${node.name}: agent exited (${how}) ${rec.restarts} times; giving up, see ${node.logFile}`,
          );
          return;
        }
        const delay = 1000 * 2 ** rec.restarts;
        rec.restarts += 1;
        this.log(
          `node ${node.name}: agent exited (${how}); restarting in ${delay / 1000} s (see ${node.logFile})`,
        );
        restart(delay);
      });
      agent.once("error", (err) => {
        this.log(`node ${node.name}: agent failed to start: ${err.message}`);
        resolveExit();
      });
    });
    this.writeState();
  }

  /** Waits until the node's TUN carries its first address (the agent placed it). */
  private async waitForTun(node: RuntimeNode, timeoutMs: number): Promise<void> {
    const want = node.addresses[0];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rec = this.records.get(node.name);
      if (rec?.gaveUp === true && rec.hostedState !== "running") {
        throw new Error(`node ${node.name}: its agent is down for good; see ${rec.node.logFile}`);
      }
      if (
        rec &&
        !this.isHosted(rec) &&
        rec.restarts >= MAX_AGENT_RESTARTS &&
        rec.agent?.exitCode !== null
      ) {
        throw new Error(`node ${node.name}: its agent keeps exiting; see ${node.logFile}`);
      }
      const out = await ip(["-n", node.namespace, "-o", "addr", "show"]).catch(() => "");
      if (want === undefined || out.includes(` ${want}/`)) return;
      if (Date.now() > deadline) {
        throw new Error(
          `node ${node.name}: its agent did not configure ${want} in time; see ${node.logFile}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async removeRecord(rec: NodeRecord): Promise<void> {
    const agent = rec.agent;
    if (rec.restartTimer) clearTimeout(rec.restartTimer);
    if (this.isHosted(rec)) {
      await this.stopHosted(rec);
      await deleteNamespace(rec.node.namespace).catch((err: unknown) =>
        this.log(`node ${rec.node.name}: ${err instanceof Error ? err.message : String(err)}`),
      );
      return;
    }
    // Why: a stopped process acts on SIGTERM only once continued.
    this.clearPause(rec);
    if (agent && agent.exitCode === null && agent.signalCode === null) {
      agent.kill("SIGTERM");
      const killed = await Promise.race([
        rec.exited!.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 3000)),
      ]);
      if (!killed) {
        agent.kill("SIGKILL");
        await rec.exited;
      }
    }
    await deleteNamespace(rec.node.namespace).catch((err: unknown) =>
      this.log(`node ${rec.node.name}: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  /** Stops the node's agent in its host (TUN removed, session closed); at most 10 s. */
  private async stopHosted(rec: NodeRecord): Promise<void> {
    rec.hostedStart = undefined;
    rec.hostedState = "down";
    clearTimeout(rec.restartTimer);
    const host = this.hosts[rec.hostIndex!];
    if (!host?.running) return;
    const stopped = await Promise.race([
      host.stopAgent(rec.node.agentId).then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000).unref()),
    ]);
    if (!stopped)
      this.log(`node ${rec.node.name}: agent host ${host.index} did not stop its agent in 10 s`);
  }

  /**
   * Moves a hosted node's agent to a process of its own (what pause-agent SIGSTOPs): stops it in
   * its host, starts `vpcemu agent` for it under the same id and key (the controller replaces
   * the session, placement stays), and waits until it placed its TUN and enforces the revision.
   * Like a restart, the node's conntrack table starts empty.
   */
  private async moveToOwnProcess(rec: NodeRecord): Promise<void> {
    const from = rec.hostIndex! + 1;
    await this.stopHosted(rec);
    rec.hostIndex = undefined;
    rec.hostedState = undefined;
    rec.gaveUp = undefined;
    rec.restarts = 0;
    const { agentHost: _host, agentPid: _pid, ...node } = rec.node;
    rec.node = { ...node, logFile: rec.ownLogFile };
    this.spawnAgent(rec);
    this.log(
      `node ${rec.node.name}: moved from agent host ${from} to an agent process of its own (pid ${rec.agent?.pid}): a pause stops a whole process`,
    );
    const deadline = Date.now() + 20_000;
    await this.waitForTun(rec.node, 20_000);
    if (this.controller && this.controller.downUntilMs === undefined) {
      await this.waitForEnforced(deadline);
    }
  }

  private writeState(): void {
    if (this.url === undefined || this.stopping) return;
    const state: RuntimeState = {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      controllerUrl: this.url,
      ...(this.controller?.pid !== undefined ? { controllerPid: this.controller.pid } : {}),
      controllerLog: join(this.runtimeDir, "logs", "controller.log"),
      ec2Endpoint: this.url,
      namespacePrefix: this.namespacePrefix,
      nodes: this.nodes(),
      ...(this.controlServer ? { controlSocket: controlSocketPath(this.runtimeDir) } : {}),
    };
    writeRuntimeState(this.runtimeDir, state);
  }
}
