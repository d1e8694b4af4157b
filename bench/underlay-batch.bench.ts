/**
 * The underlay socket alone (overlay/udp-transport.ts), batches off (one sendto/recvfrom per
 * datagram) versus on (sendmmsg/recvmmsg), alternating in one process over loopback so load
 * drift hits both alike: `npx tsx bench/underlay-batch.bench.ts [rounds]`. Per round and size:
 * the sender sends 64-datagram batches as fast as sendBatch returns for 0.5 s, the receiver
 * counts; prints datagrams/s sent and received, and the receiver's share. Asserts nothing.
 */
import { readFileSync } from "node:fs";
import { openUdpTransport } from "../node-agent/overlay/udp-transport.js";

const ROUNDS = Number(process.argv[2] ?? 3);
const SIZES = [64, 1400, 9000];

async function once(batch: boolean, size: number): Promise<{ sent: number; received: number }> {
  const a = await openUdpTransport({ batch });
  const b = await openUdpTransport({ batch });
  let received = 0;
  b.onReceive(() => received++);
  const datagrams = Array.from({ length: 64 }, () => new Uint8Array(size));
  let sent = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 500) {
    await a.sendBatch(datagrams, b.localEndpoint);
    sent += datagrams.length;
    // Why: the receiver shares this event loop; let it run between batches as an agent would.
    await new Promise((r) => setImmediate(r));
  }
  const s = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  await a.close();
  await b.close();
  return { sent: sent / s, received: received / s };
}

const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
console.log(`underlay batches, loopback, ${ROUNDS} alternating rounds; load ${load()}`);
for (const size of SIZES) {
  const rows: Record<string, number[]> = { off: [], on: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const batch of r % 2 === 0 ? [false, true] : [true, false]) {
      const f = await once(batch, size);
      rows[batch ? "on" : "off"]!.push(f.received);
    }
  }
  const fmt = (v: number[]) => v.map((x) => `${(x / 1000).toFixed(0)}k`).join(", ");
  console.log(
    `${String(size).padStart(5)} B: received/s off (sendto/recvfrom) ${fmt(rows.off!)} | on (sendmmsg/recvmmsg) ${fmt(rows.on!)}`,
  );
}
console.log(`load at the end ${load()}`);
