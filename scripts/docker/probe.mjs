// A traffic probe for the containers (no nc or curl in the image):
//   node probe.mjs tcp HOST PORT [--timeout MS] [--send LINE]   connect, read the first reply
//   node probe.mjs http HOST PORT [--timeout MS]                 GET / and read the body
// Prints one JSON line {ok, kind, host, port, ms, reply | error} and exits 0 when the peer
// answered, 1 when not (timeout: the SG/NACL dropped it silently; refused: nothing listens).
import { connect } from "node:net";

const [kind, host, portText, ...rest] = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = rest.indexOf(name);
  return i >= 0 && rest[i + 1] !== undefined ? rest[i + 1] : dflt;
};
const timeoutMs = Number(opt("--timeout", "3000"));
const send = opt("--send", undefined);
const port = Number(portText);
if (!["tcp", "http"].includes(kind ?? "") || !host || !Number.isInteger(port)) {
  console.error("usage: node probe.mjs tcp|http HOST PORT [--timeout MS] [--send LINE]");
  process.exit(2);
}

const t0 = performance.now();
const finish = (ok, extra) => {
  const ms = Math.round(performance.now() - t0);
  console.log(JSON.stringify({ ok, kind, host, port, ms, ...extra }));
  process.exit(ok ? 0 : 1);
};
const sock = connect({ host, port });
sock.setEncoding("utf8");
const timer = setTimeout(() => {
  sock.destroy();
  finish(false, { error: "timeout" });
}, timeoutMs);
let reply = "";
sock.on("connect", () => {
  if (kind === "http") sock.write(`GET / HTTP/1.0\r\nHost: ${host}\r\n\r\n`);
  else if (send !== undefined) sock.write(`${send}\n`);
});
sock.on("data", (chunk) => {
  reply += chunk;
  const done = kind === "http" ? false : send === undefined || reply.includes("db: ");
  if (done) {
    clearTimeout(timer);
    sock.destroy();
    finish(true, { reply: reply.trim() });
  }
});
sock.on("end", () => {
  clearTimeout(timer);
  const body = kind === "http" ? reply.split("\r\n\r\n").slice(1).join("\r\n\r\n") : reply;
  finish(reply.length > 0, { reply: body.trim() });
});
sock.on("error", (err) => {
  clearTimeout(timer);
  finish(false, { error: err.code ?? err.message });
});
