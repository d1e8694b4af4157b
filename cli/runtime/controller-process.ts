/**
 * The local runtime's controller as a supervised child process: `vpcemu controller --listen
 * HOST:PORT --state FILE` in a process group of its own (a Ctrl-C on `vpcemu up` reaches only
 * up, which stops it in order), its output in `<runtime dir>/logs/controller.log`. It keeps one
 * address: a first start on port 0 learns its port, every later start asks for that one.
 *
 *   ControllerProcess --start()--> running --kill(downMs): SIGKILL--> down --downMs--> running
 *                                    |   exits by itself: started again after 1, 2, 4, 8, 16 s
 *                                    +--stop(): SIGTERM (SIGKILL after 5 s)--> stopped
 *
 * The child says it listens over an IPC channel (READY_IPC_ENV, cli/commands/controller.ts) and
 * drops the channel at once, so it does not depend on this process afterwards: a `vpcemu up`
 * that dies leaves it running, and `vpcemu down` or the next `up` kills it by the pid in the
 * runtime state file (cleanup.ts). No controller code is loaded here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { VPCEMU_BIN } from "./paths.js";

/** Set to 1 in the environment of a `vpcemu controller` spawned with an IPC channel. */
export const READY_IPC_ENV = "VPCEMU_CONTROLLER_READY_IPC";

/** Sent once over the IPC channel (READY_IPC_ENV=1) when the controller listens. */
export interface ControllerReadyMessage {
  readonly type: "vpcemu-controller-listening";
  readonly url: string;
  readonly port: number;
  readonly pid: number;
}

export interface ControllerProcessOptions {
  /** HOST:PORT; port 0 picks a free port on the first start, kept for every restart. */
  readonly listen: string;
  /** The state database (`--state`); ":memory:" cannot survive a kill. */
  readonly statePath: string;
  /** Handed over in the environment ($VPCEMU_JOIN_TOKEN), never on the command line. */
  readonly joinToken?: string;
  /**
   * The agent secret ($VPCEMU_AGENT_SECRET, docs/agent.md "Agent identity"): up derives each
   * agent's key from it, and the controller then requires keys. In the environment only.
   */
  readonly agentSecret?: string;
  /** Where the controller's stdout and stderr go (appended). */
  readonly logFile: string;
  readonly log: (line: string) => void;
  /** After every start (the first, and each restart): the pid changed. */
  readonly onStart?: () => void;
  /** After the controller went down (a kill or a crash): no pid now. */
  readonly onDown?: () => void;
}

/** Restarts after crashes before the controller is left down (a kill is not a crash). */
const MAX_CRASH_RESTARTS = 5;
/** A controller that ran this long before crashing starts over with a fresh budget. */
const HEALTHY_RUN_MS = 30_000;
/** How long a (re)start may take: tsx compiles the sources on a development checkout. */
const START_TIMEOUT_MS = 60_000;
/** A start after a kill retries while its port is still taken (20 x 500 ms). */
const START_RETRIES = 20;
const START_RETRY_MS = 500;
const STOP_GRACE_MS = 5_000;

interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<void>;
  readonly startedAtMs: number;
  /** Set before a kill or a stop: its exit is expected. */
  expected: boolean;
  /** How it ended, as waitpid told (the signal, else the exit code). */
  how?: string;
}

/** See the module comment. */
export class ControllerProcess {
  private running?: Running;
  private listenAddress: string;
  private baseUrl?: string;
  private crashes = 0;
  private down?: { untilMs: number; timer?: NodeJS.Timeout };
  private stopping = false;

  constructor(private readonly opts: ControllerProcessOptions) {
    this.listenAddress = opts.listen;
  }

  /** http://HOST:PORT; the same across restarts. */
  get url(): string {
    if (this.baseUrl === undefined) throw new Error("the controller has not started");
    return this.baseUrl;
  }

  /** The controller's process id while it runs. */
  get pid(): number | undefined {
    return this.running?.pid;
  }

  /** While killed or crashed: when it is due back (epoch ms); undefined while it runs. */
  get downUntilMs(): number | undefined {
    return this.running === undefined ? this.down?.untilMs : undefined;
  }

  /** Starts it the first time; rejects with the log's tail when it cannot start. */
  async start(): Promise<void> {
    await this.spawnOnce();
  }

  /**
   * SIGKILLs the controller (no graceful close: its sockets are cut, nothing is flushed beyond
   * what SQLite committed) and starts it again after `downMs`. Resolves once it has exited.
   */
  async kill(downMs: number): Promise<{ pid: number; untilMs: number; how: string }> {
    const r = this.running;
    if (r === undefined) throw new Error("the controller is not running");
    r.expected = true;
    r.child.kill("SIGKILL");
    await r.exited;
    const untilMs = Date.now() + downMs;
    this.down = { untilMs, timer: setTimeout(() => void this.bringBack(0), downMs) };
    this.opts.log(
      `controller killed (pid ${r.pid}, SIGKILL); starting it again at ${new Date(untilMs).toISOString()}`,
    );
    return { pid: r.pid, untilMs, how: r.how ?? "?" };
  }

