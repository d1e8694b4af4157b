/**
 * Real traffic between nodes of a running local runtime, for `vpcemu demo` and the netns tests:
 * servers and clients from cli/runtime/probe.mjs (plain node scripts) and iputils `ping`, all
 * run inside node namespaces. Clients never throw on a blocked flow: AWS drops silently
 * (AWS-BEHAVIOUR CT-11), so the result reads `{ ok: false, error: "timeout" }`.
 */
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { runInNamespace, spawnInNamespace } from "./netns.js";
import { PROBE_SCRIPT } from "./paths.js";

/** A node's namespace, resolved by the caller (StartedLocalRuntime.node(ref).namespace). */
export type NamespaceOf = (node: string) => string;

export interface ProbeResult {
  readonly ok: boolean;
  /** Round trip (or request to answer) in milliseconds when ok. */
  readonly ms?: number;
  readonly error?: string;
  readonly [extra: string]: unknown;
}

/** A long-lived TCP connection driven line by line (tcp-session mode). */
export interface TcpSession {
  /** Local port of the client side (to find the flow in conntrack). */
  readonly localPort: number;
  /** Sends one numbered line and waits for its echo (or the probe's timeout). */
  send(): Promise<ProbeResult>;
  close(): Promise<void>;
}

function lastJsonLine(text: string): Record<string, unknown> | undefined {
  const lines = text.trim().split("\n").reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Why: not a result line (e.g. a warning); keep looking.
    }
  }
  return undefined;
}

/** Starts and stops probe servers and runs probe clients in node namespaces. */
export class Probes {
  private readonly children = new Set<ChildProcess>();

  constructor(private readonly namespaceOf: NamespaceOf) {}

  /** Starts a server (`http-server PORT` or `echo-server tcp|udp PORT`) and waits until it listens. */
  async server(
    node: string,
    mode: "http" | "tcp" | "udp",
    port: number,
    body?: string,
  ): Promise<void> {
    const args =
      mode === "http"
        ? [PROBE_SCRIPT, "http-server", String(port), body ?? `hello from ${node}`]
        : [PROBE_SCRIPT, "echo-server", mode, String(port)];
    const child = spawnInNamespace(this.namespaceOf(node), process.execPath, args, {
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${mode} server on ${node}:${port} did not start: ${stderr}`)),
        10_000,
      );
      const lines = createInterface({ input: child.stdout! });
      lines.once("line", () => {
        clearTimeout(timer);
        resolve();
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`${mode} server on ${node}:${port} exited (${code}): ${stderr}`));
      });
    });
  }

  private async client(node: string, args: string[], timeoutMs: number): Promise<ProbeResult> {
    const r = await runInNamespace(
      this.namespaceOf(node),
      process.execPath,
      [PROBE_SCRIPT, ...args],
      {
        timeoutMs: timeoutMs + 5_000,
      },
    );
    const parsed = lastJsonLine(r.stdout);
    if (!parsed)
      return { ok: false, error: r.timedOut ? "timeout" : `no result: ${r.stderr.trim()}` };
    return parsed as unknown as ProbeResult;
  }

  /** HTTP GET from `node` to host:port. */
  httpGet(node: string, host: string, port: number, timeoutMs = 3000): Promise<ProbeResult> {
    return this.client(node, ["http-get", host, String(port), String(timeoutMs)], timeoutMs);
  }

  /** TCP connect + one echoed line from `node` to host:port. */
  tcpRequest(node: string, host: string, port: number, timeoutMs = 3000): Promise<ProbeResult> {
    return this.client(node, ["tcp-request", host, String(port), String(timeoutMs)], timeoutMs);
  }

  /**
   * `count` UDP request/response pairs on one socket (one flow) from `node` to host:port; the
   * echo server answers request i after `delaysMs[i]` (default 0), each waited for `timeoutMs`.
   */
  udpRequest(
    node: string,
    host: string,
    port: number,
    timeoutMs = 3000,
    count = 1,
    delaysMs: readonly number[] = [],
  ): Promise<ProbeResult> {
    return this.client(
      node,
      ["udp-request", host, String(port), String(timeoutMs), String(count), delaysMs.join(",")],
      timeoutMs * count,
    );
  }

  /** `ping -c count` from `node`; ok when every echo got its reply. */
  async ping(node: string, host: string, count = 1, timeoutS = 2): Promise<ProbeResult> {
    const r = await runInNamespace(
      this.namespaceOf(node),
      "ping",
      ["-n", "-c", String(count), "-i", "0.2", "-W", String(timeoutS), host],
      { timeoutMs: (count * 0.2 + timeoutS + 5) * 1000 },
    );
    const received = Number(/(\d+) received/.exec(r.stdout)?.[1] ?? 0);
    const rtt = /= [\d.]+\/([\d.]+)\//.exec(r.stdout)?.[1];
    return received === count
      ? { ok: true, ms: Number(rtt), received }
      : { ok: false, error: received === 0 ? "timeout" : `${received}/${count} replies`, received };
  }

  /** Opens a long-lived TCP connection from `node` to host:port (echo server expected). */
  async session(node: string, host: string, port: number, timeoutMs = 3000): Promise<TcpSession> {
    const child = spawnInNamespace(
      this.namespaceOf(node),
      process.execPath,
      [PROBE_SCRIPT, "tcp-session", host, String(port), String(timeoutMs)],
      { stdio: ["pipe", "pipe", "pipe"] },
    );
    this.children.add(child);
    child.on("exit", () => this.children.delete(child));
    const waiters: ((line: Record<string, unknown>) => void)[] = [];
    createInterface({ input: child.stdout! }).on("line", (line) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      waiters.shift()?.(msg);
    });
    const next = () => new Promise<Record<string, unknown>>((resolve) => waiters.push(resolve));
    const first = await next();
    if (first.event !== "connected") {
      child.kill("SIGKILL");
      throw new Error(
        `session ${node} -> ${host}:${port} did not connect: ${JSON.stringify(first)}`,
      );
    }
    let seq = 0;
    return {
      localPort: Number(first.localPort),
      send: async () => {
        seq += 1;
        const mine = seq;
        let reply = next();
        child.stdin!.write("send\n");
        for (;;) {
          const msg = await reply;
          if (msg.seq === mine) return msg as unknown as ProbeResult;
          if (msg.event === "closed" || msg.event === "error")
            return { ok: false, error: String(msg.error ?? msg.event) };
          reply = next();
        }
      },
      close: async () => {
        child.stdin!.end("close\n");
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child.kill("SIGKILL");
            resolve();
          }, 1000);
          child.once("exit", () => {
            clearTimeout(t);
            resolve();
          });
          if (child.exitCode !== null) resolve();
        });
      },
    };
  }

  /** Kills every server and session still running. */
  async stopAll(): Promise<void> {
    const exits = [...this.children].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once("exit", () => resolve());
          c.kill("SIGKILL");
        }),
    );
    await Promise.all(exits);
    this.children.clear();
  }
}
