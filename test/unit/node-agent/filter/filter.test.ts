import { describe, expect, it } from "vitest";
import { EniFilter, type FilterResult } from "../../../../node-agent/filter/filter.js";
import { Allowance } from "../../../../node-agent/conntrack/allowance.js";
import { DropReason } from "../../../../node-agent/pipeline/verdict.js";
import { ManualClock } from "../../../helpers/manual-clock.js";
import {
  DEFAULT_NACL,
  TcpFlag,
  echo,
  fragment,
  icmp,
  icmpError,
  nacl,
  other,
  policy,
  rule,
  sgRule,
  tcp,
  tcpBytes,
  udp,
} from "./fixtures.js";

// ENI A: 10.0.1.10 / 2001:db8:1::10. Clients: 203.0.113.1 (SSH admin), 198.51.100.7, 2001:db8:ff::7.
const A4 = "10.0.1.10";
const A6 = "2001:db8:1::10";
const ADMIN = "203.0.113.1";
const C4 = "198.51.100.7";
const C6 = "2001:db8:ff::7";

const SYN = TcpFlag.SYN;
const SYNACK = TcpFlag.SYN | TcpFlag.ACK;
const ACK = TcpFlag.ACK;

function allowed(r: FilterResult): boolean {
  return r.action === "allow";
}

function reasonOf(r: FilterResult): string | undefined {
  return r.action === "drop" ? r.reason : undefined;
}

/** The AWS worked example of CT-3. */
function ct3Rules() {
  return {
    ingress: [
      rule("tcp", 22, 22, `${ADMIN}/32`, "sgr-ssh"),
      rule("tcp", 80, 80, "0.0.0.0/0", "sgr-http4"),
      rule("tcp", 80, 80, "::/0", "sgr-http6"),
      rule("icmp", -1, -1, "0.0.0.0/0", "sgr-icmp"),
    ],
    egress: [rule("-1", -1, -1, "0.0.0.0/0", "sgr-out4"), rule("-1", -1, -1, "::/0", "sgr-out6")],
  };
}

