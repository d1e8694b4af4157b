import { describe, expect, it } from "vitest";
import { NaclMatcher } from "../../../../node-agent/filter/nacl.js";
import { DEFAULT_NACL, echo, nacl, tcp, udp } from "./fixtures.js";

describe("NaclMatcher", () => {
  it("lets the first matching entry decide, in rule-number order whatever the input order (NACL-3)", () => {
    const m = new NaclMatcher([
      nacl(200, "allow", 6, "0.0.0.0/0", [80, 80]),
      nacl(100, "deny", 6, "198.51.100.0/24", [80, 80]),
      nacl(32767, "deny", -1, "0.0.0.0/0"),
    ]);
    const p = tcp("198.51.100.7", 1000, "10.0.1.10", 80);
    expect(m.evaluate(p, p.src)).toEqual({ allow: false, ruleNumber: 100 });
    const q = tcp("192.0.2.7", 1000, "10.0.1.10", 80);
    expect(m.evaluate(q, q.src)).toEqual({ allow: true, ruleNumber: 200 });
  });

  it("tests the destination port for tcp/udp entries (NACL-2)", () => {
    const m = new NaclMatcher([
      nacl(100, "allow", 17, "0.0.0.0/0", [1024, 65535]),
      nacl(32767, "deny", -1, "0.0.0.0/0"),
    ]);
    const reply = udp("10.0.1.10", 53, "198.51.100.7", 40000);
    expect(m.evaluate(reply, reply.dst).allow).toBe(true);
    const query = udp("10.0.1.10", 40000, "198.51.100.7", 53);
    expect(m.evaluate(query, query.dst)).toEqual({ allow: false, ruleNumber: 32767 });
  });

  it("never matches an entry of the other family (NACL-5)", () => {
    const m = new NaclMatcher([nacl(100, "allow", -1, "0.0.0.0/0")]);
    const p = tcp("2001:db8::1", 1, "2001:db8::2", 2);
    expect(m.evaluate(p, p.src)).toEqual({ allow: false, ruleNumber: undefined });
    const d = new NaclMatcher(DEFAULT_NACL);
    expect(d.evaluate(p, p.src)).toEqual({ allow: true, ruleNumber: 101 });
  });

  it("matches ICMP type and code with -1 wildcards", () => {
    const m = new NaclMatcher([
      nacl(10, "allow", 1, "0.0.0.0/0", [-1, -1], [8, -1]),
      nacl(32767, "deny", -1, "0.0.0.0/0"),
    ]);
    const ping = echo("198.51.100.1", "10.0.1.10", 3);
    expect(m.evaluate(ping, ping.src).ruleNumber).toBe(10);
    const pong = echo("198.51.100.1", "10.0.1.10", 3, true);
    expect(m.evaluate(pong, pong.src).ruleNumber).toBe(32767);
  });
});
