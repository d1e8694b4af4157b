/**
 * A verdict event as one line (controller/traces/trace-describe.ts; docs/observability.md
 * "Verdict events" VE-2, VE-3): the SG rule or the groups none of whose rules matched, the NACL
 * entry ("*" for the default), the conntrack state, the fault, the decode check, the packet.
 */
import { describe, expect, it } from "vitest";
import {
  describeVerdictEvent,
  type DescribableEvent,
} from "../../../../controller/traces/trace-describe.js";

const base: DescribableEvent = {
  eniId: "eni-0123456789abcdef0",
  direction: "ingress",
  verdict: "drop",
  reason: "sg_no_match",
  conntrack: "none",
  protocol: 6,
  src: "10.0.1.10",
  dst: "10.0.2.20",
  srcPort: 40000,
  dstPort: 22,
  length: 60,
};

describe("describeVerdictEvent", () => {
  it("names the groups of an SG drop and the NACL entry that let the packet reach the SG (VE-3)", () => {
    expect(
      describeVerdictEvent({
        ...base,
        noMatchGroups: ["sg-a", "sg-b"],
        naclId: "acl-1",
        naclRuleNumber: 100,
      }),
    ).toBe(
      "eni-0123456789abcdef0 ingress DROP sg_no_match: no rule of groups [sg-a, sg-b] matched; NACL acl-1 rule 100 allowed; conntrack none | tcp 10.0.1.10:40000 -> 10.0.2.20:22, 60 B",
    );
  });

  it("names the NACL's default entry as *, and an accept's SG rule and conntrack state (VE-2)", () => {
    expect(
      describeVerdictEvent({
        ...base,
        reason: "nacl_denied",
        naclId: "acl-1",
        naclRuleNumber: "*",
      }),
    ).toMatch(/DROP nacl_denied: NACL acl-1 default rule \* denied; conntrack none \|/);
    expect(
      describeVerdictEvent({
        ...base,
        direction: "egress",
        verdict: "accept",
        reason: "conntrack_established",
        sgRuleId: "sgr-1",
        conntrack: "established",
      }),
    ).toMatch(
      /egress ACCEPT conntrack_established: conntrack entry opened by sgr-1; conntrack established \|/,
    );
  });

  it("names a fault, a decode check, ICMP and IPv6 endpoints, and an undecoded packet", () => {
    expect(describeVerdictEvent({ ...base, reason: "fault_blackhole", faultId: "flt-1" })).toMatch(
      /fault_blackhole: fault flt-1; conntrack none/,
    );
    expect(
      describeVerdictEvent({
        eniId: "",
        direction: "ingress",
        verdict: "drop",
        reason: "truncated",
        site: "geneve_short",
        conntrack: "none",
        length: 7,
      }),
    ).toBe(
      "(agent) ingress DROP truncated: check geneve_short; conntrack none | 7 B (not decoded)",
    );
    const icmp = {
      ...base,
      protocol: 58,
      src: "2001:db8::1",
      dst: "2001:db8::2",
      icmpType: 128,
      icmpCode: 0,
    };
    delete (icmp as { srcPort?: number }).srcPort;
    delete (icmp as { dstPort?: number }).dstPort;
    expect(describeVerdictEvent(icmp)).toMatch(
      /\| icmpv6 2001:db8::1 -> 2001:db8::2 type 128 code 0, 60 B$/,
    );
    expect(describeVerdictEvent({ ...base, src: "2001:db8::1", dst: "2001:db8::2" })).toMatch(
      /tcp \[2001:db8::1\]:40000 -> \[2001:db8::2\]:22/,
    );
  });
});
