import { describe, expect, it } from "vitest";
import {
  CompiledPolicyCache,
  ContentLru,
  naclEntriesKey,
  sgRulesKey,
} from "../../../../node-agent/filter/compiled-cache.js";
import { EniFilter, type FilterResult } from "../../../../node-agent/filter/filter.js";
import { parseCidr } from "../../../../node-agent/conntrack/address-words.js";
import type { CompiledEniPolicy } from "../../../../node-agent/filter/policy.js";
import type { DecodedPacket } from "../../../../node-agent/packet/decoded-packet.js";
import {
  DEFAULT_NACL,
  TcpFlag,
  echo,
  icmp,
  nacl,
  other,
  policy,
  rule,
  sgRule,
  tcp,
  udp,
} from "./fixtures.js";

// Two groups' members as an SG peer expands them (/32 each), as the scale topology has.
const WEB = Array.from({ length: 50 }, (_, i) => `10.0.1.${i + 10}/32`);
const DB = Array.from({ length: 50 }, (_, i) => `10.0.2.${i + 10}/32`);
const A4 = "10.0.1.10";

/** The rules of one ENI; `ids` names the rule ids, which the cache key leaves out on purpose. */
function rules(ids: string) {
  return {
    ingress: [
      sgRule(6, 80, 80, WEB, "sg-web", `sgr-${ids}1`),
      sgRule(6, 5432, 5432, DB, "sg-db", `sgr-${ids}2`),
      rule("icmp", 8, -1, "10.0.0.0/16", `sgr-${ids}3`),
      rule("udp", 53, 53, "0.0.0.0/0", `sgr-${ids}4`),
      rule("-1", -1, -1, "2001:db8::/32", `sgr-${ids}5`),
    ],
    egress: [rule("-1", -1, -1, "0.0.0.0/0", `sgr-${ids}6`)],
  };
}

const NACL_IN = [
  nacl(50, "allow", 6, "10.0.0.0/16", [0, 1023]),
  nacl(60, "deny", 17, "0.0.0.0/0"),
  ...DEFAULT_NACL,
];

describe("CompiledPolicyCache", () => {
  it("shares one SG matcher between rule lists of the same content, whatever their rule ids", () => {
    const cache = new CompiledPolicyCache();
    const a = cache.sgMatcher(rules("a").ingress);
    const b = cache.sgMatcher(rules("b").ingress);
    expect(b).toBe(a);
    expect(cache.sg.hits).toBe(1);
    expect(cache.sg.misses).toBe(1);
  });

  it.each([
    ["a port", () => [sgRule(6, 81, 81, WEB, "sg-web")]],
    ["a CIDR", () => [sgRule(6, 80, 80, [...WEB.slice(1), "10.0.1.99/32"], "sg-web")]],
    ["the protocol", () => [sgRule(17, 80, 80, WEB, "sg-web")]],
    [
      "the order of CIDRs' rules",
      () => [rule("tcp", 80, 80, WEB[1]!), rule("tcp", 80, 80, WEB[0]!)],
    ],
  ])("compiles a rule list that differs in %s apart", (_what, other) => {
    const cache = new CompiledPolicyCache();
    const base =
      _what === "the order of CIDRs' rules"
        ? [rule("tcp", 80, 80, WEB[0]!), rule("tcp", 80, 80, WEB[1]!)]
        : [sgRule(6, 80, 80, WEB, "sg-web")];
    const a = cache.sgMatcher(base);
    const b = cache.sgMatcher(other());
    expect(b).not.toBe(a);
    expect(sgRulesKey(other())).not.toBe(sgRulesKey(base));
    expect(cache.sg.misses).toBe(2);
  });

  it("shares a NACL table between ENIs of the same NACL, but not between different entries", () => {
    const cache = new CompiledPolicyCache();
    const a = cache.naclTable(NACL_IN);
    expect(cache.naclTable(NACL_IN.map((e) => ({ ...e })))).toBe(a);
    const changed = [nacl(50, "deny", 6, "10.0.0.0/16", [0, 1023]), ...NACL_IN.slice(1)];
    expect(naclEntriesKey(changed)).not.toBe(naclEntriesKey(NACL_IN));
    expect(cache.naclTable(changed)).not.toBe(a);
  });

  it("holds at most its bound, dropping the least recently used", () => {
    const lru = new ContentLru<number>(3);
    let made = 0;
    const get = (k: string) => lru.get(k, () => ++made);
    get("a");
    get("b");
    get("c");
    get("a"); // a is now the most recent
    get("d"); // drops b
    expect(lru.size).toBe(3);
    expect(get("a")).toBe(1);
    expect(get("b")).toBe(5); // compiled again
    for (let i = 0; i < 100; i++) get(`k${i}`);
    expect(lru.size).toBe(3);
    const cache = new CompiledPolicyCache({ sgEntries: 2, naclEntries: 1 });
    for (const port of [1, 2, 3, 4]) cache.sgMatcher([rule("tcp", port, port, "0.0.0.0/0")]);
    cache.naclTable(NACL_IN);
    cache.naclTable(DEFAULT_NACL);
    expect(cache.sg.size).toBe(2);
    expect(cache.nacl.size).toBe(1);
  });

  it("rejects a bound below one", () => {
    expect(() => new ContentLru(0)).toThrow(/>= 1/);
  });
});