  /** SIGTERM (a clean stop: agents are told, the database closed); SIGKILL after 5 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.down?.timer) clearTimeout(this.down.timer);
    const r = this.running;
    if (r === undefined) return;
    r.expected = true;
    r.child.kill("SIGTERM");
    const exited = await Promise.race([
      r.exited.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), STOP_GRACE_MS)),
    ]);
    if (!exited) {
      this.opts.log(`controller (pid ${r.pid}) did not stop in ${STOP_GRACE_MS / 1000} s; SIGKILL`);
      r.child.kill("SIGKILL");
      await r.exited;
    }
  }

  /** A start after a kill or a crash; retries while the port is still taken. */
  private async bringBack(attempt: number): Promise<void> {
    if (this.stopping) return;
    try {
      await this.spawnOnce();
      this.down = undefined;
      const r = this.running;
      if (this.stopping && r !== undefined) {
        // Why: stop() ran while this start was under way and found nothing to stop.
        r.expected = true;
        r.child.kill("SIGTERM");
        return;
      }
      this.opts.log(`controller listening on ${this.url} again (pid ${this.pid})`);
    } catch (err) {
      if (this.stopping) return;
      if (attempt + 1 >= START_RETRIES) {
        this.opts.log(
          `controller did not come back: ${err instanceof Error ? err.message : String(err)}`,
        );
        return;
      }
      const untilMs = Date.now() + START_RETRY_MS;
      this.down = {
        untilMs,
        timer: setTimeout(() => void this.bringBack(attempt + 1), START_RETRY_MS),
      };
    }
  }

  private spawnOnce(): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, [READY_IPC_ENV]: "1" };
    // Why: without a token of its own the controller must not pick one up from up's environment.
    if (this.opts.joinToken !== undefined) env.VPCEMU_JOIN_TOKEN = this.opts.joinToken;
    else delete env.VPCEMU_JOIN_TOKEN;
    if (this.opts.agentSecret !== undefined) env.VPCEMU_AGENT_SECRET = this.opts.agentSecret;
    else delete env.VPCEMU_AGENT_SECRET;
    const args = [
      VPCEMU_BIN,
      "controller",
      "--listen",
      this.listenAddress,
      "--state",
      this.opts.statePath,
    ];
    const logFd = openSync(this.opts.logFile, "a");
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, args, {
        stdio: ["ignore", logFd, logFd, "ipc"],
        env,
        detached: true,
      });
    } finally {
      closeSync(logFd);
    }
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        reject(new Error(`the controller did not start: ${why}\n${this.logTail()}`));
      };
      const timer = setTimeout(
        () => fail(`no answer in ${START_TIMEOUT_MS / 1000} s`),
        START_TIMEOUT_MS,
      );
      child.once("error", (err) => fail(err.message));
      child.once("exit", (code, signal) => {
        if (!settled) fail(`it exited (${signal ?? `code ${code}`})`);
      });
      child.on("message", (m: unknown) => {
        const ready = m as Partial<ControllerReadyMessage>;
        if (settled || ready.type !== "vpcemu-controller-listening") return;
        settled = true;
        clearTimeout(timer);
        const host = this.listenAddress.slice(0, this.listenAddress.lastIndexOf(":"));
        this.listenAddress = `${host}:${ready.port}`;
        this.baseUrl = ready.url;
        const running: Running = {
          child,
          pid: child.pid ?? ready.pid ?? 0,
          exited,
          startedAtMs: Date.now(),
          expected: false,
        };
        this.running = running;
        child.once("exit", (code, signal) => this.onExit(running, signal ?? `code ${code}`));
        this.opts.onStart?.();
        resolve();
      });
    });
  }

  /** A controller that exits unasked is started again, like a crashed agent. */
  private onExit(r: Running, how: string): void {
    r.how = how;
    if (this.running === r) this.running = undefined;
    this.opts.onDown?.();
    if (r.expected || this.stopping) return;
    if (Date.now() - r.startedAtMs >= HEALTHY_RUN_MS) this.crashes = 0;
    if (this.crashes >= MAX_CRASH_RESTARTS) {
      this.opts.log(
        `controller exited (${how}) ${this.crashes} times; giving up, see ${this.opts.logFile}`,
      );
      return;
    }
    const delay = 1000 * 2 ** this.crashes;
    this.crashes += 1;
    this.opts.log(
      `controller exited (${how}); starting it again in ${delay / 1000} s (see ${this.opts.logFile})`,
    );
    this.down = {
      untilMs: Date.now() + delay,
      timer: setTimeout(() => void this.bringBack(0), delay),
    };
  }

  private logTail(): string {
    try {
      const text = readFileSync(this.opts.logFile, "utf8");
      return `${this.opts.logFile}:\n${text.split("\n").slice(-15).join("\n")}`;
    } catch {
      return `(no log at ${this.opts.logFile})`;
    }
  }
}
