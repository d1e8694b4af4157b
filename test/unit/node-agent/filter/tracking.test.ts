import { describe, expect, it } from "vitest";
import { TrackingClassifier } from "../../../../node-agent/filter/tracking.js";
import type { CompiledRule } from "../../../../node-agent/filter/policy.js";
import { echo, other, rule, sgRule, tcp, udp } from "./fixtures.js";

const A = "10.0.1.10";
const P = "198.51.100.7";

function classifier(ingress: CompiledRule[], egress: CompiledRule[], autoTracked = false) {
  return new TrackingClassifier({ ingress, egress, autoTracked });
}

describe("TrackingClassifier (CT-2)", () => {
  it("(a) request orientation: /0 rule permits the packet and the other direction opens every port", () => {
    const c = classifier([rule("tcp", 80, 80, "0.0.0.0/0")], [rule("tcp", 0, 65535, "0.0.0.0/0")]);
    expect(c.isUntracked(false, tcp(P, 40000, A, 80))).toBe(true);
    // Narrow the reverse direction to one port: no longer all ports -> tracked.
    const n = classifier(
      [rule("tcp", 80, 80, "0.0.0.0/0")],
      [rule("tcp", 1024, 65535, "0.0.0.0/0")],
    );
    expect(n.isUntracked(false, tcp(P, 40000, A, 80))).toBe(false);
  });

  it("(b) response orientation: own direction covers every port, the other permits the reversed packet", () => {
    // Outbound all ports to /0, inbound tcp 443 from /0: a packet leaving from local port 443
    // (the response half) is untracked even though no egress rule names port 443 specifically.
    const c = classifier([rule("tcp", 443, 443, "0.0.0.0/0")], [rule("-1", -1, -1, "0.0.0.0/0")]);
    expect(c.isUntracked(true, tcp(A, 443, P, 40000))).toBe(true);
    // An outbound connection to P:443 stays tracked: inbound does not open its source port 50000
    // (no (b)) and inbound is not all-ports (no (a)).
    expect(c.isUntracked(true, tcp(A, 50000, P, 443))).toBe(false);
  });

  it("counts only cidr peers that are exactly /0 of the packet's family", () => {
    const egressAll = [rule("-1", -1, -1, "0.0.0.0/0")];
    expect(
      classifier([rule("tcp", 80, 80, "0.0.0.0/1")], egressAll).isUntracked(
        false,
        tcp(P, 1, A, 80),
      ),
    ).toBe(false);
    const viaSg = sgRule(6, 80, 80, ["0.0.0.0/0"], "sg-x");
    expect(classifier([viaSg], egressAll).isUntracked(false, tcp(P, 1, A, 80))).toBe(false);
    const pl: CompiledRule = {
      ...rule("tcp", 80, 80, "0.0.0.0/0"),
      peer: { kind: "prefix-list", prefixListId: "pl-1" },
    };
    expect(classifier([pl], egressAll).isUntracked(false, tcp(P, 1, A, 80))).toBe(false);
    // The v6 pair says nothing about v4.
    expect(
      classifier([rule("tcp", 80, 80, "0.0.0.0/0")], [rule("-1", -1, -1, "::/0")]).isUntracked(
        false,
        tcp(P, 1, A, 80),
      ),
    ).toBe(false);
  });

  it("applies per protocol: an all-ports TCP rule says nothing about UDP", () => {
    const c = classifier([rule("udp", 53, 53, "0.0.0.0/0")], [rule("tcp", 0, 65535, "0.0.0.0/0")]);
    expect(c.isUntracked(false, udp(P, 1000, A, 53))).toBe(false);
    const d = classifier([rule("udp", 53, 53, "0.0.0.0/0")], [rule("udp", 0, 65535, "0.0.0.0/0")]);
    expect(d.isUntracked(false, udp(P, 1000, A, 53))).toBe(true);
  });

  it("always tracks ICMP and other protocols, and everything on an auto-tracked path (CT-4, CT-10)", () => {
    const open = [rule("-1", -1, -1, "0.0.0.0/0")];
    const c = classifier(open, open);
    expect(c.isUntracked(false, tcp(P, 1, A, 80))).toBe(true);
    expect(c.isUntracked(false, echo(P, A, 1))).toBe(false);
    expect(c.isUntracked(false, other(P, A, 47))).toBe(false);
    expect(classifier(open, open, true).isUntracked(false, tcp(P, 1, A, 80))).toBe(false);
  });
});
