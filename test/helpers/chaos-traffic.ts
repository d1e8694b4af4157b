/**
 * Real traffic for the chaos netns tests: one chaos-probe.ts process per node (started on first
 * use, inside the node's namespace), iputils `ping` and `iperf3`, all run inside the project's
 * own namespaces. Nothing here sends from the host namespace.
 *
 *   test --JSON line--> ip netns exec NS node --import tsx chaos-probe.ts --JSON line--> test
 */
import { type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { runInNamespace, spawnInNamespace } from "../../cli/runtime/netns.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(HERE, "..", "..");
const PROBE = join(HERE, "chaos-probe.ts");

/** Outcome of a client operation: `ok`, or the error (`timeout`, `ECONNREFUSED`, ...). */
export interface FlowResult {
  readonly ok: boolean;
  /** Time from the first packet to the outcome, in ms (measured inside the namespace). */
  readonly ms: number;
  readonly error?: string;
}

/** A chaos-probe.ts process inside one node's namespace; see that file for the operations. */
export class ChaosProbe {
  private readonly child: ChildProcess;
  private readonly pending = new Map<number, (r: Record<string, unknown>) => void>();
  private nextId = 1;
  private readonly ready: Promise<void>;
  private stderr = "";

  constructor(
    readonly node: string,
    namespace: string,
  ) {
    this.child = spawnInNamespace(namespace, process.execPath, ["--import", "tsx", PROBE], {
      cwd: REPO_ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
    let markReady!: () => void;
    let failReady!: (err: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // Why: a rejection nobody awaits yet must not crash the worker; call() re-raises it.
    this.ready.catch(() => undefined);
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      if (msg.id === 0) return markReady();
      const id = Number(msg.id);
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      waiter?.(msg);
    });
    this.child.once("exit", (code, signal) => {
      const err = new Error(
        `chaos probe on ${node} exited (${signal ?? code}): ${this.stderr.trim()}`,
      );
      failReady(err);
      for (const waiter of this.pending.values()) waiter({ ok: false, fatal: err.message });
      this.pending.clear();
    });
  }

  /** Sends one command and resolves with its answer; a probe-side exception rejects. */
  async call<T = Record<string, unknown>>(
    op: string,
    args: Record<string, unknown> = {},
  ): Promise<T> {
    await this.ready;
    const id = this.nextId++;
    const answer = new Promise<Record<string, unknown>>((resolve) => this.pending.set(id, resolve));
    this.child.stdin!.write(JSON.stringify({ id, op, ...args }) + "\n");
    const r = await answer;
    if (r.fatal !== undefined) throw new Error(`${this.node} ${op}: ${String(r.fatal)}`);
    return r as T;
  }

  tcpConnect(host: string, port: number, timeoutMs: number): Promise<FlowResult> {
    return this.call<FlowResult>("tcpConnect", { host, port, timeoutMs });
  }

  tcpEcho(host: string, port: number, timeoutMs: number): Promise<FlowResult> {
    return this.call<FlowResult>("tcpEcho", { host, port, timeoutMs });
  }

  udpProbe(host: string, port: number, timeoutMs: number): Promise<FlowResult> {
    return this.call<FlowResult>("udpProbe", { host, port, timeoutMs });
  }

  async udpRtts(host: string, port: number, count: number, intervalMs: number): Promise<number[]> {
    const r = await this.call("udpRtt", { host, port, count, intervalMs, timeoutMs: 2000 });
    return (r.rtts as (number | null)[]).filter((x): x is number => x !== null);
  }

  /** Paced one-way datagrams `TAG SEQ` (`burst` every `intervalMs`). */
  async udpSend(
    host: string,
    port: number,
    count: number,
    tag: string,
    pace: { burst: number; intervalMs: number } = { burst: 4, intervalMs: 4 },
  ): Promise<number> {
    const r = await this.call("udpSend", { host, port, count, tag, ...pace });
    return Number(r.sent);
  }

  async tcpEchoServer(port: number): Promise<void> {
    await this.call("tcpEchoServer", { port });
  }

  async udpEchoServer(port: number): Promise<void> {
    await this.call("udpEchoServer", { port });
  }

  async udpSink(port: number): Promise<void> {
    await this.call("udpSink", { port });
  }

  async sinkCount(
    port: number,
    tag: string,
  ): Promise<{ count: number; distinct: number; lastAtMs: number }> {
    const r = await this.call("sinkCount", { port, tag });
    return { count: Number(r.count), distinct: Number(r.distinct), lastAtMs: Number(r.lastAtMs) };
  }

  /**
   * The sink's count of `tag` once datagrams have stopped arriving: no new one for `quietMs`
   * (bounded by `timeoutMs`). Used after the sender finished, so only in-flight ones remain.
   */
  async settledCount(
    port: number,
    tag: string,
    quietMs = 500,
    timeoutMs = 10_000,
  ): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let last = await this.sinkCount(port, tag);
    for (;;) {
      await new Promise((r) => setTimeout(r, quietMs));
      const cur = await this.sinkCount(port, tag);
      if (cur.count === last.count || Date.now() > deadline) return cur.count;
      last = cur;
    }
  }

  /** A kept TCP connection (echo server expected at host:port). */
  async session(host: string, port: number, timeoutMs = 3000): Promise<ChaosSession> {
    const r = await this.call("sessionOpen", { host, port, timeoutMs });
    if (r.ok !== true) {
      throw new Error(`${this.node}: session to ${host}:${port} did not open: ${String(r.error)}`);
    }
    const sid = Number(r.sid);
    return {
      localPort: Number(r.localPort),
      send: (t = 2000) => this.call<FlowResult>("sessionSend", { sid, timeoutMs: t }),
      close: async () => {
        await this.call("sessionClose", { sid });
      },
    };
  }

  /** Ends the probe (stdin closed, SIGKILL after 1 s). */
  async stop(): Promise<void> {
    const c = this.child;
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill("SIGKILL"), 1000);
      c.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      c.stdin!.end();
    });
  }
}