describe("EniFilter", () => {
  it("lets the reply to an allowed SYN out with every egress rule revoked (CT-1)", () => {
    const clock = new ClockedFilter(
      policy({ ingress: [rule("tcp", 22, 22, `${ADMIN}/32`, "sgr-ssh")] }),
    );
    const syn = clock.in(tcp(ADMIN, 40000, A4, 22, SYN));
    expect(syn).toMatchObject({ action: "allow", via: "rule", tracked: true, ruleId: "sgr-ssh" });
    expect(clock.out(tcp(A4, 22, ADMIN, 40000, SYNACK))).toMatchObject({
      action: "allow",
      via: "conntrack",
      tracked: true,
      ruleId: "sgr-ssh",
    });
    expect(allowed(clock.in(tcp(ADMIN, 40000, A4, 22, ACK)))).toBe(true);
    expect(allowed(clock.out(tcp(A4, 22, ADMIN, 40000, ACK)))).toBe(true);
    // A connection the ENI itself opens has no egress rule.
    expect(reasonOf(clock.out(tcp(A4, 50000, ADMIN, 22, SYN)))).toBe(DropReason.SgNoMatch);
  });

  describe("AWS worked example (CT-3)", () => {
    it("tracks SSH from a /32 and ICMP, leaves HTTP on /0 untracked in v4 and v6", () => {
      const f = new ClockedFilter(policy(ct3Rules()));
      expect(f.in(tcp(ADMIN, 40000, A4, 22, SYN))).toMatchObject({
        tracked: true,
        ruleId: "sgr-ssh",
      });
      expect(f.in(tcp(C4, 41000, A4, 80, SYN))).toMatchObject({
        action: "allow",
        via: "rule",
        tracked: false,
        ruleId: "sgr-http4",
      });
      expect(f.in(tcp(C6, 41000, A6, 80, SYN))).toMatchObject({
        action: "allow",
        tracked: false,
        ruleId: "sgr-http6",
      });
      expect(f.in(echo(C4, A4, 7))).toMatchObject({ tracked: true, ruleId: "sgr-icmp" });
      // HTTP replies pass by the egress /0 rule, still untracked.
      expect(f.out(tcp(A4, 80, C4, 41000, SYNACK))).toMatchObject({ via: "rule", tracked: false });
      // The conntrack report holds SSH and ping, not HTTP (CT-14).
      const report = f.f.conntrackEntries(f.clock.now());
      expect(report.map((e) => `${e.protocol}:${e.original.dstPort}`).sort()).toEqual([
        "1:0",
        "6:22",
      ]);
    });

    it("tracks an outbound connection to x:443 (no inbound all-ports /0 rule, CT-2)", () => {
      const f = new ClockedFilter(policy(ct3Rules()));
      expect(f.out(tcp(A4, 50000, C4, 443, SYN))).toMatchObject({
        via: "rule",
        tracked: true,
        ruleId: "sgr-out4",
      });
      expect(f.in(tcp(C4, 443, A4, 50000, SYNACK))).toMatchObject({ via: "conntrack" });
    });

    it("makes all IPv4 traffic tracked, port 80 included, once the IPv4 egress rule is gone", () => {
      const p = policy(ct3Rules());
      const f = new ClockedFilter(p);
      expect(f.in(tcp(C4, 41000, A4, 80, SYN))).toMatchObject({ tracked: false });
      f.f.setPolicy({ ...p, revision: 2, egress: p.egress.filter((r) => r.ruleId !== "sgr-out4") });
      expect(f.in(tcp(C4, 41001, A4, 80, SYN))).toMatchObject({ via: "rule", tracked: true });
      // v6 keeps its ::/0 pair, so HTTP over v6 stays untracked.
      expect(f.in(tcp(C6, 41001, A6, 80, SYN))).toMatchObject({ tracked: false });
      // The tracked v4 flow's reply goes out with no IPv4 egress rule at all.
      expect(f.out(tcp(A4, 80, C4, 41001, SYNACK))).toMatchObject({ via: "conntrack" });
      expect(f.f.conntrackEntries(f.clock.now()).map((e) => e.original.dstPort)).toEqual([80]);
    });

    it("picks up a live untracked flow mid-stream as ESTABLISHED after the revoke (CT-15)", () => {
      const p = policy(ct3Rules());
      const f = new ClockedFilter(p);
      f.in(tcp(C4, 41000, A4, 80, SYN));
      f.out(tcp(A4, 80, C4, 41000, SYNACK));
      f.in(tcp(C4, 41000, A4, 80, ACK));
      f.f.setPolicy({ ...p, revision: 2, egress: p.egress.filter((r) => r.ruleId !== "sgr-out4") });
      expect(f.in(tcp(C4, 41000, A4, 80, ACK))).toMatchObject({ via: "rule", tracked: true });
      const [e] = f.f.conntrackEntries(f.clock.now());
      expect(e?.state).toBe("ESTABLISHED");
      expect(f.out(tcp(A4, 80, C4, 41000, ACK))).toMatchObject({ via: "conntrack" });
    });
  });

  it("keeps a tracked flow when its rule is revoked, refuses new ones (CT-5)", () => {
    const p = policy({ ingress: [rule("tcp", 22, 22, `${ADMIN}/32`, "sgr-ssh")] });
    const f = new ClockedFilter(p);
    f.in(tcp(ADMIN, 40000, A4, 22, SYN));
    f.out(tcp(A4, 22, ADMIN, 40000, SYNACK));
    f.in(tcp(ADMIN, 40000, A4, 22, ACK));
    f.f.setPolicy({ ...p, revision: 2, ingress: [] });
    f.clock.advance(10_000);
    expect(f.in(tcp(ADMIN, 40000, A4, 22, ACK))).toMatchObject({
      via: "conntrack",
      ruleId: "sgr-ssh",
    });
    expect(reasonOf(f.in(tcp(ADMIN, 40001, A4, 22, SYN)))).toBe(DropReason.SgNoMatch);
  });

  it("cuts an untracked flow at once when its rule is revoked (CT-6)", () => {
    const p = policy({
      ingress: [rule("tcp", 22, 22, "0.0.0.0/0", "sgr-ssh-any")],
      egress: [rule("-1", -1, -1, "0.0.0.0/0")],
    });
    const f = new ClockedFilter(p);
    expect(f.in(tcp(C4, 40000, A4, 22, SYN))).toMatchObject({ tracked: false });
    expect(f.in(tcp(C4, 40000, A4, 22, ACK))).toMatchObject({ tracked: false });
    f.f.setPolicy({ ...p, revision: 2, ingress: [] });
    expect(reasonOf(f.in(tcp(C4, 40000, A4, 22, ACK)))).toBe(DropReason.SgNoMatch);
  });

  it("admits by the union of all SGs' rules; a narrower group blocks nothing (RULE-1)", () => {
    const f = new ClockedFilter(
      policy({
        ingress: [
          { ...rule("tcp", 443, 443, "10.0.0.0/16", "sgr-narrow"), groupId: "sg-narrow" },
          { ...rule("tcp", 0, 65535, "10.0.0.0/8", "sgr-wide"), groupId: "sg-wide" },
        ],
      }),
    );
    expect(f.in(tcp("10.0.2.20", 5000, A4, 443, SYN))).toMatchObject({ ruleId: "sgr-narrow" });
    expect(f.in(tcp("10.0.2.20", 5001, A4, 8080, SYN))).toMatchObject({ ruleId: "sgr-wide" });
    expect(f.in(tcp("10.9.2.20", 5002, A4, 443, SYN))).toMatchObject({ ruleId: "sgr-wide" });
    expect(reasonOf(f.in(tcp("11.0.0.1", 5003, A4, 443, SYN)))).toBe(DropReason.SgNoMatch);
  });

  it("checks the sender's egress also inside one subnet (RULE-3)", () => {
    const f = new ClockedFilter(policy({ egress: [] }));
    expect(reasonOf(f.out(tcp(A4, 5000, "10.0.1.11", 80, SYN), false))).toBe(DropReason.SgNoMatch);
  });

  it("admits an SG-referenced peer's member addresses only (REF-1)", () => {
    const f = new ClockedFilter(
      policy({
        ingress: [sgRule(6, 5432, 5432, ["10.0.2.21/32", "10.0.3.9/32"], "sg-app", "sgr-db")],
      }),
    );
    expect(f.in(tcp("10.0.3.9", 5000, A4, 5432, SYN))).toMatchObject({ ruleId: "sgr-db" });
    expect(reasonOf(f.in(tcp("10.0.3.8", 5000, A4, 5432, SYN)))).toBe(DropReason.SgNoMatch);
  });

  it("opens every port for protocol -1 and for other protocol numbers (RULE-5)", () => {
    const f = new ClockedFilter(
      policy({
        ingress: [
          rule("-1", 22, 22, "10.0.0.0/16", "sgr-all"),
          rule(47, 22, 22, C4 + "/32", "sgr-gre"),
        ],
      }),
    );
    expect(f.in(tcp("10.0.5.5", 1234, A4, 80, SYN))).toMatchObject({ ruleId: "sgr-all" });
    expect(f.in(udp("10.0.5.5", 1234, A4, 5353))).toMatchObject({ ruleId: "sgr-all" });
    expect(f.in(other(C4, A4, 47))).toMatchObject({ ruleId: "sgr-gre" });
    expect(reasonOf(f.in(other(C4, A4, 50)))).toBe(DropReason.SgNoMatch);
  });

  it("matches ICMP type and code with -1 wildcards: echo-only admits ping, not type 13 (RULE-6)", () => {
    const f = new ClockedFilter(
      policy({
        ingress: [
          rule("icmp", 8, -1, "0.0.0.0/0", "sgr-echo"),
          rule("icmp", 3, 4, "0.0.0.0/0", "sgr-frag"),
          rule("icmpv6", -1, -1, "::/0", "sgr-v6-all"),
        ],
      }),
    );
    expect(f.in(echo(C4, A4, 1))).toMatchObject({ ruleId: "sgr-echo" });
    expect(reasonOf(f.in(icmp(C4, A4, 13, 0)))).toBe(DropReason.SgNoMatch);
    expect(f.in(icmpError(C4, A4, 3, 4, tcpBytes(A4, 80, C4, 41000), 1400))).toMatchObject({
      ruleId: "sgr-frag",
    });
    expect(reasonOf(f.in(icmpError(C4, A4, 3, 1, tcpBytes(A4, 80, C4, 41000))))).toBe(
      DropReason.SgNoMatch,
    );
    expect(f.in(echo(C6, A6, 1))).toMatchObject({ ruleId: "sgr-v6-all" });
    expect(f.in(icmp(C6, A6, 135, 0))).toMatchObject({ ruleId: "sgr-v6-all" });
  });

  it("never admits IPv6 by an IPv4 rule or the reverse (RULE-7)", () => {
    const f = new ClockedFilter(policy({ ingress: [rule("-1", -1, -1, "0.0.0.0/0")] }));
    expect(allowed(f.in(tcp(C4, 1, A4, 80, SYN)))).toBe(true);
    expect(reasonOf(f.in(tcp(C6, 1, A6, 80, SYN)))).toBe(DropReason.SgNoMatch);
    const g = new ClockedFilter(policy({ ingress: [rule("-1", -1, -1, "::/0")] }));
    expect(reasonOf(g.in(tcp(C4, 1, A4, 80, SYN)))).toBe(DropReason.SgNoMatch);
    expect(allowed(g.in(tcp(C6, 1, A6, 80, SYN)))).toBe(true);
  });

  it("runs a handshake across two ENIs: sender egress, receiver ingress, both subnets' NACLs (RULE-3, NACL-7)", () => {
    const clock = new ManualClock();
    const B4 = "10.0.2.20";
    const a = new EniFilter(
      policy({ egress: [rule("tcp", 5432, 5432, "10.0.2.0/24", "sgr-a-out")] }),
    );
    const b = new EniFilter(
      policy({
        eniId: "eni-b",
        subnetId: "subnet-2",
        ipv4: [B4],
        ingress: [rule("tcp", 5432, 5432, "10.0.1.0/24", "sgr-b-in")],
        naclIn: [
          nacl(100, "allow", 6, "10.0.1.0/24", [5432, 5432]),
          nacl(32767, "deny", -1, "0.0.0.0/0"),
        ],
        naclOut: [
          nacl(100, "allow", 6, "10.0.1.0/24", [1024, 65535]),
          nacl(32767, "deny", -1, "0.0.0.0/0"),
        ],
      }),
    );
    /** One packet A -> B or B -> A through both sides; the first drop wins. */
    const send = (from: EniFilter, to: EniFilter, pkt: Parameters<EniFilter["egress"]>[0]) => {
      const out = from.egress(pkt, 60, true, clock.now());
      return out.action === "drop" ? out : to.ingress(pkt, 60, true, clock.now());
    };
    expect(send(a, b, tcp(A4, 40000, B4, 5432, SYN))).toMatchObject({
      action: "allow",
      ruleId: "sgr-b-in",
    });
    expect(send(b, a, tcp(B4, 5432, A4, 40000, SYNACK))).toMatchObject({
      action: "allow",
      via: "conntrack",
    });
    expect(send(a, b, tcp(A4, 40000, B4, 5432, ACK))).toMatchObject({
      action: "allow",
      via: "conntrack",
    });
    expect(a.conntrackEntries(clock.now())[0]).toMatchObject({
      state: "ESTABLISHED",
      openedBy: "egress",
    });
    expect(b.conntrackEntries(clock.now())[0]).toMatchObject({
      state: "ESTABLISHED",
      openedBy: "ingress",
    });
    // B cannot open a connection to A: A's ingress has no rule (and B's egress none either).
    expect(reasonOf(send(b, a, tcp(B4, 5432, A4, 40001, SYN)))).toBe(DropReason.SgNoMatch);
  });

  describe("network ACLs", () => {
    it("decides by the first matching entry: deny 100 before allow 200 (NACL-3)", () => {
      const f = new ClockedFilter(
        policy({
          ingress: [rule("tcp", 80, 80, "0.0.0.0/0")],
          naclIn: [
            nacl(100, "deny", 6, "198.51.100.0/24", [80, 80]),
            nacl(200, "allow", 6, "0.0.0.0/0", [80, 80]),
            nacl(32767, "deny", -1, "0.0.0.0/0"),
          ],
        }),
      );
      expect(f.in(tcp(C4, 1000, A4, 80, SYN))).toEqual({
        action: "drop",
        reason: DropReason.NaclDenied,
        naclRule: 100,
      });
      expect(f.in(tcp("192.0.2.1", 1000, A4, 80, SYN))).toMatchObject({
        action: "allow",
        naclRule: 200,
      });
      expect(f.in(tcp("192.0.2.1", 1000, A4, 81, SYN))).toMatchObject({
        naclRule: 32767,
        action: "drop",
      });
    });

    it("needs an outbound rule for replies to ephemeral ports (NACL-2)", () => {
      const noReturn = policy({
        ingress: [rule("tcp", 80, 80, "0.0.0.0/0")],
        naclIn: [
          nacl(100, "allow", 6, "0.0.0.0/0", [80, 80]),
          nacl(32767, "deny", -1, "0.0.0.0/0"),
        ],
        naclOut: [nacl(32767, "deny", -1, "0.0.0.0/0")],
      });
      const f = new ClockedFilter(noReturn);
      expect(allowed(f.in(tcp(C4, 40000, A4, 80, SYN)))).toBe(true);
      expect(f.out(tcp(A4, 80, C4, 40000, SYNACK))).toMatchObject({
        reason: DropReason.NaclDenied,
        naclRule: 32767,
      });
      f.f.setPolicy({
        ...noReturn,
        revision: 2,
        naclOut: [
          nacl(100, "allow", 6, "0.0.0.0/0", [32768, 61000]),
          nacl(32767, "deny", -1, "0.0.0.0/0"),
        ],
      });
      expect(f.out(tcp(A4, 80, C4, 40000, SYNACK))).toMatchObject({
        via: "conntrack",
        naclRule: 100,
      });
    });

    it("is not evaluated inside one subnet (NACL-7)", () => {
      const denyAll = [nacl(32767, "deny", -1, "0.0.0.0/0"), nacl(32768, "deny", -1, "::/0")];
      const f = new ClockedFilter(
        policy({
          ingress: [rule("icmp", -1, -1, "10.0.0.0/16")],
          egress: [rule("-1", -1, -1, "0.0.0.0/0")],
          naclIn: denyAll,
          naclOut: denyAll,
        }),
      );
      expect(allowed(f.in(echo("10.0.1.11", A4, 9), false))).toBe(true);
      expect(allowed(f.out(echo(A4, "10.0.1.11", 9, true), false))).toBe(true);
      expect(reasonOf(f.in(echo("10.0.2.11", A4, 9), true))).toBe(DropReason.NaclDenied);
      expect(reasonOf(f.out(echo(A4, "10.0.2.11", 10), true))).toBe(DropReason.NaclDenied);
    });

    it("blocks a tracked flow while in place but leaves its entry, which revives it (NACL-8, CT-7)", () => {
      const p = policy({ ingress: [rule("tcp", 22, 22, `${ADMIN}/32`)] });
      const f = new ClockedFilter(p);
      f.in(tcp(ADMIN, 40000, A4, 22, SYN));
      f.out(tcp(A4, 22, ADMIN, 40000, SYNACK));
      f.in(tcp(ADMIN, 40000, A4, 22, ACK));
      const before = f.f.conntrackEntries(f.clock.now())[0]!;
      const blocked = {
        ...p,
        revision: 2,
        naclIn: [nacl(10, "deny", -1, `${ADMIN}/32`), ...DEFAULT_NACL],
      };
      f.f.setPolicy(blocked);
      f.clock.advance(10_000);
      expect(f.in(tcp(ADMIN, 40000, A4, 22, ACK))).toMatchObject({
        reason: DropReason.NaclDenied,
        naclRule: 10,
      });
      const during = f.f.conntrackEntries(f.clock.now())[0]!;
      expect(during.packets).toEqual(before.packets);
      expect(during.state).toBe("ESTABLISHED");
      f.f.setPolicy({ ...p, revision: 3 });
      expect(f.in(tcp(ADMIN, 40000, A4, 22, ACK))).toMatchObject({
        via: "conntrack",
        naclRule: 100,
      });
    });

    it("creates no entry when the SG allows but the outbound NACL denies (documented choice)", () => {
      const p = policy({
        egress: [rule("-1", -1, -1, "0.0.0.0/0")],
        naclOut: [nacl(50, "deny", 6, "0.0.0.0/0", [443, 443]), ...DEFAULT_NACL],
      });
      const f = new ClockedFilter(p);
      expect(f.out(tcp(A4, 50000, C4, 443, SYN))).toMatchObject({
        reason: DropReason.NaclDenied,
        naclRule: 50,
      });
      expect(f.f.conntrackEntries(f.clock.now())).toEqual([]);
      expect(f.f.counters().trackedEntries).toBe(0);
      // The peer's SYN-ACK therefore finds nothing to let it in.
      expect(reasonOf(f.in(tcp(C4, 443, A4, 50000, SYNACK)))).toBe(DropReason.SgNoMatch);
    });
  });

  describe("ICMP (CT-8, CT-9, TO-5)", () => {
    it("lets an echo reply out with no outbound rule (CT-8)", () => {
      const f = new ClockedFilter(policy({ ingress: [rule("icmp", -1, -1, "0.0.0.0/0")] }));
      expect(f.in(echo(C4, A4, 77))).toMatchObject({ tracked: true });
      expect(f.out(echo(A4, C4, 77, true))).toMatchObject({ via: "conntrack" });
      // Another identifier is another flow.
      expect(reasonOf(f.out(echo(A4, C4, 78, true)))).toBe(DropReason.SgNoMatch);
    });

    it("keys echo flows by identifier and type: a request the other way is not a reply (CT-8)", () => {
      const f = new ClockedFilter(policy({ egress: [rule("icmp", -1, -1, "0.0.0.0/0")] }));
      f.out(echo(A4, C4, 5));
      expect(f.in(echo(C4, A4, 5, true))).toMatchObject({ via: "conntrack" });
      expect(reasonOf(f.in(echo(C4, A4, 5)))).toBe(DropReason.SgNoMatch);
    });

    it("drops an ICMP error about a tracked flow unless an inbound ICMP rule admits it (CT-9)", () => {
      const p = policy({ egress: [rule("-1", -1, -1, "0.0.0.0/0")] });
      const f = new ClockedFilter(p);
      f.out(tcp(A4, 50000, C4, 443, SYN));
      const fragNeeded = icmpError(C4, A4, 3, 4, tcpBytes(A4, 50000, C4, 443), 1400);
      expect(reasonOf(f.in(fragNeeded))).toBe(DropReason.SgNoMatch);
      f.f.setPolicy({ ...p, revision: 2, ingress: [rule("icmp", 3, 4, "0.0.0.0/0", "sgr-pmtud")] });
      expect(f.in(fragNeeded)).toMatchObject({ via: "rule", tracked: false, ruleId: "sgr-pmtud" });
      expect(f.f.counters().trackedEntries).toBe(1);
    });

    it("expires an echo entry after 30 s (TO-5)", () => {
      const f = new ClockedFilter(policy({ ingress: [rule("icmp", -1, -1, "0.0.0.0/0")] }));
      f.in(echo(C4, A4, 3));
      f.clock.advance(29_999);
      expect(allowed(f.out(echo(A4, C4, 3, true)))).toBe(true);
      f.clock.advance(30_000);
      expect(reasonOf(f.out(echo(A4, C4, 3, true)))).toBe(DropReason.SgNoMatch);
    });
  });

  it("tracks other protocols by address pair for 600 s (CT-10, TO-6)", () => {
    const f = new ClockedFilter(policy({ egress: [rule("-1", -1, -1, "0.0.0.0/0")] }));
    expect(f.out(other(A4, C4, 47))).toMatchObject({ tracked: true });
    f.clock.advance(10_000);
    expect(f.in(other(C4, A4, 47))).toMatchObject({ via: "conntrack" });
    f.clock.advance(599_000);
    expect(f.in(other(C4, A4, 47))).toMatchObject({ via: "conntrack" }); // refreshed both ways
    f.clock.advance(601_000);
    expect(reasonOf(f.in(other(C4, A4, 47)))).toBe(DropReason.SgNoMatch);
    // Another protocol to the same peer is not covered.
    f.out(other(A4, C4, 47));
    expect(reasonOf(f.in(other(C4, A4, 50)))).toBe(DropReason.SgNoMatch);
  });

  it("tracks everything on an automatically tracked path (CT-4)", () => {
    const f = new ClockedFilter(policy({ ...ct3Rules(), autoTracked: true }));
    expect(f.in(tcp(C4, 41000, A4, 80, SYN))).toMatchObject({ tracked: true });
    expect(f.f.conntrackEntries(f.clock.now())).toHaveLength(1);
  });

  describe("allowance (MET-1..MET-4)", () => {
    it("drops new tracked flows beyond the maximum, keeps established and untracked ones", () => {
      const p = policy({
        ...ct3Rules(),
        ingress: [...ct3Rules().ingress, rule("tcp", 443, 443, "10.0.0.0/8")],
        allowance: 2,
      });
      const f = new ClockedFilter(p);
      expect(f.f.counters().conntrackAllowanceAvailable).toBe(2);
      f.in(tcp("10.0.0.1", 1, A4, 443, SYN));
      f.in(tcp("10.0.0.2", 1, A4, 443, SYN));
      expect(f.f.counters()).toMatchObject({ conntrackAllowanceAvailable: 0, trackedEntries: 2 });
      expect(f.in(tcp("10.0.0.3", 1, A4, 443, SYN))).toEqual({
        action: "drop",
        reason: DropReason.CtAllowance,
      });
      expect(f.in(tcp("10.0.0.3", 1, A4, 443, SYN))).toEqual({
        action: "drop",
        reason: DropReason.CtAllowance,
      });
      expect(f.f.counters().conntrackAllowanceExceeded).toBe(2); // MET-3: per dropped packet
      // MET-1: existing entries keep working.
      expect(f.out(tcp(A4, 443, "10.0.0.1", 1, SYNACK))).toMatchObject({ via: "conntrack" });
      // MET-2: untracked flows need no allowance.
      expect(f.in(tcp(C4, 41000, A4, 80, SYN))).toMatchObject({ action: "allow", tracked: false });
      // Entries that expire (SYN_RECV 60 s, SYN_SENT 120 s) give their allowance back once reaped.
      f.clock.advance(121_000);
      expect(f.f.reap(f.clock.now())).toBe(2);
      expect(f.f.counters().conntrackAllowanceAvailable).toBe(2);
      expect(f.in(tcp("10.0.0.3", 1, A4, 443, SYN))).toMatchObject({ tracked: true });
    });

    it("shares one allowance among the ENIs of an instance (MET-1)", () => {
      const allowance = new Allowance(3);
      const pol = policy({ egress: [rule("-1", -1, -1, "0.0.0.0/0")], allowance: 3 });
      const e1 = new EniFilter(pol, { allowance });
      const e2 = new EniFilter({ ...pol, eniId: "eni-b", ipv4: ["10.0.1.12"] }, { allowance });
      expect(allowed(e1.egress(udp(A4, 1000, C4, 53), 40, true, 0))).toBe(true);
      expect(allowed(e1.egress(udp(A4, 1001, C4, 53), 40, true, 0))).toBe(true);
      expect(allowed(e2.egress(udp("10.0.1.12", 1000, C4, 53), 40, true, 0))).toBe(true);
      expect(reasonOf(e2.egress(udp("10.0.1.12", 1001, C4, 53), 40, true, 0))).toBe(
        DropReason.CtAllowance,
      );
      expect(e1.counters().conntrackAllowanceAvailable).toBe(0);
      expect(e2.counters().conntrackAllowanceExceeded).toBe(1);
      expect(e1.counters().conntrackAllowanceExceeded).toBe(0);
      expect(allowance.exceeded()).toBe(1);
    });
  });

  it("takes a private allowance's maximum from each revision, leaves a shared one to its owner", () => {
    const pol = policy({ egress: [rule("-1", -1, -1, "0.0.0.0/0")], allowance: 1 });
    const own = new EniFilter(pol);
    expect(own.counters().conntrackAllowanceAvailable).toBe(1);
    own.setPolicy({ ...pol, revision: 2, allowance: 5 });
    expect(own.counters().conntrackAllowanceAvailable).toBe(5);
    const shared = new Allowance(10);
    const f = new EniFilter(pol, { allowance: shared });
    f.setPolicy({ ...pol, revision: 2, allowance: 5 });
    expect(f.counters().conntrackAllowanceAvailable).toBe(10);
  });

  it("expires idle entries silently; a late reply is then judged as new and dropped (CT-12)", () => {
    const f = new ClockedFilter(policy({ egress: [rule("udp", 53, 53, "0.0.0.0/0")] }));
    f.out(udp(A4, 5000, C4, 53));
    f.clock.advance(30_000);
    // Expired entries never admit, even before a reap.
    expect(reasonOf(f.in(udp(C4, 53, A4, 5000)))).toBe(DropReason.SgNoMatch);
    expect(f.f.conntrackEntries(f.clock.now())).toEqual([]);
  });

  it("applies a changed timeout to existing entries (TO-3)", () => {
    const p = policy({
      egress: [rule("udp", 0, 65535, "0.0.0.0/0")],
      timeouts: { tcpEstablished: 432_000, udp: 60, udpStream: 180 },
    });
    const f = new ClockedFilter(p);
    f.out(udp(A4, 5000, C4, 9000));
    f.clock.advance(45_000);
    expect(f.f.conntrackEntries(f.clock.now())).toHaveLength(1);
    f.f.setPolicy({
      ...p,
      revision: 2,
      timeouts: { tcpEstablished: 432_000, udp: 30, udpStream: 180 },
    });
    expect(f.f.conntrackEntries(f.clock.now())).toEqual([]);
    expect(reasonOf(f.in(udp(C4, 9000, A4, 5000)))).toBe(DropReason.SgNoMatch);
  });

  it("drops a segment that does not fit the connection (ct_invalid_transition)", () => {
    const f = new ClockedFilter(policy({ ingress: [rule("tcp", 22, 22, `${ADMIN}/32`)] }));
    f.in(tcp(ADMIN, 40000, A4, 22, SYN));
    // The initiator cannot ACK before the SYN-ACK.
    expect(reasonOf(f.in(tcp(ADMIN, 40000, A4, 22, ACK)))).toBe(DropReason.CtInvalid);
    // A SYN-ACK as the first packet of a flow is invalid even when a rule admits it (its own
    // reason: no entry was there to transition, docs/observability.md "Verdict events").
    expect(reasonOf(f.in(tcp(ADMIN, 40001, A4, 22, SYNACK)))).toBe(DropReason.CtInvalidFirst);
    // An RST without entry passes by rule and opens nothing.
    expect(f.in(tcp(ADMIN, 40002, A4, 22, TcpFlag.RST))).toMatchObject({
      action: "allow",
      tracked: false,
    });
    expect(f.f.counters().trackedEntries).toBe(1);
  });

  it("judges non-first fragments by the rules as decoded, never by or into conntrack (documented choice)", () => {
    const frag = fragment(ADMIN, A4, 6, 1480);
    expect(frag.fragmentOffset).toBe(1480);
    const f = new ClockedFilter(policy({ ingress: [rule("tcp", 22, 22, `${ADMIN}/32`)] }));
    f.in(tcp(ADMIN, 40000, A4, 22, SYN));
    expect(reasonOf(f.in(frag))).toBe(DropReason.SgNoMatch);
    const g = new ClockedFilter(
      policy({ ingress: [rule("-1", -1, -1, `${ADMIN}/32`, "sgr-admin-all")] }),
    );
    expect(g.in(frag)).toMatchObject({
      action: "allow",
      via: "rule",
      tracked: false,
      ruleId: "sgr-admin-all",
    });
    expect(g.f.counters().trackedEntries).toBe(0);
  });

  it("applies IPv6 NACL entries to IPv6 traffic only (NACL-5)", () => {
    const f = new ClockedFilter(
      policy({
        ingress: [rule("tcp", 443, 443, "::/0"), rule("tcp", 443, 443, "0.0.0.0/0")],
        naclIn: [nacl(90, "deny", 6, "2001:db8:ff::/48", [443, 443]), ...DEFAULT_NACL],
      }),
    );
    expect(f.in(tcp(C6, 1000, A6, 443, SYN))).toMatchObject({ action: "drop", naclRule: 90 });
    expect(f.in(tcp("2001:db8:fe::1", 1000, A6, 443, SYN))).toMatchObject({
      action: "allow",
      naclRule: 101,
    });
    expect(f.in(tcp(C4, 1000, A4, 443, SYN))).toMatchObject({ action: "allow", naclRule: 100 });
  });

  describe("reclassifyLive (CT-16)", () => {
    function reclassifySetup(reclassifyLive: boolean) {
      const p = policy(ct3Rules());
      const narrowed = {
        ...p,
        revision: 2,
        egress: p.egress.filter((r) => r.ruleId !== "sgr-out4"),
      };
      const f = new ClockedFilter(narrowed, { reclassifyLive });
      f.in(tcp(C4, 41000, A4, 80, SYN)); // tracked under the narrowed rules
      f.f.setPolicy({ ...p, revision: 3 }); // /0 pair back: the flow now meets the untracked test
      const r = f.in(tcp(C4, 41000, A4, 80, SYN));
      f.f.setPolicy({ ...p, revision: 4, ingress: [] }); // then the HTTP rule goes
      return { r, after: f.in(tcp(C4, 41000, A4, 80, SYN)) };
    }

    it("off (default): the tracked entry survives the rule removal", () => {
      const { r, after } = reclassifySetup(false);
      expect(r).toMatchObject({ via: "conntrack" });
      expect(after).toMatchObject({ via: "conntrack" });
    });

    it("on: the entry is dropped once the flow is untracked, so the removal cuts it", () => {
      const { r, after } = reclassifySetup(true);
      expect(r).toMatchObject({ via: "rule", tracked: false });
      expect(reasonOf(after)).toBe(DropReason.SgNoMatch);
    });
  });

  it("reports entries with tuples, state, expiry, counters and rule id (CT-14)", () => {
    const f = new ClockedFilter(policy({ egress: [rule("tcp", 443, 443, "::/0", "sgr-tls6")] }));
    f.out(tcp(A6, 50000, C6, 443, SYN), true, 74);
    f.clock.advance(100);
    f.in(tcp(C6, 443, A6, 50000, SYNACK), true, 74);
    f.clock.advance(100);
    f.out(tcp(A6, 50000, C6, 443, ACK), true, 60);
    expect(f.f.conntrackEntries(f.clock.now())).toEqual([
      {
        eniId: "eni-a",
        family: 6,
        protocol: 6,
        original: { src: A6, srcPort: 50000, dst: C6, dstPort: 443 },
        reply: { src: C6, srcPort: 443, dst: A6, dstPort: 50000 },
        state: "ESTABLISHED",
        openedBy: "egress",
        lastSeenMs: f.clock.now(),
        expiresAtMs: f.clock.now() + 432_000_000,
        packets: { original: 2, reply: 1 },
        bytes: { original: 134, reply: 74 },
        ruleId: "sgr-tls6",
      },
    ]);
  });
});

