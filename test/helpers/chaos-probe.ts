/**
 * The chaos tests' traffic app, run once per node inside its namespace
 * (`ip netns exec NS node --import tsx test/helpers/chaos-probe.ts`), driven by JSON lines on
 * stdin: `{"id": 1, "op": "tcpConnect", ...}` -> `{"id": 1, ...result}` on stdout. One long-lived
 * process per node keeps node's start-up time out of every measurement, and holds servers and
 * sessions between commands. Clients never throw on a blocked flow: the result says
 * `{ok: false, error: "timeout" | "ECONNREFUSED" | ...}` with the time it took.
 *
 *   op                                             answer
 *   tcpEchoServer {port} / udpEchoServer {port}    {listening}        echo per chunk / datagram
 *   udpSink {port}                                 {listening}        counts datagrams per tag
 *   sinkCount {port, tag}                          {count, distinct, lastAtMs}
 *   tcpConnect {host, port, timeoutMs}             {ok, ms, error?}   SYN .. established only
 *   tcpEcho {host, port, timeoutMs}                {ok, ms, error?}   connect + one echoed line
 *   udpProbe {host, port, timeoutMs}               {ok, ms, error?}   connected socket, one
 *                                                                     datagram, its echo, an
 *                                                                     ICMP error or a timeout
 *   udpRtt {host, port, count, intervalMs, timeoutMs}  {rtts: (ms | null)[]}
 *   udpSend {host, port, count, burst, intervalMs, tag}  {sent, ms}   paced one-way datagrams
 *   sessionOpen {host, port, timeoutMs}            {ok, sid, localPort} a kept TCP connection
 *   sessionSend {sid, timeoutMs}                   {ok, ms, error?}   one echoed line on it
 *   sessionClose {sid}                             {ok}
 *
 * Plain node APIs only; test/helpers/chaos-traffic.ts is the test side.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import { createInterface } from "node:readline";

type Command = { readonly id: number; readonly op: string } & Record<string, unknown>;
type Result = Record<string, unknown>;

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const round = (ms: number): number => Math.round(ms * 100) / 100;

const servers: (Server | UdpSocket)[] = [];
const sinks = new Map<number, Map<string, { seqs: Set<number>; count: number; lastAt: number }>>();
const sessions = new Map<number, { sock: Socket; buf: string; waiters: (() => void)[] }>();
let nextSid = 1;

function num(cmd: Command, key: string): number {
  const v = cmd[key];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${cmd.op}: ${key} missing`);
  return v;
}

function str(cmd: Command, key: string): string {
  const v = cmd[key];
  if (typeof v !== "string") throw new Error(`${cmd.op}: ${key} missing`);
  return v;
}

function tcpEchoServer(port: number): Promise<Result> {
  const server = createServer((s) => {
    s.on("data", (d) => s.write(d));
    s.on("error", () => s.destroy());
  });
  servers.push(server);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve({ listening: port }));
  });
}

function udpServer(
  port: number,
  onMessage: (sock: UdpSocket) => (msg: Buffer, from: { address: string; port: number }) => void,
): Promise<Result> {
  const sock = createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
  servers.push(sock);
  sock.on("message", onMessage(sock));
  return new Promise((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(port, "0.0.0.0", () => resolve({ listening: port }));
  });
}

function udpEchoServer(port: number): Promise<Result> {
  return udpServer(port, (sock) => (msg, from) => sock.send(msg, from.port, from.address));
}

/** Counts datagrams `TAG SEQ` per tag (distinct sequence numbers and all of them). */
function udpSink(port: number): Promise<Result> {
  const tags = new Map<string, { seqs: Set<number>; count: number; lastAt: number }>();
  sinks.set(port, tags);
  return udpServer(port, () => (msg) => {
    const [tag = "", seq = "-1"] = String(msg).split(" ");
    let t = tags.get(tag);
    if (!t) tags.set(tag, (t = { seqs: new Set(), count: 0, lastAt: 0 }));
    t.seqs.add(Number(seq));
    t.count += 1;
    t.lastAt = Date.now();
  });
}

