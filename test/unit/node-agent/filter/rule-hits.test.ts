import { describe, expect, it } from "vitest";
import { EniFilter } from "../../../../node-agent/filter/filter.js";
import { TcpFlag, policy, rule, tcp } from "./fixtures.js";

// ENI A 10.0.1.10; clients 203.0.113.1 (SSH, tracked: a /32) and 198.51.100.7 (HTTP on /0 both
// ways: untracked, CT-2).
const A4 = "10.0.1.10";
const ADMIN = "203.0.113.1";
const C4 = "198.51.100.7";
const rules = {
  ingress: [
    rule("tcp", 22, 22, `${ADMIN}/32`, "sgr-ssh"),
    rule("tcp", 80, 80, "0.0.0.0/0", "sgr-http"),
  ],
  egress: [rule("-1", -1, -1, "0.0.0.0/0", "sgr-out")],
};
const sorted = (f: EniFilter) =>
  f
    .ruleHits()
    .sort((a, b) => `${a.direction}${a.ruleId}`.localeCompare(`${b.direction}${b.ruleId}`));

describe("EniFilter.ruleHits", () => {
  it("counts a tracked flow's first packet and every packet of an untracked one, per rule and direction", () => {
    const f = new EniFilter(policy(rules));
    f.ingress(tcp(ADMIN, 40000, A4, 22, TcpFlag.SYN), 60, false, 0);
    // Reply and follow-ups pass by the entry: not rule hits.
    f.egress(tcp(A4, 22, ADMIN, 40000, TcpFlag.SYN | TcpFlag.ACK), 60, false, 0);
    f.ingress(tcp(ADMIN, 40000, A4, 22, TcpFlag.ACK), 60, false, 0);
    // Untracked HTTP: each packet in and out is judged by a rule.
    f.ingress(tcp(C4, 50000, A4, 80, TcpFlag.SYN), 60, false, 0);
    f.egress(tcp(A4, 80, C4, 50000, TcpFlag.SYN | TcpFlag.ACK), 60, false, 0);
    f.ingress(tcp(C4, 50000, A4, 80, TcpFlag.ACK), 60, false, 0);
    // Denied: no rule, no hit.
    f.ingress(tcp(C4, 50001, A4, 23, TcpFlag.SYN), 60, false, 0);
    expect(sorted(f)).toEqual([
      { ruleId: "sgr-out", direction: "egress", packets: 1 },
      { ruleId: "sgr-http", direction: "ingress", packets: 2 },
      { ruleId: "sgr-ssh", direction: "ingress", packets: 1 },
    ]);
  });

  it("keeps the counts of a rule across policy revisions (setPolicy)", () => {
    const f = new EniFilter(policy(rules));
    f.ingress(tcp(ADMIN, 40000, A4, 22, TcpFlag.SYN), 60, false, 0);
    f.setPolicy(policy({ ...rules, revision: 2 }));
    f.ingress(tcp(ADMIN, 40001, A4, 22, TcpFlag.SYN), 60, false, 0);
    f.setPolicy(policy({ ingress: [], egress: [], revision: 3 }));
    expect(f.ruleHits()).toEqual([{ ruleId: "sgr-ssh", direction: "ingress", packets: 2 }]);
  });
});
