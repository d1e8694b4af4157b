// The seed app's web tier: a tiny HTTP server (compose.yaml `web`, e2e tests).
//   node web-server.mjs [PORT=80]
// Answers every request with `web <hostname>: hello` and logs the peer.
import { createServer } from "node:http";
import { hostname } from "node:os";

const port = Number(process.argv[2] ?? 80);
createServer((req, res) => {
  console.log(`web: ${req.method} ${req.url} from ${req.socket.remoteAddress}`);
  res.setHeader("content-type", "text/plain");
  res.end(`web ${hostname()}: hello\n`);
}).listen(port, "0.0.0.0", () => console.log(`web: listening on :${port}`));
