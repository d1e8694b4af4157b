/**
 * LinuxTun's two read paths (tun/linux-tun.ts): the event-loop reader (default: libuv watches
 * the fd, packets land in the ring from the main thread) and the worker reader (a thread per
 * queue). Both must deliver every packet, in order, also when the ring is smaller than a burst
 * (the event-loop reader pauses on a full ring and resumes when readBatch drains). Root needed.
 *
 *   this process: LinuxTun (moved into vpcemu-test-rdNNNN as eth0, 10.99.0.1)
 *   namespace:    a node script sends N numbered UDP datagrams to 10.99.0.2 -> into the TUN
 *
 * 10.99.0.x exists only inside the namespace; the host never sends to it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNamespace, deleteNamespace, runInNamespace } from "../../../cli/runtime/netns.js";
import { decodePacket } from "../../../node-agent/packet/decode.js";
import { openLinuxTun, type TunReader } from "../../../node-agent/tun/linux-tun.js";
import { placeTun, setTunAddresses } from "../../../node-agent/tun/tun-placement.js";
import { requireNetnsPrerequisites } from "../../helpers/prerequisites.js";

const NS = `vpcemu-test-rd${process.pid % 100000}`;

beforeAll(async () => {
  requireNetnsPrerequisites();
  await deleteNamespace(NS);
  await createNamespace(NS);
});

afterAll(async () => {
  await deleteNamespace(NS);
});

/** Sends `count` datagrams 10.99.0.1 -> 10.99.0.2:9999 from the namespace, payload = index. */
async function sendNumbered(count: number): Promise<void> {
  const script = `
    const s = require("node:dgram").createSocket("udp4");
    s.bind(0, "10.99.0.1", () => {
      let i = 0;
      const next = () => {
        if (i === ${count}) return s.close();
        s.send(String(i++), 9999, "10.99.0.2", next);
      };
      next();
    });`;
  const r = await runInNamespace(NS, process.execPath, ["-e", script], { timeoutMs: 10_000 });
  expect(r.code).toBe(0);
}

describe.each<TunReader>(["event-loop", "worker"])("LinuxTun with the %s reader", (reader) => {
  it("reads every datagram of a burst larger than its ring, in order", async () => {
    const tun = await openLinuxTun({ name: "vpct%d", reader, ringSlots: 8, batchSize: 4 });
    try {
      expect(tun.reader).toBe(reader);
      const placed = await placeTun({ device: tun.name, netns: NS, nameInNode: "eth0", mtu: 9001 });
      await setTunAddresses(placed, ["10.99.0.1"]);
      const count = 40;
      // All sent before the first read: the ring (8) fills and the reader must wait for room
      // (the event-loop reader pauses); the kernel queue of a TUN (txqueuelen 500) holds the rest.
      await sendNumbered(count);
      const bufs = Array.from({ length: 4 }, () => new Uint8Array(64 + 9001));
      const sizes = new Array<number>(4).fill(0);
      const seen: number[] = [];
      while (seen.length < count) {
        const n = await tun.readBatch(bufs, sizes, 64);
        expect(n).toBeGreaterThanOrEqual(1);
        expect(n).toBeLessThanOrEqual(4);
        for (let i = 0; i < n; i++) {
          const p = decodePacket(bufs[i]!, 64, sizes[i]!);
          if (typeof p === "string" || p.dstPort !== 9999) continue; // IPv6/other kernel chatter
          seen.push(
            Number(new TextDecoder().decode(bufs[i]!.subarray(p.payloadOffset, 64 + sizes[i]!))),
          );
        }
      }
      expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
    } finally {
      await tun.close();
    }
  });

  it("rejects a pending read once closed, and later reads too", async () => {
    const tun = await openLinuxTun({ name: "vpct%d", reader });
    const pending = expect(tun.readBatch([new Uint8Array(9100)], [0], 0)).rejects.toThrow(/closed/);
    await tun.close();
    await pending;
    await expect(tun.readBatch([new Uint8Array(9100)], [0], 0)).rejects.toThrow(/closed/);
  });
});