function sinkCount(port: number, tag: string): Result {
  const t = sinks.get(port)?.get(tag);
  return { count: t?.count ?? 0, distinct: t?.seqs.size ?? 0, lastAtMs: t?.lastAt ?? 0 };
}

function tcpConnect(host: string, port: number, timeoutMs: number, echo: boolean): Promise<Result> {
  return new Promise((resolve) => {
    const start = now();
    const sock = connect({ host, port });
    let done = false;
    const finish = (r: Result): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      resolve({ ms: round(now() - start), ...r });
    };
    const timer = setTimeout(() => finish({ ok: false, error: "timeout" }), timeoutMs);
    sock.on("connect", () => (echo ? sock.write("ping\n") : finish({ ok: true })));
    let got = "";
    sock.on("data", (d) => {
      got += String(d);
      if (got.includes("\n")) finish({ ok: true });
    });
    sock.on("error", (e: NodeJS.ErrnoException) =>
      finish({ ok: false, error: e.code ?? e.message }),
    );
    sock.on("close", () => finish({ ok: false, error: "closed" }));
  });
}

function udpProbe(host: string, port: number, timeoutMs: number): Promise<Result> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    const start = now();
    let done = false;
    const finish = (r: Result): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.close();
      resolve({ ms: round(now() - start), ...r });
    };
    const timer = setTimeout(() => finish({ ok: false, error: "timeout" }), timeoutMs);
    // Why connected: Linux reports an ICMP port unreachable only to a connected UDP socket.
    sock.on("error", (e: NodeJS.ErrnoException) =>
      finish({ ok: false, error: e.code ?? e.message }),
    );
    sock.on("message", () => finish({ ok: true }));
    sock.connect(port, host, () => sock.send("probe 0"));
  });
}

/** `count` request/response pairs on one socket, one every `intervalMs`; null = no answer. */
function udpRtt(
  host: string,
  port: number,
  count: number,
  intervalMs: number,
  timeoutMs: number,
): Promise<Result> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    const sentAt = new Map<number, number>();
    const rtts: (number | null)[] = new Array<number | null>(count).fill(null);
    let sent = 0;
    sock.on("message", (msg) => {
      const seq = Number(String(msg).split(" ")[1]);
      const at = sentAt.get(seq);
      if (at !== undefined && rtts[seq] === null) rtts[seq] = round(now() - at);
    });
    const tick = (): void => {
      if (sent === count) {
        setTimeout(() => {
          sock.close();
          resolve({ rtts });
        }, timeoutMs);
        return;
      }
      sentAt.set(sent, now());
      sock.send(`rtt ${sent}`, port, host);
      sent += 1;
      setTimeout(tick, intervalMs);
    };
    sock.bind(0, tick);
  });
}

/**
 * `count` datagrams `TAG SEQ`, `burst` at a time, one burst every `intervalMs`. A late timer is
 * not caught up (no double bursts), so a stalled process never floods the path.
 */
function udpSend(
  host: string,
  port: number,
  count: number,
  burst: number,
  intervalMs: number,
  tag: string,
): Promise<Result> {
  return new Promise((resolve) => {
    const sock = createSocket("udp4");
    const start = now();
    let seq = 0;
    const tick = (): void => {
      const n = Math.min(burst, count - seq);
      for (let i = 0; i < n; i++) sock.send(`${tag} ${seq++}`, port, host);
      if (seq < count) {
        setTimeout(tick, intervalMs);
      } else {
        // Why wait: dgram sends are asynchronous; closing at once could drop queued ones.
        setTimeout(() => {
          sock.close();
          resolve({ sent: seq, ms: round(now() - start) });
        }, 50);
      }
    };
    sock.bind(0, tick);
  });
}

