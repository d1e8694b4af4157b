/**
 * UdpTransport's send paths (overlay/udp-transport.ts): synchronous sendto(2) to IP-literal
 * endpoints, dgram's send for hostnames. Loopback only.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  openUdpTransport,
  type UdpTransport,
} from "../../../../node-agent/overlay/udp-transport.js";
import { parseEndpoint } from "../../../../node-agent/overlay/transport.js";

describe("UdpTransport send paths", () => {
  const open: UdpTransport[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  /** Collects what `t` receives until `count` datagrams arrived. */
  function collect(t: UdpTransport, count: number): Promise<Array<[number, string]>> {
    const got: Array<[number, string]> = [];
    return new Promise((resolve) =>
      t.onReceive((data, from) => {
        got.push([new DataView(data.buffer, data.byteOffset).getUint32(0), from]);
        if (got.length === count) resolve(got);
      }),
    );
  }

  it("sends a batch to an IP endpoint, every datagram in order, done when sendBatch resolves", async () => {
    const a = await openUdpTransport();
    const b = await openUdpTransport();
    open.push(a, b);
    const got = collect(b, 200);
    const batch = Array.from({ length: 200 }, (_, i) => {
      const d = new Uint8Array(64);
      new DataView(d.buffer).setUint32(0, i);
      return d;
    });
    await a.sendBatch(batch, b.localEndpoint);
    // The buffers may be reused once the batch resolved: scribbling must not change what arrives.
    for (const d of batch) d.fill(0xff);
    const r = await got;
    expect(r.map(([n]) => n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(new Set(r.map(([, from]) => from))).toEqual(new Set([a.localEndpoint]));
  });

  it("sends to a hostname endpoint through dgram (name resolution)", async () => {
    const a = await openUdpTransport();
    const b = await openUdpTransport();
    open.push(a, b);
    const got = collect(b, 3);
    const { port } = parseEndpoint(b.localEndpoint);
    const batch = [0, 1, 2].map((i) => Uint8Array.of(0, 0, 0, i));
    await a.sendBatch(batch, `localhost:${port}`);
    expect((await got).map(([n]) => n).sort()).toEqual([0, 1, 2]);
  });

  it("resolves a batch to a port nobody listens on and keeps sending afterwards", async () => {
    const a = await openUdpTransport();
    const b = await openUdpTransport();
    const gone = await openUdpTransport();
    open.push(a, b);
    const deadEndpoint = gone.localEndpoint;
    await gone.close();
    await a.sendBatch([Uint8Array.of(0, 0, 0, 9)], deadEndpoint);
    await a.sendBatch([Uint8Array.of(0, 0, 0, 9)], deadEndpoint);
    const got = collect(b, 1);
    await a.sendBatch([Uint8Array.of(0, 0, 0, 7)], b.localEndpoint);
    expect(await got).toEqual([[7, a.localEndpoint]]);
  });
});
