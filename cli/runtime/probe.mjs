// Tiny network apps for the local runtime's demo and tests, run inside a node's namespace with
// `vpcemu exec NODE -- node cli/runtime/probe.mjs MODE ...` (plain JavaScript so `node` runs it
// with no loader). Clients print one JSON line per result and never throw: a blocked packet is
// dropped silently (AWS-BEHAVIOUR CT-11), so "blocked" reads as {"ok":false,"error":"timeout"}.
//
//   http-server PORT [BODY]            answers every GET with BODY (default "hello")
//   echo-server tcp|udp PORT           echoes what it receives (per line for TCP)
//   http-get HOST PORT TIMEOUT_MS      {"ok","ms","status","body"|"error"}
//   tcp-request HOST PORT TIMEOUT_MS   connect, send a line, await its echo: {"ok","ms"|"error"}
//   udp-request HOST PORT TIMEOUT_MS [COUNT [DELAYS]]  COUNT request/response pairs on one
//                                      socket; DELAYS "0,0,33000" asks the echo server to
//                                      answer request i after that many ms
//   tcp-session HOST PORT TIMEOUT_MS   one long connection; each stdin line "send" sends a
//                                      numbered line and prints {"seq","ok","ms"|"error"}
// Servers print {"listening":PORT} once ready and run until killed.
import { createSocket } from "node:dgram";
import { request, createServer as createHttpServer } from "node:http";
import { connect, createServer } from "node:net";
import { createInterface } from "node:readline";

const [mode, ...args] = process.argv.slice(2);
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const now = () => Number(process.hrtime.bigint() / 1000n) / 1000;

function httpServer(port, body = "hello") {
  const server = createHttpServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain", connection: "close" });
    res.end(body + "\n");
  });
  server.listen(Number(port), "0.0.0.0", () => out({ listening: Number(port) }));
}

function echoServer(proto, port) {
  if (proto === "udp") {
    const sock = createSocket("udp4");
    // A request may ask for a late answer ("... d=MS"), to show conntrack expiry (CT-12).
    sock.on("message", (msg, rinfo) => {
      const delay = Number(/d=(\d+)/.exec(String(msg))?.[1] ?? 0);
      setTimeout(() => sock.send(msg, rinfo.port, rinfo.address), delay);
    });
    sock.bind(Number(port), "0.0.0.0", () => out({ listening: Number(port) }));
    return;
  }
  const server = createServer((s) => {
    s.on("data", (d) => s.write(d));
    s.on("error", () => s.destroy());
  });
  server.listen(Number(port), "0.0.0.0", () => out({ listening: Number(port) }));
}

function httpGet(host, port, timeoutMs) {
  const start = now();
  const req = request(
    { host, port: Number(port), path: "/", timeout: Number(timeoutMs) },
    (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        out({
          ok: true,
          ms: +(now() - start).toFixed(2),
          status: res.statusCode,
          body: body.trim(),
        });
        process.exit(0);
      });
    },
  );
  req.on("timeout", () => {
    out({ ok: false, error: "timeout" });
    process.exit(1);
  });
  req.on("error", (e) => {
    out({ ok: false, error: e.code ?? e.message });
    process.exit(1);
  });
  req.end();
}

function tcpRequest(host, port, timeoutMs) {
  const start = now();
  const sock = connect({ host, port: Number(port) });
  const timer = setTimeout(() => {
    out({ ok: false, error: "timeout" });
    process.exit(1);
  }, Number(timeoutMs));
  let got = "";
  sock.on("connect", () => sock.write("ping\n"));
  sock.on("data", (d) => {
    got += d;
    if (got.includes("\n")) {
      clearTimeout(timer);
      out({ ok: true, ms: +(now() - start).toFixed(2) });
      process.exit(0);
    }
  });
  sock.on("error", (e) => {
    clearTimeout(timer);
    out({ ok: false, error: e.code ?? e.message });
    process.exit(1);
  });
}

function udpRequest(host, port, timeoutMs, count = "1", delays = "") {
  const delayOf = (n) => Number(delays.split(",")[n - 1] || 0);
  const sock = createSocket("udp4");
  const total = Number(count);
  let seq = 0;
  let timer;
  let start = 0;
  const results = [];
  const next = () => {
    if (seq === total) {
      const ok = results.every((r) => r.ok);
      out({ ok, ms: results.at(-1)?.ms, results, localPort: sock.address().port });
      process.exit(ok ? 0 : 1);
    }
    seq += 1;
    start = now();
    sock.send(`req ${seq} d=${delayOf(seq)}`, Number(port), host);
    timer = setTimeout(() => {
      results.push({ seq, ok: false, error: "timeout" });
      next();
    }, Number(timeoutMs));
  };
  sock.on("message", (msg) => {
    if (!String(msg).startsWith(`req ${seq} `)) return;
    clearTimeout(timer);
    results.push({ seq, ok: true, ms: +(now() - start).toFixed(2) });
    next();
  });
  sock.bind(0, () => next());
}

function tcpSession(host, port, timeoutMs) {
  const sock = connect({ host, port: Number(port) });
  const pending = new Map();
  let seq = 0;
  let buf = "";
  const connectTimer = setTimeout(() => {
    out({ event: "error", error: "timeout" });
    process.exit(1);
  }, Number(timeoutMs));
  sock.on("connect", () => {
    clearTimeout(connectTimer);
    out({ event: "connected", localPort: sock.localPort });
  });
  sock.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      const n = Number(line.replace(/^m/, ""));
      const p = pending.get(n);
      if (p) {
        clearTimeout(p.timer);
        pending.delete(n);
        out({ seq: n, ok: true, ms: +(now() - p.start).toFixed(2) });
      }
    }
  });
  sock.on("error", (e) => out({ event: "error", error: e.code ?? e.message }));
  sock.on("close", () => {
    out({ event: "closed" });
    process.exit(0);
  });
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim() === "close") {
      sock.end();
      return;
    }
    const n = ++seq;
    const timer = setTimeout(() => {
      // Why: TCP keeps retransmitting; a late echo of this line is ignored (seq forgotten).
      pending.delete(n);
      out({ seq: n, ok: false, error: "timeout" });
    }, Number(timeoutMs));
    pending.set(n, { start: now(), timer });
    sock.write(`m${n}\n`);
  });
}

switch (mode) {
  case "http-server":
    httpServer(args[0], args[1]);
    break;
  case "echo-server":
    echoServer(args[0], args[1]);
    break;
  case "http-get":
    httpGet(args[0], args[1], args[2]);
    break;
  case "tcp-request":
    tcpRequest(args[0], args[1], args[2]);
    break;
  case "udp-request":
    udpRequest(args[0], args[1], args[2], args[3], args[4]);
    break;
  case "tcp-session":
    tcpSession(args[0], args[1], args[2]);
    break;
  default:
    process.stderr.write(`probe.mjs: unknown mode '${mode}'\n`);
    process.exit(2);
}
