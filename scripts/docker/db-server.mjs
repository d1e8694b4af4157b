// The seed app's database stand-in: a TCP server on 3306 (compose.yaml `db`, e2e tests).
//   node db-server.mjs [PORT=3306]
// Greets each connection with `vpcemu-db ready` and echoes every line back as `db: <line>`.
import { createServer } from "node:net";

const port = Number(process.argv[2] ?? 3306);
createServer((sock) => {
  console.log(`db: connection from ${sock.remoteAddress}:${sock.remotePort}`);
  sock.setEncoding("utf8");
  sock.write("vpcemu-db ready\n");
  let buf = "";
  sock.on("data", (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      sock.write(`db: ${buf.slice(0, nl)}\n`);
      buf = buf.slice(nl + 1);
    }
  });
  sock.on("error", () => sock.destroy());
}).listen(port, "0.0.0.0", () => console.log(`db: listening on :${port}`));
