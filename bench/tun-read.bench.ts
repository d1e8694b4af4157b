/**
 * Packets per second through a real TUN device with LinuxTun (worker read loop over a
 * SharedArrayBuffer ring; writes with write(2) from the main thread). Root needed.
 *
 *   this process (host namespace)              vpcemu-bench-tunNNNN
 *   +--------------------------+               +-----------------------------------+
 *   | LinuxTun.readBatch  <----+---- eth0 -----+  node: UDP blast to 10.99.0.2:9    |
 *   | LinuxTun.writeBatch -----+---> eth0 -----+  (kernel: 10.99.0.1 has no :9)    |
 *   +--------------------------+               +-----------------------------------+
 *
 * Traffic exists only inside the namespace (10.99.0.0/24 is routed into the TUN there).
 * Prints figures; asserts nothing. Run: npx tsx bench/tun-read.bench.ts [seconds]
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";
import { createNamespace, deleteNamespace } from "../cli/runtime/netns.js";
import { openLinuxTun } from "../node-agent/tun/linux-tun.js";
import { placeTun, setTunAddresses } from "../node-agent/tun/tun-placement.js";
import { buildUdp } from "../test/helpers/packet-builder.js";

const SECONDS = Number(process.argv[2] ?? 3);
const NS = `vpcemu-bench-tun${process.pid % 100000}`;
const HEADROOM = 128;

const BLAST = `
const dgram = require("node:dgram");
const s = dgram.createSocket("udp4");
const msg = Buffer.alloc(64, 1);
let sent = 0;
const end = Date.now() + ${SECONDS * 1000};
s.bind(0, "10.99.0.1", () => {
  function burst() {
    for (let i = 0; i < 256; i++) { s.send(msg, 9, "10.99.0.2"); sent++; }
    if (Date.now() < end) setImmediate(burst);
    else setTimeout(() => { console.log(sent); process.exit(0); }, 200);
  }
  burst();
});`;

async function main(): Promise<void> {
  await deleteNamespace(NS);
  await createNamespace(NS);
  const tun = await openLinuxTun({ name: "vpct%d", batchSize: 64 });
  try {
    const placed = await placeTun({ device: tun.name, netns: NS, nameInNode: "eth0", mtu: 9001 });
    await setTunAddresses(placed, ["10.99.0.1"]);

    // Read: a UDP blast from inside the namespace, counted by readBatch.
    const bufs = Array.from({ length: 64 }, () => new Uint8Array(HEADROOM + 9001));
    const sizes = new Array<number>(64).fill(0);
    let received = 0;
    let batches = 0;
    let reading = true;
    const reader = (async () => {
      while (reading) {
        try {
          received += await tun.readBatch(bufs, sizes, HEADROOM);
          batches++;
        } catch {
          return;
        }
      }
    })();
    const child = spawn("ip", ["netns", "exec", NS, process.execPath, "-e", BLAST]);
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const t0 = performance.now();
    const startCount = received;
    await new Promise((r) => child.on("exit", r));
    const elapsed = (performance.now() - t0) / 1000;
    const got = received - startCount;
    const sent = Number(out.trim());
    console.log(
      `tun read:  ${Math.round(got / elapsed).toLocaleString()} packets/s read ` +
        `(${got.toLocaleString()} of ${sent.toLocaleString()} sent by the generator in ${elapsed.toFixed(2)} s, ` +
        `${(got / Math.max(1, batches)).toFixed(1)} packets per readBatch)`,
    );
    console.log(
      `           generator (node dgram in the namespace): ${Math.round(sent / elapsed).toLocaleString()} packets/s`,
    );
    reading = false;

    // Write: batches of 64 UDP packets into the namespace (the kernel answers none: port 9 is closed).
    const pkt = buildUdp({
      src: "10.99.0.2",
      dst: "10.99.0.1",
      srcPort: 1000,
      dstPort: 9,
      payload: new Uint8Array(64),
    });
    const wbufs = Array.from({ length: 64 }, () => {
      const b = new Uint8Array(HEADROOM + pkt.length);
      b.set(pkt, HEADROOM);
      return b;
    });
    const wsizes = new Array<number>(64).fill(pkt.length);
    let written = 0;
    const w0 = performance.now();
    const wend = w0 + SECONDS * 1000;
    while (performance.now() < wend) written += await tun.writeBatch(wbufs, wsizes, HEADROOM);
    const wel = (performance.now() - w0) / 1000;
    console.log(
      `tun write: ${Math.round(written / wel).toLocaleString()} packets/s written (batches of 64, ${wel.toFixed(2)} s)`,
    );
    await tun.close();
    await reader;
  } finally {
    await tun.close();
    await deleteNamespace(NS);
  }
}

await main();
