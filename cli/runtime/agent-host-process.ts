/**
 * One agent host process of the local runtime, as `vpcemu up` sees it: `node bin/vpcemu.js
 * agent-host` in its own process group (a Ctrl-C reaches only up), output appended to
 * `<runtime dir>/logs/agent-host-<index>.log`, nodes started and stopped over its IPC channel
 * (agent-host-protocol.ts).
 *
 *   AgentHostProcess --spawn()--> starting --ready--> running --exit--> exited (onExit)
 *                                                       | stop(): SIGTERM, SIGKILL after 5 s
 *
 * Requests sent before `ready` wait for it. A request still open when the process exits is
 * settled: a start rejects (the node is down with its host), a stop resolves.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import {
  AGENT_HOST_IPC_ENV,
  type AgentHostEvent,
  type AgentHostRequest,
} from "./agent-host-protocol.js";
import { VPCEMU_BIN } from "./paths.js";

/** How long a host may take to say ready (tsx compiles the sources in a checkout). */
const READY_TIMEOUT_MS = 60_000;
/** SIGKILL a host that has not exited this long after SIGTERM. */
const STOP_GRACE_MS = 5_000;

export interface AgentHostProcessOptions {
  /** 1, 2, ... (names the log file and the log lines). */
  readonly index: number;
  readonly logFile: string;
  /** Environment of the host (the join token); agent keys go in start messages. */
  readonly env: NodeJS.ProcessEnv;
  /** The process ended while `up` did not stop it (`how`: a signal name or `code N`). */
  readonly onExit: (how: string) => void;
}

interface Pending {
  resolve: (underlay: string) => void;
  reject: (err: Error) => void;
}

/** See the module comment. */
export class AgentHostProcess {
  readonly index: number;
  readonly logFile: string;
  readonly startedAtMs = Date.now();
  private readonly child: ChildProcess;
  private readonly ready: Promise<void>;
  private readonly exited: Promise<void>;
  private readonly starts = new Map<string, Pending>();
  private readonly stops = new Map<string, () => void>();
  private stopping = false;
  private gone = false;

  constructor(private readonly opts: AgentHostProcessOptions) {
    this.index = opts.index;
    this.logFile = opts.logFile;
    const logFd = openSync(opts.logFile, "a");
    try {
      // Why detached: a Ctrl-C on `vpcemu up` must reach only up, which stops hosts in order.
      this.child = spawn(process.execPath, [VPCEMU_BIN, "agent-host"], {
        stdio: ["ignore", logFd, logFd, "ipc"],
        env: { ...opts.env, [AGENT_HOST_IPC_ENV]: "1" },
        detached: true,
      });
    } finally {
      closeSync(logFd);
    }
    let onReady: () => void = () => undefined;
    let onFail: (err: Error) => void = () => undefined;
    this.ready = new Promise<void>((resolve, reject) => {
      onReady = resolve;
      onFail = reject;
    });
    this.ready.catch(() => undefined);
    const readyTimer = setTimeout(
      () =>
        onFail(new Error(`agent host ${this.index} did not start in time; see ${this.logFile}`)),
      READY_TIMEOUT_MS,
    );
    readyTimer.unref();
    this.child.on("message", (e: AgentHostEvent) => {
      switch (e.type) {
        case "ready":
          clearTimeout(readyTimer);
          onReady();
          break;
        case "started":
          this.starts.get(e.agentId)?.resolve(e.underlay);
          this.starts.delete(e.agentId);
          break;
        case "start-failed":
          this.starts.get(e.agentId)?.reject(new Error(e.message));
          this.starts.delete(e.agentId);
          break;
        case "stopped":
          this.stops.get(e.agentId)?.();
          this.stops.delete(e.agentId);
          break;
      }
    });
    this.exited = new Promise<void>((resolve) => {
      const done = (how: string) => {
        if (this.gone) return;
        this.gone = true;
        clearTimeout(readyTimer);
        onFail(new Error(`agent host ${this.index} exited (${how}); see ${this.logFile}`));
        const err = new Error(`its agent host ${this.index} (pid ${this.pid}) exited (${how})`);
        for (const p of this.starts.values()) p.reject(err);
        this.starts.clear();
        for (const s of this.stops.values()) s();
        this.stops.clear();
        resolve();
        if (!this.stopping) this.opts.onExit(how);
      };
      this.child.once("exit", (code, signal) => done(signal ?? `code ${code}`));
      this.child.once("error", (err) => done(`failed to start: ${err.message}`));
    });
    // Why: a host that dies mid-send must not take `up` down with an EPIPE.
    this.child.on("error", () => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** True until the process exited. */
  get running(): boolean {
    return !this.gone;
  }

  /**
   * Starts a node's agent in this host; resolves with its underlay endpoint once it runs (its
   * TUN devices come with its first snapshot), rejects with the host's reason.
   */
  async startAgent(agentId: string, args: readonly string[], agentKey: string): Promise<string> {
    await this.ready;
    if (this.gone) throw new Error(`agent host ${this.index} is not running`);
    return new Promise<string>((resolve, reject) => {
      this.starts.set(agentId, { resolve, reject });
      this.send({ op: "start", agentId, args, agentKey });
    });
  }

  /** Stops a node's agent (devices removed, session closed); resolves once it is stopped. */
  async stopAgent(agentId: string): Promise<void> {
    if (this.gone) return;
    await this.ready.catch(() => undefined);
    if (this.gone) return;
    await new Promise<void>((resolve) => {
      this.stops.set(agentId, resolve);
      this.send({ op: "stop", agentId });
    });
  }

  /** SIGTERM (the host stops its agents), SIGKILL after STOP_GRACE_MS; resolves once exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.gone) return;
    this.child.kill("SIGTERM");
    const exited = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref()),
    ]);
    if (!exited) {
      this.child.kill("SIGKILL");
      await this.exited;
    }
  }

  private send(m: AgentHostRequest): void {
    if (this.child.connected) this.child.send(m);
  }
}
