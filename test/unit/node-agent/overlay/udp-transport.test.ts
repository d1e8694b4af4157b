import { afterEach, describe, expect, it } from "vitest";
import {
  openUdpTransport,
  type UdpTransport,
} from "../../../../node-agent/overlay/udp-transport.js";
import { formatEndpoint, parseEndpoint } from "../../../../node-agent/overlay/transport.js";

describe("UdpTransport (loopback only)", () => {
  const open: UdpTransport[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  it("delivers a batch to the peer and reports the sender's bound endpoint", async () => {
    const a = await openUdpTransport({ bind: "127.0.0.1:0" });
    const b = await openUdpTransport({ bind: "127.0.0.1:0" });
    open.push(a, b);
    const got: Array<[string, string]> = [];
    const all = new Promise<void>((resolve) =>
      b.onReceive((data, from) => {
        got.push([new TextDecoder().decode(data), from]);
        if (got.length === 3) resolve();
      }),
    );
    const enc = new TextEncoder();
    await a.sendBatch([enc.encode("one"), enc.encode("two"), enc.encode("three")], b.localEndpoint);
    await all;
    expect(got.map((g) => g[0]).sort()).toEqual(["one", "three", "two"]);
    expect(new Set(got.map((g) => g[1]))).toEqual(new Set([a.localEndpoint]));
    expect(a.localEndpoint).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it("works over IPv6 loopback", async () => {
    const a = await openUdpTransport({ bind: "[::1]:0" });
    const b = await openUdpTransport({ bind: "[::1]:0" });
    open.push(a, b);
    const from = new Promise<string>((resolve) => b.onReceive((_d, f) => resolve(f)));
    await a.sendBatch([Uint8Array.of(1)], b.localEndpoint);
    expect(await from).toBe(a.localEndpoint);
    expect(a.localEndpoint).toMatch(/^\[::1\]:\d+$/);
  });
});

describe("endpoints", () => {
  it.each([
    ["127.0.0.1:6081", "127.0.0.1", 6081],
    ["[::1]:7", "::1", 7],
    ["agent-a:9000", "agent-a", 9000],
  ])("parses %s", (ep, host, port) => {
    expect(parseEndpoint(ep)).toEqual({ host, port });
    expect(formatEndpoint(host, port)).toBe(ep);
  });
  it.each(["127.0.0.1", "::1:7", "h:70000", ""])("rejects %j", (ep) => {
    expect(() => parseEndpoint(ep)).toThrow(RangeError);
  });
});
