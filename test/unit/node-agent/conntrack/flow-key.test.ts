import { describe, expect, it } from "vitest";
import { FlowKeyScratch, NO_ID, writeFlowKey } from "../../../../node-agent/conntrack/flow-key.js";
import { echo, icmp, icmpError, other, tcp, tcpBytes, udp } from "../filter/fixtures.js";

function keyOf(p: Parameters<typeof writeFlowKey>[0]) {
  const k = new FlowKeyScratch();
  return writeFlowKey(p, k) ? k.toFlowKey() : undefined;
}

describe("flow keys", () => {
  it("reply().reply() is the key itself, and the reply of a TCP key is the reverse segment's key", () => {
    const k = keyOf(tcp("10.0.1.10", 40000, "198.51.100.7", 80))!;
    expect(k.reply().reply().equals(k)).toBe(true);
    expect(k.reply().equals(keyOf(tcp("198.51.100.7", 80, "10.0.1.10", 40000))!)).toBe(true);
    expect(k.reply().equals(k)).toBe(false);
  });

  it("keys UDP and IPv6 the same way", () => {
    const k = keyOf(udp("2001:db8::1", 53, "2001:db8::2", 5353))!;
    expect(k.src).toHaveLength(4);
    expect(k.reply().equals(keyOf(udp("2001:db8::2", 5353, "2001:db8::1", 53))!)).toBe(true);
  });

  it("keys an echo request so that only its reply, same id, is the reply key (CT-8)", () => {
    const req = keyOf(echo("10.0.1.10", "198.51.100.7", 42))!;
    expect([req.a, req.b]).toEqual([42, NO_ID]);
    expect(req.reply().equals(keyOf(echo("198.51.100.7", "10.0.1.10", 42, true))!)).toBe(true);
    expect(req.reply().equals(keyOf(echo("198.51.100.7", "10.0.1.10", 43, true))!)).toBe(false);
    expect(req.reply().equals(keyOf(echo("198.51.100.7", "10.0.1.10", 42))!)).toBe(false);
    const req6 = keyOf(echo("2001:db8::1", "2001:db8::2", 0))!;
    expect(req6.reply().equals(keyOf(echo("2001:db8::2", "2001:db8::1", 0, true))!)).toBe(true);
    expect(req6.reply().equals(keyOf(echo("2001:db8::2", "2001:db8::1", 0))!)).toBe(false);
  });

  it("pairs timestamp request and reply; other informational types are keyed by type", () => {
    const ts = keyOf(icmp("10.0.1.10", "198.51.100.7", 13, 0))!;
    expect(ts.reply().equals(keyOf(icmp("198.51.100.7", "10.0.1.10", 14, 0))!)).toBe(true);
    const ra = keyOf(icmp("2001:db8::1", "2001:db8::2", 134, 0))!;
    expect(ra.reply().equals(keyOf(icmp("2001:db8::2", "2001:db8::1", 134, 0))!)).toBe(true);
  });

  it("gives ICMP errors no key at all (CT-9)", () => {
    expect(
      keyOf(
        icmpError("198.51.100.7", "10.0.1.10", 3, 4, tcpBytes("10.0.1.10", 1, "198.51.100.7", 2)),
      ),
    ).toBe(undefined);
  });

  it("keys other protocols by address pair and protocol only (CT-10)", () => {
    const gre = keyOf(other("10.0.1.10", "198.51.100.7", 47))!;
    expect([gre.a, gre.b]).toEqual([0, 0]);
    expect(gre.reply().equals(keyOf(other("198.51.100.7", "10.0.1.10", 47))!)).toBe(true);
    expect(gre.reply().equals(keyOf(other("198.51.100.7", "10.0.1.10", 50))!)).toBe(false);
  });
});