async function sessionOpen(host: string, port: number, timeoutMs: number): Promise<Result> {
  const r = await new Promise<Result & { sock?: Socket }>((resolve) => {
    const sock = connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, error: "timeout" });
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      resolve({ ok: true, sock });
    });
    sock.once("error", (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ ok: false, error: e.code ?? e.message });
    });
  });
  if (!r.sock) return r;
  const sid = nextSid++;
  const s = { sock: r.sock, buf: "", waiters: [] as (() => void)[] };
  sessions.set(sid, s);
  r.sock.on("data", (d) => {
    s.buf += String(d);
    for (const w of s.waiters.splice(0)) w();
  });
  r.sock.on("error", () => undefined);
  return { ok: true, sid, localPort: r.sock.localPort };
}

/** Sends `m<seq>` and waits for its echo; a late echo of an earlier line is skipped. */
async function sessionSend(sid: number, timeoutMs: number): Promise<Result> {
  const s = sessions.get(sid);
  if (!s) return { ok: false, error: `no session ${sid}` };
  const token = `m${Math.random().toString(36).slice(2)}\n`;
  const start = now();
  s.sock.write(token);
  const deadline = Date.now() + timeoutMs;
  while (!s.buf.includes(token)) {
    const left = deadline - Date.now();
    if (left <= 0 || s.sock.destroyed)
      return { ok: false, error: "timeout", ms: round(now() - start) };
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, left);
      s.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  s.buf = s.buf.slice(s.buf.indexOf(token) + token.length);
  return { ok: true, ms: round(now() - start) };
}

function sessionClose(sid: number): Result {
  sessions.get(sid)?.sock.destroy();
  sessions.delete(sid);
  return { ok: true };
}

async function run(cmd: Command): Promise<Result> {
  switch (cmd.op) {
    case "tcpEchoServer":
      return tcpEchoServer(num(cmd, "port"));
    case "udpEchoServer":
      return udpEchoServer(num(cmd, "port"));
    case "udpSink":
      return udpSink(num(cmd, "port"));
    case "sinkCount":
      return sinkCount(num(cmd, "port"), str(cmd, "tag"));
    case "tcpConnect":
      return tcpConnect(str(cmd, "host"), num(cmd, "port"), num(cmd, "timeoutMs"), false);
    case "tcpEcho":
      return tcpConnect(str(cmd, "host"), num(cmd, "port"), num(cmd, "timeoutMs"), true);
    case "udpProbe":
      return udpProbe(str(cmd, "host"), num(cmd, "port"), num(cmd, "timeoutMs"));
    case "udpRtt":
      return udpRtt(
        str(cmd, "host"),
        num(cmd, "port"),
        num(cmd, "count"),
        num(cmd, "intervalMs"),
        num(cmd, "timeoutMs"),
      );
    case "udpSend":
      return udpSend(
        str(cmd, "host"),
        num(cmd, "port"),
        num(cmd, "count"),
        num(cmd, "burst"),
        num(cmd, "intervalMs"),
        str(cmd, "tag"),
      );
    case "sessionOpen":
      return sessionOpen(str(cmd, "host"), num(cmd, "port"), num(cmd, "timeoutMs"));
    case "sessionSend":
      return sessionSend(num(cmd, "sid"), num(cmd, "timeoutMs"));
    case "sessionClose":
      return sessionClose(num(cmd, "sid"));
    default:
      throw new Error(`unknown op '${cmd.op}'`);
  }
}

const out = (obj: Result): void => void process.stdout.write(JSON.stringify(obj) + "\n");

createInterface({ input: process.stdin })
  .on("line", (line) => {
    let cmd: Command;
    try {
      cmd = JSON.parse(line) as Command;
    } catch {
      out({ id: -1, fatal: `not JSON: ${line}` });
      return;
    }
    run(cmd).then(
      (r) => out({ id: cmd.id, ...r }),
      (err: unknown) =>
        out({ id: cmd.id, ok: false, fatal: err instanceof Error ? err.message : String(err) }),
    );
  })
  // Why: the test closes stdin to stop the node's probe; servers would keep it alive.
  .on("close", () => process.exit(0));

out({ id: 0, ready: process.pid });
