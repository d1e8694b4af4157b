/**
 * The local runtime behind `vpcemu up` and `vpcemu demo`: the controller in-process, and for
 * every instance of its state a network namespace plus a node agent process
 * (`node bin/vpcemu.js agent ... --netns NS`), plus the `internet` node outside every VPC.
 * Instances are followed live: RunInstances through the API adds a node, TerminateInstances
 * removes it (the store's change feed triggers a reconcile). A state file lets `vpcemu down`,
 * `exec` and `conntrack` find everything from another process.
 *
 *   LocalRuntime --start()--> StartedLocalRuntime --stop() / asyncDispose--> stopped
 *                  (controller, topology, nodes)      (agents killed, namespaces deleted,
 *                                                      controller stopped, state file removed)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { cleanUpRuntime } from "./cleanup.js";
import { VPCEMU_BIN } from "./paths.js";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { DescribeVpcsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { Controller, type StartedController } from "../../controller/app.js";
import { isLoopbackHost, parseListen } from "../../controller/config.js";
import type { PolicyState } from "../../controller/policy/policy-state.js";
import { applyTopology, type AppliedTopology } from "../topology/apply-topology.js";
import { parseTopology, type Topology } from "../topology/topology.js";
import {
  assertPrerequisites,
  createNamespace,
  deleteNamespace,
  ip,
  NODE_NAMESPACE_PREFIX,
  namespaceExists,
  runInNamespace,
  spawnInNamespace,
  type NamespaceRunResult,
} from "./netns.js";
import {
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
  /** Controller state database; default ":memory:". */
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
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

interface NodeRecord {
  node: RuntimeNode;
  agent?: ChildProcess;
  exited?: Promise<void>;
  /** Restarts after unexpected agent exits. */
  restarts: number;
}

/** Restarts of a crashed agent before its node is left down. */
const MAX_AGENT_RESTARTS = 5;

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
export class StartedLocalRuntime implements AsyncDisposable {
  readonly namespacePrefix: string;
  readonly internetAddress: string;
  private controller?: StartedController;
  private client?: EC2Client;
  private readonly records = new Map<string, NodeRecord>();
  private unsubscribe?: () => void;
  private queue: Promise<void> = Promise.resolve();
  private pending = false;
  private stopping = false;
  private stopped?: Promise<void>;
  private appliedTopology?: AppliedTopology;
  private joinToken?: string;
  private readonly log: (line: string) => void;

  constructor(
    private readonly options: LocalRuntimeOptions,
    readonly runtimeDir: string,
  ) {
    this.namespacePrefix = options.namespacePrefix ?? NODE_NAMESPACE_PREFIX;
    this.internetAddress = options.internetAddress ?? DEFAULT_INTERNET_ADDRESS;
    this.log = options.log ?? (() => undefined);
  }

  /** Controller base URL (EC2 Query API at `/`, JSON API at `/v1`). */
  get controllerUrl(): string {
    return this.started().url;
  }