describe("EniFilter with the shared cache", () => {
  // Packets both ways across every rule kind: allowed, denied by the NACL, by no SG rule.
  const C = "10.0.1.20"; // a WEB member
  const D = "10.0.2.30"; // a DB member
  const X = "10.0.3.5"; // in 10.0.0.0/16, member of neither group
  const packets: Array<[string, "in" | "out", DecodedPacket]> = [
    ["web member to :80", "in", tcp(C, 40000, A4, 80, TcpFlag.SYN)],
    ["web member to :5432", "in", tcp(C, 40001, A4, 5432, TcpFlag.SYN)],
    ["db member to :5432", "in", tcp(D, 40002, A4, 5432, TcpFlag.SYN)],
    ["non-member to :80", "in", tcp(X, 40003, A4, 80, TcpFlag.SYN)],
    ["echo from the VPC", "in", echo(X, A4, 7)],
    ["icmp type 3 from the VPC", "in", icmp(X, A4, 3, 1)],
    ["udp :53 (NACL denies udp)", "in", udp("198.51.100.1", 5000, A4, 53)],
    ["web member to :2000 (NACL 50 ends at 1023)", "in", tcp(C, 40004, A4, 2000, TcpFlag.SYN)],
    ["gre from outside", "in", other("198.51.100.1", A4, 47)],
    ["out to the internet", "out", tcp(A4, 40005, "198.51.100.1", 443, TcpFlag.SYN)],
    ["reply to the web member", "out", tcp(A4, 80, C, 40000, TcpFlag.SYN | TcpFlag.ACK)],
  ];

  function enforce(f: EniFilter): FilterResult[] {
    return packets.map(([, dir, p]) =>
      dir === "in" ? f.ingress(p, 60, true, 1000) : f.egress(p, 60, true, 1000),
    );
  }

  function eni(ids: string, naclIn = NACL_IN): CompiledEniPolicy {
    return policy({ ...rules(ids), naclIn });
  }

  it("gives every packet the verdict, rule and NACL entry of the uncached path (RULE-1, NACL-3)", () => {
    const cache = new CompiledPolicyCache();
    const uncached = enforce(new EniFilter(eni("a"), { cache: null }));
    const first = enforce(new EniFilter(eni("a"), { cache }));
    // A second ENI of other rule ids shares the matchers and still names its own rules.
    const second = enforce(new EniFilter(eni("b"), { cache }));
    expect(cache.sg.hits).toBeGreaterThan(0);
    expect(first).toEqual(uncached);
    expect(second).toEqual(uncached.map((r) => renameRules(r, "a", "b")));
    expect(uncached.map((r) => r.action)).toEqual([
      "allow",
      "drop",
      "allow",
      "drop",
      "allow",
      "drop",
      "drop",
      "drop",
      "drop",
      "allow",
      "allow",
    ]);
  });

  it("keeps NACL and rule hits per ENI when their matchers are shared", () => {
    const cache = new CompiledPolicyCache();
    const a = new EniFilter(eni("a"), { cache });
    const b = new EniFilter(eni("b"), { cache });
    a.ingress(tcp("10.0.1.20", 40000, A4, 80, TcpFlag.SYN), 60, true, 1000);
    a.ingress(udp("198.51.100.1", 5000, A4, 53), 60, true, 1000);
    expect(b.naclRuleHits()).toEqual([]);
    expect(b.ruleHits()).toEqual([]);
    expect(a.naclRuleHits().map((h) => [h.ruleNumber, h.packets])).toEqual([
      [50, 1],
      [60, 1],
    ]);
    expect(a.ruleHits()).toEqual([{ ruleId: "sgr-a1", direction: "ingress", packets: 1 }]);
  });

  it("takes a changed NACL on setPolicy while the SG matchers stay shared", () => {
    const cache = new CompiledPolicyCache();
    const f = new EniFilter(eni("a"), { cache });
    const deny80 = [nacl(40, "deny", 6, "0.0.0.0/0", [80, 80]), ...NACL_IN];
    f.setPolicy(eni("a", deny80));
    const r = f.ingress(tcp("10.0.1.20", 40000, A4, 80, TcpFlag.SYN), 60, true, 1000);
    expect(r).toMatchObject({ action: "drop", reason: "nacl_denied", naclRule: 40 });
    expect(cache.sg.misses).toBe(2); // ingress and egress, once each
    expect(cache.nacl.misses).toBe(3); // in, out (the default), the new in
  });
});

describe("parseCidr's memo", () => {
  it("answers a repeated text with the same frozen value and keeps rejecting malformed text", () => {
    const a = parseCidr("10.0.1.77/24");
    expect(a).toEqual({ family: 4, words: [0x0a000100], prefixLen: 24 });
    expect(parseCidr("10.0.1.77/24")).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a!.words)).toBe(true);
    expect(parseCidr("10.0.1.300/24")).toBeUndefined();
    expect(parseCidr("10.0.1.300/24")).toBeUndefined();
  });
});

/** `r` with the rule ids of set `from` renamed to set `to` (sgr-a1 -> sgr-b1). */
function renameRules(r: FilterResult, from: string, to: string): FilterResult {
  const s = JSON.stringify(r).replaceAll(`"sgr-${from}`, `"sgr-${to}`);
  return JSON.parse(s) as FilterResult;
}
