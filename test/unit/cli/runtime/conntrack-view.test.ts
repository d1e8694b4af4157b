import { describe, expect, it } from "vitest";
import type { ConntrackEntryReport } from "../../../../controller/reports/report-types.js";
import { eniReportsOf, formatConntrackTable } from "../../../../cli/runtime/conntrack-view.js";

const NOW = 1_700_000_000_000;

const http: ConntrackEntryReport = {
  protocol: 6,
  original: { src: "198.51.100.10", srcPort: 40000, dst: "10.0.1.10", dstPort: 80 },
  reply: { src: "10.0.1.10", srcPort: 80, dst: "198.51.100.10", dstPort: 40000 },
  state: "ESTABLISHED",
  expiresAtMs: NOW + 431_999_400,
  packetsOriginal: 5,
  bytesOriginal: 300,
  packetsReply: 4,
  bytesReply: 500,
  ruleId: "sgr-0123456789abcdef0",
  direction: "ingress",
};

const ping: ConntrackEntryReport = {
  ...http,
  protocol: 1,
  original: { src: "198.51.100.10", srcPort: 7, dst: "10.0.1.10", dstPort: 7 },
  reply: { src: "10.0.1.10", srcPort: 7, dst: "198.51.100.10", dstPort: 7 },
  state: "ICMP",
  expiresAtMs: NOW + 29_000,
  ruleId: "",
  direction: "",
};

describe("formatConntrackTable", () => {
  it("prints conntrack -L lines with the admitting rule", () => {
    const text = formatConntrackTable(
      [{ eniId: "eni-1", instanceId: "i-1", entries: [http, ping] }],
      NOW,
    );
    expect(text.split("\n")).toEqual([
      "tcp      6  431999 ESTABLISHED src=198.51.100.10 dst=10.0.1.10 sport=40000 dport=80 packets=5 bytes=300 " +
        "src=10.0.1.10 dst=198.51.100.10 sport=80 dport=40000 packets=4 bytes=500 rule=sgr-0123456789abcdef0 dir=ingress eni=eni-1",
      // CT-8: ICMP echo entries are keyed by the echo identifier.
      "icmp     1      29 src=198.51.100.10 dst=10.0.1.10 id=7 packets=5 bytes=300 " +
        "src=10.0.1.10 dst=198.51.100.10 id=7 packets=4 bytes=500 rule=- dir=- eni=eni-1",
      "vpcemu conntrack: 2 flow entries have been shown.",
    ]);
  });

  it("says so when the table is empty", () => {
    expect(formatConntrackTable([], NOW)).toBe("vpcemu conntrack: 0 flow entries have been shown.");
  });
});

describe("eniReportsOf", () => {
  const eni = { eniId: "eni-1", instanceId: "i-1", entries: [http] };
  it.each([
    ["a report", { requestId: "", takenAtMs: NOW, enis: [eni] }],
    ["a list", [eni]],
    ["a wrapped report", { report: { enis: [eni] } }],
    ["one ENI", eni],
  ])("accepts %s", (_, body) => {
    expect(eniReportsOf(body)).toEqual([eni]);
  });
});