  get ec2Endpoint(): string {
    return this.started().ec2Endpoint;
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

  get startedController(): StartedController {
    return this.started();
  }

  private started(): StartedController {
    if (!this.controller) throw new Error("the local runtime is not running");
    return this.controller;
  }

  /** @internal Called once by LocalRuntime.start(). */
  async boot(topology: Topology | undefined): Promise<void> {
    mkdirSync(join(this.runtimeDir, "logs"), { recursive: true });
    const listen = this.options.listen ?? "127.0.0.1:4566";
    this.joinToken =
      this.options.joinToken ??
      (isLoopbackHost(parseListen(listen).host) ? undefined : randomBytes(24).toString("hex"));
    this.controller = await new Controller({
      listen,
      statePath: this.options.statePath ?? ":memory:",
      ...(this.joinToken !== undefined ? { joinToken: this.joinToken } : {}),
    }).start();
    this.log(`controller listening on ${this.controller.url}`);
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
        this.appliedTopology = await applyTopology(this.ec2, topology);
        this.log(`${topology.file}: applied (${topology.instances.length} instances)`);
      }
    }
    // Why subscribe after applying: nodes are named after the instances' Name tags, which the
    // topology sets right after RunInstances.
    this.unsubscribe = this.controller.store.onChange(() => this.scheduleReconcile());
    this.scheduleReconcile();
    await this.settle();
  }

  /** Nodes now running (the internet node first). */
  nodes(): RuntimeNode[] {
    return [...this.records.values()].map((r) => r.node);
  }

  /** The node named `ref` (name, instance id, namespace or address); throws when unknown. */
  node(ref: string): RuntimeNode {
    const nodes = this.nodes();
    const found =
      nodes.find((n) => n.name === ref) ??
      nodes.find((n) => n.instanceId === ref || n.namespace === ref) ??
      nodes.find((n) => n.addresses.includes(ref));
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
    for (;;) {
      await this.queue;
      if (!this.pending) break;
      if (Date.now() > deadline) throw new Error("timed out waiting for the runtime to reconcile");
    }
    for (const rec of this.records.values()) {
      await this.waitForTun(rec.node, Math.max(1, deadline - Date.now()));
    }
    const controller = this.started();
    await controller.waitForEnforced(controller.revision(), Math.max(1, deadline - Date.now()));
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
    this.unsubscribe?.();
    await this.queue.catch(() => undefined);
    await Promise.all([...this.records.values()].map((r) => this.removeRecord(r)));
    this.records.clear();
    this.client?.destroy();
    if (this.controller) {
      await this.controller
        .stop()
        .catch((err: unknown) => this.log(`controller stop: ${String(err)}`));
    }
    removeRuntimeState(this.runtimeDir);
    this.log("local runtime stopped");
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

  /** Makes the nodes match the running instances of the controller's state. */
  private async reconcile(): Promise<void> {
    const state: PolicyState = this.started().store.readPolicyState();
    const live = state.instances.filter((i) => i.state === "pending" || i.state === "running");
    const liveIds = new Set(live.map((i) => i.instanceId));
    for (const [key, rec] of this.records) {
      if (rec.node.instanceId !== undefined && !liveIds.has(rec.node.instanceId)) {
        this.log(`node ${rec.node.name}: instance ${rec.node.instanceId} is gone; removing`);
        this.records.delete(key);
        await this.removeRecord(rec);
        this.writeState();
      }
    }
    const known = new Set([...this.records.values()].map((r) => r.node.instanceId));
    const taken = new Set([...this.records.values()].map((r) => r.node.name));
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
      const eni = state.networkInterfaces.find((e) => e.eniId === inst.primaryEniId);
      const addresses = [...(eni?.privateIpv4 ?? []), ...(eni?.ipv6 ?? [])];
      taken.add(name);
      await this.addNode({
        name,
        instanceId: inst.instanceId,
        namespace: `${this.namespacePrefix}${name}`,
        addresses,
        agentId: inst.instanceId,
        logFile: join(this.runtimeDir, "logs", `${name}.log`),
      });
    }
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
  private async addNode(node: RuntimeNode): Promise<void> {
    if (await namespaceExists(node.namespace)) {
      // Why: a leftover of a runtime that died without `down`; its processes are gone.
      await deleteNamespace(node.namespace);
    }
    await createNamespace(node.namespace);
    const rec: NodeRecord = { node, restarts: 0 };
    this.records.set(node.name, rec);
    this.startAgent(rec);
    this.log(
      `node ${node.name}: namespace ${node.namespace}, ${node.addresses.join(", ")}, agent pid ${rec.agent?.pid}`,
    );
  }

  /**
   * Starts (or restarts) a node's agent. An agent that dies while the node exists is restarted
   * after 1, 2, 4, 8, 16 s; after MAX_AGENT_RESTARTS failures the node stays down (logged).
   */
  private startAgent(rec: NodeRecord): void {
    const node = rec.node;
    const args = [
      VPCEMU_BIN,
      "agent",
      "--controller",
      this.started().url,
      "--agent-id",
      node.agentId,
      "--netns",
      node.namespace,
      ...(node.instanceId !== undefined
        ? ["--instance", node.instanceId]
        : ["--external", `${node.name}=${node.addresses[0] ?? ""}`]),
    ];
    const logFd = openSync(node.logFile, "a");
    let agent: ChildProcess;
    try {
      // Why detached: a Ctrl-C on `vpcemu up` must reach only up, which stops agents in order.
      agent = spawn(process.execPath, args, {
        stdio: ["ignore", logFd, logFd],
        env:
          this.joinToken !== undefined
            ? { ...process.env, VPCEMU_JOIN_TOKEN: this.joinToken }
            : process.env,
        detached: true,
      });
    } finally {
      closeSync(logFd);
    }
    rec.agent = agent;
    rec.node = { ...node, ...(agent.pid ? { agentPid: agent.pid } : {}) };
    rec.exited = new Promise((resolveExit) => {
      agent.once("exit", (code, signal) => {
        resolveExit();
        if (this.stopping || this.records.get(node.name) !== rec || rec.agent !== agent) return;
        const how = signal ?? `code ${code}`;
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
        setTimeout(() => {
          if (!this.stopping && this.records.get(node.name) === rec) {
            this.startAgent(rec);
            this.writeState();
          }
        }, delay).unref();
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
      if (rec && rec.restarts >= MAX_AGENT_RESTARTS && rec.agent?.exitCode !== null) {
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

  private writeState(): void {
    if (!this.controller || this.stopping) return;
    const state: RuntimeState = {
      version: 1,
      pid: process.pid,
      startedAt: new Date().toISOString(),
      controllerUrl: this.controller.url,
      ec2Endpoint: this.controller.ec2Endpoint,
      namespacePrefix: this.namespacePrefix,
      nodes: this.nodes(),
    };
    writeRuntimeState(this.runtimeDir, state);
  }
}