/** An EniFilter with a ManualClock and short in()/out() helpers (crossesSubnet default true). */
class ClockedFilter {
  readonly clock = new ManualClock();
  readonly f: EniFilter;

  constructor(p: ReturnType<typeof policy>, opts: ConstructorParameters<typeof EniFilter>[1] = {}) {
    this.f = new EniFilter(p, opts);
  }

  in(pkt: Parameters<EniFilter["ingress"]>[0], crosses = true, bytes = 60): FilterResult {
    return this.f.ingress(pkt, bytes, crosses, this.clock.now());
  }

  out(pkt: Parameters<EniFilter["egress"]>[0], crosses = true, bytes = 60): FilterResult {
    return this.f.egress(pkt, bytes, crosses, this.clock.now());
  }
}

describe("EniFilter and TUN offload super-packets (packet/virtio-net.ts)", () => {
  const FIN = TcpFlag.FIN;
  const PSH = TcpFlag.PSH;
  /** Runs `before`, then `last` once as a super-packet of `n` segments and once segment by segment. */
  function bothWays(before: (f: ClockedFilter) => void, flags: number, n: number) {
    const mk = () => {
      const f = new ClockedFilter(
        policy({ egress: [rule("tcp", 443, 443, "0.0.0.0/0", "sgr-tls")] }),
      );
      before(f);
      return f;
    };
    const whole = mk();
    const r = whole.out(
      { ...tcp(A4, 50000, C4, 443, flags), segments: n },
      true,
      n * 52 + 1000 * n,
    );
    const cut = mk();
    // The super-packet's one verdict is its first segment's (the others follow it).
    let first: FilterResult | undefined;
    for (let i = 0; i < n; i++) {
      // tcp_gso_segment: FIN and PSH on the last segment only, CWR on the first only.
      const f = i < n - 1 ? flags & ~(FIN | PSH) : flags & ~TcpFlag.CWR;
      const v = cut.out(tcp(A4, 50000, C4, 443, i > 0 ? f & ~TcpFlag.CWR : f), true, 52 + 1000);
      first ??= v;
      // Every segment passes as the super-packet did (a drop would drop the whole).
      expect(v.action).toBe(r.action);
    }
    const of = (f: ClockedFilter) => ({
      entries: f.f.conntrackEntries(f.clock.now()),
      hits: f.f.ruleHits(),
      ctHits: f.f.conntrackRuleHits(),
      counters: f.f.counters(),
    });
    return { whole: { r, ...of(whole) }, cut: { r: first!, ...of(cut) } };
  }

  it.each([
    ["established, FIN|PSH on the last segment", ACK | PSH | FIN],
    ["established, plain data", ACK],
    ["established, CWR on the first segment", ACK | TcpFlag.CWR | PSH],
  ])("counts its segments and moves the entry as they would (%s)", (_n, flags) => {
    const { whole, cut } = bothWays(
      (f) => {
        f.out(tcp(A4, 50000, C4, 443, SYN), true, 60);
        f.in(tcp(C4, 443, A4, 50000, SYNACK), true, 60);
        f.out(tcp(A4, 50000, C4, 443, ACK), true, 52);
      },
      flags,
      5,
    );
    expect(whole.r).toEqual(cut.r);
    expect(whole.entries).toEqual(cut.entries);
    expect(whole.hits).toEqual(cut.hits);
    expect(whole.ctHits).toEqual(cut.ctHits);
    expect(whole.counters).toEqual(cut.counters);
    expect(whole.entries[0]!.packets.original).toBe(7);
    expect(whole.entries[0]!.bytes.original).toBe(60 + 52 + 5 * 1052);
  });

  it("moves an entry still in SYN-RECEIVED as its segments would (ACK first, then the FIN)", () => {
    const { whole, cut } = bothWays(
      (f) => {
        f.out(tcp(A4, 50000, C4, 443, SYN), true, 60);
        f.in(tcp(C4, 443, A4, 50000, SYNACK), true, 60);
      },
      ACK | FIN,
      3,
    );
    expect(whole.r).toEqual(cut.r);
    expect(whole.entries).toEqual(cut.entries);
  });

  it("counts a super-packet that opens a flow by rule as one rule hit and its other segments as the entry's", () => {
    const { whole, cut } = bothWays(() => undefined, ACK, 4);
    expect(whole.r).toEqual(cut.r);
    expect(whole.entries).toEqual(cut.entries);
    expect(whole.hits).toEqual(cut.hits);
    expect(whole.ctHits).toEqual(cut.ctHits);
    expect(whole.counters).toEqual(cut.counters);
  });
});