export interface ChaosSession {
  readonly localPort: number;
  send(timeoutMs?: number): Promise<FlowResult>;
  close(): Promise<void>;
}

/** Median of a non-empty list. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * `ping -c count -i intervalS` from namespace `ns`: the RTT of every reply (ms) and how many
 * requests got none. ICMP echo through real sockets (iputils).
 */
export async function pingRtts(
  ns: string,
  host: string,
  count: number,
  intervalS = 0.05,
  waitS = 2,
): Promise<{ rtts: number[]; lost: number; output: string }> {
  const r = await runInNamespace(
    ns,
    "ping",
    ["-n", "-c", String(count), "-i", String(intervalS), "-W", String(waitS), host],
    { timeoutMs: (count * intervalS + waitS + 10) * 1000 },
  );
  const rtts = [...r.stdout.matchAll(/bytes from .* time=([\d.]+) ms/g)].map((m) => Number(m[1]));
  return { rtts, lost: count - rtts.length, output: r.stdout + r.stderr };
}

/** A running `iperf3 -s -1` (one test, then it exits) inside a namespace. */
export async function startIperfServer(ns: string, port: number): Promise<ChildProcess> {
  const child = spawnInNamespace(ns, "iperf3", ["-s", "-1", "--forceflush", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`iperf3 server in ${ns} did not start: ${out}`));
    }, 10_000);
    const onData = (d: Buffer): void => {
      out += String(d);
      if (out.includes("Server listening")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`iperf3 server in ${ns} exited (${code}): ${out}`));
    });
  });
  return child;
}

/** Kills an iperf3 server started by startIperfServer (if still running) and waits for it. */
export async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/**
 * An iperf3 TCP test from namespace `ns` to host:port for `seconds` (the first `omitS` left
 * out of the figures: slow start, the bucket's initial burst): the receiver's goodput in bit/s.
 */
export async function iperfTcp(
  ns: string,
  host: string,
  port: number,
  seconds: number,
  omitS: number,
): Promise<{ receivedBps: number; sentBps: number; retransmits: number }> {
  const r = await runInNamespace(
    ns,
    "iperf3",
    ["-c", host, "-p", String(port), "-t", String(seconds), "-O", String(omitS), "-J"],
    { timeoutMs: (seconds + omitS + 30) * 1000 },
  );
  let j: {
    error?: string;
    end?: {
      sum_received?: { bits_per_second: number };
      sum_sent?: { bits_per_second: number; retransmits?: number };
    };
  };
  try {
    j = JSON.parse(r.stdout) as typeof j;
  } catch {
    throw new Error(`iperf3 printed no JSON (code ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  if (j.error !== undefined || !j.end?.sum_received || !j.end.sum_sent) {
    throw new Error(`iperf3 failed: ${j.error ?? r.stdout}`);
  }
  return {
    receivedBps: j.end.sum_received.bits_per_second,
    sentBps: j.end.sum_sent.bits_per_second,
    retransmits: j.end.sum_sent.retransmits ?? 0,
  };
}
