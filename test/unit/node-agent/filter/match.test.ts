import { describe, expect, it } from "vitest";
import { SgMatcher } from "../../../../node-agent/filter/match.js";
import type { CompiledRule } from "../../../../node-agent/filter/policy.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import {
  parseCidr,
  wordMask,
  addressWord,
} from "../../../../node-agent/conntrack/address-words.js";
import { echo, icmp, rule, tcp, udp } from "./fixtures.js";

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The obvious linear reference: does rule r admit pkt with remote address `remote`? */
function admits(r: CompiledRule, pkt: DecodedPacket, remote: Uint8Array): boolean {
  if (r.protocol !== -1 && r.protocol !== pkt.protocol) return false;
  if (r.protocol === 6 || r.protocol === 17) {
    if (pkt.dstPort < r.fromPort || pkt.dstPort > r.toPort) return false;
  } else if ((r.protocol === 1 && pkt.family === 4) || (r.protocol === 58 && pkt.family === 6)) {
    if (r.fromPort >= 0 && pkt.icmpType !== r.fromPort) return false;
    if (r.fromPort >= 0 && r.toPort >= 0 && pkt.icmpCode !== r.toPort) return false;
  }
  return r.cidrs.some((text) => {
    const c = parseCidr(text)!;
    if (c.family !== pkt.family) return false;
    return c.words.every(
      (w, i) => (addressWord(remote, i) & wordMask(c.prefixLen - 32 * i)) >>> 0 === w,
    );
  });
}

describe("SgMatcher", () => {
  it("matches the remote address against the rule's CIDR and the destination port against its range", () => {
    const m = new SgMatcher([rule("tcp", 8000, 8100, "192.0.2.0/24")]);
    const inbound = tcp("192.0.2.9", 1234, "10.0.1.10", 8080);
    expect(m.match(inbound, inbound.src)).toBe(0);
    expect(m.match(inbound, inbound.dst)).toBe(-1); // the local end is not the peer
    const wrongPort = tcp("192.0.2.9", 8080, "10.0.1.10", 7999);
    expect(m.match(wrongPort, wrongPort.src)).toBe(-1);
  });

  it("handles overlapping ranges and returns a covering rule", () => {
    const rules = [
      rule("udp", 100, 200, "0.0.0.0/0"),
      rule("udp", 150, 300, "0.0.0.0/0"),
      rule("udp", 250, 250, "10.0.0.0/8"),
    ];
    const m = new SgMatcher(rules);
    for (const [port, expected] of [
      [99, -1],
      [100, 0],
      [200, 0],
      [201, 1],
      [300, 1],
      [301, -1],
    ] as const) {
      const p = udp("198.51.100.1", 9, "10.0.1.10", port);
      expect(m.match(p, p.src)).toBe(expected);
    }
    const p = udp("10.1.1.1", 9, "10.0.1.10", 250);
    expect(m.match(p, p.src)).toBe(2); // the longer prefix is looked at first
  });

  it("treats ICMP type/code wildcards and exact pairs (RULE-6)", () => {
    const m = new SgMatcher([rule("icmp", 3, 4, "0.0.0.0/0"), rule("icmp", 8, -1, "0.0.0.0/0")]);
    const ping = echo("198.51.100.1", "10.0.1.10", 1);
    expect(m.match(ping, ping.src)).toBe(1);
    const frag = icmp("198.51.100.1", "10.0.1.10", 3, 4);
    expect(m.match(frag, frag.src)).toBe(0);
    const unreach = icmp("198.51.100.1", "10.0.1.10", 3, 3);
    expect(m.match(unreach, unreach.src)).toBe(-1);
  });

  it("keeps rules with no CIDRs (an SG reference with no members) from matching", () => {
    const m = new SgMatcher([{ ...rule("tcp", 1, 65535, "10.0.0.0/8"), cidrs: [] }]);
    const p = tcp("10.0.0.1", 1, "10.0.1.10", 22);
    expect(m.match(p, p.src)).toBe(-1);
  });

  it.each([4, 6] as const)(
    "agrees with a linear reference on random rules and packets (IPv%i)",
    (fam) => {
      const rnd = prng(fam * 1000 + 7);
      const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]!;
      const addr = (): string =>
        fam === 4
          ? `10.${pick([0, 1, 2])}.${pick([0, 1, 2, 3])}.${Math.floor(rnd() * 4)}`
          : `2001:db8:${pick([0, 1, 2])}::${pick([0, 1, 2, 3]).toString(16)}:${Math.floor(rnd() * 4)}`;
      const rules: CompiledRule[] = [];
      for (let i = 0; i < 300; i++) {
        const proto = pick(fam === 4 ? [6, 17, 1, -1, 47] : [6, 17, 58, -1, 47]);
        const len = fam === 4 ? pick([0, 8, 16, 24, 30, 32]) : pick([0, 32, 48, 64, 120, 128]);
        let from = -1;
        let to = -1;
        if (proto === 6 || proto === 17) {
          from = Math.floor(rnd() * 100);
          to = from + Math.floor(rnd() * 30);
        } else if (proto === 1 || proto === 58) {
          from = pick([-1, 0, 3, 8, 128]);
          to = from < 0 ? -1 : pick([-1, 0, 4]);
        }
        rules.push(rule(proto, from, to, `${addr()}/${len}`));
      }
      const m = new SgMatcher(rules);
      for (let i = 0; i < 4000; i++) {
        const remote = addr();
        const local = fam === 4 ? "10.9.9.9" : "2001:db8:9::9";
        const kind = pick(["tcp", "udp", "icmp"]);
        const port = Math.floor(rnd() * 140);
        const pkt =
          kind === "tcp"
            ? tcp(remote, 1000, local, port)
            : kind === "udp"
              ? udp(remote, 1000, local, port)
              : icmp(remote, local, pick(fam === 4 ? [0, 3, 8] : [1, 128, 129]), pick([0, 4]));
        const got = m.match(pkt, pkt.src);
        const expectedAny = rules.some((r) => admits(r, pkt, pkt.src));
        expect(got >= 0).toBe(expectedAny);
        if (got >= 0) expect(admits(rules[got]!, pkt, pkt.src)).toBe(true);
      }
    },
  );
});
